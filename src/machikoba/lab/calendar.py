"""When a lab is open: its weekly hours, minus 祝日 (``jpholiday``, substitute holidays
included) and the year end when the lab says so, minus its own closures. Times are local
(Asia/Tokyo); every function takes aware datetimes and returns aware datetimes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jpholiday
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from machikoba.lab.models import Lab

# The year-end closure of Japanese public facilities: 12/29 to 1/3.
YEAR_END_FROM = 29  # December
NEW_YEAR_UNTIL = 3  # January


@dataclass(frozen=True)
class DayHours:
    day: dt.date
    opens: dt.datetime | None  # None: closed all day
    closes: dt.datetime | None
    closed_reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.opens is not None


def _in_year_end(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= YEAR_END_FROM) or (
        day.month == 1 and day.day <= NEW_YEAR_UNTIL
    )


def closed_reason(lab: Lab, day: dt.date, *, weekly: dict[int, tuple] | None = None) -> str:
    """Why the lab is closed on ``day`` (empty when it is open). ``weekly`` may pass the
    lab's opening hours by weekday, read once for a range of days."""
    hours = weekly if weekly is not None else weekly_hours(lab)
    if lab.closed_year_end and _in_year_end(day):
        return _("年末年始の休館")
    if lab.closed_on_holidays and jpholiday.is_holiday(day):
        return _("祝日の休館 (%(name)s)") % {"name": jpholiday.is_holiday_name(day)}
    for closure in _closures(lab):
        if closure.starts_on <= day <= closure.ends_on:
            return closure.reason
    if day.weekday() not in hours:
        return _("定休日")
    return ""


def _closures(lab: Lab) -> list:
    cached = lab.__dict__.get("_closures")
    if cached is None:
        cached = list(lab.closures.all())
        lab.__dict__["_closures"] = cached
    return cached


def weekly_hours(lab: Lab) -> dict[int, tuple[dt.time, dt.time]]:
    cached = lab.__dict__.get("_weekly_hours")
    if cached is None:
        cached = {h.weekday: (h.opens, h.closes) for h in lab.opening_hours.all()}
        lab.__dict__["_weekly_hours"] = cached
    return cached


def day_hours(lab: Lab, day: dt.date) -> DayHours:
    """The lab's hours on ``day`` as aware datetimes, or closed with the reason."""
    hours = weekly_hours(lab)
    reason = closed_reason(lab, day, weekly=hours)
    if reason:
        return DayHours(day, None, None, reason)
    opens, closes = hours[day.weekday()]
    zone = timezone.get_current_timezone()
    return DayHours(
        day,
        dt.datetime.combine(day, opens, tzinfo=zone),
        dt.datetime.combine(day, closes, tzinfo=zone),
    )


def within_hours(lab: Lab, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """Empty when ``starts_at``–``ends_at`` lies within one open day's hours; otherwise why
    not, in the user's language."""
    start = timezone.localtime(starts_at)
    end = timezone.localtime(ends_at)
    if end <= start:
        return _("終了は開始より後にしてください。")
    hours = day_hours(lab, start.date())
    if not hours.is_open:
        return _("%(day)s は休館日です (%(reason)s)。") % {
            "day": start.date().strftime("%Y/%m/%d"),
            "reason": hours.closed_reason,
        }
    opens, closes = hours.opens, hours.closes
    if opens is None or closes is None:  # an open day always has both
        return _("%(day)s は休館日です (%(reason)s)。") % {
            "day": start.date().strftime("%Y/%m/%d"),
            "reason": hours.closed_reason,
        }
    if start < opens or end > closes:
        return _("開館時間 (%(opens)s〜%(closes)s) の中で予約してください。") % {
            "opens": opens.strftime("%H:%M"),
            "closes": closes.strftime("%H:%M"),
        }
    return ""


def open_days(lab: Lab, start: dt.date, days: int) -> list[DayHours]:
    return [day_hours(lab, start + dt.timedelta(days=n)) for n in range(days)]


def open_hours_between(lab: Lab, first: dt.date, last: dt.date) -> float:
    """Hours the lab is open from ``first`` through ``last`` (for utilisation)."""
    total = 0.0
    day = first
    while day <= last:
        hours = day_hours(lab, day)
        if hours.opens is not None and hours.closes is not None:
            total += (hours.closes - hours.opens).total_seconds() / 3600
        day += dt.timedelta(days=1)
    return total
