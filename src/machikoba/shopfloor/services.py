"""Writes for the machine schedule: the calendar, how a step is done, planning (queued,
then run by the task worker with live progress), and moving a planned operation by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment
from machikoba.core.access import editor_company_ids
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.queueing import enqueue_on_commit
from machikoba.network.models import Step
from machikoba.scheduling import SchedulingInputError, Status, solve
from machikoba.scheduling.calendars import to_datetime
from machikoba.shopfloor.error_codes import ShopfloorErrorCode

from .choices import OBJECTIVES, TIME_LIMIT_CHOICES, PlanObjective, RunStatus
from .models import PlannedOperation, ScheduleRun, StepWork, WorkCalendar
from .shop_problem import build_shop_problem, shop_calendar

logger = logging.getLogger(__name__)

# How often the task writes the solver's progress for the progress bar (seconds).
PROGRESS_WRITE_INTERVAL = 0.5


def _require_editor(actor: User, company: Company | None) -> None:
    if company is None or company.pk not in editor_company_ids(actor):
        raise PermissionRefused(
            ShopfloorErrorCode.NOT_SCHEDULE_EDITOR,
            _("計画を変更できるのは、この企業の経営者とスタッフだけです。"),
        )


@transaction.atomic
def calendar_save(
    *,
    actor: User,
    company: Company | None,
    day_start: dt.time,
    day_end: dt.time,
    weekdays: list[int],
    shutdown_dates: list[dt.date],
) -> WorkCalendar:
    _require_editor(actor, company)
    if not weekdays:
        raise invalid_input(
            ShopfloorErrorCode.CALENDAR_INVALID,
            weekdays=_("稼働する曜日を一つ以上選んでください。"),
        )
    if day_end <= day_start:
        raise invalid_input(
            ShopfloorErrorCode.CALENDAR_INVALID,
            day_end=_("終業時刻は始業時刻より後にしてください。"),
        )
    calendar = shop_calendar(company)
    calendar.day_start, calendar.day_end = day_start, day_end
    calendar.weekdays = "".join(str(day) for day in sorted(set(weekdays)))
    calendar.shutdown_dates = sorted({day.isoformat() for day in shutdown_dates})
    full_clean_or_raise(calendar, code=ShopfloorErrorCode.CALENDAR_INVALID)
    calendar.save()
    audit_record(actor=actor, verb="schedule.calendar", target=calendar, company=company)
    return calendar


@transaction.atomic
def step_work_save(
    *,
    actor: User,
    company: Company | None,
    step: Step,
    minutes: int | None,
    equipment: list[Equipment],
) -> StepWork:
    """How the shop does a step it performs: machine time and machines."""
    _require_editor(actor, company)
    if step.performer_id != company.pk:
        raise ApplicationError(
            ShopfloorErrorCode.NOT_PERFORMER, _("この工程は自社が行う工程ではありません。")
        )
    if any(machine.company_id != company.pk for machine in equipment):
        raise invalid_input(
            ShopfloorErrorCode.STEP_WORK_INVALID, equipment=_("自社の設備を選んでください。")
        )
    work = StepWork.objects.filter(company=company, step=step).first() or StepWork(
        company=company, step=step
    )
    work.minutes = minutes
    full_clean_or_raise(work, code=ShopfloorErrorCode.STEP_WORK_INVALID)
    work.save()
    work.equipment.set(equipment)
    audit_record(actor=actor, verb="schedule.step_work", target=step, company=company)
    return work


def plan_request(
    *,
    actor: User,
    company: Company | None,
    objective: str = PlanObjective.DUE_DATES,
    time_limit: int = 30,
    now: dt.datetime | None = None,
) -> ScheduleRun:
    """Check that the shop's work can be planned, then queue the plan for the worker.

    Refuses (changing nothing) when a plan is already running, when there is nothing to
    plan or no machine, and when the plan would exceed the configured maximum size."""
    _require_editor(actor, company)
    if objective not in PlanObjective.values:
        raise invalid_input(ShopfloorErrorCode.PLAN_INVALID, objective=_("目的を選んでください。"))
    if time_limit not in [seconds for seconds, _label in TIME_LIMIT_CHOICES]:
        raise invalid_input(
            ShopfloorErrorCode.PLAN_INVALID, time_limit=_("計算時間を選んでください。")
        )
    shop = _checked_problem(company, now)
    with transaction.atomic():
        # One plan at a time per shop: the company row is the lock.
        company = Company.objects.select_for_update().get(pk=company.pk)
        if ScheduleRun.objects.filter(
            company=company, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
        ).exists():
            raise ApplicationError(
                ShopfloorErrorCode.PLAN_RUNNING, _("計画を作成中です。終わるまでお待ちください。")
            )
        run = ScheduleRun.objects.create(
            company=company,
            requested_by=actor,
            objective=objective,
            time_limit=time_limit,
            origin=shop.origin,
            operation_count=shop.operation_count,
        )
        audit_record(actor=actor, verb="schedule.plan", target=run, company=company)
        enqueue_on_commit("machikoba.shopfloor.tasks.plan_schedule", run.pk)
    return run


def _checked_problem(company, now):
    if not Equipment.objects.filter(company=company).exists():
        raise ApplicationError(
            ShopfloorErrorCode.PLAN_NO_MACHINES,
            _("設備が登録されていません。企業プロフィールの設備一覧に機械を登録してください。"),
        )
    try:
        shop = build_shop_problem(company=company, now=now)
    except SchedulingInputError as error:
        raise ApplicationError(
            ShopfloorErrorCode.PLAN_INVALID_INPUT, _calendar_message(error)
        ) from error
    if not shop.pieces:
        raise ApplicationError(
            ShopfloorErrorCode.PLAN_NOTHING,
            _("計画する工程がありません。自社で行う工程 (社内工程・受注した工程) が対象です。"),
        )
    limit = settings.MACHIKOBA_SCHEDULE_MAX_OPERATIONS
    if shop.operation_count > limit:
        raise ApplicationError(
            ShopfloorErrorCode.PLAN_TOO_LARGE,
            _(
                "作業が %(count)s 件あり、一度に計画できる上限 (%(limit)s 件) を超えています。"
                "完了した工程を進めるか、管理者に上限の変更を相談してください。"
            )
            % {"count": shop.operation_count, "limit": limit},
        )
    return shop


def _calendar_message(error: SchedulingInputError) -> str:
    if "calendar" in str(error):
        return _("稼働カレンダーに稼働する時間がありません。稼働日と時刻を確認してください。")
    return _("計画の条件を読み取れませんでした: %(detail)s") % {"detail": error}


class _LatestProgress:
    """The solver reports from its threads; the task thread writes to the database."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = None

    def __call__(self, progress) -> None:
        with self.lock:
            self.value = progress

    def take(self):
        with self.lock:
            value, self.value = self.value, None
        return value


def plan_execute(*, run_id: int) -> str:
    """The task body: solve the shop's problem as it is now and store the plan."""
    run = ScheduleRun.objects.select_related("company").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return "skipped"
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    try:
        shop = _checked_problem(run.company, None)
        result = _solve_with_progress(run, shop)
    except ApplicationError as error:
        _fail(run, str(error.message))
        return "failed"
    except Exception:
        logger.exception("plan %s failed", run.pk)
        _fail(run, _("計画の計算中にエラーが起きました。もう一度お試しください。"))
        return "failed"
    if result.status == Status.INFEASIBLE or not result.assignments:
        _fail(
            run,
            _(
                "計画を作れませんでした。着手済みで固定された作業どうしが重なっていないか、"
                "計画画面で確認してください。"
            ),
        )
        return "failed"
    _store(run, shop, result)
    return "done"


def _solve_with_progress(run: ScheduleRun, shop):
    from concurrent.futures import ThreadPoolExecutor

    latest = _LatestProgress()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(
            solve,
            shop.problem,
            objective=OBJECTIVES[run.objective],
            time_limit=float(run.time_limit),
            workers=settings.MACHIKOBA_SCHEDULE_WORKERS,
            seed=run.pk % (2**31),
            on_progress=latest,
            progress_interval=PROGRESS_WRITE_INTERVAL,
        )
        while not future.done():
            time.sleep(PROGRESS_WRITE_INTERVAL / 2)
            progress = latest.take()
            if progress is not None:
                ScheduleRun.objects.filter(pk=run.pk).update(
                    best_objective=progress.objective,
                    bound=progress.bound,
                    elapsed=round(progress.elapsed, 1),
                    stage=progress.stage[:20],
                )
        return future.result()


@transaction.atomic
def _store(run: ScheduleRun, shop, result) -> None:
    rows = []
    for assignment in result.assignments:
        piece = shop.pieces[(assignment.job, assignment.operation)]
        equipment, unit = shop.machines[assignment.resource]
        rows.append(
            PlannedOperation(
                run=run,
                step=piece.step,
                piece=piece.piece,
                pieces=piece.pieces,
                job_key=assignment.job,
                position=assignment.operation,
                eligible=piece.eligible,
                equipment=equipment,
                unit=unit,
                start=to_datetime(shop.origin, assignment.start),
                end=to_datetime(shop.origin, assignment.end),
                frozen=piece.frozen_start is not None,
            )
        )
    PlannedOperation.objects.bulk_create(rows)
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        elapsed=round(result.seconds, 1),
        result_status=str(result.status),
        best_objective=_first_objective(run, result),
        bound=result.lower_bound,
        tardiness_minutes=result.objectives.get("tardiness"),
        makespan_end=to_datetime(shop.origin, result.makespan),
        skipped=[{"step": s.step.pk, "reason": str(s.reason)} for s in shop.skipped],
        # The jobs' minutes count from the origin of the problem the task solved.
        origin=shop.origin,
        jobs=shop.jobs,
        operation_count=len(rows),
    )


def _first_objective(run: ScheduleRun, result) -> int | None:
    return result.objectives.get(OBJECTIVES[run.objective][0])


def _fail(run: ScheduleRun, message: str) -> None:
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=message[:1000]
    )


@transaction.atomic
def operation_move(
    *, actor: User, operation: PlannedOperation, machine: str, start: dt.datetime
) -> PlannedOperation:
    """Move a planned operation to another time or machine by hand. The plan may then
    break a rule (an overlap, a step before its predecessor); the plan page lists those
    conflicts (see :func:`selectors.plan_conflicts`) instead of refusing the move."""
    run = operation.run
    _require_editor(actor, run.company)
    operation = PlannedOperation.objects.select_for_update().get(pk=operation.pk)
    latest = ScheduleRun.objects.filter(company=run.company, status=RunStatus.DONE).first()
    if latest is None or latest.pk != run.pk:
        raise ApplicationError(
            ShopfloorErrorCode.PLAN_OUTDATED, _("この計画は新しい計画に置き換えられています。")
        )
    if operation.frozen:
        raise ApplicationError(
            ShopfloorErrorCode.OPERATION_FROZEN, _("着手済みの作業は動かせません。")
        )
    if machine not in operation.eligible:
        raise invalid_input(
            ShopfloorErrorCode.MOVE_INVALID, machine=_("この作業に使えない設備です。")
        )
    first = timezone.localtime(run.origin).date()
    last = first + dt.timedelta(days=settings.MACHIKOBA_SCHEDULE_HORIZON_DAYS)
    if not first <= timezone.localtime(start).date() <= last:
        raise invalid_input(
            ShopfloorErrorCode.MOVE_INVALID,
            day=_("計画の期間 (%(first)s〜%(last)s) の中の日付を選んでください。")
            % {"first": format_date(first), "last": format_date(last)},
        )
    equipment_id, unit = _parse_machine(machine)
    minutes = operation.minutes
    start = start.replace(second=0, microsecond=0)
    before = {"machine": operation.resource, "start": operation.start.isoformat()}
    operation.equipment_id, operation.unit = equipment_id, unit
    operation.start, operation.end = start, start + dt.timedelta(minutes=minutes)
    operation.moved = True
    operation.save()
    audit_record(
        actor=actor,
        verb="schedule.move",
        target=operation.step,
        company=run.company,
        before=before,
        after={"machine": machine, "start": operation.start.isoformat()},
    )
    return operation


def _parse_machine(machine: str) -> tuple[int, int]:
    equipment, unit = machine.removeprefix("m").split("-")
    return int(equipment), int(unit)
