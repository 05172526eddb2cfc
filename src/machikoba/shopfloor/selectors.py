"""Reads for the machine schedule: the current plan as a machine Gantt, the conflicts in
a plan that was adjusted by hand (checked by the scheduling engine's validator), and
the steps to plan with their machine time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import VIEW
from machikoba.network.models import Step
from machikoba.scheduling import (
    Alternative,
    Assignment,
    FrozenOperation,
    Job,
    Operation,
    Problem,
    Resource,
    schedule_faults,
    working_windows,
)
from machikoba.scheduling.calendars import to_minutes
from machikoba.scheduling.validator import Fault

from .choices import RunStatus
from .measured import Basis, step_times
from .models import PlannedOperation, ScheduleRun, StepWork, WorkCalendar
from .shop_problem import (
    due_dates,
    eligible_machines,
    estimate_minutes,
    minutes_history,
    open_steps,
    shop_calendar,
    shop_machines,
)

GANTT_DAYS = 7


def latest_run(*, user: User, company: Company) -> ScheduleRun | None:
    return ScheduleRun.objects.for_user(user, VIEW).filter(company=company).first()


def current_plan(*, user: User, company: Company) -> ScheduleRun | None:
    """The newest finished plan: the one the Gantt shows and hand moves change."""
    return (
        ScheduleRun.objects.for_user(user, VIEW)
        .filter(company=company, status=RunStatus.DONE)
        .first()
    )


def planned_dates(*, user: User, step: Step) -> tuple[dt.date, dt.date] | None:
    """When the current machine plan of the step's performer does the step: the local
    dates of its first start and last end (None when it is not in such a plan)."""
    if step.performer is None:
        return None
    plan = current_plan(user=user, company=step.performer)
    if plan is None:
        return None
    pieces = PlannedOperation.objects.for_user(user, VIEW).filter(run=plan, step=step)
    bounds = [(o.start, o.end) for o in pieces]
    if not bounds:
        return None
    start = timezone.localtime(min(b[0] for b in bounds)).date()
    return start, timezone.localtime(max(b[1] for b in bounds)).date()


def operation_label(operation: PlannedOperation, *, short: bool = False) -> str:
    """The part and its process, with the piece (1/2) of a split operation; ``short``
    leaves the process out, for a bar on its machine's row (which says the rest)."""
    step = operation.step
    label = step.job.part_name if short else f"{step.job.part_name} {step.process.name}"
    if operation.pieces > 1:
        label += f" ({operation.piece}/{operation.pieces})"
    return label


@dataclass
class Conflict:
    message: str
    operation_ids: list[int] = field(default_factory=list)


def plan_conflicts(run: ScheduleRun, operations: list[PlannedOperation]) -> list[Conflict]:
    """What a hand-adjusted plan breaks, found by the engine's independent validator
    against the same jobs, machines and calendar the plan was made for."""
    if not operations:
        return []
    calendar = shop_calendar(run.company)
    origin = timezone.localtime(run.origin)
    last_day = max(timezone.localtime(o.end).date() for o in operations)
    days = max(1, (last_day - origin.date()).days + 2)
    try:
        windows = working_windows(
            origin.replace(tzinfo=None),
            days=days,
            shifts=[(calendar.day_start, calendar.day_end)],
            weekdays=calendar.weekday_numbers,
            shutdowns=calendar.shutdowns,
        )
    except Exception:  # a calendar with no working time: every operation is outside it
        windows = ((0, 0),)
    by_key = {(o.job_key, o.position): o for o in operations}
    by_job: dict[str, list[PlannedOperation]] = defaultdict(list)
    for operation in operations:
        by_job[operation.job_key].append(operation)
    machines = sorted(
        {m for o in operations for m in o.eligible} | {o.resource for o in operations}
    )
    jobs = []
    for key, members in by_job.items():
        members.sort(key=lambda o: o.position)
        info = run.jobs.get(key, {})
        jobs.append(
            Job(
                key,
                tuple(
                    Operation(tuple(Alternative(m, o.minutes) for m in o.eligible)) for o in members
                ),
                release=info.get("release", 0),
                due=info.get("due"),
            )
        )
    frozen = tuple(
        FrozenOperation(o.job_key, o.position, o.resource, to_minutes(origin, o.start))
        for o in operations
        if o.frozen
    )
    problem = Problem(
        jobs=tuple(jobs),
        resources=tuple(Resource(m, capacity=1, windows=windows) for m in machines),
        frozen=frozen,
    )
    assignments = [
        Assignment(
            o.job_key,
            o.position,
            o.resource,
            to_minutes(origin, o.start),
            to_minutes(origin, o.end),
        )
        for o in operations
    ]
    names = machine_names(run.company)
    conflicts = []
    for fault in schedule_faults(problem, assignments):
        involved = [by_key[key] for key in fault.operations if key in by_key]
        conflicts.append(Conflict(_fault_message(fault, involved, names), [o.pk for o in involved]))
    return conflicts


def _fault_message(fault: Fault, involved: list[PlannedOperation], names: dict[str, str]) -> str:
    labels = [operation_label(o) for o in involved]
    machine = names.get(fault.resource or "", fault.resource or "")
    first = labels[0] if labels else ""
    if fault.kind in ("overlap", "capacity") and len(labels) >= 2:
        return _("「%(a)s」と「%(b)s」が %(machine)s で重なっています。") % {
            "a": labels[0],
            "b": labels[1],
            "machine": machine,
        }
    if fault.kind == "precedence" and len(labels) == 2:
        return _("「%(b)s」が、前の作業「%(a)s」が終わる前に始まっています。") % {
            "a": labels[0],
            "b": labels[1],
        }
    if fault.kind == "calendar":
        return _("「%(a)s」が %(machine)s の稼働時間の外にかかっています。") % {
            "a": first,
            "machine": machine,
        }
    if fault.kind == "release":
        return _(
            "「%(a)s」が、始められる時刻 (部品が届く時刻・計画した時刻) より前に置かれています。"
        ) % {"a": first}
    if fault.kind in ("ineligible", "duration"):
        return _("「%(a)s」は %(machine)s では行えません。") % {"a": first, "machine": machine}
    if fault.kind == "frozen":
        return _("「%(a)s」は着手済みのため、元の位置から動かせません。") % {"a": first}
    return _("計画に矛盾があります: %(detail)s") % {"detail": str(fault)}


def machine_names(company: Company) -> dict[str, str]:
    names = {}
    for key, (equipment, unit) in shop_machines(company).items():
        name = " ".join(p for p in (equipment.kind, equipment.model_name) if p)
        names[key] = f"{name} #{unit}" if equipment.count > 1 else name
    return names


@dataclass
class GanttBar:
    operation: PlannedOperation
    label: str
    short_label: str
    left: float
    width: float
    late: bool
    conflict: bool
    # Where the piece's minutes came from (日報の実績, 設備データ, 入力値, 推定), as planned.
    basis: str = ""


@dataclass
class GanttRow:
    key: str
    name: str
    bars: list[GanttBar]


@dataclass
class Gantt:
    days: list[dt.date]
    rows: list[GanttRow]
    outside: int
    start: dt.date
    previous_start: dt.date
    next_start: dt.date
    day_start: dt.time
    day_end: dt.time
    now_left: float | None
    hours: list[dict[str, object]]


def hour_ticks(day_start: dt.time, day_end: dt.time, days: int) -> list[dict[str, object]]:
    """The hour scale under the day headers: a tick every 2 hours on the full hour (3 for
    a day longer than 12 hours) inside each working day, placed on the working-time axis
    like the bars, each with its position in percent and a label (``10時``)."""
    opening = day_start.hour * 60 + day_start.minute
    closing = day_end.hour * 60 + day_end.minute
    length = closing - opening
    if length <= 0 or days < 1:
        return []
    every = 3 if length > 12 * 60 else 2
    first_hour = -(-opening // 60)
    hours = [h for h in range(first_hour, closing // 60 + 1) if (h - first_hour) % every == 0]
    ticks: list[dict[str, object]] = []
    for index in range(days):
        for hour in hours:
            fraction = (hour * 60 - opening) / length
            if fraction > 0.85:  # its label would run into the next day's first one
                continue
            left = round(100 * (index + fraction) / days, 3)
            ticks.append({"left": left, "label": _("%(hour)d時") % {"hour": hour}})
    return ticks


def gantt(
    *,
    run: ScheduleRun,
    operations: list[PlannedOperation],
    conflicts: list[Conflict],
    start: dt.date | None = None,
) -> Gantt:
    """Machines as rows, a week of working days as columns; each bar is placed on the
    working-time axis, so nights and days off take no room."""
    calendar = shop_calendar(run.company)
    today = timezone.localdate()
    start = start or today
    working = _working_days(calendar, start, GANTT_DAYS)
    conflicted = {pk for c in conflicts for pk in c.operation_ids}
    late = _late_operation_ids(run, operations)
    names = machine_names(run.company)
    rows = {key: GanttRow(key, name, []) for key, name in names.items()}
    outside = 0
    for operation in operations:
        begin = timezone.localtime(operation.start)
        finish = timezone.localtime(operation.end)
        left = _position(working, calendar, begin)
        right = _position(working, calendar, finish)
        if left is None or right is None or operation.resource not in rows:
            outside += 1
            continue
        rows[operation.resource].bars.append(
            GanttBar(
                operation=operation,
                label=operation_label(operation),
                short_label=operation_label(operation, short=True),
                left=round(100 * left / len(working), 3),
                width=round(max(0.3, 100 * (right - left) / len(working)), 3),
                late=operation.pk in late,
                conflict=operation.pk in conflicted,
                basis=basis_label(run, operation),
            )
        )
    now_position = _position(working, calendar, timezone.localtime())
    return Gantt(
        days=working,
        rows=list(rows.values()),
        outside=outside,
        start=start,
        previous_start=start - dt.timedelta(days=GANTT_DAYS),
        next_start=start + dt.timedelta(days=GANTT_DAYS),
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        now_left=None if now_position is None else round(100 * now_position / len(working), 3),
        hours=hour_ticks(calendar.day_start, calendar.day_end, len(working)),
    )


def basis_label(run: ScheduleRun, operation: PlannedOperation) -> str:
    """The basis the plan used for the operation's step ("" for a plan made before plans
    recorded it)."""
    bases = run.jobs.get(operation.job_key, {}).get("basis", {})
    basis = bases.get(str(operation.step_id))
    return str(Basis(basis).label) if basis in Basis.values else ""


def _working_days(calendar: WorkCalendar, start: dt.date, span: int) -> list[dt.date]:
    import jpholiday

    closed = set(calendar.shutdowns)
    weekdays = set(calendar.weekday_numbers)
    days = []
    for offset in range(span):
        day = start + dt.timedelta(days=offset)
        if day.weekday() in weekdays and day not in closed and not jpholiday.is_holiday(day):
            days.append(day)
    return days or [start]


def _position(days: list[dt.date], calendar: WorkCalendar, moment: dt.datetime) -> float | None:
    """Where a moment falls on the axis (1.0 = one working day), or None off the axis."""
    day = moment.date()
    if day not in days:
        return None
    opening = dt.datetime.combine(day, calendar.day_start, tzinfo=moment.tzinfo)
    fraction = (moment - opening).total_seconds() / 60 / calendar.day_minutes
    return days.index(day) + min(1.0, max(0.0, fraction))


def _late_operation_ids(run: ScheduleRun, operations: list[PlannedOperation]) -> set[int]:
    origin = timezone.localtime(run.origin)
    last: dict[str, PlannedOperation] = {}
    for operation in operations:
        if operation.job_key not in last or operation.position > last[operation.job_key].position:
            last[operation.job_key] = operation
    late: set[int] = set()
    for key, operation in last.items():
        due = run.jobs.get(key, {}).get("due")
        if due is not None and to_minutes(origin, operation.end) > due:
            late.update(o.pk for o in operations if o.job_key == key)
    return late


def late_steps(run: ScheduleRun, operations: list[PlannedOperation]) -> list[dict]:
    """The steps the plan finishes after their due time, with the due and planned end."""
    origin = timezone.localtime(run.origin)
    rows: dict[str, dict] = {}
    for operation in operations:
        due = run.jobs.get(operation.job_key, {}).get("due")
        if due is None:
            continue
        end = to_minutes(origin, operation.end)
        row = rows.get(operation.job_key)
        if row is None or end > row["end_minute"]:
            rows[operation.job_key] = {
                "operation": operation,
                "label": f"{operation.step.job.part_name} {operation.step.process.name}",
                "end": timezone.localtime(operation.end),
                "due": origin + dt.timedelta(minutes=due),
                "end_minute": end,
                "due_minute": due,
            }
    return sorted(
        (row for row in rows.values() if row["end_minute"] > row["due_minute"]),
        key=lambda row: row["due"],
    )


def plan_operations(*, user: User, run: ScheduleRun) -> list[PlannedOperation]:
    return list(
        PlannedOperation.objects.for_user(user, VIEW)
        .filter(run=run)
        .select_related("step__job__company", "step__process", "equipment")
    )


@dataclass
class StepRow:
    step: object
    work: StepWork | None
    minutes: int
    estimated: bool
    machines: list[str]
    machines_chosen: bool
    for_partner: bool
    due: dt.date
    # Where the minutes come from (measured.Basis) and how they were reached.
    basis: str = Basis.ESTIMATE
    basis_label: str = ""
    basis_detail: str = ""


def step_rows(*, user: User, company: Company) -> list[StepRow]:
    """The steps the shop still has to do, with the machine time and machines the plan
    will use for them, and the basis of each time (``measured``: the company's measured
    figures, the same for every member, as the plan uses them)."""
    steps = list(open_steps(company))
    work = {
        row.step_id: row
        for row in StepWork.objects.for_user(user, VIEW)
        .filter(company=company, step__in=steps)
        .prefetch_related("equipment")
    }
    machines = shop_machines(company)
    names = machine_names(company)
    history = minutes_history(company)
    due = due_dates(company, steps)
    times = step_times(
        company=company,
        steps=steps,
        typed={pk: row.minutes for pk, row in work.items() if row.minutes},
        estimate=lambda step: estimate_minutes(step, history),
    )
    rows = []
    for step in steps:
        row = work.get(step.pk)
        keys, chosen = eligible_machines(step, row, machines)
        time = times[step.pk]
        rows.append(
            StepRow(
                step=step,
                work=row,
                minutes=time.minutes,
                estimated=time.estimated,
                machines=[names[key] for key in keys],
                machines_chosen=bool(chosen),
                for_partner=step.job.company_id != company.pk,
                due=due[step.pk],
                basis=time.basis,
                basis_label=time.label,
                basis_detail=time.detail,
            )
        )
    return rows
