import functools
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from machikoba.core.errors import ApplicationError
from machikoba.drawings import sniffing
from machikoba.drawings.sniffing import SniffedFile, clean_filename, sniff_file
from machikoba.drawings.tests import samples

MB = 1_000_000


def sniff(data: bytes, name: str, *, max_bytes: int = 50 * MB, max_pages: int = 200):
    return sniff_file(io.BytesIO(data), name=name, max_bytes=max_bytes, max_pages=max_pages)


def refusal(data: bytes, name: str, **limits) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        sniff(data, name, **limits)
    error = caught.value
    assert error.fields == {"file": [error.message]}
    return error


@pytest.fixture(scope="module")
def pdf3():
    return samples.pdf_bytes(3)


# --- accepted ----------------------------------------------------------------------------


def test_pdf_is_accepted_with_its_page_count_and_checksum(pdf3):
    import hashlib

    sniffed = sniff(pdf3, "図面 A.PDF")
    assert sniffed == SniffedFile(
        kind="pdf",
        mime="application/pdf",
        extension=".pdf",
        page_count=3,
        sha256=hashlib.sha256(pdf3).hexdigest(),
        size=len(pdf3),
    )


@pytest.mark.parametrize(
    ("make", "name", "kind", "mime", "extension"),
    [
        (samples.dxf_bytes, "plate.dxf", "dxf", "image/vnd.dxf", ".dxf"),
        (samples.binary_dxf_bytes, "plate.DXF", "dxf", "image/vnd.dxf", ".dxf"),
        (lambda: samples.image_bytes("PNG"), "scan.png", "png", "image/png", ".png"),
        (lambda: samples.image_bytes("JPEG"), "photo.jpeg", "jpeg", "image/jpeg", ".jpg"),
        (lambda: samples.STEP_TEXT.encode(), "bracket.stp", "step", "model/step", ".step"),
    ],
)
def test_each_kind_is_recognised_from_its_content(make, name, kind, mime, extension):
    data = make()
    sniffed = sniff(data, name)
    assert (sniffed.kind, sniffed.mime, sniffed.extension) == (kind, mime, extension)
    assert sniffed.page_count == 1
    assert sniffed.size == len(data)


def test_the_file_is_rewound_after_sniffing(pdf3):
    upload = io.BytesIO(pdf3)
    sniff_file(upload, name="a.pdf", max_bytes=50 * MB, max_pages=10)
    assert upload.tell() == 0
    upload.read(10)
    with pytest.raises(ApplicationError):
        sniff_file(upload, name="a.png", max_bytes=50 * MB, max_pages=10)
    assert upload.tell() == 0


def test_a_django_uploaded_file_is_accepted(pdf3):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", pdf3, content_type="text/html")
    assert sniff_file(upload, name=upload.name, max_bytes=50 * MB, max_pages=10).kind == "pdf"


# --- refused -----------------------------------------------------------------------------


def test_corrupt_pdf_is_refused(pdf3):
    error = refusal(pdf3[:400] + b"\x00garbage" * 100, "a.pdf")
    assert error.code == "file_corrupt"
    assert "PDF ファイルとして読み取れません" in error.message


def test_pdf_with_5000_pages_is_refused():
    error = refusal(samples.blank_pdf_bytes(5000), "big.pdf", max_pages=500)
    assert error.code == "pdf_too_many_pages"
    assert "ページ数が多すぎます（5000 ページ、上限 500 ページ）" in error.message


def test_encrypted_pdf_is_refused():
    error = refusal(samples.encrypted_pdf_bytes(), "secret.pdf")
    assert error.code == "pdf_encrypted"
    assert "暗号化" in error.message


@pytest.mark.parametrize("make", [samples.javascript_pdf_bytes, samples.launch_pdf_bytes])
def test_pdf_with_javascript_or_launch_action_is_refused(make):
    error = refusal(make(), "a.pdf")
    assert error.code == "pdf_active_content"
    assert "JavaScript" in error.message


def test_binary_garbage_named_dxf_is_refused():
    import random

    garbage = random.Random(4).randbytes(20_000)
    error = refusal(garbage, "part.dxf")
    assert error.code == "file_type_unsupported"
    assert "対応していない形式のファイルです" in error.message


def test_binary_dxf_header_with_garbage_body_is_refused():
    import random

    data = samples.binary_dxf_bytes()[:22] + random.Random(5).randbytes(5000)
    error = refusal(data, "part.dxf")
    assert error.code == "file_corrupt"
    assert "DXF ファイルとして読み取れません" in error.message


def test_ascii_dxf_header_with_binary_body_is_refused():
    import random

    data = b"0\nSECTION\n2\nHEADER\n0\nENDSEC\n" + random.Random(6).randbytes(5000)
    error = refusal(data, "a.dxf")
    assert error.code == "file_corrupt"
    assert "DXF ファイルとして読み取れません" in error.message


def test_png_decompression_bomb_is_refused():
    bomb = samples.png_bomb_bytes()
    assert len(bomb) < 100_000
    error = refusal(bomb, "bomb.png")
    assert error.code == "image_too_large"
    assert "画素数が多すぎます" in error.message


@pytest.mark.parametrize(
    "appended",
    [b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", samples.HTML_BYTES, b"PK\x05\x06" + bytes(18)],
)
def test_png_followed_by_another_format_is_refused(appended):
    error = refusal(samples.image_bytes("PNG") + appended, "a.png")
    assert error.code == "file_polyglot"
    assert "別の形式のデータ" in error.message


def test_jpeg_with_html_inside_is_refused():
    jpeg = samples.image_bytes("JPEG")
    error = refusal(jpeg[:-2] + b"<script>alert(1)</script>" + jpeg[-2:], "a.jpg")
    assert error.code == "file_polyglot"


def test_png_with_data_after_iend_is_refused():
    error = refusal(samples.image_bytes("PNG") + b"trailing", "a.png")
    assert error.code == "file_polyglot"


def test_pdf_with_a_zip_appended_is_refused(pdf3):
    error = refusal(pdf3 + samples.zip_bytes(), "a.pdf")
    assert error.code == "file_polyglot"


def test_html_named_pdf_is_refused():
    error = refusal(samples.HTML_BYTES, "drawing.pdf")
    assert error.code == "file_html"
    assert "HTML" in error.message


def test_zip_is_refused_and_says_so():
    error = refusal(samples.zip_bytes(), "drawings.zip")
    assert error.code == "file_zip"
    assert "ZIP" in error.message


def test_empty_file_is_refused():
    error = refusal(b"", "a.pdf")
    assert error.code == "file_empty"
    assert error.message == "ファイルが空です。"


def test_file_over_the_limit_is_refused_without_reading_it():
    upload = samples.HugeUpload()
    with pytest.raises(ApplicationError) as caught:
        sniff_file(upload, name="huge.pdf", max_bytes=100 * MB, max_pages=10)
    assert caught.value.code == "file_too_large"
    assert "上限 100 MB" in caught.value.message


def test_file_over_the_limit_without_a_size_is_refused_while_reading(pdf3):
    error = refusal(pdf3, "a.pdf", max_bytes=len(pdf3) - 1)
    assert error.code == "file_too_large"


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: samples.image_bytes("PNG"), "drawing.pdf"),
        (lambda: samples.pdf_bytes(1), "drawing.png"),
        (lambda: samples.pdf_bytes(1), "drawing"),
        (samples.dxf_bytes, "drawing.step"),
        (lambda: samples.image_bytes("JPEG"), "drawing.png"),
    ],
)
def test_extension_must_agree_with_the_content(make, name):
    error = refusal(make(), name)
    assert error.code == "file_extension_mismatch"
    assert error.message == "ファイルの中身が拡張子と一致しません。"


def test_step_without_data_section_is_refused():
    text = samples.STEP_TEXT.replace("DATA;", "").encode()
    error = refusal(text, "a.step")
    assert error.code == "file_corrupt"
    assert "STEP" in error.message


# --- file names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("a/b\\c.dxf", "c.dxf"),
        ("C:\\Users\\me\\図面.pdf", "図面.pdf"),
        ("pl\x00a\x1bte\x7f.pdf", "plate.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("  ブラケット    第2版 .pdf ", "ブラケット 第2版 .pdf"),
        ("カ\u3099タログ.pdf", "ガタログ.pdf"),
    ],
)
def test_clean_filename(raw, expected):
    assert clean_filename(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\u3000\t", "../", "..", "a/..", "\x00\x01", "\u202e"])
def test_clean_filename_refuses_names_with_nothing_left(raw):
    with pytest.raises(ApplicationError) as caught:
        clean_filename(raw)
    assert caught.value.code == "filename_invalid"
    assert caught.value.message == "ファイル名が正しくありません。"
    assert caught.value.fields == {"file": ["ファイル名が正しくありません。"]}


def test_clean_filename_caps_the_length_and_keeps_the_extension():
    name = clean_filename("部" * 400 + ".step")
    assert len(name) == sniffing.FILENAME_MAX_LENGTH
    assert name.endswith(".step")


def test_sniff_refuses_a_bad_name_before_reading():
    with pytest.raises(ApplicationError) as caught:
        sniff_file(samples.HugeUpload(), name="../", max_bytes=10, max_pages=1)
    assert caught.value.code == "filename_invalid"


# --- fuzzing -----------------------------------------------------------------------------


def outcome(function, *args, **kwargs):
    """The result, or the ApplicationError raised; any other exception fails the test."""
    try:
        return function(*args, **kwargs)
    except ApplicationError as error:
        return error


PREFIXES = [
    b"",
    b"%PDF-1.7\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"AutoCAD Binary DXF\r\n\x1a\x00",
    b"0\nSECTION\n2\nHEADER\n",
    b"ISO-10303-21;\nHEADER;\n",
    b"PK\x03\x04",
    b"<html>",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=4096),
    name=st.sampled_from(["a.pdf", "a.png", "a.jpg", "a.dxf", "a.step", "a.zip", "a"]),
)
def test_fuzz_sniff_file_returns_or_refuses(prefix, body, name):
    upload = io.BytesIO(prefix + body)
    result = outcome(sniff_file, upload, name=name, max_bytes=3000, max_pages=5)
    if isinstance(result, ApplicationError):
        assert result.code
        assert result.fields["file"]
    else:
        assert isinstance(result, SniffedFile)
    assert upload.tell() == 0


@functools.cache
def _seed_file(kind: str) -> bytes:
    return {
        "pdf": lambda: samples.pdf_bytes(1, lines=3),
        "png": lambda: samples.image_bytes("PNG", size=(40, 30)),
        "dxf": lambda: samples.dxf_bytes(rows=1, cols=1),
        "step": lambda: samples.STEP_TEXT.encode(),
    }[kind]()


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    seed=st.sampled_from(["pdf", "png", "dxf", "step"]),
)
def test_fuzz_mutated_valid_files(data, seed):
    original = _seed_file(seed)
    buffer = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(buffer) - 1))
        buffer[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(buffer)))
    result = outcome(sniff, bytes(buffer[:cut]), "a." + seed)
    if isinstance(result, ApplicationError):
        assert result.code
    else:
        assert result.kind == seed


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fuzz_clean_filename(raw):
    name = outcome(clean_filename, raw)
    if isinstance(name, ApplicationError):
        assert name.code == "filename_invalid"
    else:
        assert name
        assert "/" not in name
        assert "\\" not in name
        assert len(name) <= sniffing.FILENAME_MAX_LENGTH
        assert name == name.strip()
        assert not any(ord(ch) < 32 or 0x202A <= ord(ch) <= 0x202E for ch in name)
        assert name not in (".", "..")
