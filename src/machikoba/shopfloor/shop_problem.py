"""Turn a shop's open work into a scheduling problem for :mod:`machikoba.scheduling`.

What is planned: every step the shop performs (its own jobs' in-house steps and the steps
it does for partners) that is not finished yet, on the shop's machines (its equipment
list; a row with ``count`` 3 is three machines).

* **Machine time** is the shop's measured time for the step (its approved 日報, corrected
  by machine data), else the step's entered minutes, else an estimate (see
  :func:`estimate_minutes`); each piece says which (``measured.Basis``), on the screen too.
  A step under way whose own 日報 measured it plans only what is left.
* **Machines**: those chosen for the step, else the machines whose process is on the
  step's process branch (an NC lathe for NC turning, say). A step with neither is left
  out of the plan with the reason.
* **Working time**: the shop's calendar, one stretch a working day; 祝日 and shutdown
  days are off. A step longer than a day is split into pieces of at most a day, one after
  the other (each may go to any of its machines).
* **Order**: consecutive steps of one job that the shop performs form one chain. A chain
  starts when the parts are here: now, or the day after the previous step's planned end
  when a partner is still working on them.
* **Due**: a partner's order's delivery date for work done for a partner; the step's
  planned end, else the job's due date, for the shop's own jobs (end of that working day).
* **Re-planning**: pieces of a started step that the current plan had already begun keep
  their machine and start (frozen); the rest of the step follows them.

Times are minutes from ``origin``, local midnight of the first planned day.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.companies.models import Equipment
from machikoba.network.choices import JobStatus, OrderStatus, StepStatus
from machikoba.network.models import Order, Step
from machikoba.scheduling import (
    Alternative,
    FrozenOperation,
    Job,
    Operation,
    Problem,
    Resource,
    working_windows,
)
from machikoba.scheduling.calendars import to_minutes

from .measured import ROUND_TO_MINUTES, Basis, StepTime, round_minutes, step_times
from .models import PlannedOperation, ScheduleRun, StepWork, WorkCalendar, machine_key

# A partner's step is "requested" from the award until the shop accepts the order; it has
# the performer set by then, so it is the shop's work to plan.
OPEN_STEP_STATES = (
    StepStatus.PLANNED,
    StepStatus.REQUESTED,
    StepStatus.ORDERED,
    StepStatus.IN_PROGRESS,
)
FINISHED_STATES = (StepStatus.DONE, StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
# Used when the shop has entered no time for any step of the process yet.
DEFAULT_SETUP_MINUTES = 60
DEFAULT_MINUTES_PER_PIECE = 5


@dataclass
class Piece:
    """One operation of the problem: a step, or a piece of a long one."""

    step: Step
    piece: int
    pieces: int
    minutes: int
    estimated: bool
    eligible: list[str]
    frozen_start: dt.datetime | None = None
    frozen_machine: str | None = None
    basis: str = Basis.ESTIMATE


@dataclass
class SkippedStep:
    step: Step
    reason: str


@dataclass
class ShopProblem:
    problem: Problem
    origin: dt.datetime
    now_minute: int
    # (job key, position) → the piece it stands for.
    pieces: dict[tuple[str, int], Piece]
    # machine key → (equipment row, unit number).
    machines: dict[str, tuple[Equipment, int]]
    jobs: dict[str, dict]
    skipped: list[SkippedStep] = field(default_factory=list)

    @property
    def operation_count(self) -> int:
        return len(self.pieces)


def shop_calendar(company) -> WorkCalendar:
    """The shop's calendar; an unsaved default (Mon–Fri 8:30–17:30) until it sets one."""
    return WorkCalendar.objects.filter(company=company).first() or WorkCalendar(company=company)


def shop_machines(company) -> dict[str, tuple[Equipment, int]]:
    machines = {}
    for equipment in Equipment.objects.filter(company=company).select_related("process"):
        for unit in range(1, equipment.count + 1):
            machines[machine_key(equipment.pk, unit)] = (equipment, unit)
    return machines


def open_steps(company):
    """The steps the shop still has to do, oldest due first."""
    return (
        Step.objects.filter(
            performer=company, status__in=OPEN_STEP_STATES, job__status=JobStatus.OPEN
        )
        .select_related("job", "job__company", "process")
        .order_by("job__due_date", "job_id", "position")
    )


def estimate_minutes(step: Step, history: dict[int, list[float]]) -> int:
    """Machine time when none was entered: the shop's own median minutes per part for
    the process × the quantity; with no history, a setup plus a few minutes a part."""
    quantity = step.job.quantity
    per_part = history.get(step.process_id)
    if per_part:
        minutes = statistics.median(per_part) * quantity
    else:
        minutes = DEFAULT_SETUP_MINUTES + DEFAULT_MINUTES_PER_PIECE * quantity
    return round_minutes(minutes)


def minutes_history(company) -> dict[int, list[float]]:
    history: dict[int, list[float]] = defaultdict(list)
    rows = StepWork.objects.filter(company=company, minutes__isnull=False).values_list(
        "step__process_id", "minutes", "step__job__quantity"
    )
    for process_id, minutes, quantity in rows:
        history[process_id].append(minutes / max(1, quantity))
    return history


def on_branch(equipment: Equipment, step: Step) -> bool:
    """Whether a machine's process and the step's are one the refinement of the other."""
    if equipment.process is None:
        return False
    mine, wanted = equipment.process.code, step.process.code
    return mine == wanted or wanted.startswith(f"{mine}.") or mine.startswith(f"{wanted}.")


def eligible_machines(step: Step, work: StepWork | None, machines: dict) -> tuple[list[str], bool]:
    """The machine keys a step may use, in the shop's order, and whether they were chosen
    for it (else they are the machines of its process)."""
    chosen = list(work.equipment.all()) if work else []
    candidates = chosen or [e for e, _unit in machines.values() if on_branch(e, step)]
    return [key for key, (e, _unit) in machines.items() if e in candidates], bool(chosen)


def split_minutes(minutes: int, day_minutes: int) -> list[int]:
    """Pieces of at most a working day, as even as whole minutes allow."""
    count = max(1, math.ceil(minutes / day_minutes))
    base, extra = divmod(minutes, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


def build_shop_problem(*, company, now: dt.datetime | None = None) -> ShopProblem:
    now = timezone.localtime(now or timezone.now())
    calendar = shop_calendar(company)
    machines = shop_machines(company)
    steps = list(open_steps(company))
    frozen = _frozen_pieces(company, steps, now)
    earliest = min([now, *(start for start, _key, _minutes in _flatten(frozen))])
    origin = dt.datetime.combine(earliest.date(), dt.time(0), tzinfo=now.tzinfo)
    windows = working_windows(
        origin.replace(tzinfo=None),
        days=settings.MACHIKOBA_SCHEDULE_HORIZON_DAYS + (now.date() - origin.date()).days,
        shifts=[(calendar.day_start, calendar.day_end)],
        weekdays=calendar.weekday_numbers,
        public_holidays=True,
        shutdowns=calendar.shutdowns,
    )
    usable, skipped = _usable_steps(company, steps, machines)
    builder = _Builder(
        origin, windows, calendar, frozen, now_minute=_round_up(to_minutes(origin, now))
    )
    due_by_step = due_dates(company, steps)
    predecessors = _predecessors(steps)
    for chain in _chains([s for s in steps if s.pk in usable]):
        builder.add_chain(
            chain, usable, predecessors.get(chain[0].pk), due_by_step.get(chain[-1].pk)
        )
    problem = Problem(
        jobs=tuple(builder.jobs),
        resources=tuple(Resource(key, capacity=1, windows=windows) for key in machines),
        frozen=tuple(builder.frozen_ops),
        name=str(company),
    )
    return ShopProblem(
        problem=problem,
        origin=origin,
        now_minute=builder.now_minute,
        pieces=builder.pieces,
        machines=machines,
        jobs=builder.job_info,
        skipped=skipped,
    )


def _usable_steps(
    company, steps: list, machines
) -> tuple[dict[int, tuple[list[str], StepTime]], list[SkippedStep]]:
    """For each step a machine can do: (eligible machines, its machine time); the steps
    no machine can do are skipped, with the reason."""
    work = {
        row.step_id: row
        for row in StepWork.objects.filter(company=company, step__in=steps).prefetch_related(
            "equipment"
        )
    }
    history = minutes_history(company)
    skipped: list[SkippedStep] = []
    doable: dict[int, list[str]] = {}
    for step in steps:
        eligible, _chosen = eligible_machines(step, work.get(step.pk), machines)
        if not eligible:
            skipped.append(
                SkippedStep(
                    step, _("使える設備が決まっていません。工程の設定で設備を選んでください。")
                )
            )
            continue
        doable[step.pk] = eligible
    times = step_times(
        company=company,
        steps=[step for step in steps if step.pk in doable],
        typed={pk: row.minutes for pk, row in work.items() if row.minutes},
        estimate=lambda step: estimate_minutes(step, history),
    )
    usable = {pk: (eligible, times[pk]) for pk, eligible in doable.items()}
    return usable, skipped


class _Builder:
    """Turns chains of steps into the solver's jobs, pieces and frozen operations."""

    def __init__(self, origin: dt.datetime, windows, calendar, frozen, *, now_minute: int):
        self.origin, self.windows, self.calendar, self.frozen = origin, windows, calendar, frozen
        self.now_minute = now_minute
        self.jobs: list[Job] = []
        self.frozen_ops: list[FrozenOperation] = []
        self.pieces: dict[tuple[str, int], Piece] = {}
        self.job_info: dict[str, dict] = {}

    def add_chain(self, chain: list, usable, previous, due_day: dt.date | None) -> None:
        first = chain[0]
        release = self.now_minute
        if previous is not None and previous.status not in FINISHED_STATES and previous.planned_end:
            back = dt.datetime.combine(
                previous.planned_end + dt.timedelta(days=1),
                self.calendar.day_start,
                tzinfo=self.origin.tzinfo,
            )
            release = max(release, to_minutes(self.origin, back))
        operations: list[Operation] = []
        key = f"s{first.pk}"
        bases: dict[str, str] = {}
        for step in chain:
            eligible, step_time = usable[step.pk]
            minutes, estimated = step_time.minutes, step_time.estimated
            bases[str(step.pk)] = step_time.basis
            done_pieces = [
                (start, machine, length)
                for start, machine, length in self.frozen.get(step.pk, [])
                if _fits(self.windows, to_minutes(self.origin, start), length)
            ]
            if done_pieces and step is first:
                release = max(release, self._add_frozen(step, done_pieces, step_time))
                # Measured from the step's own 日報, the minutes are what is left after the
                # reported work: pieces that began before its end are in the reports.
                unreported = [
                    length
                    for start, _m, length in done_pieces
                    if step_time.counted_until is None or start >= step_time.counted_until
                ]
                minutes = max(0, minutes - sum(unreported))
            else:
                done_pieces = []
            lengths = split_minutes(minutes, self.calendar.day_minutes) if minutes else []
            total = len(done_pieces) + len(lengths)
            for piece_number, length in enumerate(lengths, start=len(done_pieces) + 1):
                position = len(operations)
                operations.append(
                    Operation(
                        tuple(Alternative(machine, length) for machine in eligible),
                        name=str(step.pk),
                    )
                )
                self.pieces[(key, position)] = Piece(
                    step, piece_number, total, length, estimated, eligible, basis=step_time.basis
                )
            for done in range(len(done_pieces)):
                self.pieces[(f"f{step.pk}", done)].pieces = total
        if not operations:
            return
        due = None
        if due_day is not None:
            due_moment = dt.datetime.combine(
                due_day, self.calendar.day_end, tzinfo=self.origin.tzinfo
            )
            # Already overdue: as late as possible is as late as the first free minute.
            due = max(to_minutes(self.origin, due_moment), release)
        self.jobs.append(Job(key, tuple(operations), release=release, due=due))
        # The basis of each step's minutes goes with the plan, for its page.
        self.job_info[key] = {"release": release, "due": due, "basis": bases}

    def _add_frozen(self, step, done_pieces: list, step_time: StepTime) -> int:
        """The part already under way is its own job, fixed in place; the rest of the
        chain follows it. Returns the minute the frozen part ends."""
        frozen_key = f"f{step.pk}"
        frozen_job_ops = []
        for index, (start, machine, length) in enumerate(done_pieces):
            frozen_job_ops.append(Operation((Alternative(machine, length),), name=str(step.pk)))
            self.frozen_ops.append(
                FrozenOperation(frozen_key, index, machine, to_minutes(self.origin, start))
            )
            self.pieces[(frozen_key, index)] = Piece(
                step,
                index + 1,
                0,
                length,
                step_time.estimated,
                [machine],
                start,
                machine,
                step_time.basis,
            )
        self.jobs.append(Job(frozen_key, tuple(frozen_job_ops), release=0))
        self.job_info[frozen_key] = {
            "release": 0,
            "due": None,
            "basis": {str(step.pk): step_time.basis},
        }
        return max(to_minutes(self.origin, start) + length for start, _m, length in done_pieces)


def _round_up(minute: int) -> int:
    return math.ceil(minute / ROUND_TO_MINUTES) * ROUND_TO_MINUTES


def _fits(windows, start: int, length: int) -> bool:
    return start >= 0 and any(s <= start and start + length <= e for s, e in windows)


def _flatten(frozen: dict[int, list]) -> list:
    return [entry for entries in frozen.values() for entry in entries]


def _frozen_pieces(company, steps: list[Step], now: dt.datetime) -> dict[int, list]:
    """For steps under way: the pieces of the current plan that had begun by ``now``,
    as (start, machine key, minutes)."""
    started = [step.pk for step in steps if step.status == StepStatus.IN_PROGRESS]
    if not started:
        return {}
    current = (
        ScheduleRun.objects.filter(company=company, status="done").order_by("-created_at").first()
    )
    if current is None:
        return {}
    frozen: dict[int, list] = defaultdict(list)
    for operation in PlannedOperation.objects.filter(
        run=current, step_id__in=started, start__lt=now
    ).order_by("start"):
        frozen[operation.step_id].append(
            (timezone.localtime(operation.start), operation.resource, operation.minutes)
        )
    return frozen


def due_dates(company, steps: list[Step]) -> dict[int, dt.date]:
    """The day each step is due: a partner's order's delivery date for work done for a
    partner, else the step's planned end or the job's due date."""
    due: dict[int, dt.date] = {}
    for_partners = [s.pk for s in steps if s.job.company_id != company.pk]
    orders = (
        Order.objects.filter(supplier=company, steps__in=for_partners)
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("steps", "delivery_date")
    )
    for step_id, delivery in orders:
        due[step_id] = min(delivery, due.get(step_id, delivery))
    for step in steps:
        if step.job.company_id == company.pk or step.pk not in due:
            due[step.pk] = step.planned_end or step.job.due_date
    return due


def _predecessors(steps: list[Step]) -> dict[int, Step]:
    wanted = Q()
    for step in steps:
        wanted |= Q(job_id=step.job_id, position=step.position - 1)
    if not steps:
        return {}
    earlier = {(s.job_id, s.position): s for s in Step.objects.filter(wanted)}
    return {
        step.pk: earlier[(step.job_id, step.position - 1)]
        for step in steps
        if (step.job_id, step.position - 1) in earlier
    }


def _chains(steps: list[Step]) -> list[list[Step]]:
    """Consecutive steps of one job, in route order."""
    by_job: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        by_job[step.job_id].append(step)
    chains = []
    for job_steps in by_job.values():
        job_steps.sort(key=lambda s: s.position)
        chain = [job_steps[0]]
        for step in job_steps[1:]:
            if step.position == chain[-1].position + 1:
                chain.append(step)
            else:
                chains.append(chain)
                chain = [step]
        chains.append(chain)
    return chains
