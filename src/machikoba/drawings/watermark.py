"""Burn who is looking, and when, into every preview image and downloaded PDF.

The mark is a tiled, diagonal, semi-transparent pattern over the whole page, so no crop of a
useful size escapes it, plus a small solid footer line. It runs on every page view, so the
pattern for a given text and image size is rendered once and cached; a view then costs one
alpha composite and one PNG encode.
"""

from __future__ import annotations

import collections
import functools
import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pypdf import PageObject
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from machikoba.core.pdf import FONT as _PDF_FONT
from machikoba.core.pdf import font_path, register_pdf_font

TOKYO = ZoneInfo("Asia/Tokyo")
# Dark red at ~22 % opacity: readable over white paper, lines of the drawing stay visible.
_TILE_RGBA = (170, 20, 20, 58)
_FOOTER_RGBA = (90, 0, 0, 255)
# Without anti-aliasing (palette fast path) the glyphs read better a little stronger.
_PALETTE_ALPHA = 0.30
_Z_RLE = 3
_ANGLE = 30  # degrees, counter-clockwise


def watermark_lines(*, company: str, user: str, when: datetime) -> list[str]:
    """The text burned into a page: a confidentiality mark, who, and when (Tokyo time)."""
    if when.tzinfo is None:
        raise ValueError("watermark time must be timezone-aware")
    stamp = f"{when.astimezone(TOKYO):%Y/%m/%d %H:%M} JST"  # the one format of core.dates
    return [_("社外秘"), company, user, stamp]


# --- raster --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path()), size)


@functools.lru_cache(maxsize=16)
def _tile(lines: tuple[str, ...], font_size: int):
    """One rotated block of the text on a transparent tile, with spacing around it."""
    from PIL import Image, ImageDraw

    font = _font(font_size)
    spacing = font_size // 3
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = (
        math.floor(v) if i < 2 else math.ceil(v)
        for i, v in enumerate(
            probe.multiline_textbbox(
                (0, 0), "\n".join(lines), font=font, spacing=spacing, align="center"
            )
        )
    )
    block = Image.new("RGBA", (right - left + 2, bottom - top + 2), (0, 0, 0, 0))
    ImageDraw.Draw(block).multiline_text(
        (-left + 1, -top + 1),
        "\n".join(lines),
        font=font,
        fill=_TILE_RGBA,
        spacing=spacing,
        align="center",
    )
    rotated = block.rotate(_ANGLE, resample=Image.Resampling.BICUBIC, expand=True)
    gap = font_size * 2
    tile = Image.new("RGBA", (rotated.width + gap, rotated.height + gap), (0, 0, 0, 0))
    tile.paste(rotated, (gap // 2, gap // 2))
    return tile


@dataclass(frozen=True)
class _Overlay:
    """Everything about the mark for one text and image size, rendered once."""

    pattern: Any  # RGBA image: the tiled, semi-transparent text
    pattern_mask: Any  # numpy bool array: where the pattern's glyphs are (palette fast path)
    footer_box: tuple[int, int, int, int]
    footer_text: Any  # "L" mask image of the footer text, image-sized
    footer_text_mask: Any  # numpy bool array of the same


@functools.lru_cache(maxsize=16)
def _overlay(lines: tuple[str, ...], size: tuple[int, int]) -> _Overlay:
    import numpy as np
    from PIL import Image, ImageDraw

    width, height = size
    font_size = max(12, round(max(width, height) / 64))
    tile = _tile(lines, font_size)
    pattern = Image.new("RGBA", size, (0, 0, 0, 0))
    # Rows shifted by half a tile: a brick pattern leaves no clean band to crop out.
    for row, y in enumerate(range(-tile.height // 2, height, tile.height)):
        shift = (tile.width // 2) * (row % 2) - tile.width // 2
        for x in range(shift, width, tile.width):
            pattern.alpha_composite(tile, (max(x, 0), max(y, 0)), (max(-x, 0), max(-y, 0)))

    footer_size = max(10, font_size // 2)
    font = _font(footer_size)
    text = " / ".join(lines)
    footer_text = Image.new("L", size, 0)
    draw = ImageDraw.Draw(footer_text)
    left, top, right, bottom = (math.ceil(v) for v in draw.textbbox((0, 0), text, font=font))
    pad = max(2, footer_size // 4)
    box_top = height - (bottom - top) - 2 * pad
    draw.text((pad - left, box_top + pad - top), text, font=font, fill=255)
    box = (0, max(0, box_top), min(width, right - left + 2 * pad), height)
    alpha = np.asarray(pattern.getchannel("A"))
    return _Overlay(
        pattern=pattern,
        pattern_mask=alpha > _TILE_RGBA[3] // 2,
        footer_box=box,
        footer_text=footer_text,
        footer_text_mask=np.asarray(footer_text) > 110,
    )


class _DecodedPages:
    """Decoded preview pages kept in this process, newest last, within a byte budget.

    Stored previews never change (each file has a fresh random name), so an entry can only
    be evicted, never stale. A hit spares the storage read and the inflate."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.entries: collections.OrderedDict[str, tuple[Any, bytes]] = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[Any, bytes]) -> None:
        size = entry[0].nbytes
        if size > self.budget // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.used += size
            while self.used > self.budget:
                _, (old, _palette) = self.entries.popitem(last=False)
                self.used -= old.nbytes


_DECODED = _DecodedPages(budget=96 * 2**20)


def watermark_stored_page(key: str, load: Callable[[], bytes], *, lines: list[str]) -> bytes:
    """The stored preview page ``key`` (its storage name; ``load`` reads it) with the mark,
    decoding each page once per process."""
    from machikoba.drawings import palette_png  # loads numpy: only when a page is shown

    decoded = _DECODED.get(key)
    if decoded is None:
        png = load()
        decoded = palette_png.decode(png)
        if decoded is None:
            return watermark_png(png, lines=lines)
        _DECODED.put(key, decoded)
    marked = _mark_palette(*decoded, lines=lines)
    if marked is None:
        return watermark_png(load(), lines=lines)
    return palette_png.encode(*marked)


def watermark_png(png: bytes, *, lines: list[str]) -> bytes:
    """``png`` with the mark burned in; same pixel size, PNG out.

    An 8-bit palette PNG of at most 126 colours (what ``previews`` writes for every page)
    takes a fast path: it is read and written by ``palette_png``, and the mark becomes extra
    palette entries, so no pixel is decoded to RGB. Anything else goes through Pillow.
    """
    from PIL import Image

    from machikoba.drawings import palette_png  # loads numpy: only when a page is shown

    decoded = palette_png.decode(png)
    if decoded is not None and (marked := _mark_palette(*decoded, lines=lines)) is not None:
        return palette_png.encode(*marked)
    with Image.open(io.BytesIO(png)) as source:
        source.load()
        marked = _mark_rgb(source, _overlay(tuple(lines), source.size))
    out = io.BytesIO()
    # zlib's run-length strategy suits line art: 2-5 x faster than the default, often smaller.
    marked.save(out, "PNG", compress_level=1, compress_type=_Z_RLE)
    return out.getvalue()


def _mark_rgb(source, overlay: _Overlay):
    from PIL import Image

    base = source.convert("RGBA")
    if source.mode in ("RGBA", "LA", "PA") or "transparency" in source.info:
        # Transparent drawings go onto white paper first, as they are shown.
        paper = Image.new("RGBA", base.size, (255, 255, 255, 255))
        paper.alpha_composite(base)
        base = paper
    base.alpha_composite(overlay.pattern)
    base = base.convert("RGB")
    base.paste((255, 255, 255), overlay.footer_box, None)
    base.paste(_FOOTER_RGBA[:3], (0, 0), overlay.footer_text)
    return base


_PALETTE_LIMIT = 126


def _mark_palette(indices, palette: bytes, *, lines: list[str]):
    """(indices, palette) with the mark: each colour gets a tinted twin for the pattern,
    plus white and dark red for the footer. None when the palette has no room for that."""
    import numpy as np

    used = len(palette) // 3
    if used > _PALETTE_LIMIT:
        return None
    height, width = indices.shape
    overlay = _overlay(tuple(lines), (width, height))
    colours = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3).astype(np.float32)
    blended = colours * (1 - _PALETTE_ALPHA) + np.array(_TILE_RGBA[:3]) * _PALETTE_ALPHA
    white, footer = used * 2, used * 2 + 1
    new_palette = np.vstack([colours, blended, [255, 255, 255], _FOOTER_RGBA[:3]])

    marked = indices + overlay.pattern_mask.astype(np.uint8) * np.uint8(used)
    left, top, right, bottom = overlay.footer_box
    marked[top:bottom, left:right] = white
    marked[overlay.footer_text_mask] = footer
    return marked, new_palette.round().astype(np.uint8).tobytes()


# --- PDF -----------------------------------------------------------------------------------


def _pdf_overlay(lines: tuple[str, ...], width: float, height: float) -> bytes:
    """A one-page PDF of ``width`` x ``height`` points carrying the pattern as vector text."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    register_pdf_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=True)
    font_size = max(9.0, max(width, height) / 64)
    leading = font_size * 1.35
    block_width = max(stringWidth(line, _PDF_FONT, font_size) for line in lines)
    block_height = leading * len(lines)
    step_x = block_width + font_size * 3
    step_y = block_height + font_size * 3

    pdf.saveState()
    pdf.setFillColorRGB(170 / 255, 20 / 255, 20 / 255, alpha=0.23)
    pdf.setFont(_PDF_FONT, font_size)
    pdf.translate(width / 2, height / 2)
    pdf.rotate(_ANGLE)
    reach = math.hypot(width, height) / 2 + step_x
    rows = int(reach // step_y) + 1
    cols = int(reach // step_x) + 1
    for row in range(-rows, rows + 1):
        shift = (step_x / 2) * (row % 2)
        for col in range(-cols, cols + 1):
            x = col * step_x + shift
            y = row * step_y
            for index, line in enumerate(lines):
                pdf.drawCentredString(x, y - index * leading, line)
    pdf.restoreState()

    footer_size = max(6.0, font_size / 2)
    text = " / ".join(lines)
    pad = footer_size / 3
    pdf.setFillColorRGB(1, 1, 1, alpha=0.8)
    pdf.rect(
        0,
        0,
        stringWidth(text, _PDF_FONT, footer_size) + 2 * pad,
        footer_size + 2 * pad,
        stroke=0,
        fill=1,
    )
    pdf.setFillColorRGB(90 / 255, 0, 0, alpha=1)
    pdf.setFont(_PDF_FONT, footer_size)
    pdf.drawString(pad, pad + footer_size * 0.15, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def watermark_pdf(source, *, lines: list[str]) -> bytes:
    """A copy of the PDF ``source`` (a path or a binary stream), the pattern on every page."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=PdfReader(source))
    overlays: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        # Bake /Rotate into the content so the overlay's "up" is the reader's "up".
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.mediabox
        size = (round(float(box.width), 2), round(float(box.height), 2))
        if size not in overlays:
            overlays[size] = PdfReader(io.BytesIO(_pdf_overlay(tuple(lines), *size))).pages[0]
        page.merge_transformed_page(
            overlays[size], Transformation().translate(float(box.left), float(box.bottom))
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
