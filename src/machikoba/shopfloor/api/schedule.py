"""The machine schedule through the API: the plan (operations, conflicts, late steps and
the steps it left out), asking for a new plan (queued for the task worker: 202 with the
run's id and status, then poll the run), the steps to plan with their machine time, the
working calendar, and moving one planned operation by hand. The shop's own: members read,
owners and staff change; nobody outside the company finds any of it."""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import AwareDatetime, Field

from machikoba.companies.models import Equipment
from machikoba.core.access import CHANGE, VIEW, editor_company_ids, get_for_user_or_404
from machikoba.core.api_fields import WallClockTime
from machikoba.core.errors import invalid_input
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import active_company_or_403
from machikoba.network.models import Step
from machikoba.shopfloor import selectors, services
from machikoba.shopfloor.api._router import router
from machikoba.shopfloor.error_codes import ShopfloorErrorCode
from machikoba.shopfloor.models import (
    MAX_STEP_MINUTES,
    PlannedOperation,
    ScheduleRun,
    WorkCalendar,
)

# --- schemas ----------------------------------------------------------------------------


class RunOut(Schema):
    id: int
    status: str = Field(description="queued, running, done or failed")
    objective: str
    time_limit: int = Field(description="seconds the solver may search")
    percent: int = Field(description="progress 0..100 while queued or running")
    stage: str
    operation_count: int
    result_status: str
    tardiness_minutes: int | None
    makespan_end: dt.datetime | None
    error: str = Field(description="why a failed run failed")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class OperationOut(Schema):
    id: int
    step_id: int
    job_id: int
    label: str = Field(description="part, process and piece (1/2) of a split step")
    piece: int
    pieces: int
    machine: str = Field(description="machine key m<equipment>-<unit>")
    machine_name: str
    eligible: list[str] = Field(description="machine keys the operation may move to")
    start: dt.datetime
    end: dt.datetime
    frozen: bool = Field(description="started: may not be moved")
    moved: bool = Field(description="moved by hand")
    late: bool


class ConflictOut(Schema):
    message: str
    operation_ids: list[int]


class LateOut(Schema):
    operation_id: int
    label: str
    end: dt.datetime
    due: dt.datetime


class SkippedOut(Schema):
    step_id: int
    reason: str


class ScheduleOut(Schema):
    editor: bool = Field(description="the caller may plan and move operations")
    latest: RunOut | None = Field(description="the newest run, finished or not")
    plan: RunOut | None = Field(description="the newest finished plan (what moves change)")
    operations: list[OperationOut]
    conflicts: list[ConflictOut]
    late: list[LateOut]
    skipped: list[SkippedOut]


class ShopfloorPlanIn(Schema):
    objective: Literal["due_dates", "makespan"] = "due_dates"
    time_limit: Literal[10, 30, 60] = 30


class StepRowOut(Schema):
    step_id: int
    job_id: int
    part_name: str
    process: str
    position: int
    quantity: int
    due: dt.date
    for_partner: bool = Field(description="a partner's job the shop works on")
    minutes: int = Field(description="machine time the plan uses")
    estimated: bool
    basis: str = Field(description="where the minutes come from")
    basis_label: str
    machines: list[str] = Field(description="names of the machines the plan may use")
    machines_chosen: bool
    typed_minutes: int | None = Field(description="the minutes typed for the step, if any")
    equipment_ids: list[int] = Field(description="equipment chosen for the step")


class StepWorkIn(Schema):
    minutes: int | None = Field(None, ge=1, le=MAX_STEP_MINUTES)
    equipment_ids: list[BodyId] = Field(default_factory=list, max_length=200)


class CalendarOut(Schema):
    day_start: dt.time
    day_end: dt.time
    weekdays: list[int] = Field(description="0 = Monday .. 6 = Sunday")
    shutdown_dates: list[dt.date]


class CalendarIn(Schema):
    day_start: WallClockTime
    day_end: WallClockTime
    weekdays: list[Literal[0, 1, 2, 3, 4, 5, 6]] = Field(min_length=1, max_length=7)
    shutdown_dates: list[dt.date] = Field(default_factory=list, max_length=400)


class MoveIn(Schema):
    machine: str = Field(max_length=40, description="machine key, one of the eligible")
    start: AwareDatetime = Field(
        description="new start (with its offset); minutes are kept, seconds dropped"
    )


# --- helpers ----------------------------------------------------------------------------


def run_out(run: ScheduleRun) -> RunOut:
    return RunOut(
        id=run.pk,
        status=run.status,
        objective=run.objective,
        time_limit=run.time_limit,
        percent=run.percent,
        stage=run.stage,
        operation_count=run.operation_count,
        result_status=run.result_status,
        tardiness_minutes=run.tardiness_minutes,
        makespan_end=run.makespan_end,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def _operation_out(op: PlannedOperation, names: dict[str, str], late: set[int]) -> OperationOut:
    return OperationOut(
        id=op.pk,
        step_id=op.step_id,
        job_id=op.step.job_id,
        label=selectors.operation_label(op),
        piece=op.piece,
        pieces=op.pieces,
        machine=op.resource,
        machine_name=names.get(op.resource, op.resource),
        eligible=list(op.eligible),
        start=op.start,
        end=op.end,
        frozen=op.frozen,
        moved=op.moved,
        late=op.pk in late,
    )


def _schedule_of(request, company) -> ScheduleOut:
    plan = selectors.current_plan(user=request.user, company=company)
    latest = selectors.latest_run(user=request.user, company=company)
    operations = selectors.plan_operations(user=request.user, run=plan) if plan else []
    conflicts = selectors.plan_conflicts(plan, operations) if plan else []
    late_rows = selectors.late_steps(plan, operations) if plan else []
    late_jobs = {row["operation"].job_key for row in late_rows}
    late_ids = {op.pk for op in operations if op.job_key in late_jobs}
    names = selectors.machine_names(company)
    skipped: list[SkippedOut] = []
    if plan:
        visible = set(
            Step.objects.for_user(request.user, VIEW)
            .filter(pk__in=[row["step"] for row in plan.skipped])
            .values_list("pk", flat=True)
        )
        skipped = [
            SkippedOut(step_id=row["step"], reason=str(row["reason"]))
            for row in plan.skipped
            if row["step"] in visible
        ]
    return ScheduleOut(
        editor=company.pk in editor_company_ids(request.user),
        latest=run_out(latest) if latest else None,
        plan=run_out(plan) if plan else None,
        operations=[_operation_out(op, names, late_ids) for op in operations],
        conflicts=[
            ConflictOut(message=c.message, operation_ids=c.operation_ids) for c in conflicts
        ],
        late=[
            LateOut(
                operation_id=row["operation"].pk, label=row["label"], end=row["end"], due=row["due"]
            )
            for row in late_rows
        ],
        skipped=skipped,
    )


def _calendar_out(calendar: WorkCalendar) -> CalendarOut:
    return CalendarOut(
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        weekdays=calendar.weekday_numbers,
        shutdown_dates=calendar.shutdowns,
    )


def _require_editor(request, company) -> None:
    if company.pk not in editor_company_ids(request.user):
        raise PermissionDenied


# --- operations -------------------------------------------------------------------------


@router.get("/schedule", response=ScheduleOut, summary="The current machine plan")
def shopfloor_schedule(request):
    company = active_company_or_403(request)
    return _schedule_of(request, company)


@router.post(
    "/schedule/plans",
    response={202: RunOut},
    summary="Ask for a new plan (queued; poll the run until done)",
)
def shopfloor_plan_request(request, payload: ShopfloorPlanIn):
    company = active_company_or_403(request)
    run = services.plan_request(
        actor=request.user,
        company=company,
        objective=payload.objective,
        time_limit=payload.time_limit,
    )
    return Status(202, run_out(run))


@router.get("/schedule/runs/{run_id}", response=RunOut, summary="A plan run and its progress")
def shopfloor_run(request, run_id: PathId):
    return run_out(get_for_user_or_404(ScheduleRun, request.user, VIEW, pk=run_id))


@router.get(
    "/schedule/steps", response=list[StepRowOut], summary="The steps the shop still has to do"
)
def shopfloor_steps(request):
    return _step_rows(request, active_company_or_403(request))


def _step_rows(request, company) -> list[StepRowOut]:
    rows = selectors.step_rows(user=request.user, company=company)
    return [_step_row_out(row) for row in rows]


def _step_row_out(row: selectors.StepRow) -> StepRowOut:
    step = cast(Step, row.step)
    return StepRowOut(
        step_id=step.pk,
        job_id=step.job_id,
        part_name=step.job.part_name,
        process=step.process.name,
        position=step.position,
        quantity=step.job.quantity,
        due=row.due,
        for_partner=row.for_partner,
        minutes=row.minutes,
        estimated=row.estimated,
        basis=str(row.basis),
        basis_label=str(row.basis_label),
        machines=row.machines,
        machines_chosen=row.machines_chosen,
        typed_minutes=row.work.minutes if row.work else None,
        equipment_ids=[e.pk for e in row.work.equipment.all()] if row.work else [],
    )


@router.put(
    "/schedule/steps/{step_id}/work",
    response=StepRowOut,
    summary="Set a step's machine time and machines (owners, staff)",
)
def shopfloor_step_work_save(request, step_id: PathId, payload: StepWorkIn):
    company = active_company_or_403(request)
    step = get_for_user_or_404(Step, request.user, VIEW, pk=step_id, performer=company)
    _require_editor(request, company)
    equipment = list(
        Equipment.objects.for_user(request.user, VIEW).filter(
            company=company, pk__in=payload.equipment_ids
        )
    )
    if len(equipment) != len(set(payload.equipment_ids)):
        raise invalid_input(
            ShopfloorErrorCode.STEP_WORK_INVALID, equipment_ids=_("自社の設備を選んでください。")
        )
    services.step_work_save(
        actor=request.user,
        company=company,
        step=step,
        minutes=payload.minutes,
        equipment=equipment,
    )
    rows = [r for r in _step_rows(request, company) if r.step_id == step.pk]
    if not rows:  # done meanwhile: no longer a step to plan
        raise Http404
    return rows[0]


@router.get(
    "/schedule/calendar", response=CalendarOut, summary="The working calendar (owners, staff)"
)
def shopfloor_calendar(request):
    company = active_company_or_403(request)
    _require_editor(request, company)
    current = WorkCalendar.objects.for_user(request.user, VIEW).filter(
        company=company
    ).first() or WorkCalendar(company=company)
    return _calendar_out(current)


@router.put("/schedule/calendar", response=CalendarOut, summary="Set the working calendar")
def shopfloor_calendar_save(request, payload: CalendarIn):
    company = active_company_or_403(request)
    _require_editor(request, company)
    calendar = services.calendar_save(
        actor=request.user,
        company=company,
        day_start=payload.day_start,
        day_end=payload.day_end,
        weekdays=list(payload.weekdays),
        shutdown_dates=payload.shutdown_dates,
    )
    return _calendar_out(calendar)


@router.post(
    "/schedule/operations/{operation_id}/move",
    response=ScheduleOut,
    summary="Move a planned operation by hand (the plan's conflicts come back)",
)
def shopfloor_operation_move(request, operation_id: PathId, payload: MoveIn):
    operation = get_for_user_or_404(
        PlannedOperation.objects.select_related("run__company", "step__job", "step__process"),
        request.user,
        CHANGE,
        pk=operation_id,
    )
    services.operation_move(
        actor=request.user,
        operation=operation,
        machine=payload.machine,
        start=timezone.localtime(payload.start),
    )
    return _schedule_of(request, operation.run.company)
