"""Company photos: validated from their content, re-encoded, resized on the server.

The file's name and declared type are ignored: Pillow must recognise the bytes as a
JPEG, PNG or WebP image. Re-encoding to JPEG drops anything hidden in the original
(EXIF with GPS positions, appended data, scripts in an HTML file renamed .jpg).
"""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.core.errors import ApplicationError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_EDGE_PX = 1600
# Refuse images that would decompress to more than this (a "pixel bomb").
MAX_PIXELS = 40_000_000


def _refuse(code: str, message) -> ApplicationError:
    return ApplicationError(code, message, fields={"image": [message]})


def max_photo_bytes() -> int:
    return settings.MACHIKOBA_MAX_PHOTO_BYTES


def too_large_message(size: int) -> str:
    """The refusal of a photo of ``size`` bytes (or a request body of that size, when the
    upload was stopped while it streamed in: ``core.uploads``)."""
    return _("写真が大きすぎます (%(size)s MB)。%(limit)s MB 以下のファイルを選んでください。") % {
        "size": round(size / 1_000_000, 1),
        "limit": max_photo_bytes() // 1_000_000,
    }


def prepare_photo(upload) -> ContentFile:
    if upload.size > max_photo_bytes():
        raise _refuse(CompaniesErrorCode.PHOTO_TOO_LARGE, too_large_message(upload.size))
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            image_format = probe.format
            probe.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise _refuse(
            CompaniesErrorCode.PHOTO_NOT_AN_IMAGE,
            _("画像として読み込めませんでした。JPEG・PNG・WebP の写真を選んでください。"),
        ) from None
    if image_format not in ALLOWED_FORMATS:
        raise _refuse(
            CompaniesErrorCode.PHOTO_FORMAT,
            _("この形式の画像には対応していません。JPEG・PNG・WebP の写真を選んでください。"),
        )
    image = Image.open(io.BytesIO(data))
    if image.width * image.height > MAX_PIXELS:
        raise _refuse(
            CompaniesErrorCode.PHOTO_TOO_MANY_PIXELS,
            _("画像の画素数が多すぎます。縮小してから選んでください。"),
        )
    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX))
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
            image = background
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (OSError, ValueError):
        raise _refuse(
            CompaniesErrorCode.PHOTO_NOT_AN_IMAGE,
            _("画像として読み込めませんでした。JPEG・PNG・WebP の写真を選んでください。"),
        ) from None
    content = ContentFile(out.getvalue(), name="photo.jpg")
    content.image_size = image.size
    return content
