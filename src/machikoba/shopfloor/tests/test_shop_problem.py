"""What the shop's plan is made of: which steps, machines, durations, releases, due
dates and working time, built from the records (jobs, orders, equipment, calendar)."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.models import ProcessCategory
from machikoba.core.testing.clock import clock_at, weekday_holiday
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import MEMBER
from machikoba.network import services as network
from machikoba.network.choices import StepStatus
from machikoba.network.models import Step
from machikoba.network.tests.factories import order_terms, process
from machikoba.scheduling import check_schedule, solve
from machikoba.scheduling.calendars import to_minutes
from machikoba.shopfloor.measured import Basis
from machikoba.shopfloor.models import (
    PlannedOperation,
    ScheduleRun,
    StepWork,
    WorkCalendar,
    machine_key,
)
from machikoba.shopfloor.shop_problem import (
    DEFAULT_MINUTES_PER_PIECE,
    DEFAULT_SETUP_MINUTES,
    build_shop_problem,
    split_minutes,
)
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
    """Every test plans at MONDAY, the next quiet Monday: "now" for the records too
    (due dates, quotes, orders), so they all sit in one week without holidays."""
    with clock_at(MONDAY):
        yield


def _operations(shop, step):
    return [key for key, piece in shop.pieces.items() if piece.step.pk == step.pk]


def _job_of(shop, step):
    keys = _operations(shop, step)
    return next(job for job in shop.problem.jobs if job.id == keys[0][0])


def test_in_house_steps_go_on_the_machines_of_their_process(world):
    owner = world.users[MEMBER]
    machine = machines(world.company)
    _job, (nc_step, manual_step) = in_house_job(owner, world.company, codes=(NC, MANUAL))
    StepWork.objects.create(company=world.company, step=nc_step, minutes=120)
    StepWork.objects.create(company=world.company, step=manual_step, minutes=90)

    shop = build_shop_problem(company=world.company, now=MONDAY)

    assert set(shop.machines) == {
        machine_key(machine["nc"].pk, 1),
        machine_key(machine["nc"].pk, 2),
        machine_key(machine["manual"].pk, 1),
    }
    nc_piece = shop.pieces[_operations(shop, nc_step)[0]]
    assert nc_piece.eligible == [machine_key(machine["nc"].pk, 1), machine_key(machine["nc"].pk, 2)]
    assert (nc_piece.minutes, nc_piece.estimated, nc_piece.basis) == (120, False, Basis.TYPED)
    manual_piece = shop.pieces[_operations(shop, manual_step)[0]]
    assert manual_piece.eligible == [machine_key(machine["manual"].pk, 1)]
    # Consecutive in-house steps are one chain: turning on the NC lathe, then the manual.
    job = _job_of(shop, nc_step)
    assert len(job.operations) == 2
    assert job.release == to_minutes(shop.origin, MONDAY)  # parts are here: now
    due = dt.datetime.combine(_job.due_date, dt.time(17, 30), tzinfo=MONDAY.tzinfo)
    assert job.due == to_minutes(shop.origin, due)


def test_chosen_machines_override_the_process_and_a_step_without_any_is_left_out(world):
    owner = world.users[MEMBER]
    machine = machines(world.company)
    _job, (nc_step,) = in_house_job(owner, world.company, codes=(NC,))
    _other, (odd_step,) = in_house_job(owner, world.company, codes=("grinding.cylindrical",))
    work = StepWork.objects.create(company=world.company, step=nc_step, minutes=60)
    work.equipment.set([machine["manual"]])

    shop = build_shop_problem(company=world.company, now=MONDAY)

    assert shop.pieces[_operations(shop, nc_step)[0]].eligible == [
        machine_key(machine["manual"].pk, 1)
    ]
    assert _operations(shop, odd_step) == []
    assert [(s.step, "設備" in s.reason) for s in shop.skipped] == [(odd_step, True)]


def test_machine_time_is_estimated_from_the_shops_own_history_or_a_default(world):
    owner = world.users[MEMBER]
    machines(world.company)
    _a, (known,) = in_house_job(owner, world.company, quantity=20)
    _b, (unknown,) = in_house_job(owner, world.company, quantity=30)
    _c, (manual,) = in_house_job(owner, world.company, codes=(MANUAL,), quantity=7)
    StepWork.objects.create(company=world.company, step=known, minutes=100)  # 5 min a part

    shop = build_shop_problem(company=world.company, now=MONDAY)

    estimated = shop.pieces[_operations(shop, unknown)[0]]
    assert (estimated.minutes, estimated.estimated) == (150, True)  # 30 parts × 5 min
    assert estimated.basis == Basis.ESTIMATE
    # Nothing measured yet: the plan records each step's basis for its page.
    assert shop.jobs[_job_of(shop, unknown).id]["basis"] == {str(unknown.pk): Basis.ESTIMATE}
    default = shop.pieces[_operations(shop, manual)[0]]
    expected = DEFAULT_SETUP_MINUTES + DEFAULT_MINUTES_PER_PIECE * 7
    assert default.minutes == -(-expected // 10) * 10  # rounded up to 10 minutes


def test_a_step_longer_than_a_working_day_is_split_into_day_pieces(world):
    owner = world.users[MEMBER]
    machines(world.company)
    _job, (step,) = in_house_job(owner, world.company)
    StepWork.objects.create(company=world.company, step=step, minutes=1200)  # 20 h

    shop = build_shop_problem(company=world.company, now=MONDAY)

    keys = _operations(shop, step)
    assert [shop.pieces[k].minutes for k in keys] == [400, 400, 400]  # a day is 540 min
    assert [(shop.pieces[k].piece, shop.pieces[k].pieces) for k in keys] == [
        (1, 3),
        (2, 3),
        (3, 3),
    ]
    assert split_minutes(541, 540) == [271, 270]
    assert split_minutes(540, 540) == [540]


def test_work_for_a_partner_is_due_at_the_orders_delivery_and_waits_for_the_handoff(world):
    """A partner's job: heat treatment elsewhere, then our turning, then grinding."""
    machine = machines(world.company)
    partner = CompanyFactory(name="発注元工業株式会社")
    partner_owner = MembershipFactory(company=partner, role="owner").user
    job = network.job_create(
        actor=partner_owner,
        company=partner,
        part_name="フランジ",
        quantity=12,
        due_date=MONDAY.date() + dt.timedelta(days=40),
    )
    heat = network.step_add(
        actor=partner_owner,
        job=job,
        process=process("heat_treatment.quench_temper"),
        planned_end=MONDAY.date() + dt.timedelta(days=2),  # Wednesday
    )
    turning = network.step_add(actor=partner_owner, job=job, process=process(NC))
    network.step_add(actor=partner_owner, job=job, process=process("grinding.cylindrical"))
    rfq = network.rfq_send(
        actor=partner_owner,
        job=job,
        steps=[turning],
        recipients=[world.company],
        deadline=timezone.now() + dt.timedelta(days=2),
    )
    recipient = rfq.recipients.get()
    network.quote_submit(
        actor=world.users[MEMBER],
        recipient=recipient,
        price=80_000,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    terms = order_terms()
    delivery = terms["delivery_date"]
    network.rfq_award(actor=partner_owner, rfq=rfq, winner=recipient, **terms)
    # Our own job, and a step of it that a partner performs, are not ours to plan here.
    _own, own_steps = in_house_job(world.users[MEMBER], world.company)
    Step.objects.filter(pk=heat.pk).update(performer=CompanyFactory())

    shop = build_shop_problem(company=world.company, now=MONDAY)

    planned_steps = {piece.step.pk for piece in shop.pieces.values()}
    assert planned_steps == {turning.pk, own_steps[0].pk}
    job_for_partner = _job_of(shop, turning)
    back = dt.datetime.combine(MONDAY.date() + dt.timedelta(days=3), dt.time(8, 30))
    assert job_for_partner.release == to_minutes(shop.origin, back.replace(tzinfo=MONDAY.tzinfo))
    due = dt.datetime.combine(delivery, dt.time(17, 30), tzinfo=MONDAY.tzinfo)
    assert job_for_partner.due == to_minutes(shop.origin, due)
    assert (
        shop.pieces[_operations(shop, turning)[0]].eligible[0].startswith(f"m{machine['nc'].pk}-")
    )

    # Once the heat treater has finished, the parts can be turned at once.
    Step.objects.filter(pk=heat.pk).update(status=StepStatus.SHIPPED)
    shop = build_shop_problem(company=world.company, now=MONDAY)
    assert _job_of(shop, turning).release == to_minutes(shop.origin, MONDAY)


def test_the_calendar_decides_the_working_windows(world):
    machines(world.company)
    in_house_job(world.users[MEMBER], world.company)
    monday = MONDAY.date()
    tuesday = monday + dt.timedelta(days=1)
    WorkCalendar.objects.create(
        company=world.company,
        day_start=dt.time(8, 0),
        day_end=dt.time(17, 0),
        weekdays="012345",  # Saturdays too
        shutdown_dates=[tuesday.isoformat()],
    )

    shop = build_shop_problem(company=world.company, now=MONDAY)

    windows = shop.problem.resources[0].windows
    days = [(shop.origin + dt.timedelta(minutes=start)).date() for start, _end in windows[:6]]
    assert days == [
        monday,
        monday + dt.timedelta(days=2),  # Tuesday is shut down
        monday + dt.timedelta(days=3),
        monday + dt.timedelta(days=4),
        monday + dt.timedelta(days=5),  # Saturday works
        monday + dt.timedelta(days=7),  # Sunday does not
    ]
    assert windows[0] == (8 * 60, 17 * 60)
    # The next public holiday on a weekday inside the horizon: no window on it.
    holiday = weekday_holiday(after=monday)
    window_days = {(shop.origin + dt.timedelta(minutes=start)).date() for start, _end in windows}
    assert max(window_days) > holiday  # the horizon reaches past it
    assert holiday not in window_days


def test_re_planning_keeps_the_started_pieces_where_they_are(world):
    owner = world.users[MEMBER]
    machine = machines(world.company)
    _job, (step, after) = in_house_job(owner, world.company, codes=(NC, MANUAL))
    StepWork.objects.create(company=world.company, step=step, minutes=900)  # 2 pieces
    StepWork.objects.create(company=world.company, step=after, minutes=60)
    _other, (other,) = in_house_job(owner, world.company)
    StepWork.objects.create(company=world.company, step=other, minutes=300)
    network.step_start(actor=owner, step=step)
    # The current plan started the first piece on NC lathe #2 on Monday at 9:00.
    run = ScheduleRun.objects.create(company=world.company, status="done", origin=MONDAY)
    started = MONDAY.replace(hour=9)
    PlannedOperation.objects.create(
        run=run,
        step=step,
        piece=1,
        pieces=2,
        job_key="old",
        position=0,
        eligible=[],
        equipment=machine["nc"],
        unit=2,
        start=started,
        end=started + dt.timedelta(minutes=450),
    )

    shop = build_shop_problem(company=world.company, now=MONDAY.replace(hour=11))

    frozen = shop.problem.frozen
    assert [(f.resource, f.start) for f in frozen] == [
        (machine_key(machine["nc"].pk, 2), to_minutes(shop.origin, started))
    ]
    rest = _job_of(shop, after)
    assert [shop.pieces[(rest.id, i)].minutes for i in range(len(rest.operations))] == [450, 60]
    assert rest.release == to_minutes(shop.origin, started) + 450  # after the frozen piece
    result = solve(shop.problem, objective=["tardiness", "makespan"], time_limit=5)
    check_schedule(shop.problem, result.assignments)
    kept = next(a for a in result.assignments if a.job == frozen[0].job)
    assert (kept.resource, kept.start) == (frozen[0].resource, frozen[0].start)


def test_finished_steps_and_closed_jobs_are_not_planned(world):
    owner = world.users[MEMBER]
    machines(world.company)
    _job, (step,) = in_house_job(owner, world.company)
    Step.objects.filter(pk=step.pk).update(status=StepStatus.DONE)
    closed, _steps = in_house_job(owner, world.company)
    type(closed).objects.filter(pk=closed.pk).update(status="closed")

    shop = build_shop_problem(company=world.company, now=MONDAY)

    assert shop.pieces == {}
    assert shop.problem.jobs == ()
    assert ProcessCategory.objects.filter(code=NC).exists()
