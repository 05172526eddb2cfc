"""Field types the API's input schemas share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema


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
