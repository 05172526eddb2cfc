"""The arithmetic of the shop floor's figures, and nothing else (no Django, no database):
docs/floor-metrics.md gives the same definitions in words.

- **計画時間 (planned time)**: the shift time inside the window that has passed.
- **稼働率 (utilisation)** = producing time ÷ planned time.
- **OEE** = availability × performance × quality, where
  - **負荷時間 (planned production time)** = planned time − planned stops;
  - **時間稼働率 (availability)** = producing time ÷ 負荷時間;
  - **性能稼働率 (performance)** = ideal cycle time × total count ÷ producing time;
  - **良品率 (quality)** = good count ÷ total count.
  Multiplied out, OEE = ideal cycle time × good count ÷ 負荷時間 (the time the good parts
  needed at the ideal speed, out of the time there was to make them): that is the
  numerator and denominator shown with it.

Every figure is a ``Ratio``: its numerator and denominator (minutes, or parts for the
quality) and, when it cannot be computed, the reason (``Missing``) instead of a value.
Nothing is guessed: a counter gives no defect count, so with counter-only counts the
quality and the OEE are missing, not 100 %. A value above 100 % (a wrong ideal cycle time,
counts booked on the wrong machine) is kept and flagged (``Ratio.over``), not capped.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

_K = TypeVar("_K")


class Missing(StrEnum):
    """Why a figure has no value."""

    NO_PLANNED_TIME = "no_planned_time"  # no shift time in the window (yet)
    NO_LOADING_TIME = "no_loading_time"  # the whole planned time was planned stops
    NO_PRODUCING_TIME = "no_producing_time"  # nothing produced: a speed has no meaning
    NO_IDEAL_CYCLE = "no_ideal_cycle"  # the machine has no ideal cycle time
    NO_COUNTS = "no_counts"  # no part count at all (no report, no counter)
    NO_DEFECT_DATA = "no_defect_data"  # counter only: how many were good is unknown
    MIXED_COUNTS = "mixed_counts"  # reports on some days, the counter on others: same
    NOTHING_MADE = "nothing_made"  # counted, and the count is 0
    NO_MONITORING = "no_monitoring"  # daily reports only: no state data for OEE
    # A day's report entry has no time, or spreads over shifts: the shifts' counts are unknown.
    REPORTS_NOT_IN_ONE_SHIFT = "reports_not_in_one_shift"
    PARTIAL = "partial"  # combined figure: some machines lack what it needs
    NO_DATA = "no_data"  # combined figure: no machine has a record


class CountBasis(StrEnum):
    """Where the part counts come from."""

    REPORTS = "reports"  # approved daily-report entries (good and defect counted)
    COUNTER = "counter"  # the machine's part counter (a total only)
    MIXED = "mixed"  # reports on some days, the counter on others
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Ratio:
    numerator: float
    denominator: float
    missing: Missing | None = None

    @property
    def value(self) -> float | None:
        if self.missing is not None or self.denominator <= 0:
            return None
        return self.numerator / self.denominator

    @property
    def percent(self) -> float | None:
        value = self.value
        return None if value is None else 100 * value

    @property
    def over(self) -> bool:
        """Above 100 %: shown as it is, and flagged as suspicious."""
        value = self.value
        return value is not None and value > 1 + 1e-9


def ratio(numerator: float, denominator: float, *, if_empty: Missing) -> Ratio:
    """``numerator / denominator``, missing with ``if_empty`` when the denominator is 0."""
    if denominator <= 0:
        return Ratio(numerator, max(denominator, 0), if_empty)
    return Ratio(numerator, denominator)


def missing(reason: Missing, numerator: float = 0, denominator: float = 0) -> Ratio:
    return Ratio(numerator, denominator, reason)


@dataclass(frozen=True, slots=True)
class Counts:
    """Parts made: ``total`` (good + defect) and ``good``; ``None`` is unknown."""

    total: float | None
    good: float | None
    basis: CountBasis
    why: Missing = Missing.NO_COUNTS  # why ``total`` is unknown (basis NONE)

    @classmethod
    def from_reports(cls, good: int, defect: int) -> Counts:
        return cls(good + defect, good, CountBasis.REPORTS)

    @classmethod
    def from_counter(cls, parts: float | None) -> Counts:
        if parts is None:
            return cls.none()
        return cls(parts, None, CountBasis.COUNTER)

    @classmethod
    def none(cls, why: Missing = Missing.NO_COUNTS) -> Counts:
        return cls(None, None, CountBasis.NONE, why)

    def __add__(self, other: Counts) -> Counts:
        if self.basis == CountBasis.NONE:
            return other
        if other.basis == CountBasis.NONE:
            return self
        basis = self.basis if self.basis == other.basis else CountBasis.MIXED
        total = None if self.total is None or other.total is None else self.total + other.total
        good = None if self.good is None or other.good is None else self.good + other.good
        return Counts(total, good, basis)


def utilisation(producing: float, planned: float) -> Ratio:
    """稼働率: producing minutes ÷ planned minutes."""
    return ratio(producing, planned, if_empty=Missing.NO_PLANNED_TIME)


@dataclass(frozen=True, slots=True)
class Oee:
    """One machine's (or several machines') figures over some planned time, in minutes."""

    planned: float
    planned_stop: float
    producing: float
    offline: float
    ideal_cycle_seconds: float | None
    counts: Counts
    utilisation: Ratio
    availability: Ratio
    performance: Ratio
    quality: Ratio
    oee: Ratio
    # Several days together: on how many of them the OEE stands (complete, of).
    covered: tuple[int, int] | None = None

    @property
    def loading(self) -> float:
        """負荷時間: planned time − planned stops."""
        return max(0.0, self.planned - self.planned_stop)


def oee(
    *,
    planned: float,
    planned_stop: float,
    producing: float,
    offline: float = 0,
    ideal_cycle_seconds: float | None,
    counts: Counts,
) -> Oee:
    """The figures of one machine over planned time (see the module's docstring)."""
    loading = max(0.0, planned - planned_stop)
    availability = ratio(
        producing,
        loading,
        if_empty=Missing.NO_LOADING_TIME if planned > 0 else Missing.NO_PLANNED_TIME,
    )
    performance = _performance(producing, ideal_cycle_seconds, counts)
    quality = _quality(counts)
    lacking = next(
        (r.missing for r in (availability, performance, quality) if r.missing is not None), None
    )
    if lacking is not None or ideal_cycle_seconds is None or counts.good is None:
        overall = missing(lacking or Missing.NO_COUNTS)
    else:
        overall = Ratio(ideal_cycle_seconds * counts.good / 60, loading)
    return Oee(
        planned=planned,
        planned_stop=planned_stop,
        producing=producing,
        offline=offline,
        ideal_cycle_seconds=ideal_cycle_seconds,
        counts=counts,
        utilisation=utilisation(producing, planned),
        availability=availability,
        performance=performance,
        quality=quality,
        oee=overall,
    )


def _performance(producing: float, ideal_cycle_seconds: float | None, counts: Counts) -> Ratio:
    if ideal_cycle_seconds is None or ideal_cycle_seconds <= 0:
        return missing(Missing.NO_IDEAL_CYCLE)
    if counts.total is None:
        return missing(counts.why)
    ideal_minutes = ideal_cycle_seconds * counts.total / 60
    return ratio(ideal_minutes, producing, if_empty=Missing.NO_PRODUCING_TIME)


def _quality(counts: Counts) -> Ratio:
    if counts.total is None:
        return missing(counts.why)
    if counts.good is None:
        reason = (
            Missing.MIXED_COUNTS if counts.basis == CountBasis.MIXED else Missing.NO_DEFECT_DATA
        )
        return missing(reason, denominator=counts.total)
    return ratio(counts.good, counts.total, if_empty=Missing.NOTHING_MADE)


def reported_utilisation(machine_minutes: float, planned: float) -> Oee:
    """A machine without monitoring: 稼働率 from its daily reports (machine minutes ÷
    planned time); no OEE, since nothing says when it stood still."""
    none = missing(Missing.NO_MONITORING)
    return Oee(
        planned=planned,
        planned_stop=0,
        producing=machine_minutes,
        offline=0,
        ideal_cycle_seconds=None,
        counts=Counts.none(),
        utilisation=utilisation(machine_minutes, planned),
        availability=none,
        performance=none,
        quality=none,
        oee=none,
    )


@dataclass(frozen=True, slots=True)
class Combined:
    """Several machines together (``combine``); ``complete`` of ``machines`` have an OEE."""

    utilisation: Ratio
    availability: Ratio
    performance: Ratio
    quality: Ratio
    oee: Ratio
    planned: float
    producing: float
    offline: float
    machines: int
    complete: int


def combine(figures: Sequence[Oee]) -> Combined:
    """Sum numerators and denominators (never average percentages). 稼働率 covers every
    machine; each of availability, performance and quality the machines that have it;
    the OEE the machines that have all three (``complete``)."""
    if not figures:
        none = missing(Missing.NO_DATA)
        return Combined(none, none, none, none, none, 0, 0, 0, 0, 0)
    complete = [f for f in figures if f.oee.missing is None]
    return Combined(
        utilisation(sum(f.producing for f in figures), sum(f.planned for f in figures)),
        _sum(figures, "availability", Missing.NO_LOADING_TIME),
        _sum(figures, "performance", Missing.NO_PRODUCING_TIME),
        _sum(figures, "quality", Missing.NOTHING_MADE),
        _sum(figures, "oee", Missing.NO_LOADING_TIME),
        planned=sum(f.planned for f in figures),
        producing=sum(f.producing for f in figures),
        offline=sum(f.offline for f in figures),
        machines=len(figures),
        complete=len(complete),
    )


def _sum(figures: Sequence[Oee], name: str, if_empty: Missing) -> Ratio:
    """One part over the machines that have it; missing with their common reason when
    none has it (or ``PARTIAL`` when their reasons differ)."""
    parts: list[Ratio] = [getattr(f, name) for f in figures]
    known = [p for p in parts if p.missing is None]
    if not known:
        reasons = {p.missing for p in parts}
        only = reasons.pop() if len(reasons) == 1 else None
        return missing(only or Missing.PARTIAL)
    return ratio(
        sum(p.numerator for p in known), sum(p.denominator for p in known), if_empty=if_empty
    )


@dataclass(frozen=True, slots=True)
class ParetoBar(Generic[_K]):
    key: _K
    minutes: float
    share: float  # of all the stop minutes, 0..1
    cumulative: float  # this bar and every longer one, 0..1


def pareto(items: Iterable[tuple[_K, float]]) -> list[ParetoBar[_K]]:
    """Stop minutes by reason, longest first, with each reason's share and the
    cumulative share (the Pareto line). Reasons with no minutes are left out; ties keep
    the order they came in."""
    totals: dict[_K, float] = {}
    for key, minutes in items:
        totals[key] = totals.get(key, 0) + minutes
    ordered = sorted(
        ((k, m) for k, m in totals.items() if m > 0), key=lambda item: item[1], reverse=True
    )
    whole = sum(m for _, m in ordered)
    bars: list[ParetoBar[_K]] = []
    running = 0.0
    for key, minutes in ordered:
        running += minutes
        bars.append(ParetoBar(key, minutes, minutes / whole, running / whole))
    return bars


# The fewest companies behind a ward's average: with fewer, the figure would come close
# to being one company's own.
MIN_CONTRIBUTORS = 3


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and mean of the companies' figures, or neither (``suppressed``) when
    fewer than ``MIN_CONTRIBUTORS`` companies contribute."""

    contributors: int
    median: float | None
    mean: float | None
    suppressed: bool = field(default=False)


def spread(values: Sequence[float], minimum: int = MIN_CONTRIBUTORS) -> Spread:
    if len(values) < minimum:
        return Spread(len(values), None, None, suppressed=True)
    return Spread(len(values), statistics.median(values), statistics.fmean(values))
