import io

import pytest
from PIL import Image

from machikoba.drawings.previews import PreviewError, iter_previews, step_metadata
from machikoba.drawings.tests import samples


def image(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "PNG"
    return picture


def ink(picture: Image.Image) -> int:
    """How many pixels are not (near) white."""
    grey = picture.convert("L")
    return sum(grey.histogram()[:200])


def test_pdf_pages_come_one_by_one_at_screen_and_zoom_size(tmp_path):
    path = tmp_path / "a1.pdf"
    path.write_bytes(samples.pdf_bytes(3, size=samples.A1))
    pages = iter_previews(path, "pdf")
    first = next(pages)  # a generator: one page rendered at a time
    rest = list(pages)
    assert [p.number for p in [first, *rest]] == [1, 2, 3]
    for page in [first, *rest]:
        screen, zoom = image(page.screen_png), image(page.zoom_png)
        assert screen.size == (page.width, page.height) == (1600, round(1600 * 1684 / 2384))
        assert zoom.size == (4000, round(4000 * 1684 / 2384))
        assert screen.mode == "P"  # palette PNG: the watermark's fast path
        assert ink(screen) > 1000


def test_portrait_a4_fits_the_long_edge(tmp_path):
    path = tmp_path / "a4.pdf"
    path.write_bytes(samples.pdf_bytes(1, size=samples.A4))
    (page,) = iter_previews(path, "pdf")
    assert (page.width, page.height) == (round(1600 * 595 / 842), 1600)
    assert max(image(page.zoom_png).size) == 4000


def test_dxf_renders_a_drawing(tmp_path):
    path = tmp_path / "plate.dxf"
    path.write_bytes(samples.dxf_bytes())
    (page,) = iter_previews(path, "dxf")
    screen = image(page.screen_png)
    assert max(screen.size) == 1600
    assert max(image(page.zoom_png).size) == 4000
    # White paper with black lines: mostly white, with a clear amount of ink.
    total = screen.width * screen.height
    assert total * 0.01 < ink(screen) < total * 0.6
    assert screen.convert("RGB").getpixel((screen.width // 2, 1)) != (0, 0, 0)


def test_binary_dxf_renders(tmp_path):
    path = tmp_path / "plate.dxf"
    path.write_bytes(samples.binary_dxf_bytes())
    (page,) = iter_previews(path, "dxf")
    assert ink(image(page.screen_png)) > 100


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_images_are_resized_copies_never_upscaled(tmp_path, fmt):
    path = tmp_path / "scan"
    path.write_bytes(samples.image_bytes(fmt, size=(2400, 1800)))
    (page,) = iter_previews(path, fmt.lower())
    assert (page.width, page.height) == (1600, 1200)
    assert image(page.zoom_png).size == (2400, 1800)


def test_transparent_png_goes_on_white(tmp_path):
    path = tmp_path / "t.png"
    buffer = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    (page,) = iter_previews(path, "png")
    assert image(page.screen_png).convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_step_yields_no_pages(tmp_path):
    path = tmp_path / "a.step"
    path.write_text(samples.STEP_TEXT)
    assert list(iter_previews(path, "step")) == []


def test_step_metadata(tmp_path):
    path = tmp_path / "a.step"
    path.write_text(samples.STEP_TEXT)
    assert step_metadata(path) == {
        "schema": "AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }",
        "units": "mm",
        "entity_count": 6,
        "product_names": ["Bracket A", "Pinピン"],
    }


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("pdf", b"%PDF-1.7\nthis is not a pdf"),
        ("dxf", b"0\nSECTION\n2\nENTITIES\n\x00\x01\x02 garbage"),
        ("png", b"\x89PNG\r\n\x1a\n broken"),
        ("jpeg", b"\xff\xd8\xff broken"),
    ],
)
def test_corrupt_input_raises_preview_error(tmp_path, kind, data):
    path = tmp_path / "broken"
    path.write_bytes(data)
    with pytest.raises(PreviewError) as caught:
        list(iter_previews(path, kind))
    assert "プレビューを作成できませんでした" in caught.value.message


def test_encrypted_pdf_raises_preview_error(tmp_path):
    path = tmp_path / "secret.pdf"
    path.write_bytes(samples.encrypted_pdf_bytes())
    with pytest.raises(PreviewError, match="暗号化"):
        list(iter_previews(path, "pdf"))


def test_unknown_kind_raises_preview_error(tmp_path):
    with pytest.raises(PreviewError):
        list(iter_previews(tmp_path / "x", "zip"))
