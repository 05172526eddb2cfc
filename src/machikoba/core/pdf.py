"""A4 documents with the Japanese font embedded: the shared page, styles and table grid
of every PDF the platform issues (certificates, orders …)."""

from __future__ import annotations

import functools
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reportlab.platypus import Flowable, TableStyle

FONT = "IPAexGothic"


@functools.cache
def font_path() -> Path:
    """IPAexGothic (IPA Font License), shipped inside the japanize-matplotlib wheel.

    Found without importing that package: its import patches matplotlib globally.
    """
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("japanize-matplotlib (IPAexGothic font) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    if not path.is_file():
        raise RuntimeError(f"IPAexGothic font missing at {path}")
    return path


def register_pdf_font() -> None:
    """Make ``FONT`` known to reportlab (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))


@dataclass(frozen=True)
class Styles:
    body: Any
    small: Any
    title: Any
    right: Any


def styles() -> Styles:
    from reportlab.lib.styles import ParagraphStyle

    register_pdf_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=11),
        title=ParagraphStyle("title", parent=body, fontSize=20, leading=28, alignment=1),
        right=ParagraphStyle("right", parent=body, alignment=2),
    )


def grid(*, font_size: float = 9, shade: str = "first_column") -> TableStyle:
    """Thin grey lines; the first column (labels) or the first row (headers) shaded."""
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    shaded = ((0, 0), (0, -1)) if shade == "first_column" else ((0, 0), (-1, 0))
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, font_size),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", *shaded, colors.HexColor("#F2F2F2")),
        ]
    )


def a4_document(story: list[Flowable], *, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        invariant=True,
    ).build(story)
    return buffer.getvalue()


def qr_flowable(url: str, size: float) -> Any:
    """A QR code of ``url`` as a flowable ``size`` points wide (error correction M)."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing
