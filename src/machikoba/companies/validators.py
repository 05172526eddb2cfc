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


def normalize_invoice_number(value: str) -> str:
    """``Ｔ１２３…``, ``t-1234-…`` → ``T123…``."""
    return normalize_corporate_number(value).upper()


def validate_invoice_number(value: str) -> None:
    """適格請求書発行事業者登録番号: ``T`` + 13 digits, the digits carrying the same check
    digit as a 法人番号 (for a corporation they are its 法人番号)."""
    number = normalize_invoice_number(value)
    if not number.startswith("T"):
        raise ValidationError(
            _("登録番号は「T」で始まります (例: T1234567890123)。"), code="invoice_number_prefix"
        )
    try:
        validate_corporate_number(number[1:])
    except ValidationError as error:
        raise ValidationError(
            _("登録番号の「T」に続く13桁が正しくありません: %(reason)s"),
            code="invoice_number_digits",
            params={"reason": error.messages[0]},
        ) from None
