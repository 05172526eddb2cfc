from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from machikoba.wards.codes import is_valid_code


def validate_local_government_code(value: str) -> None:
    """Six digits with the right check digit (``wards.codes``)."""
    if not (len(value) == 6 and value.isdigit()):
        raise ValidationError(
            _("地方公共団体コードは 6 桁の数字です (例: 大田区は 131113)。"), code="format"
        )
    if not is_valid_code(value):
        raise ValidationError(
            _("地方公共団体コード %(code)s の検査数字 (6 桁目) が合いません。"),
            code="check_digit",
            params={"code": value},
        )
