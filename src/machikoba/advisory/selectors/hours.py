"""Advisor hours for the ward's payment: per advisor per month, signed-off minutes
(payable: minutes × hourly fee / 60, rounded to the yen, half up) and the minutes still
waiting for the company's sign-off, shown apart and not paid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.advisory.models import Advisor, Engagement, Visit
from machikoba.core.access import MANAGE, VIEW
from machikoba.core.fiscal import add_months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month of ``month`` as aware datetimes in local time (visits count in the month
    they started)."""
    first = month_start(month)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(add_months(first, 1), dt.time.min, tzinfo=zone)
    return start, end


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` from a month picker; anything else is this month."""
    fallback = month_start(default or timezone.localdate())
    if not text:
        return fallback
    try:
        year, month = (int(part) for part in text.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return fallback


def payable_amount(minutes: int, hourly_fee: int) -> int:
    """Yen for ``minutes`` at ``hourly_fee`` per hour, rounded half up to the yen."""
    return (minutes * hourly_fee * 2 + 60) // 120


@dataclass(frozen=True)
class AdvisorMonth:
    advisor: Advisor
    signed_minutes: int
    unsigned_minutes: int
    visits: int

    @property
    def hourly_fee(self) -> int:
        return self.advisor.hourly_fee

    @property
    def amount(self) -> int:
        return payable_amount(self.signed_minutes, self.advisor.hourly_fee)


@dataclass(frozen=True)
class HoursRollup:
    month: dt.date
    rows: list[AdvisorMonth]

    @property
    def signed_minutes(self) -> int:
        return sum(r.signed_minutes for r in self.rows)

    @property
    def unsigned_minutes(self) -> int:
        return sum(r.unsigned_minutes for r in self.rows)

    @property
    def amount(self) -> int:
        return sum(r.amount for r in self.rows)


def hours_rollup(*, user: User, month: dt.date) -> HoursRollup:
    """The office's advisors' visits started in ``month`` (engagements of the wards the
    officer serves), per advisor."""
    start, end = month_bounds(month)
    visits = (
        Visit.objects.for_user(user, VIEW)
        .filter(
            engagement__in=Engagement.objects.for_user(user, MANAGE),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("advisor__user")
    )
    totals: dict[int, list[int]] = {}
    advisors: dict[int, Advisor] = {}
    for visit in visits:
        advisors[visit.advisor_id] = visit.advisor
        row = totals.setdefault(visit.advisor_id, [0, 0, 0])
        row[0 if visit.signed_off_at is not None else 1] += visit.minutes
        row[2] += 1
    rows = [
        AdvisorMonth(advisor=advisors[pk], signed_minutes=s, unsigned_minutes=u, visits=n)
        for pk, (s, u, n) in totals.items()
    ]
    rows.sort(key=lambda r: (r.advisor.user.name, r.advisor.pk))
    return HoursRollup(month=month_start(month), rows=rows)


@dataclass(frozen=True)
class MyMonth:
    signed_minutes: int
    unsigned_minutes: int

    @property
    def total_minutes(self) -> int:
        return self.signed_minutes + self.unsigned_minutes


def my_month(*, user: User, advisor: Advisor, month: dt.date) -> MyMonth:
    """An advisor's own minutes in ``month`` (signed off, and waiting)."""
    start, end = month_bounds(month)
    signed = unsigned = 0
    for minutes, signed_at in (
        Visit.objects.for_user(user, VIEW)
        .filter(advisor=advisor, starts_at__gte=start, starts_at__lt=end)
        .values_list("minutes", "signed_off_at")
    ):
        if signed_at is None:
            unsigned += minutes
        else:
            signed += minutes
    return MyMonth(signed_minutes=signed, unsigned_minutes=unsigned)
