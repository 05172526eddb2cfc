"""Planning as a background task, its refusals, and moving a planned operation by hand
with the validator's conflicts."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.clock import days_until_working_day, working_day
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.shopfloor import selectors, services
from machikoba.shopfloor.models import PlannedOperation, ScheduleRun, StepWork, WorkCalendar
from machikoba.shopfloor.services import _LatestProgress
from machikoba.shopfloor.tests.factories import MANUAL, NC, in_house_job, machines

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _shop_with_work(world, jobs=3):
    owner = world.users[MEMBER]
    machine = machines(world.company)
    steps = []
    for index in range(jobs):
        _job, job_steps = in_house_job(
            owner,
            world.company,
            codes=(NC, MANUAL),
            name=f"軸{index}",
            due_in_days=days_until_working_day(3 + index),
        )
        for step, minutes in zip(job_steps, (240, 90), strict=True):
            StepWork.objects.create(company=world.company, step=step, minutes=minutes)
        steps += job_steps
    return machine, steps


def _plan(world, django_capture_on_commit_callbacks, **options):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.plan_request(
            actor=world.users[MEMBER], company=world.company, time_limit=10, **options
        )
    assert run_queued_tasks("plan_schedule") == ["done"]
    run.refresh_from_db()
    return run


def test_a_plan_is_queued_then_solved_in_process_into_a_valid_schedule(
    world, django_capture_on_commit_callbacks
):
    """The queued task runs in this process (``run_queued_tasks``); a real worker runs it
    in core/tests/test_tasks_worker.py and the browser tests."""
    _machine, steps = _shop_with_work(world)

    run = _plan(world, django_capture_on_commit_callbacks)

    assert run.status == "done"
    assert run.error == ""
    assert run.result_status in ("optimal", "feasible")
    assert run.started_at <= run.finished_at
    assert run.best_objective is not None
    operations = selectors.plan_operations(user=world.users[MEMBER], run=run)
    assert {o.step_id for o in operations} == {s.pk for s in steps}
    assert run.operation_count == len(operations) == 6
    assert selectors.plan_conflicts(run, operations) == []  # the validator agrees
    assert run.tardiness_minutes == 0  # three working days are plenty for 5½ hours a job
    now = timezone.now()
    assert all(o.start >= now - dt.timedelta(minutes=10) for o in operations)
    for operation in operations:
        start = timezone.localtime(operation.start)
        assert dt.time(8, 30) <= start.time()
        assert timezone.localtime(operation.end).time() <= dt.time(17, 30)
        assert start.weekday() < 5


def test_planning_is_refused_with_a_reason_and_creates_nothing(world, settings):
    owner = world.users[MEMBER]
    with pytest.raises(ApplicationError) as refused:
        services.plan_request(actor=owner, company=world.company)
    assert refused.value.code == "plan_no_machines"
    machines(world.company)
    with pytest.raises(ApplicationError) as refused:
        services.plan_request(actor=owner, company=world.company)
    assert refused.value.code == "plan_nothing"
    assert "計画する工程がありません" in str(refused.value.message)
    _shop_with_work(world, jobs=2)
    settings.MACHIKOBA_SCHEDULE_MAX_OPERATIONS = 3
    with pytest.raises(ApplicationError) as refused:
        services.plan_request(actor=owner, company=world.company)
    assert refused.value.code == "plan_too_large"
    assert "4 件" in str(refused.value.message)
    assert "3 件" in str(refused.value.message)
    settings.MACHIKOBA_SCHEDULE_MAX_OPERATIONS = 1500
    for actor in (FLOOR_WORKER, OTHER_COMPANY):
        with pytest.raises(PermissionRefused):
            services.plan_request(actor=world.users[actor], company=world.company)
    with pytest.raises(ApplicationError) as refused:
        services.plan_request(actor=owner, company=world.company, time_limit=10**6)
    assert refused.value.code == "plan_invalid"
    with pytest.raises(ApplicationError):
        services.plan_request(actor=owner, company=world.company, objective="fastest")
    assert not ScheduleRun.objects.exists()

    services.plan_request(actor=world.users[STAFF], company=world.company)
    with pytest.raises(ApplicationError) as refused:
        services.plan_request(actor=owner, company=world.company)
    assert refused.value.code == "plan_running"
    assert ScheduleRun.objects.count() == 1


def test_a_calendar_without_working_time_fails_the_plan_with_a_message(
    world, django_capture_on_commit_callbacks
):
    _shop_with_work(world, jobs=1)
    today = timezone.localdate()
    WorkCalendar.objects.create(
        company=world.company,
        weekdays="0123456",
        shutdown_dates=[(today + dt.timedelta(days=d)).isoformat() for d in range(400)],
    )
    with pytest.raises(ApplicationError) as refused:
        services.plan_request(actor=world.users[MEMBER], company=world.company)
    assert "稼働カレンダー" in str(refused.value.message)
    assert not ScheduleRun.objects.exists()


def test_the_task_reports_progress_and_a_vanished_run_is_skipped(world):
    latest = _LatestProgress()
    assert latest.take() is None
    latest("first")
    latest("second")
    assert latest.take() == "second"
    assert latest.take() is None
    assert services.plan_execute(run_id=987654) == "skipped"


def test_moving_an_operation_onto_another_shows_the_conflict_and_moving_back_clears_it(
    world, django_capture_on_commit_callbacks
):
    machine, _steps = _shop_with_work(world)
    run = _plan(world, django_capture_on_commit_callbacks)
    owner = world.users[MEMBER]
    operations = selectors.plan_operations(user=owner, run=run)
    nc = sorted(
        (o for o in operations if o.equipment_id == machine["nc"].pk), key=lambda o: o.start
    )
    first, second = nc[0], next(o for o in nc[1:] if o.step.job_id != nc[0].step.job_id)
    home = (second.resource, second.start)

    services.operation_move(
        actor=owner, operation=second, machine=first.resource, start=first.start
    )

    operations = selectors.plan_operations(user=owner, run=run)
    conflicts = selectors.plan_conflicts(run, operations)
    overlap = [c for c in conflicts if "重なっています" in c.message]
    assert len(overlap) == 1
    assert set(overlap[0].operation_ids) == {first.pk, second.pk}
    moved = PlannedOperation.objects.get(pk=second.pk)
    assert moved.moved
    assert moved.minutes == second.minutes

    services.operation_move(actor=owner, operation=moved, machine=home[0], start=home[1])
    assert selectors.plan_conflicts(run, selectors.plan_operations(user=owner, run=run)) == []


def test_a_move_before_its_predecessor_or_off_hours_is_flagged(
    world, django_capture_on_commit_callbacks
):
    _machine, _steps = _shop_with_work(world, jobs=1)
    run = _plan(world, django_capture_on_commit_callbacks)
    owner = world.users[MEMBER]
    turning, finishing = sorted(
        selectors.plan_operations(user=owner, run=run), key=lambda o: o.position
    )
    services.operation_move(
        actor=owner, operation=finishing, machine=finishing.resource, start=turning.start
    )
    night = timezone.localtime(turning.start).replace(hour=22, minute=0)
    services.operation_move(actor=owner, operation=turning, machine=turning.resource, start=night)
    messages = [
        c.message
        for c in selectors.plan_conflicts(run, selectors.plan_operations(user=owner, run=run))
    ]
    assert any("前の作業" in m for m in messages)
    assert any("稼働時間の外" in m for m in messages)


def test_a_move_is_refused_for_a_wrong_machine_a_started_piece_an_old_plan_or_a_stranger(
    world, django_capture_on_commit_callbacks
):
    machine, _steps = _shop_with_work(world, jobs=1)
    run = _plan(world, django_capture_on_commit_callbacks)
    owner = world.users[MEMBER]
    operation = next(o for o in selectors.plan_operations(user=owner, run=run) if o.position == 0)
    before = (operation.resource, operation.start)

    with pytest.raises(ApplicationError) as refused:
        services.operation_move(
            actor=owner, operation=operation, machine=f"m{machine['manual'].pk}-1", start=before[1]
        )
    assert refused.value.code == "move_invalid"
    with pytest.raises(PermissionRefused):
        services.operation_move(
            actor=world.users[FLOOR_WORKER], operation=operation, machine=before[0], start=before[1]
        )
    PlannedOperation.objects.filter(pk=operation.pk).update(frozen=True)
    operation.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.operation_move(
            actor=owner, operation=operation, machine=before[0], start=before[1]
        )
    assert refused.value.code == "operation_frozen"
    PlannedOperation.objects.filter(pk=operation.pk).update(frozen=False)
    newer = _plan(world, django_capture_on_commit_callbacks)
    assert newer.pk != run.pk
    with pytest.raises(ApplicationError) as refused:
        services.operation_move(
            actor=owner, operation=operation, machine=before[0], start=before[1]
        )
    assert refused.value.code == "plan_outdated"
    operation.refresh_from_db()
    assert (operation.resource, operation.start, operation.moved) == (*before, False)


def test_calendar_and_step_work_input_is_checked(world):
    owner = world.users[MEMBER]
    machine = machines(world.company)
    _job, (step,) = in_house_job(owner, world.company)
    with pytest.raises(ApplicationError) as refused:
        services.calendar_save(
            actor=owner,
            company=world.company,
            day_start=dt.time(17),
            day_end=dt.time(8),
            weekdays=[0],
            shutdown_dates=[],
        )
    assert "day_end" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        services.calendar_save(
            actor=owner,
            company=world.company,
            day_start=dt.time(8),
            day_end=dt.time(17),
            weekdays=[],
            shutdown_dates=[],
        )
    assert "weekdays" in refused.value.fields
    assert not WorkCalendar.objects.exists()
    first = working_day(20)
    calendar = services.calendar_save(
        actor=owner,
        company=world.company,
        day_start=dt.time(8),
        day_end=dt.time(17),
        weekdays=[5, 0, 1],
        shutdown_dates=[first + dt.timedelta(days=1), first],
    )
    assert calendar.weekdays == "015"
    assert calendar.shutdown_dates == [
        first.isoformat(),
        (first + dt.timedelta(days=1)).isoformat(),
    ]

    foreign = machines(world.other_company)["nc"]
    with pytest.raises(ApplicationError) as refused:
        services.step_work_save(
            actor=owner, company=world.company, step=step, minutes=30, equipment=[foreign]
        )
    assert "equipment" in refused.value.fields
    with pytest.raises(ApplicationError):
        services.step_work_save(
            actor=owner, company=world.company, step=step, minutes=0, equipment=[]
        )
    assert not StepWork.objects.exists()
    _other_job, (partner_step,) = in_house_job(world.users[OTHER_COMPANY], world.other_company)
    with pytest.raises(ApplicationError) as refused:
        services.step_work_save(
            actor=owner, company=world.company, step=partner_step, minutes=30, equipment=[]
        )
    assert refused.value.code == "not_performer"
    work = services.step_work_save(
        actor=owner, company=world.company, step=step, minutes=45, equipment=[machine["manual"]]
    )
    assert (work.minutes, list(work.equipment.all())) == (45, [machine["manual"]])


def test_progress_is_written_while_the_solver_runs(world):
    """A problem CP-SAT cannot close at once: the task thread writes the solver's reports
    to the run row as they come (the progress bar reads them)."""
    import random
    from types import SimpleNamespace

    from machikoba.scheduling import Alternative, Job, Operation, Problem, Resource
    from machikoba.shopfloor.services import _solve_with_progress

    rng = random.Random(3)
    machines_ = [f"m{i}" for i in range(6)]
    jobs = tuple(
        Job(
            f"j{j}",
            tuple(
                Operation(
                    tuple(Alternative(m, rng.randint(5, 99)) for m in rng.sample(machines_, 3))
                )
                for _ in range(6)
            ),
        )
        for j in range(15)
    )
    problem = Problem(jobs=jobs, resources=tuple(Resource(m) for m in machines_))
    run = ScheduleRun.objects.create(
        company=world.company, origin=timezone.now(), objective="makespan", time_limit=3
    )
    result = _solve_with_progress(run, SimpleNamespace(problem=problem))
    run.refresh_from_db()
    assert result.makespan is not None
    assert run.best_objective is not None  # written by the loop, not by the final store
    assert run.best_objective >= result.makespan
    assert run.stage == "makespan"
    assert 0 < run.elapsed <= 3.5


def test_started_work_fixed_on_top_of_each_other_fails_the_plan_with_a_message(
    world, django_capture_on_commit_callbacks
):
    from machikoba.network import services as network

    owner = world.users[MEMBER]
    machine = machines(world.company)
    WorkCalendar.objects.create(
        company=world.company, day_start=dt.time(0), day_end=dt.time(23, 59), weekdays="0123456"
    )
    # The work began at midnight of the last working day (on a public holiday the
    # calendar has no window, and the pieces would not be fixed at all).
    midnight = dt.datetime.combine(
        working_day(-1), dt.time(0), tzinfo=timezone.get_current_timezone()
    )
    old = ScheduleRun.objects.create(company=world.company, status="done", origin=midnight)
    for index in range(2):
        _job, (step,) = in_house_job(owner, world.company, name=f"着手済み{index}")
        StepWork.objects.create(company=world.company, step=step, minutes=60)
        network.step_start(actor=owner, step=step)
        PlannedOperation.objects.create(
            run=old,
            step=step,
            job_key=f"old{index}",
            position=0,
            equipment=machine["nc"],
            unit=1,
            start=midnight,
            end=midnight + dt.timedelta(minutes=10),
        )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.plan_request(actor=owner, company=world.company, time_limit=10)
    assert run_queued_tasks("plan_schedule") == ["failed"]
    run.refresh_from_db()
    assert run.status == "failed"
    assert "固定された作業どうしが重なって" in run.error
    assert not PlannedOperation.objects.filter(run=run).exists()
