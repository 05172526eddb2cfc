"""Server-side preview images, so a partner can read a drawing without receiving the file.

``iter_previews`` yields one page at a time (render, encode, yield, free) so memory stays bounded
whatever the page count. Pages come out as palette PNGs (at most 126 colours: drawings are line
art), which keeps them small and lets ``watermark.watermark_png`` take its fast path on every
view. Any library failure becomes ``PreviewError`` with a reason the owner can read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from machikoba.drawings.sniffing import read_dxf

SCREEN_EDGE = 1600
ZOOM_EDGE = 4000
PALETTE_COLOURS = 126
# Same limit as sniffing: a larger image is refused before it is decoded.
MAX_IMAGE_PIXELS = 60_000_000


class PreviewError(Exception):
    """A preview could not be made; ``message`` says why, for the owner."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class PreviewPage:
    number: int
    screen_png: bytes
    zoom_png: bytes
    width: int
    height: int


def iter_previews(path: str | os.PathLike, kind: str) -> Iterator[PreviewPage]:
    """Preview pages of the file at ``path``, one at a time; nothing for STEP."""
    renderers = {"pdf": _pdf_pages, "dxf": _dxf_pages, "png": _image_pages, "jpeg": _image_pages}
    if kind == "step":
        return
    if kind not in renderers:
        raise PreviewError(_("この形式のファイルはプレビューを作成できません。"))
    pages = renderers[kind](os.fspath(path))
    while True:
        try:
            page = next(pages)
        except StopIteration:
            return
        except PreviewError:
            raise
        except MemoryError:
            raise PreviewError(
                _("ファイルが大きすぎるため、プレビューを作成できませんでした。")
            ) from None
        except Exception:
            raise PreviewError(_failure_message(kind)) from None
        yield page


def _failure_message(kind: str) -> str:
    return _(
        "%(kind)s ファイルを読み取れなかったため、プレビューを作成できませんでした。"
        "ファイルが壊れている可能性があります。"
    ) % {"kind": kind.upper()}


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """``size`` scaled so its long side is exactly ``edge`` pixels."""
    width, height = size
    scale = edge / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(image) -> bytes:
    """An 8-bit palette PNG of at most 126 colours, the form ``watermark`` reads fastest."""
    import numpy as np
    from PIL import Image

    from machikoba.drawings import palette_png  # loads numpy: only where pages are drawn

    if image.mode != "RGB":
        image = image.convert("RGB")
    quantised = image.quantize(
        PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    indices = np.asarray(quantised)
    used = int(indices.max()) + 1
    return palette_png.encode(indices, bytes(quantised.getpalette("RGB")[: used * 3]), level=6)


def _page(number: int, zoom, *, upscale: bool = True) -> PreviewPage:
    """Screen and zoom PNGs from one rendered image (released by the caller)."""
    from PIL import Image

    target = _fit(zoom.size, ZOOM_EDGE)
    if (upscale or max(zoom.size) > ZOOM_EDGE) and zoom.size != target:
        zoom = zoom.resize(target, Image.Resampling.LANCZOS)
    if upscale or max(zoom.size) > SCREEN_EDGE:
        screen = zoom.resize(_fit(zoom.size, SCREEN_EDGE), Image.Resampling.LANCZOS)
    else:
        screen = zoom
    zoom_png = _encode(zoom)
    screen_png = _encode(screen)
    return PreviewPage(
        number=number,
        screen_png=screen_png,
        zoom_png=zoom_png,
        width=screen.width,
        height=screen.height,
    )


# --- PDF -----------------------------------------------------------------------------------


def _pdf_pages(path: str) -> Iterator[PreviewPage]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise PreviewError(
                _("暗号化された PDF のため、プレビューを作成できませんでした。")
            ) from None
        raise
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                width, height = page.get_size()
                # A1 is 2384 x 1684 pt: the scale comes from the page, not a fixed DPI.
                scale = ZOOM_EDGE / max(width, height, 1.0)
                bitmap = page.render(
                    scale=scale,
                    rotation=0,
                    fill_color=(255, 255, 255, 255),
                    may_draw_forms=True,
                    draw_annots=True,
                )
                try:
                    image = bitmap.to_pil()
                    preview = _page(index + 1, image)
                finally:
                    bitmap.close()
            finally:
                page.close()
            del image
            yield preview
    finally:
        document.close()


# --- DXF -----------------------------------------------------------------------------------


def _dxf_pages(path: str) -> Iterator[PreviewPage]:
    from ezdxf.addons.drawing import Frontend, RenderContext
    from ezdxf.addons.drawing.config import (
        BackgroundPolicy,
        ColorPolicy,
        Configuration,
        TextPolicy,
    )

    from machikoba.drawings import dxf_raster  # loads numpy: only where pages are drawn

    with open(path, "rb") as stream:
        document = read_dxf(stream)
    modelspace = document.modelspace()
    if len(modelspace) == 0:
        raise PreviewError(
            _("DXF ファイルのモデル空間に図形がないため、プレビューを作成できません。")
        )
    config = Configuration(
        background_policy=BackgroundPolicy.WHITE,
        color_policy=ColorPolicy.BLACK,
        # Outlines draw as lines, so letters keep their holes without polygon clipping.
        text_policy=TextPolicy.OUTLINE,
    )
    # ezdxf's frontend resolves blocks, linetypes and text into plain geometry; the bulk
    # backend keeps it as numpy arrays and draws it with Pillow in one pass (matplotlib was
    # ~60 x slower on a 5 MB DXF, a per-path Python rasteriser ~10 x).
    geometry = dxf_raster.BulkBackend()
    Frontend(RenderContext(document), geometry, config=config).draw_layout(
        modelspace, finalize=True
    )
    del document, modelspace
    image = dxf_raster.rasterise(geometry, ZOOM_EDGE)
    del geometry
    if image is None:
        raise PreviewError(
            _("DXF ファイルのモデル空間に図形がないため、プレビューを作成できません。")
        )
    yield _page(1, image)


# --- images --------------------------------------------------------------------------------


def _image_pages(path: str) -> Iterator[PreviewPage]:
    from PIL import Image, ImageOps

    with Image.open(path, formats=["PNG", "JPEG"]) as source:
        if source.width * source.height > MAX_IMAGE_PIXELS:
            raise PreviewError(_("画像の画素数が多すぎるため、プレビューを作成できません。"))
        if source.format == "JPEG":
            # Decode at a reduced size straight away when the JPEG is larger than needed.
            source.draft("RGB", (ZOOM_EDGE, ZOOM_EDGE))
        image = ImageOps.exif_transpose(source)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image = image.convert("RGBA")
            paper = Image.new("RGB", image.size, (255, 255, 255))
            paper.paste(image, mask=image.getchannel("A"))
            image = paper
        else:
            image = image.convert("RGB")
    yield _page(1, image, upscale=False)


# --- STEP ----------------------------------------------------------------------------------

_SCHEMA = re.compile(r"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_PRODUCT = re.compile(r"=\s*PRODUCT\s*\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'", re.IGNORECASE)
_ENTITY = re.compile(r"(?:^|;)\s*#\d+\s*=")
_SI_LENGTH = re.compile(r"SI_UNIT\s*\(\s*(\.[A-Z]+\.|\$)\s*,\s*\.METRE\.\s*\)", re.IGNORECASE)
_CONVERTED_LENGTH = re.compile(r"CONVERSION_BASED_UNIT\s*\(\s*'([^']*)'", re.IGNORECASE)
_X2 = re.compile(r"\\X2\\((?:[0-9A-F]{4})+)\\X0\\", re.IGNORECASE)
_SI_PREFIX = {"$": "m", ".MILLI.": "mm", ".CENTI.": "cm", ".MICRO.": "µm", ".KILO.": "km"}
MAX_PRODUCT_NAMES = 50


def _step_text(value: str) -> str:
    """Decode STEP string escapes: '' and \\X2\\…\\X0\\ (UTF-16 hex)."""
    value = value.replace("''", "'")
    return _X2.sub(lambda m: bytes.fromhex(m.group(1)).decode("utf-16-be", errors="replace"), value)


def step_metadata(path: str | os.PathLike) -> dict:
    """Schema, length unit, entity count and product names, read from the STEP text."""
    schema = ""
    units = ""
    entity_count = 0
    names: list[str] = []
    try:
        with open(path, encoding="latin-1") as stream:
            pending = ""
            for line in stream:
                statement = pending + line
                # Entities may span lines; keep an unfinished statement's tail for the regexes.
                pending = statement[statement.rfind(";") + 1 :][-4096:]
                entity_count += len(_ENTITY.findall(line))
                if not schema and (match := _SCHEMA.search(statement)):
                    schema = match.group(1)
                if not units:
                    if match := _SI_LENGTH.search(statement):
                        units = _SI_PREFIX.get(match.group(1).upper(), match.group(1))
                    elif (match := _CONVERTED_LENGTH.search(statement)) and match.group(
                        1
                    ).lower() in ("inch", "foot", "mil"):
                        units = match.group(1).lower()
                for match in _PRODUCT.finditer(statement):
                    name = _step_text(match.group(2) or match.group(1)).strip()
                    if name and name not in names and len(names) < MAX_PRODUCT_NAMES:
                        names.append(name)
    except OSError as error:
        raise PreviewError(_("STEP ファイルを読み取れませんでした。")) from error
    # latin-1 turns UTF-8 names into mojibake; STEP should be ASCII, but repair what we can.
    names = [_utf8_repair(name) for name in names]
    return {
        "schema": schema,
        "units": units,
        "entity_count": entity_count,
        "product_names": names,
    }


def _utf8_repair(text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
