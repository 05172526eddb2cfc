import pytest
from hypothesis import given
from hypothesis import strategies as st

from machikoba.core.money import floor_to_thousand, format_yen


@pytest.mark.parametrize(
    ("amount", "ja", "en"),
    [
        (0, "0円", "¥0"),
        (500_000, "500,000円", "¥500,000"),
        (-1_234, "-1,234円", "-¥1,234"),
        (None, "—", "—"),
    ],
)
def test_format_yen(amount, ja, en):
    assert format_yen(amount, "ja") == ja
    assert format_yen(amount, "en") == en


def test_floats_are_not_money():
    with pytest.raises(TypeError):
        format_yen(1.5)


@pytest.mark.parametrize(
    ("amount", "floored"), [(0, 0), (999, 0), (1000, 1000), (374_999, 374_000), (-1500, -1000)]
)
def test_floor_to_thousand(amount, floored):
    assert floor_to_thousand(amount) == floored


@given(st.integers(min_value=0, max_value=10**12))
def test_floor_to_thousand_never_rounds_up(amount):
    floored = floor_to_thousand(amount)
    assert floored <= amount < floored + 1000
    assert floored % 1000 == 0
