"""ネットワーク計画: the proposal's rules on small fixtures (performers, dates, transport,
prices, what is fixed) and its refusals."""

import datetime as dt
import math

import pytest
from django.utils import timezone

from machikoba.companies.models import Capability, Company
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.clock import fixed_dates
from machikoba.core.testing.factories import CompanyFactory, make_capability
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.network import network_plan as planning
from machikoba.network.models import Job, Quote, Rfq, RfqRecipient, Step
from machikoba.network.network_plan import WorkingDays, network_plan
from machikoba.network.tests.factories import make_job, process

pytestmark = pytest.mark.clock_sensitive

# The owner in Kamata; 1/90.7° of longitude is about 1 km east at this latitude.
HOME = (35.5620, 139.7160)
HEAT = "heat_treatment.quench_temper"
PLATING = "surface.plating.hard_chrome"
TURN_THEN_HEAT = (("cutting.turning.nc_lathe", True), (HEAT, False))


def _shop(name, *, km_east=1.0, code=HEAT, lead_time_days=None):
    company = CompanyFactory(name=name, latitude=HOME[0], longitude=HOME[1] + km_east / 90.7)
    make_capability(company, process(code), lead_time_days=lead_time_days)
    return company


def _past_quote(buyer, shop, code, *, price, quantity=50):
    """A quote ``shop`` gave ``buyer`` on a single-step RFQ for ``code``."""
    job = Job.objects.create(
        company=buyer, part_name="過去の部品", quantity=quantity, due_date=timezone.localdate()
    )
    step = Step.objects.create(job=job, position=1, process=process(code))
    rfq = Rfq.objects.create(job=job, deadline=timezone.now())
    rfq.steps.set([step])
    recipient = RfqRecipient.objects.create(rfq=rfq, company=shop, status="quoted")
    Quote.objects.create(
        recipient=recipient, price=price, lead_time_days=5, valid_until=timezone.localdate()
    )


@pytest.fixture
def owner(world):
    world.company.latitude, world.company.longitude = HOME
    world.company.save()
    return world.users[MEMBER]


def _job(world, route=TURN_THEN_HEAT, due_in_days=40):
    job = make_job(world.users[MEMBER], world.company, route=route)
    job.due_date = timezone.localdate() + dt.timedelta(days=due_in_days)
    job.save()
    return job


def _row(plan, position):
    return next(r for r in plan.rows if r.step is not None and r.step.position == position)


@fixed_dates("2026-04-28T09:00+09:00")
def test_working_days_skip_weekends_and_public_holidays():
    # Golden Week 2026: 4/29 昭和の日, 5/3 (Sun) 憲法記念日 → 5/6 振替休日, 5/4, 5/5.
    calendar = WorkingDays(dt.date(2026, 4, 28))
    assert calendar.first == dt.date(2026, 4, 30)
    assert calendar.day_of_end(8) == dt.date(2026, 4, 30)
    assert calendar.day_of_start(8) == dt.date(2026, 5, 1)
    assert calendar.day_of_end(3 * 8) == dt.date(2026, 5, 7)
    assert calendar.days_up_to(dt.date(2026, 5, 6)) == 2
    assert calendar.hour_of_day_start(dt.date(2026, 5, 2)) == 16  # → 5/7, the 3rd day


def test_transport_rule_by_distance(db):
    near = CompanyFactory(latitude=HOME[0], longitude=HOME[1])
    far = CompanyFactory(latitude=HOME[0], longitude=HOME[1] + 30 / 90.7)
    nowhere = CompanyFactory()
    moved = planning.transport(near, far)
    assert moved.km == pytest.approx(30, abs=0.3)
    assert moved.hours == 2 + 2  # handling + 30 km at 20 km/h, rounded up
    assert moved.yen == 3_000 + 100 * math.ceil(moved.km)
    unknown = planning.transport(near, nowhere)
    assert unknown.km is None
    assert (unknown.hours, unknown.yen) == (2 + 1, 3_000 + 100 * 20)  # counted as 20 km
    assert planning.transport(near, near) == planning.Transport(0.0, 0, 0)


def test_the_cheaper_of_two_capable_partners_when_both_meet_the_due_date(world, owner):
    cheap = _shop("安い熱処理", km_east=1, lead_time_days=8)
    dear = _shop("高い熱処理", km_east=1, lead_time_days=3)
    _past_quote(world.company, cheap, HEAT, price=100_000)
    _past_quote(world.company, dear, HEAT, price=150_000)
    job = _job(world)

    plan = network_plan(user=owner, job=job)

    heat = _row(plan, 2)
    assert heat.kind == "proposed"
    assert heat.performer == cheap
    assert heat.chosen.price.yen == 100_000  # 2,000円/個 × 50
    assert heat.chosen.lead_time_days == 8
    assert plan.due_met is True
    assert plan.days_late == 0
    # price + transport owner → shop (≈1 km: 3,100円) + shop → owner (3,100円)
    assert heat.transport.yen == 3_100
    assert plan.rows[-1].kind == "delivery"
    assert plan.rows[-1].transport.yen == 3_100
    assert plan.total_known == 100_000 + 3_100 + 3_100
    assert plan.unknown_prices == 0
    assert [c.company for c in heat.others] == [dear]
    assert heat.why == ["候補 2 社のうち、価格と運搬費の合計が最も安い。"]
    # Dates: the in-house turning (no lead time declared: 5 working days) from the first
    # working day, the heat treatment 8 working days from the order or the turning's end.
    turning = _row(plan, 1)
    assert turning.start == plan.first_day
    assert turning.chosen.lead_time_days == planning.DEFAULT_LEAD_TIME_DAYS
    assert heat.start >= max(plan.order_day, turning.end)
    assert heat.end_hour - heat.start_hour == 8 * planning.HOURS_PER_DAY


def test_a_faster_dearer_partner_when_only_it_meets_the_due_date(world, owner):
    slow = _shop("安いが遅い熱処理", km_east=1, lead_time_days=15)
    fast = _shop("高いが速い熱処理", km_east=1, lead_time_days=3)
    _past_quote(world.company, slow, HEAT, price=100_000)
    _past_quote(world.company, fast, HEAT, price=150_000)
    job = _job(world, route=((HEAT, False),))
    deadline = timezone.now() + dt.timedelta(days=1)
    calendar = WorkingDays(timezone.localdate())
    order_day = calendar.day_of_start(planning._ready_after(calendar, deadline))
    # Due on the 6th working day from the order: 3 days + transport fit, 15 do not.
    job.due_date = calendar.day_of_end(calendar.hour_of_day_start(order_day) + 6 * 8)
    job.save()

    plan = network_plan(user=owner, job=job, answer_deadline=deadline)

    heat = _row(plan, 1)
    assert heat.performer == fast
    assert heat.start == order_day
    assert plan.due_met is True
    assert plan.total_known == 150_000 + 2 * 3_100
    arrival = format_date(heat.others[0].finish)
    assert heat.why == [f"より安い 安いが遅い熱処理 では納期に間に合いません ({arrival} 着)。"]
    assert heat.others[0].finish > job.due_date

    # With a due date nobody meets, the least late wins and the lateness is said.
    job.due_date = order_day
    job.save()
    late = network_plan(user=owner, job=job, answer_deadline=deadline)
    assert _row(late, 1).performer == fast
    assert _row(late, 1).why[0].startswith("より安い 安いが遅い熱処理 では、さらに遅れます")
    assert late.due_met is False
    # 3 days of work and 2 × 3 h of transport from the order day's start: 4th working day.
    assert late.days_late == 3
    assert late.arrival == calendar.day_of_end(calendar.hour_of_day_start(order_day) + 3 * 8 + 6)


def test_transport_time_by_distance_shows_in_the_dates(world, owner):
    _shop("遠方熱処理", km_east=30, lead_time_days=2)
    job = _job(world, route=((HEAT, False),))
    plan = network_plan(user=owner, job=job)
    heat, delivery = _row(plan, 1), plan.rows[-1]
    assert heat.transport.hours == 4
    assert heat.transport.km == pytest.approx(30, abs=0.3)
    assert delivery.transport.hours == 4
    assert delivery.start_hour == heat.end_hour + 4
    assert heat.chosen.price.yen is None  # no quote anywhere: unknown
    assert plan.unknown_prices == 1
    assert plan.total_known == 2 * heat.transport.yen

    Capability.objects.filter(company__name="遠方熱処理").delete()
    _shop("近所熱処理", km_east=1, lead_time_days=2)
    near = network_plan(user=owner, job=job)
    assert _row(near, 1).transport.hours == 3
    assert near.rows[-1].start_hour == _row(near, 1).end_hour + 3


def test_with_unknown_prices_the_nearer_shop_wins_on_transport(world, owner):
    _shop("遠い熱処理", km_east=15, lead_time_days=3)
    _shop("近い熱処理", km_east=2, lead_time_days=3)
    plan = network_plan(user=owner, job=_job(world, route=((HEAT, False),)))
    assert _row(plan, 1).performer.name == "近い熱処理"


def test_done_and_ordered_steps_are_respected(world, owner):
    ordered_shop = _shop("発注済み熱処理", km_east=5, lead_time_days=4)
    _shop("もっと安い熱処理", km_east=1, lead_time_days=2)
    plater = _shop("めっき工業", km_east=2, code=PLATING, lead_time_days=3)
    job = _job(world, route=(("cutting.turning.nc_lathe", True), (HEAT, False), (PLATING, False)))
    Step.objects.filter(job=job, position=1).update(status="done")
    Step.objects.filter(job=job, position=2).update(performer=ordered_shop, status="ordered")

    plan = network_plan(user=owner, job=job)

    assert [s.position for s in plan.skipped] == [1]
    assert [r.step.position for r in plan.rows if r.step] == [2, 3]
    heat = _row(plan, 2)
    assert heat.kind == "fixed"
    assert heat.performer == ordered_shop
    assert heat.candidates == [heat.chosen]  # never replaced by a cheaper shop
    assert heat.chosen.lead_time_days == 4
    assert heat.start == plan.first_day  # already ordered: starts now, not after the RFQs
    plating = _row(plan, 3)
    assert plating.kind == "proposed"
    assert plating.performer == plater
    assert plating.transport_from == ordered_shop
    assert plating.transport.km == pytest.approx(3, abs=0.1)
    assert [p.step.position for p in plan.proposed] == [3]


def test_planned_dates_give_the_duration_of_a_fixed_step(world, owner):
    _shop("熱処理", lead_time_days=2)
    job = _job(world)
    calendar = WorkingDays(timezone.localdate())
    end = calendar.day_of_end(3 * 8)
    Step.objects.filter(job=job, position=1).update(planned_start=calendar.first, planned_end=end)
    turning = _row(network_plan(user=owner, job=job), 1)
    assert turning.chosen.lead_time_days == 3
    assert turning.end == end


def test_price_estimates_follow_the_documented_rules(world, owner):
    shop = _shop("見積実績あり", lead_time_days=3)
    stranger_buyer = CompanyFactory(name="よその発注元")
    for unit in (2_000, 3_000, 10_000):
        _past_quote(world.company, shop, HEAT, price=unit * 10, quantity=10)
    # Its quotes to another buyer are not the owner's to read one by one.
    for _ in range(2):
        _past_quote(stranger_buyer, shop, HEAT, price=1_000 * 50)
    book = planning.PriceBook(user=owner, owner=world.company, process=process(HEAT), quantity=50)
    assert book.estimate(shop).yen == 3_000 * 50  # the median unit price × quantity
    # The network's range needs independent, established shops (test_network_prices).
    other = _shop("実績なし熱処理")
    assert book.estimate(other) == planning.PriceEstimate(None, "価格の手がかりなし (不明)")
    then = timezone.now() - dt.timedelta(days=120)
    for name, unit in (("二社目", 4_000), ("三社目", 5_000), ("四社目", 6_000), ("五社目", 8_000)):
        for _ in range(2):
            _past_quote(stranger_buyer, _shop(name), HEAT, price=unit * 50)
    Company.objects.exclude(pk=world.company.pk).update(created_at=then)
    book = planning.PriceBook(user=owner, owner=world.company, process=process(HEAT), quantity=50)
    # One value per shop from 5 shops and 10 quotes: 1,000 4,000 5,000 6,000 8,000; the
    # quartiles by nearest rank 4,000 and 6,000, the middle 5,000, × 50.
    estimate = book.estimate(other)
    assert (estimate.low, estimate.yen, estimate.high) == (200_000, 250_000, 300_000)
    assert "ネットワークの相場" in estimate.basis


def test_a_step_with_an_open_rfq_chooses_among_the_shops_asked(world, owner):
    from machikoba.network import services
    from machikoba.network.tests.factories import deadline

    asked = _shop("依頼済み熱処理", lead_time_days=9)
    _shop("依頼していない熱処理", lead_time_days=1)
    plater = _shop("めっき工業", code=PLATING, lead_time_days=3)
    job = _job(world, route=((HEAT, False), (PLATING, False)))
    services.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=1)],
        recipients=[asked],
        deadline=deadline(),
    )
    plan = network_plan(user=owner, job=job)
    heat = _row(plan, 1)
    assert heat.kind == "requested"
    assert [c.company for c in heat.candidates] == [asked]
    assert [r.performer for r in plan.proposed] == [plater]


def test_bad_cases_are_refused_with_a_message(world, owner):
    job = _job(world, route=(("cutting.turning.nc_lathe", True),))
    with pytest.raises(ApplicationError) as nothing:
        network_plan(user=owner, job=job)
    assert nothing.value.code == "plan_nothing_to_plan"

    job = _job(world, route=((HEAT, False), (PLATING, False)))
    _shop("熱処理だけ", lead_time_days=2)
    with pytest.raises(ApplicationError) as nobody:
        network_plan(user=owner, job=job)
    assert nobody.value.code == "plan_no_partner"
    assert "2. 硬質クロムめっき に対応できる企業が見つかりません" in str(nobody.value.message)

    Job.objects.filter(pk=job.pk).update(status="cancelled")
    job.refresh_from_db()
    with pytest.raises(ApplicationError) as closed:
        network_plan(user=owner, job=job)
    assert closed.value.code == "job_not_open"


def test_only_the_owners_people_get_a_plan(world, owner):
    _shop("熱処理", lead_time_days=2)
    job = _job(world)
    assert network_plan(user=world.users[FLOOR_WORKER], job=job).proposed
    with pytest.raises(PermissionRefused):
        network_plan(user=world.users[OTHER_COMPANY], job=job)


def test_the_proposal_is_stable(world, owner):
    for index in range(4):
        _shop(f"同条件熱処理{index}", km_east=1, lead_time_days=3)
    job = _job(world)
    first = [r.performer.pk for r in network_plan(user=owner, job=job).rows]
    for _ in range(2):
        assert [r.performer.pk for r in network_plan(user=owner, job=job).rows] == first


def test_an_ordered_step_ends_on_its_orders_delivery_date(world, owner):
    from machikoba.companies.choices import CompanyRole
    from machikoba.core.testing.factories import MembershipFactory
    from machikoba.network import services
    from machikoba.network.tests.factories import deadline, order_terms

    heat = _shop("受注した熱処理", lead_time_days=2)
    heat_owner = MembershipFactory(company=heat, role=CompanyRole.OWNER).user
    _shop("めっき工業", code=PLATING, lead_time_days=3)
    job = _job(world, route=((HEAT, False), (PLATING, False)))
    rfq = services.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=1)],
        recipients=[heat],
        deadline=deadline(),
    )
    recipient = rfq.recipients.get()
    services.quote_submit(
        actor=heat_owner,
        recipient=recipient,
        price=80_000,
        lead_time_days=2,
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )
    delivery = timezone.localdate() + dt.timedelta(days=10)
    services.rfq_award(
        actor=owner, rfq=rfq, winner=recipient, **order_terms(delivery_date=delivery)
    )

    plan = network_plan(user=owner, job=job)
    ordered = _row(plan, 1)
    assert ordered.kind == "fixed"
    assert ordered.performer == heat
    calendar = WorkingDays(timezone.localdate())
    assert ordered.chosen.lead_time_days == calendar.days_up_to(delivery)
    # The parts first travel from the owner (≈1 km: 3 h), then the working days to the
    # delivery date run: the order's dates, not the shop's declared 2 days.
    assert ordered.start == plan.first_day
    assert ordered.end_hour == 3 + 8 * calendar.days_up_to(delivery)


def test_an_in_house_step_takes_its_dates_from_the_shops_machine_plan(world, owner):
    from machikoba.shopfloor.models import PlannedOperation, ScheduleRun
    from machikoba.shopfloor.tests.factories import machines

    _shop("熱処理", lead_time_days=2)
    job = _job(world)
    turning_step = Step.objects.get(job=job, position=1)
    calendar = WorkingDays(timezone.localdate())
    first, last = calendar.day_of_start(0), calendar.day_of_end(4 * 8)
    lathe = machines(world.company)["nc"]
    run = ScheduleRun.objects.create(company=world.company, status="done", origin=timezone.now())
    tz = timezone.get_current_timezone()
    for position, day in enumerate((first, last)):
        start = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
        PlannedOperation.objects.create(
            run=run,
            step=turning_step,
            job_key="s",
            position=position,
            equipment=lathe,
            start=start,
            end=start + dt.timedelta(hours=6),
        )

    turning = _row(network_plan(user=owner, job=job), 1)

    assert turning.chosen.lead_time_days == 4
    assert turning.end == last
    assert "設備の計画" in turning.chosen.lead_time_basis
