import io
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from machikoba.core.testing.clock import fixed_dates
from machikoba.drawings.tests import samples
from machikoba.drawings.watermark import watermark_lines, watermark_pdf, watermark_png

LINES = ["社外秘", "株式会社 高田精機", "山田 太郎", "2026/11/25 09:12 JST"]


@fixed_dates("2026-11-25T09:12:30+09:00")
def test_watermark_lines_show_tokyo_time():
    lines = watermark_lines(
        company="株式会社 高田精機",
        user="山田 太郎",
        when=datetime(2026, 11, 25, 0, 12, 30, tzinfo=UTC),
    )
    assert lines == LINES


@fixed_dates("2026-11-25T09:12:30+09:00")
def test_watermark_lines_refuse_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        watermark_lines(company="a", user="b", when=datetime(2026, 1, 1))  # noqa: DTZ001


def blank_png(size=(1600, 1131), *, palette=False) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, "white")
    if palette:
        # What previews write for screen pages: a palette PNG (the watermark's fast path).
        image = image.quantize(16)
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("palette", [False, True], ids=["rgb", "palette"])
def test_watermark_png_covers_every_part_of_the_image(palette):
    source = blank_png(palette=palette)
    marked = Image.open(io.BytesIO(watermark_png(source, lines=LINES)))
    assert marked.format == "PNG"
    assert marked.size == (1600, 1131)
    original = Image.open(io.BytesIO(source)).convert("RGB")
    difference = ImageChops.difference(marked.convert("RGB"), original)
    width, height = marked.size
    # Every 300 x 300 crop anywhere on the page still carries some of the mark.
    for left in range(0, width - 300, 150):
        for top in range(0, height - 300, 150):
            assert difference.crop((left, top, left + 300, top + 300)).getbbox(), (left, top)
    # Semi-transparent: much of the page is left as it was, nothing is blotted out.
    untouched = difference.convert("L").histogram()[0]
    assert untouched > width * height * 0.5


@pytest.mark.parametrize("mode", ["RGB", "P"])
def test_watermark_png_keeps_the_drawing_visible(mode):
    source = samples.image_bytes("PNG", size=(1200, 900), mode=mode)
    marked = Image.open(io.BytesIO(watermark_png(source, lines=LINES))).convert("RGB")
    # The drawing's black frame line is still dark under the mark.
    assert max(marked.getpixel((11, 450))) < 120


def test_watermark_png_handles_transparent_and_grey_sources():
    for mode in ("RGBA", "L", "P"):
        source = samples.image_bytes("PNG", size=(400, 300), mode=mode)
        marked = Image.open(io.BytesIO(watermark_png(source, lines=LINES)))
        assert marked.size == (400, 300)
        original = Image.open(io.BytesIO(source)).convert("RGB")
        difference = ImageChops.difference(marked.convert("RGB"), original)
        # The mark is on every quarter of the page, and most of the page is left alone.
        for box in ((0, 0, 200, 150), (200, 0, 400, 150), (0, 150, 200, 300), (200, 150, 400, 300)):
            assert difference.crop(box).getbbox(), (mode, box)
        assert difference.convert("L").histogram()[0] > 400 * 300 * 0.3, mode


def test_watermark_pdf_keeps_pages_and_adds_the_text(tmp_path):
    path = tmp_path / "drawing.pdf"
    path.write_bytes(samples.pdf_bytes(3, size=samples.A1))
    marked = PdfReader(io.BytesIO(watermark_pdf(path, lines=LINES)))
    assert len(marked.pages) == 3
    for page in marked.pages:
        text = page.extract_text()
        assert "株式会社 高田精機" in text
        assert "社外秘" in text
        assert "Drawing page" in text  # the original content is still there


def test_watermark_pdf_on_rotated_and_offset_pages(tmp_path):
    from pypdf import PdfWriter

    reader = PdfReader(io.BytesIO(samples.pdf_bytes(2)))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.pages[0].rotate(90)
    writer.pages[1].mediabox.lower_left = (100, 100)
    path = tmp_path / "odd.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    marked = PdfReader(io.BytesIO(watermark_pdf(path, lines=LINES)))
    assert len(marked.pages) == 2
    assert all("山田 太郎" in page.extract_text() for page in marked.pages)
