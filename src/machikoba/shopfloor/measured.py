"""Measured machine times (issue 22): what each step the shop plans will take, from its own
records before anyone's guess, and which basis each figure has.

For each open step, the first of these that exists:

1. **日報の実績** (``Basis.REPORTS``), from approved daily-report entries:

   - *of the step itself* (it is under way): its measured minutes a piece (the entries'
     machine minutes ÷ the pieces they made, good and defect) × the pieces still to make
     (the job's quantity less the good ones). When its entries have no counts: the step's
     whole time by the next basis (the earlier steps below, else the typed minutes, else
     the estimate) less the minutes already reported. Either way the figure is what is
     left, counted from the end of the reported work (``StepTime.counted_until``);
   - else *of earlier steps of the same process*: the median minutes a piece of the shop's
     last ``SAMPLES`` such steps × this step's quantity. Steps of the same part (the same
     drawing number, or the same part name for a job without one) are used when there
     are any, else those of the whole process.

   An entry's machine minutes are its ``machine_minutes``, else its ``minutes``. Entries
   older than ``HISTORY_DAYS`` days do not count for other steps (the shop's tools and
   methods change).
2. **設備データ** (``Basis.MACHINE``): machine data is folded into the figures above as a
   correction, because only the 日報 says which step a machine was doing. For an entry
   with a start, an end and a machine whose state is monitored (``telemetry.Machine`` of
   the entry's equipment and unit), the minutes that machine was producing or setting up
   between the entry's start and end replace the entry's typed minutes. Waits, alarms and
   stops are left out: they are the shop's losses, not the work's time (OEE shows them),
   although a worker's minutes include them. A figure counts as 設備データ when the machine
   measured at least half of the entries behind it.
3. **入力値** (``Basis.TYPED``): the minutes typed for the step (``StepWork.minutes``).
4. **推定** (``Basis.ESTIMATE``): the caller's estimate (``shop_problem.estimate_minutes``).

The figures are the company's aggregates: the plan (a task with no user) and every member
reading the steps page see the same ones.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.companies.models import Company
from machikoba.network.models import Step
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.models import Machine, StateInterval

from .choices import ReportStatus
from .models_reports import ReportEntry

ROUND_TO_MINUTES = 10
# How many of the shop's earlier steps of a process make its measured time a piece.
SAMPLES = 10
# Entries older than this do not count for other steps.
HISTORY_DAYS = 365
# The machine's own states that are the work's time (the rest are losses).
WORK_STATES = (MachineState.PRODUCING, MachineState.SETUP)
# Windows asked of the interval table in one query.
WINDOWS_PER_QUERY = 200


class Basis(models.TextChoices):
    """Where a step's machine time comes from, most trusted first."""

    REPORTS = "reports", gettext_lazy("日報の実績")
    MACHINE = "machine", gettext_lazy("設備データ")
    TYPED = "typed", gettext_lazy("入力値")
    ESTIMATE = "estimate", gettext_lazy("推定")


@dataclass(frozen=True)
class StepTime:
    """A step's machine time for the plan, with its basis and how it was reached."""

    minutes: int
    basis: str
    detail: str = ""
    # For a step whose own entries made the figure: the figure is what is left after the
    # work they report, which ends here (the plan's pieces that began before are done).
    counted_until: dt.datetime | None = None

    @property
    def estimated(self) -> bool:
        return self.basis == Basis.ESTIMATE

    @property
    def label(self) -> str:
        return str(Basis(self.basis).label)


@dataclass
class _Entry:
    step_id: int
    equipment_id: int | None
    unit: int
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    minutes: float
    pieces: int
    good: int
    day: dt.date
    by_machine: bool = False


@dataclass
class _Sample:
    """The approved entries of one step."""

    step_id: int
    process_id: int
    part: str
    entries: list[_Entry] = field(default_factory=list)

    @property
    def minutes(self) -> float:
        return sum(entry.minutes for entry in self.entries)

    @property
    def pieces(self) -> int:
        return sum(entry.pieces for entry in self.entries)

    @property
    def good(self) -> int:
        return sum(entry.good for entry in self.entries)

    @property
    def last_day(self) -> dt.date:
        return max(entry.day for entry in self.entries)

    @property
    def per_piece(self) -> float:
        return self.minutes / self.pieces

    @property
    def by_machine(self) -> bool:
        return 2 * sum(entry.by_machine for entry in self.entries) >= len(self.entries)

    @property
    def counted_until(self) -> dt.datetime:
        """When the reported work ends: the latest entry's end, or the end of its day."""
        ends = []
        for entry in self.entries:
            if entry.ended_at is not None:
                ends.append(entry.ended_at)
            else:
                midnight = dt.datetime.combine(entry.day + dt.timedelta(days=1), dt.time(0))
                ends.append(timezone.make_aware(midnight))
        return max(ends)


def round_minutes(minutes: float) -> int:
    """Whole tens of minutes, rounded up, and at least ten."""
    return max(ROUND_TO_MINUTES, math.ceil(minutes / ROUND_TO_MINUTES) * ROUND_TO_MINUTES)


def part_key(step: Step) -> str:
    """What makes two jobs the same part: the drawing number, else the part name."""
    job = step.job
    return f"d:{job.drawing_number}" if job.drawing_number else f"p:{job.part_name}"


def step_times(
    *,
    company: Company,
    steps: list[Step],
    typed: dict[int, int],
    estimate: Callable[[Step], int],
) -> dict[int, StepTime]:
    """The machine time of each of ``steps`` (with ``job`` loaded) and its basis;
    ``typed`` maps a step's id to the minutes typed for it."""
    samples = _samples(company, steps)
    by_process: dict[int, list[_Sample]] = defaultdict(list)
    for sample in sorted(samples.values(), key=lambda s: (s.last_day, s.step_id), reverse=True):
        if sample.pieces:
            by_process[sample.process_id].append(sample)
    pools = {step.pk: _pool(step, by_process.get(step.process_id, [])) for step in steps}
    used = [samples[step.pk] for step in steps if step.pk in samples]
    used += [sample for pool in pools.values() for sample in pool]
    _correct_by_machine(company, {id(sample): sample for sample in used}.values())
    return {
        step.pk: _step_time(step, samples.get(step.pk), pools[step.pk], typed, estimate)
        for step in steps
    }


def _step_time(
    step: Step,
    own: _Sample | None,
    pool: list[_Sample],
    typed: dict[int, int],
    estimate: Callable[[Step], int],
) -> StepTime:
    quantity = step.job.quantity
    whole = _from_pool(pool, quantity)
    if own is None:
        if whole is not None:
            return whole
        if typed.get(step.pk):
            return StepTime(typed[step.pk], Basis.TYPED)
        return StepTime(estimate(step), Basis.ESTIMATE)
    basis = Basis.MACHINE if own.by_machine else Basis.REPORTS
    if own.pieces:
        left = max(0, quantity - own.good)
        return StepTime(
            round_minutes(own.per_piece * left),
            basis,
            _("実績 1個 %(per)s 分 × 残り %(left)s 個")
            % {"per": _decimal(own.per_piece), "left": left},
            own.counted_until,
        )
    total = whole.minutes if whole is not None else typed.get(step.pk) or estimate(step)
    done = round(own.minutes)
    return StepTime(
        round_minutes(total - done),
        basis,
        _("見込み %(total)s 分 − 実績 %(done)s 分") % {"total": total, "done": done},
        own.counted_until,
    )


def _from_pool(pool: list[_Sample], quantity: int) -> StepTime | None:
    if not pool:
        return None
    per_piece = statistics.median(sample.per_piece for sample in pool)
    by_machine = 2 * sum(sample.by_machine for sample in pool) >= len(pool)
    return StepTime(
        round_minutes(per_piece * quantity),
        Basis.MACHINE if by_machine else Basis.REPORTS,
        _("過去 %(count)s 件の中央値 1個 %(per)s 分 × %(quantity)s 個")
        % {"count": len(pool), "per": _decimal(per_piece), "quantity": quantity},
    )


def _pool(step: Step, history: list[_Sample]) -> list[_Sample]:
    """The earlier steps behind ``step``'s figure: the last ``SAMPLES`` of the same part
    when there are any, else of the same process (newest first)."""
    others = [sample for sample in history if sample.step_id != step.pk]
    same_part = [sample for sample in others if sample.part == part_key(step)]
    return (same_part or others)[:SAMPLES]


def _decimal(value: float) -> str:
    return f"{value:.1f}"


def _samples(company: Company, steps: list[Step]) -> dict[int, _Sample]:
    """The approved entries of ``steps`` and of the company's other steps of their
    processes (the last ``HISTORY_DAYS`` days), grouped by step."""
    if not steps:
        return {}
    since = timezone.localdate() - dt.timedelta(days=HISTORY_DAYS)
    rows = (
        ReportEntry.objects.filter(
            report__company=company,
            report__status=ReportStatus.APPROVED,
            minutes__isnull=False,
        )
        .filter(
            Q(step__in=[step.pk for step in steps])
            | Q(
                step__process_id__in={step.process_id for step in steps},
                report__date__gte=since,
            )
        )
        .values_list(
            "step_id",
            "step__process_id",
            "step__job__drawing_number",
            "step__job__part_name",
            "equipment_id",
            "unit",
            "started_at",
            "ended_at",
            "minutes",
            "machine_minutes",
            "good",
            "defect",
            "report__date",
        )
    )
    samples: dict[int, _Sample] = {}
    for (
        step_id,
        process_id,
        drawing,
        part_name,
        equipment_id,
        unit,
        started_at,
        ended_at,
        minutes,
        machine_minutes,
        good,
        defect,
        day,
    ) in rows:
        sample = samples.get(step_id)
        if sample is None:
            part = f"d:{drawing}" if drawing else f"p:{part_name}"
            sample = samples[step_id] = _Sample(step_id, process_id, part)
        sample.entries.append(
            _Entry(
                step_id=step_id,
                equipment_id=equipment_id,
                unit=unit,
                started_at=started_at,
                ended_at=ended_at,
                minutes=float(machine_minutes if machine_minutes is not None else minutes or 0),
                pieces=good + defect,
                good=good,
                day=day,
            )
        )
    return samples


def _correct_by_machine(company: Company, samples: Iterable[_Sample]) -> None:
    """Replace the minutes of entries a monitored machine measured by that machine's
    producing and setup minutes between the entry's start and end."""
    timed = [
        entry
        for sample in samples
        for entry in sample.entries
        if entry.equipment_id and entry.started_at and entry.ended_at
    ]
    if not timed:
        return
    machines = {
        (equipment_id, unit): machine_id
        for machine_id, equipment_id, unit in Machine.objects.filter(
            company=company, equipment_id__in={entry.equipment_id for entry in timed}
        ).values_list("id", "equipment_id", "unit")
    }
    measured = [(entry, machines[key]) for entry in timed if (key := _unit(entry)) in machines]
    if not measured:
        return
    now = timezone.now()
    minutes: dict[int, float] = defaultdict(float)
    for chunk_start in range(0, len(measured), WINDOWS_PER_QUERY):
        chunk = measured[chunk_start : chunk_start + WINDOWS_PER_QUERY]
        windows = Q()
        for entry, machine_id in chunk:
            windows |= Q(machine_id=machine_id, start__lt=entry.ended_at) & (
                Q(end__isnull=True) | Q(end__gt=entry.started_at)
            )
        intervals: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
        for machine_id, start, end in StateInterval.objects.filter(
            windows, state__in=WORK_STATES
        ).values_list("machine_id", "start", "end"):
            intervals[machine_id].append((start, end))
        for entry, machine_id in chunk:
            if entry.started_at is None or entry.ended_at is None:  # pragma: no cover
                continue  # (timed entries only: see above)
            for start, end in intervals[machine_id]:
                overlap = min(end or now, entry.ended_at) - max(start, entry.started_at)
                if overlap > dt.timedelta(0):
                    minutes[id(entry)] += overlap.total_seconds() / 60
    for entry, _machine_id in measured:
        # A machine that was never producing or setting up in the entry's time did not do
        # the work the entry reports (a wrong unit, a sensor off): the 日報's minutes stand.
        if minutes[id(entry)] > 0:
            entry.minutes = minutes[id(entry)]
            entry.by_machine = True


def _unit(entry: _Entry) -> tuple[int | None, int]:
    return (entry.equipment_id, entry.unit)
