"""The fast palette PNG codec used on every page view."""

import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from machikoba.drawings import palette_png


def _pillow_png(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def test_round_trip_and_pillow_reads_the_same_pixels():
    rng = np.random.default_rng(1)
    indices = rng.integers(0, 5, size=(37, 53), dtype=np.uint8)
    palette = bytes(range(15))
    png = palette_png.encode(indices, palette)
    decoded, decoded_palette = palette_png.decode(png)
    assert np.array_equal(decoded, indices)
    assert decoded_palette == palette
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "P"
        assert np.array_equal(np.asarray(image), indices)
        assert image.getpalette("RGB")[:15] == list(palette)


def test_other_pngs_are_left_to_pillow():
    rgb = _pillow_png(Image.new("RGB", (8, 8), (10, 20, 30)))
    grey = _pillow_png(Image.new("L", (8, 8), 5))
    few_colours = _pillow_png(Image.new("P", (8, 8), 1), bits=4)
    transparent = _pillow_png(Image.new("P", (8, 8), 0), transparency=0)
    for png in (rgb, grey, few_colours, transparent, b"", b"\x89PNG\r\n\x1a\n", b"GIF89a"):
        assert palette_png.decode(png) is None


def test_index_outside_the_palette_is_not_trusted():
    png = palette_png.encode(np.full((4, 4), 9, dtype=np.uint8), bytes(6))  # 2 colours
    assert palette_png.decode(png) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_never_raises_on_garbage(data):
    for candidate in (data, b"\x89PNG\r\n\x1a\n" + data):
        result = palette_png.decode(candidate)
        assert result is None or (result[0].ndim == 2 and len(result[1]) % 3 == 0)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 256),
    st.integers(0, 2**32 - 1),
)
def test_round_trip_any_size(height, width, colours, seed):
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, colours, size=(height, width), dtype=np.uint8)
    palette = rng.integers(0, 256, size=colours * 3, dtype=np.uint8).tobytes()
    decoded = palette_png.decode(palette_png.encode(indices, palette))
    assert decoded is not None
    assert np.array_equal(decoded[0], indices)
    assert decoded[1] == palette
