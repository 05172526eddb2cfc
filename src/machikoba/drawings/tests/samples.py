"""Sample drawings built in code, so no binary fixture is ever committed."""

from __future__ import annotations

import io
import zipfile

A1 = (2384, 1684)  # points, landscape
A4 = (595, 842)

STEP_TEXT = """ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('bracket'),'2;1');
FILE_NAME('bracket.step','2026-11-25T09:00:00',('machikoba'),(''),'','','');
FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));
ENDSEC;
DATA;
#1=APPLICATION_CONTEXT('automotive design');
#2=PRODUCT('BRK-001','Bracket A','',(#3));
#3=PRODUCT_CONTEXT('',#1,'mechanical');
#4=PRODUCT('BRK-002','Pin\\X2\\30D430F3\\X0\\','',(#3));
#5=(LENGTH_UNIT()NAMED_UNIT(*)SI_UNIT(.MILLI.,.METRE.));
#6=CARTESIAN_POINT('',(0.,0.,0.));
ENDSEC;
END-ISO-10303-21;
"""


def pdf_bytes(pages: int = 3, *, size: tuple[float, float] = A4, lines: int = 20) -> bytes:
    """A vector PDF: a frame, a grid of lines and a title per page."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, invariant=True)
    width, height = size
    for number in range(1, pages + 1):
        pdf.rect(20, 20, width - 40, height - 40)
        for i in range(lines):
            x = 20 + (width - 40) * i / max(lines, 1)
            pdf.line(x, 20, width - 20 - x / 3, height - 20)
            pdf.drawString(x + 2, 30 + (i % 10) * 12, f"DIM {i}.{number} +0.05")
        pdf.setFont("Helvetica", 24)
        pdf.drawString(40, height - 60, f"Drawing page {number}")
        pdf.setFont("Helvetica", 12)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def blank_pdf_bytes(pages: int, *, size: tuple[float, float] = A4) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=size[0], height=size[1])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(1))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def javascript_pdf_bytes() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(1))))
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("hello"), action])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def launch_pdf_bytes() -> bytes:
    """A PDF whose open action launches a program, with no /JavaScript anywhere."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(1))))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def dxf_document(*, rows: int = 10, cols: int = 10):
    import ezdxf

    doc = ezdxf.new("R2010", setup=True)
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (420, 0), (420, 297), (0, 297)], close=True)
    for r in range(rows):
        for c in range(cols):
            x, y = 10 + c * 40, 10 + r * 28
            msp.add_line((x, y), (x + 30, y + 20))
            msp.add_circle((x + 15, y + 10), radius=6)
            msp.add_text(f"P{r}-{c}", height=3).set_placement((x, y + 22))
    return doc


def dxf_bytes(*, rows: int = 10, cols: int = 10) -> bytes:
    stream = io.StringIO()
    dxf_document(rows=rows, cols=cols).write(stream)
    return stream.getvalue().encode("utf-8")


def binary_dxf_bytes() -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "part.dxf"
        dxf_document(rows=2, cols=2).saveas(path, fmt="bin")
        return path.read_bytes()


def image_bytes(
    fmt: str = "PNG", *, size: tuple[int, int] = (800, 600), mode: str = "RGB"
) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, size[0] - 10, size[1] - 10), outline="black", width=3)
    draw.line((0, 0, size[0], size[1]), fill="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def png_bomb_bytes(side: int = 10_000) -> bytes:
    """100 MP of one colour: a few kB on disk, 300 MB once decoded as RGB."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (side, side), 0).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("drawing.pdf", pdf_bytes(1))
    return buffer.getvalue()


HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


class HugeUpload(io.BytesIO):
    """An upload that claims to be 2 GB; reading it at all is a test failure."""

    size = 2 * 1024**3

    def read(self, *args):
        raise AssertionError("the content of an oversized upload must not be read")
