"""Decide what an uploaded drawing really is, from its content, before anything is stored.

The extension a user gives is only a claim: the kind comes from the magic bytes plus a real
parse by the library that will later render the file, and the extension must agree with it.
Anything a browser or another program could read as something else (HTML, ZIP, a PDF with
scripts, an image with a PDF or HTML appended) is refused, because partners only ever see
previews and the owner's original must stay inert.

Every refusal is an ``ApplicationError`` with a ``file`` field message; a parser that breaks on
hostile input becomes a refusal too, never a server error.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from machikoba.core.errors import ApplicationError
from machikoba.drawings.error_codes import DrawingsErrorCode

# Above this many pixels an image is treated as a decompression bomb (60 MP is a 9000 x 6700 scan).
MAX_IMAGE_PIXELS = 60_000_000
FILENAME_MAX_LENGTH = 150

_CHUNK = 1024 * 1024
_HEAD = 64 * 1024
# A ZIP reader finds its end-of-central-directory record within the last 64 KiB + 22 bytes.
_TAIL = 64 * 1024 + 22

KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # kind: (mime, canonical extension, accepted extensions)
    "pdf": ("application/pdf", ".pdf", (".pdf",)),
    "dxf": ("image/vnd.dxf", ".dxf", (".dxf",)),
    "png": ("image/png", ".png", (".png",)),
    "jpeg": ("image/jpeg", ".jpg", (".jpg", ".jpeg", ".jpe")),
    "step": ("model/step", ".step", (".step", ".stp")),
}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_BINARY_DXF_MAGIC = b"AutoCAD Binary DXF\r\n\x1a\x00"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ZIP_END = b"PK\x05\x06"
_STEP_MAGIC = b"ISO-10303-21;"
# Signatures that make a file readable as a second format. Searched case-insensitively.
_FOREIGN_SIGNATURES = (b"%pdf-", b"<html", b"<script", b"<!doctype", b"<svg", b"<?xml")
_HTML_START = re.compile(
    rb"^\s*<(?:!doctype|html|head|body|script|iframe|svg|\?xml|!--|[a-z]+[\s>])", re.IGNORECASE
)
# PDF names that run code, open other programs or carry attached files.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
_PDF_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/Rendition"}
)
_BIDI_AND_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\ufff9-\ufffb]"
)


@dataclass(frozen=True)
class SniffedFile:
    kind: str
    mime: str
    extension: str
    page_count: int
    sha256: str
    size: int


def _refuse(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, fields={"file": [message]})


def clean_filename(name: str) -> str:
    """The name to show for an upload: its last path part, printable, NFC, at most 150 chars."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _BIDI_AND_INVISIBLE.sub("", name)
    name = "".join(
        " " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") or ch in "\t\n\r\v\f" else ch
        for ch in name
        if not unicodedata.category(ch).startswith("C") or ch in "\t\n\r\v\f"
    )
    name = " ".join(name.split())
    # "." and ".." are path components, not names.
    if name.strip(". ") == "":
        raise _refuse(DrawingsErrorCode.FILENAME_INVALID, _("ファイル名が正しくありません。"))
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and 0 < len(ext) <= 10:
            keep = FILENAME_MAX_LENGTH - len(ext) - 1
            name = stem[:keep].rstrip() + "." + ext
        else:
            name = name[:FILENAME_MAX_LENGTH].rstrip()
    return name


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ("." + ext.lower()) if dot and stem else ""


def _detect_kind(head: bytes) -> str | None:
    if not head:
        raise _refuse(DrawingsErrorCode.FILE_EMPTY, _("ファイルが空です。"))
    if head.startswith(_ZIP_MAGICS):
        raise _refuse(
            DrawingsErrorCode.FILE_ZIP,
            _(
                "ZIP などの圧縮ファイルは受け付けていません。"
                "図面は1ファイルずつアップロードしてください。"
            ),
        )
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_PNG_MAGIC):
        return "png"
    if head.startswith(_JPEG_MAGIC):
        return "jpeg"
    if head.startswith(_BINARY_DXF_MAGIC):
        return "dxf"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.lstrip().startswith(_STEP_MAGIC):
        return "step"
    if _HTML_START.match(text):
        raise _refuse(
            DrawingsErrorCode.FILE_HTML,
            _("HTML などのウェブページは図面として受け付けていません。"),
        )
    if _looks_like_ascii_dxf(text):
        return "dxf"
    return None


def _looks_like_ascii_dxf(text: bytes) -> bool:
    lines = [line.strip() for line in text[:4096].splitlines()[:40]]
    # Optional 999 comments first, then group code 0 with SECTION.
    i = 0
    while i + 1 < len(lines) and lines[i] == b"999":
        i += 2
    return i + 3 < len(lines) and lines[i] == b"0" and lines[i + 1] == b"SECTION"


class _Scanner:
    """Finds foreign-format signatures across chunk borders without keeping the content."""

    def __init__(self, signatures: tuple[bytes, ...]) -> None:
        self.signatures = signatures
        self.overlap = max((len(s) for s in signatures), default=1) - 1
        self.carry = b""
        self.found: bytes | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found is not None or not self.signatures:
            return
        window = (self.carry + chunk).lower()
        for signature in self.signatures:
            if signature in window:
                self.found = signature
                return
        self.carry = window[-self.overlap :] if self.overlap else b""


def _read_all(
    file: BinaryIO, *, kind: str, max_bytes: int
) -> tuple[str, int, bytes, _Scanner, bool]:
    """Checksum and size in chunks, refusing as soon as the limit is passed."""
    digest = hashlib.sha256()
    size = 0
    tail = b""
    scanner = _Scanner(_FOREIGN_SIGNATURES if kind in ("png", "jpeg") else ())
    text_kind = kind == "step" or kind == "dxf"
    has_nul = False
    step_data = _Scanner((b"data;",)) if kind == "step" else None
    file.seek(0)
    while True:
        chunk = file.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        digest.update(chunk)
        # The first 8 bytes of an image are its own magic, not a foreign signature.
        scanner.feed(chunk if size > len(chunk) else chunk[8:])
        if step_data is not None:
            step_data.feed(chunk)
        if text_kind and b"\x00" in chunk:
            has_nul = True
        tail = (tail + chunk)[-_TAIL:]
    if step_data is not None and step_data.found is None:
        raise _refuse(DrawingsErrorCode.FILE_CORRUPT, _step_broken())
    return digest.hexdigest(), size, tail, scanner, has_nul


def too_large_message(max_bytes: int) -> str:
    return _("ファイルが大きすぎます（上限 %(limit)s MB）。") % {
        "limit": max(1, max_bytes // 1_000_000)
    }


def _too_large(max_bytes: int) -> ApplicationError:
    return _refuse(DrawingsErrorCode.FILE_TOO_LARGE, too_large_message(max_bytes))


def _step_broken() -> str:
    return _("STEP ファイルとして読み取れません（HEADER / DATA セクションがありません）。")


def _corrupt(kind: str) -> ApplicationError:
    return _refuse(
        DrawingsErrorCode.FILE_CORRUPT,
        _("%(kind)s ファイルとして読み取れません。ファイルが壊れている可能性があります。")
        % {"kind": kind.upper()},
    )


def _polyglot() -> ApplicationError:
    return _refuse(
        DrawingsErrorCode.FILE_POLYGLOT,
        _("ファイルに別の形式のデータが含まれているため受け付けられません。"),
    )


def sniff_file(file: Any, *, name: str, max_bytes: int, max_pages: int) -> SniffedFile:
    """Check an upload and describe it; raise ``ApplicationError`` if it must be refused.

    ``file`` is a Django ``UploadedFile`` or any seekable binary file object; it is rewound
    afterwards, whether the file is accepted or not.
    """
    display = clean_filename(name)
    declared_size = getattr(file, "size", None)
    if isinstance(declared_size, int) and declared_size > max_bytes:
        raise _too_large(max_bytes)
    try:
        return _sniff(file, display=display, max_bytes=max_bytes, max_pages=max_pages)
    except ApplicationError:
        raise
    except Exception:
        # Hostile input reaches parsers in ways nobody enumerates; it is a refusal, not a 500.
        raise _refuse(
            DrawingsErrorCode.FILE_CORRUPT,
            _("ファイルを読み取れませんでした。ファイルが壊れている可能性があります。"),
        ) from None
    finally:
        with contextlib.suppress(Exception):  # a closed file has nothing left to rewind
            file.seek(0)


def _sniff(file: Any, *, display: str, max_bytes: int, max_pages: int) -> SniffedFile:
    file.seek(0)
    head = file.read(_HEAD)
    kind = _detect_kind(head)
    if kind is None:
        raise _refuse(
            DrawingsErrorCode.FILE_TYPE_UNSUPPORTED,
            _(
                "対応していない形式のファイルです。"
                "PDF・DXF・PNG・JPEG・STEP のいずれかをアップロードしてください。"
            ),
        )
    mime, extension, accepted = KINDS[kind]
    if _extension(display) not in accepted:
        raise _refuse(
            DrawingsErrorCode.FILE_EXTENSION_MISMATCH, _("ファイルの中身が拡張子と一致しません。")
        )

    sha256, size, tail, scanner, has_nul = _read_all(file, kind=kind, max_bytes=max_bytes)
    if _ZIP_END in tail or scanner.found:
        raise _polyglot()
    if has_nul and not head.startswith(_BINARY_DXF_MAGIC):
        raise _corrupt(kind)

    file.seek(0)
    page_count = 1
    if kind == "pdf":
        page_count = _check_pdf(file, max_pages=max_pages)
    elif kind in ("png", "jpeg"):
        _check_image(file, kind=kind)
    elif kind == "dxf":
        _check_dxf(file)
    else:
        _check_step(head, tail)
    return SniffedFile(
        kind=kind, mime=mime, extension=extension, page_count=page_count, sha256=sha256, size=size
    )


# --- PDF ---------------------------------------------------------------------------------


def _encrypted() -> ApplicationError:
    return _refuse(
        DrawingsErrorCode.PDF_ENCRYPTED,
        _(
            "パスワードや暗号化で保護された PDF は受け付けていません。"
            "保護を解除してからアップロードしてください。"
        ),
    )


def _check_pdf(file: Any, *, max_pages: int) -> int:
    import pypdf
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(file.read())
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise _encrypted() from None
        raise _corrupt("pdf") from None
    try:
        page_count = len(document)
    finally:
        document.close()
    if page_count < 1:
        raise _corrupt("pdf")
    if page_count > max_pages:
        raise _refuse(
            DrawingsErrorCode.PDF_TOO_MANY_PAGES,
            _("ページ数が多すぎます（%(count)s ページ、上限 %(limit)s ページ）。")
            % {"count": page_count, "limit": max_pages},
        )
    file.seek(0)
    try:
        reader = pypdf.PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise _encrypted()
        active = _pdf_has_active_content(reader)
    except ApplicationError:
        raise
    except Exception:
        raise _corrupt("pdf") from None
    if active:
        raise _refuse(
            DrawingsErrorCode.PDF_ACTIVE_CONTENT,
            _(
                "JavaScript・外部プログラムの起動・添付ファイルなどを含む PDF は"
                "受け付けていません。"
            ),
        )
    return page_count


def _pdf_has_active_content(reader: Any) -> bool:
    """Whether any object of the PDF (including those inside object streams) is active."""
    from pypdf.generic import DictionaryObject, IndirectObject, NameObject, StreamObject

    numbers: set[tuple[int, int]] = set()
    for generation, objects in reader.xref.items():
        numbers.update((number, generation) for number in objects)
    numbers.update((number, 0) for number in reader.xref_objStm)

    def active(obj: Any) -> bool:
        if isinstance(obj, StreamObject | DictionaryObject):
            for key, value in obj.items():
                if key in _PDF_ACTIVE_KEYS:
                    return True
                if key == "/S" and isinstance(value, NameObject) and value in _PDF_ACTIVE_ACTIONS:
                    return True
                if key == "/AA":
                    return True
        return False

    for number, generation in numbers:
        try:
            obj = IndirectObject(number, generation, reader).get_object()
        except Exception:  # noqa: S112 - an unreadable object is ignored here as pdfium ignores it
            continue
        if active(obj):
            return True
        if isinstance(obj, DictionaryObject):
            # Direct action dictionaries inside, e.g. /OpenAction << /S /JavaScript >>
            for value in obj.values():
                if isinstance(value, DictionaryObject) and active(value):
                    return True
    trailer_root = reader.trailer.get("/Root")
    return bool(trailer_root is not None and active(trailer_root.get_object()))


# --- images ------------------------------------------------------------------------------


def _check_image(file: Any, *, kind: str) -> None:
    from PIL import Image

    bomb = _refuse(
        DrawingsErrorCode.IMAGE_TOO_LARGE,
        _(
            "画像の画素数が多すぎます（上限 %(limit)s 万画素）。"
            "縮小してからアップロードしてください。"
        )
        % {"limit": MAX_IMAGE_PIXELS // 10_000},
    )
    try:
        with warnings.catch_warnings():
            # Our own, lower limit applies below; Pillow's warning would only be log noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file, formats=["PNG"] if kind == "png" else ["JPEG"])
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise bomb
            if width < 1 or height < 1:
                raise _corrupt(kind)
            image.verify()
    except ApplicationError:
        raise
    except Image.DecompressionBombError:
        raise bomb from None
    except Exception:
        raise _corrupt(kind) from None
    if kind == "png":
        file.seek(0)
        _check_png_chunks(file)


def _check_png_chunks(file: Any) -> None:
    """Walk the PNG chunks: the file must end with IEND and carry nothing after it."""
    file.seek(8)
    while True:
        header = file.read(8)
        if len(header) < 8:
            raise _corrupt("png")
        (length,) = struct.unpack(">I", header[:4])
        chunk_type = header[4:]
        if chunk_type == b"IEND":
            file.seek(length + 4, io.SEEK_CUR)
            if file.read(1):
                raise _polyglot()
            return
        file.seek(length + 4, io.SEEK_CUR)


# --- DXF ---------------------------------------------------------------------------------


def read_dxf(stream: BinaryIO) -> Any:
    """An ezdxf document from ASCII or binary DXF, repairing what ezdxf can repair."""
    from ezdxf import recover

    if stream.read(len(_BINARY_DXF_MAGIC)) == _BINARY_DXF_MAGIC:
        from ezdxf.document import Drawing
        from ezdxf.lldxf.tagger import binary_tags_loader

        stream.seek(0)
        document = Drawing.load(binary_tags_loader(stream.read()))
        document.audit()
        return document
    stream.seek(0)
    document, _auditor = recover.read(stream)
    return document


# Reading a whole DXF takes ezdxf seconds per megabyte: on the request only the structure
# of the first tags is checked; the full parse happens in the preview task, under its time
# and memory limits, and a file broken further in gets "preview failed" with the reason.
_DXF_PROBE_BYTES = 1_000_000
_DXF_PROBE_TAGS = 5_000


def _check_dxf(file: Any) -> None:
    from ezdxf.lldxf.tagger import ascii_tags_loader, binary_tags_loader

    probe = file.read(_DXF_PROBE_BYTES)
    complete = len(probe) < _DXF_PROBE_BYTES
    if probe.startswith(_BINARY_DXF_MAGIC):
        tags = binary_tags_loader(probe)
    else:
        # Group codes and structure are ASCII; latin-1 reads any byte, whatever the codepage.
        tags = ascii_tags_loader(io.StringIO(probe.decode("latin-1")))
    count = 0
    first = None
    try:
        for tag in tags:
            first = first or tag
            count += 1
            if count >= _DXF_PROBE_TAGS:
                break
    except Exception:
        # A probe cut mid-tag ends in a broken tag; only a failure well inside it counts.
        if complete or count < _DXF_PROBE_TAGS // 10:
            raise _corrupt("dxf") from None
    if first is None or (first.code, first.value) != (0, "SECTION"):
        raise _corrupt("dxf")


# --- STEP --------------------------------------------------------------------------------


def _check_step(head: bytes, tail: bytes) -> None:
    upper_head = head.upper()
    if b"HEADER;" not in upper_head or b"END-ISO-10303-21;" not in tail.upper():
        raise _refuse(DrawingsErrorCode.FILE_CORRUPT, _step_broken())
    try:
        head.decode("ascii")
    except UnicodeDecodeError:
        # STEP is 7-bit text (non-ASCII goes through \X2\ escapes); a cut multi-byte tail is fine.
        if not _mostly_text(head):
            raise _refuse(DrawingsErrorCode.FILE_CORRUPT, _step_broken()) from None


def _mostly_text(data: bytes) -> bool:
    try:
        data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 4
    return True
