"""Working windows of a resource, in integer minutes from a planning origin.

``working_windows`` walks the calendar day by day from the origin: on working weekdays
that are neither Japanese public holidays (``jpholiday``, including substitute holidays)
nor shutdown dates, each shift (for example 08:30–12:00 and 13:00–17:30, so the lunch
break is non-working time) becomes a window ``[start, end)`` in minutes since the origin.
Times are naive local times (the shop's wall clock, Asia/Tokyo in the product): Japan
has no daylight-saving time, so a day is always 1,440 minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import jpholiday

from .errors import SchedulingInputError
from .model import Window

Shift = tuple[dt.time, dt.time]

DEFAULT_SHIFTS: tuple[Shift, ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(13, 0), dt.time(17, 30)),
)
WEEKDAYS = frozenset(range(5))  # Monday = 0 … Friday = 4
MINUTES_PER_DAY = 24 * 60


def working_windows(
    origin: dt.datetime,
    days: int,
    shifts: Iterable[Shift] = DEFAULT_SHIFTS,
    weekdays: Iterable[int] = WEEKDAYS,
    public_holidays: bool = True,
    shutdowns: Iterable[dt.date] = (),
) -> tuple[Window, ...]:
    """Windows for ``days`` calendar days starting on the origin's date.

    Minutes before ``origin`` (a re-plan in the middle of a shift) are cut off.
    """
    shifts = _checked_shifts(shifts)
    weekdays = frozenset(weekdays)
    if not weekdays <= set(range(7)):
        raise SchedulingInputError(f"calendar: weekdays must be 0 (Monday) … 6, not {weekdays}")
    if not 1 <= days <= 3660:
        raise SchedulingInputError(f"calendar: days must be in [1, 3660], not {days}")
    closed = set(shutdowns)
    windows: list[Window] = []
    for offset in range(days):
        day = origin.date() + dt.timedelta(days=offset)
        if day.weekday() not in weekdays or day in closed:
            continue
        if public_holidays and jpholiday.is_holiday(day):
            continue
        for start, end in shifts:
            window = (_minutes(origin, day, start), _minutes(origin, day, end))
            clipped = (max(0, window[0]), window[1])
            if clipped[1] > clipped[0]:
                windows.append(clipped)
    if not windows:
        raise SchedulingInputError("calendar: no working time in the planning period")
    return tuple(windows)


def to_minutes(origin: dt.datetime, moment: dt.datetime) -> int:
    """Whole minutes from the origin (rounded down)."""
    return int((moment - origin).total_seconds() // 60)


def to_datetime(origin: dt.datetime, minutes: int) -> dt.datetime:
    return origin + dt.timedelta(minutes=minutes)


def _minutes(origin: dt.datetime, day: dt.date, clock: dt.time) -> int:
    return to_minutes(origin, dt.datetime.combine(day, clock, tzinfo=origin.tzinfo))


def _checked_shifts(shifts: Iterable[Shift]) -> tuple[Shift, ...]:
    shifts = tuple(sorted(shifts))
    if not shifts:
        raise SchedulingInputError("calendar: no shifts, so no working time")
    for start, end in shifts:
        if end <= start:
            raise SchedulingInputError(
                f"calendar: shift {start:%H:%M}–{end:%H:%M} ends before it starts "
                "(split a night shift at midnight)"
            )
    return shifts
