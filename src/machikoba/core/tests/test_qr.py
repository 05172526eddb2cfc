"""QR codes as inline SVG (core.qr): drawn at the size asked for, named for screen readers."""

import re

from machikoba.core.qr import qr_svg


def test_the_svg_is_as_wide_as_asked_whatever_the_code():
    for text in ("https://machikoba.example.jp/programs/checkin/abc/", "x" * 120):
        svg = str(qr_svg(text, label="チェックイン", testid="session-qr", width=320))
        assert 'width="320" height="320"' in svg
        assert 'data-testid="session-qr"' in svg
        assert 'aria-label="チェックイン"' in svg


def test_the_modules_cover_the_code_area_inside_the_quiet_zone():
    svg = str(qr_svg("https://machikoba.example.jp/invite/x/", label="招待"))
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg)
    assert runs
    for x, y, length in runs:
        assert int(x) >= 4
        assert int(x) + int(length) <= size - 4
        assert 4 <= int(y) < size - 4
