"""From a definition and a scope to a result: the figure, the target that applies, the
progress expected by now and the traffic light.

Targets: the paper's targets are for the 23 wards together. A ward's own ``Target`` row
replaces them for that ward; without one, a ward is measured against the paper's target
only for a share or a difference of shares (a count of 100 graduates is a target for all
wards, not for each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.kpi.choices import Light, Period, Reason, Unit
from machikoba.kpi.computations import REGISTRY, Figure, Scope
from machikoba.kpi.models import Definition, Target

RATIO_UNITS = (Unit.PERCENT, Unit.POINTS)
AMBER_SHARE = Decimal("0.8")


@dataclass(frozen=True)
class Goal:
    target: Decimal | None
    target_year: int | None
    baseline: Decimal | None
    baseline_year: int | None
    ward_set: bool


@dataclass
class Result:
    definition: Definition
    scope: Scope
    figure: Figure
    goal: Goal
    expected: Decimal | None
    light: str

    @property
    def code(self) -> str:
        return self.definition.indicator.code

    @property
    def value(self) -> Decimal | None:
        return self.figure.value if not self.figure.reason else None

    @property
    def reason(self) -> str:
        return self.figure.reason

    @property
    def reason_text(self) -> str:
        return str(Reason(self.figure.reason).label) if self.figure.reason else ""

    @property
    def progress(self) -> float | None:
        """Value in percent of the target (for the bullet chart), capped at 150."""
        if self.value is None or not self.goal.target:
            return None
        return max(0.0, min(150.0, float(self.value / self.goal.target * 100)))

    def as_dict(self) -> dict[str, Any]:
        """What the ``kpi`` command and the exports print."""
        return {
            "code": self.code,
            "name": self.definition.name,
            "version": self.definition.version,
            "fiscal_year": self.scope.fiscal_year,
            "value": _plain(self.value),
            "numerator": _plain(self.figure.numerator),
            "denominator": _plain(self.figure.denominator),
            "unit": self.definition.unit,
            "target": _plain(self.goal.target),
            "target_year": self.goal.target_year,
            "status": self.light,
            "reason": self.figure.reason or None,
            "companies": self.figure.company_count,
        }


def _plain(number: Decimal | None) -> float | int | None:
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(round(number, 4))


def current_definitions() -> list[Definition]:
    """The newest version of every indicator, in the dashboard's order."""
    newest: dict[str, Definition] = {}
    for definition in Definition.objects.select_related("indicator").order_by(
        "indicator__position", "-version"
    ):
        newest.setdefault(definition.indicator.code, definition)
    return list(newest.values())


def goal_for(definition: Definition, wards: tuple[int, ...] | None) -> Goal:
    own = None
    if wards is not None and len(wards) == 1:
        own = Target.objects.filter(indicator=definition.indicator, municipality=wards[0]).first()
    if own is not None:
        # A ward that set only its baseline keeps the paper's target where it applies to
        # one ward (a share), and none for a count (the paper's counts are for all wards).
        inherited = definition.target if definition.unit in RATIO_UNITS else None
        return Goal(
            target=own.target if own.target is not None else inherited,
            target_year=own.target_year or definition.target_year,
            baseline=own.baseline if own.baseline is not None else definition.baseline,
            baseline_year=own.baseline_year or definition.baseline_year,
            ward_set=True,
        )
    applies = wards is None or len(wards) != 1 or definition.unit in RATIO_UNITS
    return Goal(
        target=definition.target if applies else None,
        target_year=definition.target_year,
        baseline=definition.baseline,
        baseline_year=definition.baseline_year,
        ward_set=False,
    )


def year_elapsed(scope: Scope) -> Decimal:
    """The share of the fiscal year counted (1 once it has ended)."""
    first, last = fiscal_year_bounds(scope.fiscal_year)
    days = (last - first).days + 1
    counted = (scope.last_day - first).days + 1
    return Decimal(max(0, min(days, counted))) / days


def expected_by_now(
    definition: Definition, goal: Goal, scope: Scope, figure: Figure
) -> Decimal | None:
    """The value that keeps the indicator on course to its target."""
    if goal.target is None:
        return None
    if definition.period == Period.CUMULATIVE:
        base = figure.detail.get("base_year") or figure.detail.get("first_year")
        years = definition.period_years
        if base is None:
            return goal.target
        horizon = (goal.target_year - base) if goal.target_year else years
        done = Decimal(scope.fiscal_year - base) + year_elapsed(scope)
        if definition.unit in RATIO_UNITS:
            done -= 1  # growth is measured between year ends: year 1 is the base year
        return goal.target * min(Decimal(1), max(Decimal(0), done / max(horizon, 1)))
    if definition.unit in RATIO_UNITS:
        return goal.target
    return goal.target * year_elapsed(scope)


def light_for(value: Decimal | None, expected: Decimal | None) -> str:
    if value is None or expected is None:
        return Light.NONE
    if value >= expected:
        return Light.GREEN
    if expected > 0 and value >= expected * AMBER_SHARE:
        return Light.AMBER
    return Light.RED


def evaluate(definition: Definition, scope: Scope) -> Result:
    """Compute one indicator in one scope. A broken definition (an unknown computation,
    bad params) is a result with a reason, never an exception."""
    goal = goal_for(definition, scope.wards)
    computation = REGISTRY.get(definition.computation)
    if scope.first_day > scope.as_of:
        figure = Figure(reason=Reason.NOT_STARTED)
    elif computation is None or not isinstance(definition.params, dict):
        figure = Figure(reason=Reason.BROKEN_DEFINITION)
    else:
        params = dict(definition.params)
        params.setdefault("years", definition.period_years)
        if goal.baseline_year:
            params.setdefault("base_year", goal.baseline_year)
        try:
            figure = computation(scope, params)
        except (TypeError, ValueError, KeyError, ArithmeticError):
            # Params an admin saved that the computation cannot use (a string for a
            # number, a window past the calendar): a reason, never a crash.
            figure = Figure(reason=Reason.BROKEN_DEFINITION)
    if figure.reason:
        figure.value = None
    expected = expected_by_now(definition, goal, scope, figure)
    return Result(definition, scope, figure, goal, expected, light_for(figure.value, expected))


def scope_for(
    year: int,
    wards: tuple[int, ...] | None,
    *,
    today: dt.date | None = None,
    size: str = "",
    process: str = "",
) -> Scope:
    today = today or timezone.localdate()
    return Scope(year, wards, min(today, fiscal_year_bounds(year)[1]), size, process)


def this_fiscal_year(today: dt.date | None = None) -> int:
    return fiscal_year(today or timezone.localdate())
