"""Who may read which figures, and how much of each.

- A ward officer reads the figures of the wards they serve, and the all-wards figures;
  a metro viewer those of the wards it serves, side by side, and their total; nobody
  else reads the dashboard (``reader_of`` returns None: the views answer 404).
- Small-number suppression (KPI.md): a figure derived from 1 or 2 companies is shown as
  "—" with its reason to anyone outside those companies, officers included; for the
  value-added gap, a group (recipients or the others) of 1 or 2 companies suppresses it
  too. A figure of 0 companies is a count of records of no company (events, projects),
  or an empty one, and is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import number_format

from machikoba.accounts.models import User
from machikoba.core.access import (
    METRO_VIEWER,
    WARD_OFFICER,
    member_company_ids,
    municipality_ids_for,
)
from machikoba.kpi.choices import Level, Light, Measure, Reason, Unit
from machikoba.kpi.computations import Scope
from machikoba.kpi.evaluation import Result, current_definitions, evaluate, scope_for
from machikoba.kpi.models import Definition
from machikoba.wards.models import Municipality

MIN_COMPANIES = 3
DASH = "—"


@dataclass(frozen=True)
class Reader:
    """A dashboard reader: the wards they may read and the companies they belong to."""

    user: User
    officer_wards: tuple[int, ...]
    metro_wards: tuple[int, ...]
    companies: frozenset[int]

    @property
    def wards(self) -> tuple[int, ...]:
        return tuple(sorted({*self.officer_wards, *self.metro_wards}))

    @property
    def is_metro(self) -> bool:
        return bool(self.metro_wards)

    def may_read(self, wards: tuple[int, ...] | None) -> bool:
        if wards is None:
            return bool(self.wards)
        return bool(wards) and set(wards) <= set(self.wards)

    def sees_records_of(self, ward: int | None) -> bool:
        """Whether the reader may drill down to the records (an officer of that ward; the
        metro viewer never, it reads aggregates only)."""
        return ward is not None and ward in self.officer_wards


def reader_of(user: User) -> Reader | None:
    if user is None or not user.is_authenticated:
        return None
    officer = tuple(municipality_ids_for(user, WARD_OFFICER))
    metro = tuple(municipality_ids_for(user, METRO_VIEWER))
    if not officer and not metro:
        return None
    return Reader(user, officer, metro, frozenset(member_company_ids(user)))


def readable_wards(reader: Reader) -> QuerySet[Municipality]:
    return Municipality.objects.filter(pk__in=reader.wards).order_by("code")


def suppressed(result: Result, companies: frozenset[int] = frozenset()) -> bool:
    """Whether ``result`` comes from fewer than 3 companies that are not all the reader's."""
    figure = result.figure
    behind = figure.companies
    small = 0 < len(behind) < MIN_COMPANIES
    smallest = figure.detail.get("smallest_group")
    if smallest is not None and 0 < smallest < MIN_COMPANIES:
        small = True
    return small and not (behind and behind <= companies)


def format_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return DASH
    if unit in (Unit.PERCENT, Unit.POINTS):
        text = number_format(value.quantize(Decimal("0.1"), ROUND_HALF_UP), 1, force_grouping=True)
        return f"{'+' if unit == Unit.POINTS and value > 0 else ''}{text}"
    return number_format(value.quantize(Decimal("1"), ROUND_HALF_UP), 0, force_grouping=True)


@dataclass
class Shown:
    """One indicator as a reader sees it: the result, or "—" and why."""

    result: Result
    hidden: bool

    @property
    def definition(self) -> Definition:
        return self.result.definition

    @property
    def code(self) -> str:
        return self.result.code

    @property
    def value(self) -> Decimal | None:
        return None if self.hidden else self.result.value

    @property
    def numerator(self) -> Decimal | None:
        return None if self.hidden else self.result.figure.numerator

    @property
    def denominator(self) -> Decimal | None:
        return None if self.hidden else self.result.figure.denominator

    @property
    def text(self) -> str:
        return format_value(self.value, self.result.definition.unit)

    @property
    def unit_text(self) -> str:
        return str(Unit(self.result.definition.unit).label)

    @property
    def reason(self) -> str:
        return Reason.FEW_COMPANIES if self.hidden else self.result.reason

    @property
    def reason_text(self) -> str:
        return str(Reason(self.reason).label) if self.reason else ""

    @property
    def light(self) -> str:
        return Light.NONE if self.hidden else self.result.light

    @property
    def light_text(self) -> str:
        return str(Light(self.light).label)

    @property
    def target_text(self) -> str:
        return format_value(self.result.goal.target, self.result.definition.unit)

    @property
    def progress(self) -> float | None:
        return None if self.hidden else self.result.progress

    @property
    def expected_progress(self) -> float | None:
        goal = self.result.goal.target
        if self.hidden or not goal or self.result.expected is None:
            return None
        return max(0.0, min(150.0, float(self.result.expected / goal * 100)))

    @property
    def company_count(self) -> int:
        return self.result.figure.company_count

    def as_dict(self) -> dict[str, Any]:
        data = self.result.as_dict()
        if self.hidden:
            data.update(value=None, numerator=None, denominator=None, status=Light.NONE.value)
            data["reason"] = Reason.FEW_COMPANIES.value
        data["status"] = str(data["status"])
        data["reason"] = str(data["reason"]) if data["reason"] else None
        return data


def shown(result: Result, reader_companies: frozenset[int] = frozenset()) -> Shown:
    return Shown(result, suppressed(result, reader_companies))


@dataclass
class Tree:
    """One measure as KGI → KSI → outcome → outputs."""

    measure: int
    label: str
    kgi: Shown | None = None
    ksi: Shown | None = None
    outcome: Shown | None = None
    outputs: list[Shown] = field(default_factory=list)

    @property
    def all(self) -> list[Shown]:
        return [s for s in (self.kgi, self.ksi, self.outcome) if s is not None] + self.outputs


def trees(items: list[Shown]) -> list[Tree]:
    by_measure: dict[int, Tree] = {}
    for item in items:
        measure = item.definition.indicator.measure
        tree = by_measure.setdefault(measure, Tree(measure, str(Measure(measure).label)))
        level = item.definition.indicator.level
        if level == Level.KGI:
            tree.kgi = item
        elif level == Level.KSI:
            tree.ksi = item
        elif level == Level.OUTCOME:
            tree.outcome = item
        else:
            tree.outputs.append(item)
    return [by_measure[m] for m in sorted(by_measure)]


def figures_for(
    reader_companies: frozenset[int],
    *,
    year: int,
    wards: tuple[int, ...] | None,
    today: dt.date | None = None,
    size: str = "",
    process: str = "",
) -> list[Shown]:
    """Every indicator of one scope, as the reader may see it."""
    scope: Scope = scope_for(year, wards, today=today, size=size, process=process)
    return [shown(evaluate(d, scope), reader_companies) for d in current_definitions()]
