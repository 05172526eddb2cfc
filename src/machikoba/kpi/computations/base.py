"""What every computation shares: the scope of a figure (fiscal year, wards, company
filters, the day it is computed as of) and the figure itself (numerator, denominator,
value, or a reason instead of a value; the companies behind it; its records).

Computations read records as the system does, counts over rows of every app; who may see
which figure, and in how much detail, is the selectors' business (``kpi.selectors``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from machikoba.companies.models import Company
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.kpi.choices import Reason
from machikoba.kpi.registered import registered_q

# Size bands of the dashboard's filter (employees), the same bands as the ward's home.
SIZE_BANDS: dict[str, tuple[int, int | None]] = {
    "1-9": (1, 9),
    "10-29": (10, 29),
    "30-": (30, None),
}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Scope:
    """One figure's frame: a fiscal year, the wards (``None``: every ward together) and
    the company filters; ``as_of`` is the last day counted (the year's end, or today
    while the year runs)."""

    fiscal_year: int
    wards: tuple[int, ...] | None
    as_of: dt.date
    size: str = ""
    process: str = ""

    @property
    def first_day(self) -> dt.date:
        return fiscal_year_bounds(self.fiscal_year)[0]

    @property
    def last_day(self) -> dt.date:
        return min(fiscal_year_bounds(self.fiscal_year)[1], self.as_of)

    @property
    def start(self) -> dt.datetime:
        return _midnight(self.first_day)

    @property
    def until(self) -> dt.datetime:
        """The first instant after the counted period."""
        return _midnight(self.last_day + dt.timedelta(days=1))

    @property
    def filtered(self) -> bool:
        return bool(self.size or self.process)

    def ward_q(self, path: str) -> Q:
        """Rows whose ward (reached by ``path``) is in scope."""
        return Q() if self.wards is None else Q(**{f"{path}__in": self.wards})

    def company_q(self, path: str) -> Q:
        """Rows whose company (reached by ``path``) passes the filters; every row when
        no filter is set."""
        if not self.filtered:
            return Q()
        return Q(**{f"{path}__in": filtered_companies(self)})

    def with_year(self, fiscal_year: int) -> Scope:
        last = fiscal_year_bounds(fiscal_year)[1]
        return Scope(fiscal_year, self.wards, min(last, self.as_of), self.size, self.process)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_companies(scope: Scope) -> QuerySet[Company, int]:
    """The ids of the companies the size and industry (process) filters keep."""
    companies = Company.objects.all()
    if scope.size in SIZE_BANDS:
        low, high = SIZE_BANDS[scope.size]
        companies = companies.filter(employees__gte=low)
        if high is not None:
            companies = companies.filter(employees__lte=high)
    if scope.process:
        companies = companies.filter(capabilities__process__code__startswith=scope.process)
    return companies.values_list("pk", flat=True)


def registered_shops(scope: Scope) -> QuerySet[Company]:
    """The registered companies of the scope's wards: verified, active shops and buyers
    (a vendor or a bank is a partner, not one of the ward's manufacturers)."""
    return Company.objects.filter(registered_q()).filter(
        scope.ward_q("ward"), scope.company_q("pk")
    )


@dataclass(frozen=True)
class Record:
    """One record behind a figure, for the drill-down: ``company`` is its company's id
    (None for a record of no company, an event); ``counted`` says whether it is in the
    numerator (a record of the denominator only is not)."""

    kind: str
    day: dt.date | None
    company: int | None
    label: str
    counted: bool = True
    detail: str = ""
    ref: int | None = None


@dataclass
class Figure:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    reason: str = ""
    companies: frozenset[int] = frozenset()
    records: list[Record] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    # False when the size and industry filters cannot apply (events count no company).
    filters_apply: bool = True

    @property
    def company_count(self) -> int:
        return len(self.companies)


def count_figure(records: list[Record], *, reason_if_empty: str = "") -> Figure:
    """A count: the records in the numerator, the value their number."""
    counted = [r for r in records if r.counted]
    number = Decimal(len(counted))
    companies = frozenset(r.company for r in counted if r.company is not None)
    figure = Figure(numerator=number, value=number, companies=companies, records=records)
    if reason_if_empty and not counted:
        figure.reason = reason_if_empty
    return figure


def share_figure(records: list[Record], *, empty_reason: str = Reason.ZERO_DENOMINATOR) -> Figure:
    """A percentage: counted records over all records. No records, no value."""
    counted = sum(1 for r in records if r.counted)
    total = len(records)
    companies = frozenset(r.company for r in records if r.company is not None)
    if total == 0:
        return Figure(denominator=Decimal(0), reason=empty_reason, records=records)
    return Figure(
        numerator=Decimal(counted),
        denominator=Decimal(total),
        value=percent(Decimal(counted), Decimal(total)),
        companies=companies,
        records=records,
    )


def percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator / denominator * HUNDRED).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None
