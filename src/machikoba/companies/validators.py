"""Japanese business identifiers."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.jp import cn


def normalize_corporate_number(value: str) -> str:
    """Full-width digits, spaces and hyphens are accepted and removed."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in value if ch not in " -‐－ー")


def validate_corporate_number(value: str) -> None:
    """法人番号: 13 digits whose first digit is the check digit (国税庁の計算式)."""
    number = normalize_corporate_number(value)
    try:
        cn.validate(number)
    except InvalidLength:
        raise ValidationError(
            _("法人番号は13桁の数字で入力してください。"), code="corporate_number_length"
        ) from None
    except InvalidFormat:
        raise ValidationError(
            _("法人番号は数字だけで入力してください。"), code="corporate_number_format"
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _(
                "法人番号のチェックデジット (先頭の1桁) が正しくありません。"
                "番号を確認してください。"
            ),
            code="corporate_number_checksum",
        ) from None


def corporate_number_with_check_digit(base12: str) -> str:
    """The full 13-digit number for a 12-digit base (used for demo data and tests)."""
    return cn.calc_check_digit(base12) + base12
