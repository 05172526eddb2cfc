"""Planned time (計画時間): the shift windows of a shop's working days.

A working day is one of the calendar's weekdays that is neither a 祝日 (jpholiday) nor one
of the shop's shutdown dates. Each working day has the shop's shifts (``Shift`` rows),
or, when it has none, one shift: the calendar's day (``day_start``–``day_end``). A shift
that crosses midnight belongs to the day it starts on. Only time that has passed is
planned time so far: a window still running counts up to ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jpholiday
from django.utils.translation import gettext as _

from ..models import WorkCalendar
from ..models_metrics import Shift

CALENDAR_SHIFT = "calendar"


@dataclass(frozen=True, slots=True)
class ShiftDef:
    key: str  # the Shift's id, or CALENDAR_SHIFT for the calendar's own day
    name: str
    start: dt.time
    end: dt.time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True, slots=True)
class Window:
    """One shift of one working day."""

    day: dt.date
    shift: ShiftDef
    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    def elapsed(self, now: dt.datetime) -> float:
        """Minutes of the window that have passed at ``now``."""
        return overlap(self.start, self.end, self.start, now)


@dataclass(frozen=True, slots=True)
class FloorCalendar:
    weekdays: frozenset[int]
    shutdowns: frozenset[dt.date]
    shifts: tuple[ShiftDef, ...]
    tz: dt.tzinfo

    def is_working(self, day: dt.date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self.shutdowns
            and not jpholiday.is_holiday(day)
        )

    def windows(self, first: dt.date, last: dt.date) -> list[Window]:
        """The shift windows of the working days ``first`` … ``last`` (inclusive), in
        time order."""
        windows = []
        day = first
        while day <= last:
            if self.is_working(day):
                for shift in self.shifts:
                    begin = dt.datetime.combine(day, shift.start, tzinfo=self.tz)
                    finish_day = day + dt.timedelta(days=1) if shift.crosses_midnight else day
                    finish = dt.datetime.combine(finish_day, shift.end, tzinfo=self.tz)
                    windows.append(Window(day, shift, begin, finish))
            day += dt.timedelta(days=1)
        windows.sort(key=lambda w: (w.start, w.shift.key))
        return windows

    def day_of(self, moment: dt.datetime) -> dt.date:
        """The working day whose shift ``moment`` falls in (yesterday's night shift at
        03:00), else the moment's own date."""
        local = moment.astimezone(self.tz)
        for window in self.windows(local.date() - dt.timedelta(days=1), local.date()):
            if window.start <= local < window.end:
                return window.day
        return local.date()


def overlap(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> float:
    """Minutes shared by ``[a_start, a_end)`` and ``[b_start, b_end)``."""
    seconds = (min(a_end, b_end) - max(a_start, b_start)).total_seconds()
    return max(0.0, seconds / 60)


def planned_minutes(windows: Iterable[Window], now: dt.datetime) -> float:
    return sum(window.elapsed(now) for window in windows)


def build_calendar(
    *,
    weekdays: Iterable[int],
    shutdowns: Iterable[dt.date],
    day_start: dt.time,
    day_end: dt.time,
    shifts: Sequence[ShiftDef],
    tz: dt.tzinfo,
) -> FloorCalendar:
    """A calendar from plain values: ``shifts``, or the day as the one shift."""
    own = tuple(shifts) or (ShiftDef(CALENDAR_SHIFT, _("稼働時間"), day_start, day_end),)
    return FloorCalendar(frozenset(weekdays), frozenset(shutdowns), own, tz)


def shop_calendars(company_ids: Iterable[int], tz: dt.tzinfo) -> dict[int, FloorCalendar]:
    """Each company's floor calendar (its ``WorkCalendar``, the default one until it saves
    its own, and its shifts): two queries for any number of companies.

    Caller-trusted: the caller has read the companies with a right to their figures (a
    member's ``VIEW`` of its own company, or ``SUPPORT`` for a ward's aggregates), like the
    scheduler's ``shop_problem.shop_calendar``."""
    ids = list(company_ids)
    calendars = {c.company_id: c for c in WorkCalendar.objects.filter(company_id__in=ids)}
    shifts: dict[int, list[ShiftDef]] = {company_id: [] for company_id in ids}
    for shift in Shift.objects.filter(company_id__in=ids).order_by("order", "start", "id"):
        shifts[shift.company_id].append(ShiftDef(str(shift.pk), shift.name, shift.start, shift.end))
    answer = {}
    for company_id in ids:
        calendar = calendars.get(company_id) or WorkCalendar(company_id=company_id)
        answer[company_id] = build_calendar(
            weekdays=calendar.weekday_numbers,
            shutdowns=calendar.shutdowns,
            day_start=calendar.day_start,
            day_end=calendar.day_end,
            shifts=shifts[company_id],
            tz=tz,
        )
    return answer
