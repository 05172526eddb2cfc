"""The API's decimal fields take what their schema states and nothing else: a whole
number in range or a decimal as text with its places (a JSON fraction is not exact)."""

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from machikoba.core.api_fields import EffectDecimal, IndicatorDecimal, MeasureDecimal


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (IndicatorDecimal, "-12.5", Decimal("-12.5")),
        (IndicatorDecimal, "65.1234", Decimal("65.1234")),
        (IndicatorDecimal, -3, Decimal(-3)),
        (EffectDecimal, "3.0", Decimal("3.0")),
        (MeasureDecimal, 12, Decimal(12)),
    ],
)
def test_a_value_the_schema_states_is_taken(kind, value, expected):
    assert TypeAdapter(kind).validate_python(value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IndicatorDecimal, ""),
        (IndicatorDecimal, "1e3"),
        (IndicatorDecimal, "12.12345"),
        (IndicatorDecimal, 1.5),
        (IndicatorDecimal, 10**16),
        (EffectDecimal, "-1.25"),
        (MeasureDecimal, -1),
        (MeasureDecimal, "-1"),
        (MeasureDecimal, True),
    ],
)
def test_a_value_outside_the_schema_is_refused(kind, value):
    with pytest.raises(ValidationError):
        TypeAdapter(kind).validate_python(value)


def test_the_schema_says_the_same():
    schema = TypeAdapter(IndicatorDecimal).json_schema()
    whole, text = schema["anyOf"]
    assert (whole["minimum"], whole["maximum"]) == (-(10**16) + 1, 10**16 - 1)
    assert text["pattern"] == r"^-?\d{1,16}(\.\d{1,4})?$"
    assert TypeAdapter(MeasureDecimal).json_schema()["anyOf"][0]["minimum"] == 0
