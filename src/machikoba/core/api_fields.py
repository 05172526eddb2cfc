"""Field types the API's input schemas share."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

# The pattern of a text that must say something: pydantic searches it, so any non-blank
# character matches (the services strip the text).
SOME_TEXT = r"\S"


def _wall_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("a time of day without a zone offset (e.g. 08:30), in Japan's time")
    return value


# A time of day on the shop's wall clock (a shift's start, opening hours): "08:30" or
# "08:30:00", never with an offset (the database keeps times of day without one).
WallClockTime = Annotated[
    dt.time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "format": "partial-time",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "description": "a time of day, HH:MM[:SS], no zone offset",
        }
    ),
]


def _decimal_pattern(digits: int, places: int, signed: bool) -> str:
    sign = "-?" if signed else ""
    return rf"^{sign}\d{{1,{digits - places}}}(\.\d{{1,{places}}})?$"


def _decimal_parser(digits: int, places: int, signed: bool = False) -> Callable[[object], object]:
    whole = digits - places
    pattern = re.compile(_decimal_pattern(digits, places, signed))
    largest = 10**whole - 1
    lowest = -largest if signed else 0

    def parse(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f'a decimal number as text, e.g. "12.5" (at most {places} places)')
        if isinstance(value, int) and not lowest <= value <= largest:
            raise ValueError(f"a whole number from {lowest} to {largest}")
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"at most {whole} digits before the point and {places} after it")
        return value

    return parse


def _decimal_schema(digits: int, places: int, signed: bool = False) -> dict[str, object]:
    largest = 10 ** (digits - places) - 1
    return {
        "anyOf": [
            {"type": "integer", "minimum": -largest if signed else 0, "maximum": largest},
            {"type": "string", "pattern": _decimal_pattern(digits, places, signed)},
        ],
        "description": f"a decimal as text, at most {places} places (or a whole number)",
    }


# Non-negative decimals sent as text ("12.5") or a whole number (12), so the schema can
# state their precision (a JSON fraction such as 0.1 is not exact): a measured value
# (12 digits, 2 places) and a tolerance in mm (7 digits, 4 places).
MeasureDecimal = Annotated[
    Decimal, BeforeValidator(_decimal_parser(12, 2)), WithJsonSchema(_decimal_schema(12, 2))
]
ToleranceDecimal = Annotated[
    Decimal, BeforeValidator(_decimal_parser(7, 4)), WithJsonSchema(_decimal_schema(7, 4))
]
# A figure that may be negative: an indicator's target or baseline (20 digits, 4 places),
# a measured effect in percent (12 digits, 1 place).
IndicatorDecimal = Annotated[
    Decimal,
    BeforeValidator(_decimal_parser(20, 4, signed=True)),
    WithJsonSchema(_decimal_schema(20, 4, signed=True)),
]
EffectDecimal = Annotated[
    Decimal,
    BeforeValidator(_decimal_parser(12, 1, signed=True)),
    WithJsonSchema(_decimal_schema(12, 1, signed=True)),
]
