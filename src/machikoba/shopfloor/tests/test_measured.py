"""Plans from measured times (issue 22): which basis each open step's machine time comes
from (日報の実績, 設備データ, 入力値, 推定), and that the shop's plan uses it."""

from __future__ import annotations

import datetime as dt

import pytest

from machikoba.core.testing.clock import clock_at
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER
from machikoba.network import services as network
from machikoba.network.choices import StepStatus
from machikoba.network.models import Step
from machikoba.scheduling.calendars import to_minutes
from machikoba.shopfloor.choices import ReasonKind, ReportStatus
from machikoba.shopfloor.measured import SAMPLES, Basis, step_times
from machikoba.shopfloor.models import (
    DailyReport,
    PlannedOperation,
    Reason,
    ReportEntry,
    ScheduleRun,
    StepWork,
    machine_key,
)
from machikoba.shopfloor.shop_problem import build_shop_problem, estimate_minutes, open_steps
from machikoba.shopfloor.tests.factories import (
    MANUAL,
    NC,
    in_house_job,
    machines,
    monday_morning,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

MONDAY = monday_morning()


@pytest.fixture(autouse=True)
def _it_is_monday_morning():
    with clock_at(MONDAY):
        yield


def _day(days_back: int) -> dt.date:
    return MONDAY.date() - dt.timedelta(days=days_back)


def _entry(
    world,
    step,
    *,
    days_back: int = 3,
    minutes: int,
    good: int = 0,
    defect: int = 0,
    machine_minutes: int | None = None,
    equipment=None,
    unit: int = 1,
    started_at: dt.datetime | None = None,
    status: str = ReportStatus.APPROVED,
    worker=None,
) -> ReportEntry:
    """An entry of a worker's report of ``days_back`` days ago, in ``status``."""
    worker = worker or world.users[FLOOR_WORKER]
    report, _created = DailyReport.objects.get_or_create(
        company=world.company, worker=worker, date=_day(days_back), defaults={"status": status}
    )
    reason = None
    if defect:
        reason, _created = Reason.objects.get_or_create(
            company=world.company, kind=ReasonKind.DEFECT, code="dimension", label="寸法不良"
        )
    return ReportEntry.objects.create(
        report=report,
        step=step,
        minutes=minutes,
        machine_minutes=machine_minutes,
        good=good,
        defect=defect,
        defect_reason=reason,
        equipment=equipment,
        unit=unit,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(minutes=minutes) if started_at else None,
    )


def _past_step(world, *, codes=(NC,), quantity=10, name="シャフト", drawing=""):
    """A step of the shop's that is finished."""
    job, (step, *_rest) = in_house_job(
        world.users[MEMBER], world.company, codes=codes, quantity=quantity, name=name
    )
    if drawing:
        type(job).objects.filter(pk=job.pk).update(drawing_number=drawing)
    Step.objects.filter(pk=step.pk).update(status=StepStatus.DONE)
    return step


def _times(world, typed: dict[int, int] | None = None):
    steps = list(open_steps(world.company))
    return steps, step_times(
        company=world.company,
        steps=steps,
        typed=typed or {},
        estimate=lambda step: estimate_minutes(step, {}),
    )


def test_with_nothing_measured_the_typed_minutes_then_the_estimate_are_used(world):
    machines(world.company)
    _a, (typed,) = in_house_job(world.users[MEMBER], world.company, quantity=20)
    _b, (guessed,) = in_house_job(world.users[MEMBER], world.company, quantity=20)

    _steps, times = _times(world, {typed.pk: 90})

    assert (times[typed.pk].minutes, times[typed.pk].basis) == (90, Basis.TYPED)
    assert times[typed.pk].label == "入力値"
    guess = times[guessed.pk]
    assert (guess.minutes, guess.basis, guess.estimated) == (
        estimate_minutes(guessed, {}),
        Basis.ESTIMATE,
        True,
    )
    assert guess.label == "推定"


def test_earlier_steps_of_the_process_come_before_the_typed_minutes(world):
    machines(world.company)
    for per_piece in (2, 4, 3):  # minutes a piece on three earlier jobs; the median is 3
        past = _past_step(world, quantity=10)
        _entry(world, past, minutes=per_piece * 10, good=9, defect=1, days_back=5)
    # Another process does not count, nor an entry not approved (yet).
    _entry(world, _past_step(world, codes=(MANUAL,)), minutes=500, good=10)
    _entry(
        world,
        _past_step(world),
        minutes=900,
        good=10,
        status=ReportStatus.SUBMITTED,
        worker=world.users[MEMBER],
    )
    _job, (step,) = in_house_job(world.users[MEMBER], world.company, quantity=40)

    _steps, times = _times(world, {step.pk: 600})

    time = times[step.pk]
    assert (time.minutes, time.basis, time.label) == (120, Basis.REPORTS, "日報の実績")
    assert "3.0" in time.detail
    assert "40" in time.detail


def test_the_same_part_is_preferred_and_only_the_last_samples_count(world):
    machines(world.company)
    # Old jobs of other parts (3 minutes a piece), then the same drawing (7 minutes a piece).
    for index in range(SAMPLES + 2):
        _entry(world, _past_step(world, name="ピン"), minutes=30, good=10, days_back=40 - index)
    same = _past_step(world, name="ノズル", drawing="NZ-100")
    _entry(world, same, minutes=70, good=10, days_back=20)
    _job, (step,) = in_house_job(world.users[MEMBER], world.company, quantity=10, name="ノズル")
    type(step.job).objects.filter(pk=step.job_id).update(drawing_number="NZ-100")
    _other, (other,) = in_house_job(world.users[MEMBER], world.company, quantity=10, name="軸")

    _steps, times = _times(world)

    assert (times[step.pk].minutes, times[step.pk].basis) == (70, Basis.REPORTS)
    # A part never made: the process's last SAMPLES steps (an outlier older than them
    # would move the median: it does not).
    oldest = ReportEntry.objects.filter(step__job__part_name="ピン").order_by("report__date")
    ReportEntry.objects.filter(pk=oldest[0].pk).update(minutes=1440)
    ReportEntry.objects.filter(pk=oldest[1].pk).update(minutes=1440)
    _steps, times = _times(world)
    assert (times[other.pk].minutes, times[other.pk].basis) == (30, Basis.REPORTS)
    assert f"{SAMPLES}" in times[other.pk].detail


def test_a_step_in_progress_plans_what_is_left_of_it(world):
    machines(world.company)
    _job, (step,) = in_house_job(world.users[MEMBER], world.company, quantity=50)
    network.step_start(actor=world.users[MEMBER], step=step)
    # Two days of work: 20 good and 2 defective in 110 minutes, 5 minutes a piece.
    _entry(world, step, minutes=60, good=11, defect=1, days_back=3)
    _entry(world, step, minutes=50, good=9, defect=1, days_back=2, worker=world.users[MEMBER])

    _steps, times = _times(world, {step.pk: 1000})

    time = times[step.pk]
    assert (time.minutes, time.basis) == (150, Basis.REPORTS)  # 5 min × (50 − 20 good)
    end_of_last_day = dt.datetime.combine(_day(2) + dt.timedelta(days=1), dt.time(0))
    assert time.counted_until == end_of_last_day.replace(tzinfo=MONDAY.tzinfo)


def test_a_step_in_progress_without_counts_is_its_typed_time_less_the_minutes_done(world):
    machines(world.company)
    _job, (step,) = in_house_job(world.users[MEMBER], world.company, quantity=50)
    network.step_start(actor=world.users[MEMBER], step=step)
    _entry(world, step, minutes=125, days_back=1)

    _steps, times = _times(world, {step.pk: 400})

    assert (times[step.pk].minutes, times[step.pk].basis) == (280, Basis.REPORTS)  # 400 − 125
    assert "400" in times[step.pk].detail
    assert "125" in times[step.pk].detail
    # Everything typed already done: still a last bit of time, never nothing or less.
    _entry(world, step, minutes=500, days_back=2)
    _steps, times = _times(world, {step.pk: 400})
    assert times[step.pk].minutes == 10


def test_a_monitored_machine_corrects_the_reported_minutes(world):
    equipment = machines(world.company)["nc"]
    machine = make_machine(world.company, equipment=equipment, unit=2)
    past = _past_step(world)
    start = dt.datetime.combine(_day(3), dt.time(9, 0), tzinfo=MONDAY.tzinfo)
    # The worker reports 120 minutes for 10 pieces; the machine was setting up for 10
    # and producing for 40 minutes of them (the rest idle and in alarm).
    _entry(world, past, minutes=120, good=10, equipment=equipment, unit=2, started_at=start)
    make_intervals(
        machine,
        start - dt.timedelta(minutes=30),
        [
            ("planned_stop", 30),
            ("setup", 10),
            ("producing", 25),
            ("idle", 30),
            ("alarm", 40, "tooling"),
            ("producing", 15),
            ("producing", 60),  # after the entry's end: not its work
            None,
        ],
    )
    # The same work on a machine nobody monitors: the 日報's minutes stand.
    _job, (step,) = in_house_job(world.users[MEMBER], world.company, quantity=30)

    _steps, times = _times(world)

    time = times[step.pk]
    assert (time.minutes, time.basis, time.label) == (150, Basis.MACHINE, "設備データ")  # 5 × 30

    unmonitored = ReportEntry.objects.get()
    ReportEntry.objects.filter(pk=unmonitored.pk).update(unit=1)
    _steps, times = _times(world)
    assert (times[step.pk].minutes, times[step.pk].basis) == (360, Basis.REPORTS)  # 12 × 30


def test_the_plan_uses_measured_times_and_records_their_basis(world):
    machines(world.company)
    past = _past_step(world, quantity=10)
    _entry(world, past, minutes=40, good=10)  # 4 minutes a piece
    _job, (measured, manual) = in_house_job(
        world.users[MEMBER], world.company, codes=(NC, MANUAL), quantity=25
    )
    StepWork.objects.create(company=world.company, step=measured, minutes=500)
    StepWork.objects.create(company=world.company, step=manual, minutes=45)

    shop = build_shop_problem(company=world.company, now=MONDAY)

    pieces = {piece.step.pk: piece for piece in shop.pieces.values()}
    assert (pieces[measured.pk].minutes, pieces[measured.pk].basis) == (100, Basis.REPORTS)
    assert pieces[measured.pk].estimated is False
    assert (pieces[manual.pk].minutes, pieces[manual.pk].basis) == (45, Basis.TYPED)
    job_key = next(key for key, _pos in shop.pieces if key.startswith("s"))
    assert shop.jobs[job_key]["basis"] == {
        str(measured.pk): Basis.REPORTS,
        str(manual.pk): Basis.TYPED,
    }


def test_re_planning_a_measured_step_subtracts_only_the_unreported_pieces(world):
    owner = world.users[MEMBER]
    machine = machines(world.company)
    _job, (step,) = in_house_job(owner, world.company, quantity=100)
    network.step_start(actor=owner, step=step)
    # Last Friday's report: 40 good in 200 minutes (5 a piece): 300 minutes are left.
    friday = MONDAY.date() - dt.timedelta(days=3)
    _entry(world, step, minutes=200, good=40, days_back=3)
    run = ScheduleRun.objects.create(company=world.company, status="done", origin=MONDAY)
    on_friday = dt.datetime.combine(friday, dt.time(9), tzinfo=MONDAY.tzinfo)
    this_morning = MONDAY.replace(hour=9)
    for index, start in enumerate((on_friday, this_morning)):
        PlannedOperation.objects.create(
            run=run,
            step=step,
            piece=index + 1,
            pieces=3,
            job_key="old",
            position=index,
            eligible=[],
            equipment=machine["nc"],
            unit=1,
            start=start,
            end=start + dt.timedelta(minutes=120),
        )

    shop = build_shop_problem(company=world.company, now=MONDAY.replace(hour=10))

    # Friday's piece is in the report; this morning's piece (120 min) is not: it is kept
    # in place and the rest of the 300 minutes follows it.
    kept = [(f.resource, f.start) for f in shop.problem.frozen]
    assert (machine_key(machine["nc"].pk, 1), to_minutes(shop.origin, this_morning)) in kept
    rest = [p for key, p in shop.pieces.items() if key[0].startswith("s")]
    assert [p.minutes for p in rest] == [180]
    assert {p.basis for p in shop.pieces.values()} == {Basis.REPORTS}
