"""全国地方公共団体コード: five digits (JIS X 0402: prefecture and municipality) and a
check digit.

The check digit: weigh the five digits by 6, 5, 4, 3 and 2, take the sum's remainder
modulo 11 and subtract it from 11; of 10 or 11 the last digit stands (総務省 の定め).
千代田区 13101 → 131016, 川崎市 14130 → 141305.
"""

from __future__ import annotations

import unicodedata

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(jis_code: str) -> str:
    """The check digit of a five-digit JIS X 0402 code."""
    if len(jis_code) != 5 or not jis_code.isdigit():
        raise ValueError(f"not a five-digit code: {jis_code!r}")
    total = sum(int(digit) * weight for digit, weight in zip(jis_code, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def with_check_digit(jis_code: str) -> str:
    """The six-digit 地方公共団体コード of a five-digit JIS X 0402 code."""
    return jis_code + check_digit(jis_code)


def normalize_code(value: str) -> str:
    """Full-width digits and spaces as people type them → the digits alone."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if not ch.isspace())


def is_valid_code(value: str) -> bool:
    """Six digits whose last is the check digit of the first five."""
    return len(value) == 6 and value.isdigit() and check_digit(value[:5]) == value[5]


def parent_city_code(jis_code: str) -> str | None:
    """The city of a designated city's ward (政令指定都市の区: 川崎市川崎区 14131 →
    川崎市 14130), or None for any other municipality. Such wards are numbered 1xx with a
    nonzero last digit under a city ending in 0; Tokyo's special wards (131xx) are
    municipalities themselves."""
    if len(jis_code) != 5 or jis_code.startswith("13") or jis_code[2] != "1":
        return None
    if jis_code[4] == "0":
        return None
    return jis_code[:4] + "0"
