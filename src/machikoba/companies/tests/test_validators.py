import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from machikoba.companies.validators import (
    corporate_number_with_check_digit,
    normalize_corporate_number,
    validate_corporate_number,
)

# 国税庁's own published number, and the example in python-stdnum's documentation.
REAL_NUMBERS = ["7000012050002", "5835678256246"]


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_real_numbers_validate(number):
    validate_corporate_number(number)


def test_full_width_digits_and_hyphens_are_accepted():
    assert normalize_corporate_number("７-００００-１２０５-０００２") == "7000012050002"
    validate_corporate_number("７-００００-１２０５-０００２")


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("1000012050002", "corporate_number_checksum", "チェックデジット"),
        ("700001205000", "corporate_number_length", "13桁"),
        ("70000120500021", "corporate_number_length", "13桁"),
        ("700001205000A", "corporate_number_format", "数字だけ"),
    ],
)
def test_bad_numbers_are_refused_with_a_precise_japanese_message(value, code, message):
    with pytest.raises(ValidationError) as info:
        validate_corporate_number(value)
    assert info.value.code == code
    assert message in str(info.value.messages[0])


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_every_generated_number_validates(base):
    validate_corporate_number(corporate_number_with_check_digit(f"{base:012d}"))


@given(st.integers(min_value=0, max_value=10**12 - 1), st.integers(min_value=1, max_value=8))
def test_a_wrong_check_digit_is_always_caught(base, shift):
    number = corporate_number_with_check_digit(f"{base:012d}")
    wrong = str((int(number[0]) - 1 + shift) % 9 + 1)
    if wrong == number[0]:
        return
    with pytest.raises(ValidationError):
        validate_corporate_number(wrong + number[1:])
