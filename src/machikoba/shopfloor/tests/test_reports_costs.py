"""Reads of the 日報 other pages and helpers build on: the actual cost per job (approved
entries only, company-only), ``approved_entries`` for the metrics, the steps a worker may
pick and the machine the form starts with."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from machikoba.core.testing.factories_floor import (
    MANUAL,
    approved_entry,
    floor,
    floor_machines,
    in_house_step,
    make_entry,
    make_report,
    partner_step,
)
from machikoba.network import services as network
from machikoba.network.choices import JobStatus
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.models import machine_key
from machikoba.shopfloor.selectors_reports import (
    approved_entries,
    default_machine,
    job_costs,
    workable_steps,
    yen_for,
)
from machikoba.shopfloor.services_reports import EntryFields

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def shop(db):
    people = floor()
    machines = floor_machines(people.shop)
    own = in_house_step(people.owner, people.shop, name="自社の軸")
    for_customer, order = partner_step(
        customer=people.customer,
        customer_owner=people.customer_owner,
        shop=people.shop,
        shop_owner=people.owner,
        price=54_000,
    )
    return people, machines, own, for_customer, order


def test_yen_rounds_half_up():
    assert yen_for(90, 3000) == 4500
    assert yen_for(1, 100) == 2  # 1.67
    assert yen_for(1, 90) == 2  # 1.5
    assert yen_for(1, 89) == 1  # 1.48
    assert yen_for(0, 5000) == 0


def test_a_jobs_actual_cost_counts_approved_work_at_the_rates_against_its_order(shop):
    people, machines, own, for_customer, _order = shop
    services.cost_rates_set(
        actor=people.owner, company=people.shop, labour_yen_per_hour=3000, machine_yen_per_hour=1500
    )
    worker, nc = people.worker, machines["nc"]
    approved_entry(people.shop, worker, own, minutes=90, equipment=nc)
    approved_entry(people.shop, people.staff, own, minutes=30)  # by hand
    approved_entry(
        people.shop,
        worker,
        for_customer,
        minutes=60,
        equipment=nc,
        machine_minutes=100,
        day=timezone.localdate() - dt.timedelta(days=1),
    )
    waiting = make_report(
        people.shop, people.owner, status=ReportStatus.SUBMITTED
    )  # not approved yet
    make_entry(waiting, for_customer, minutes=45, equipment=nc)

    rows = {row.job.pk: row for row in job_costs(people.owner, people.shop)}
    mine = rows[own.job_id]
    assert (mine.for_partner, mine.labour_minutes, mine.machine_minutes) == (False, 120, 90)
    assert (mine.labour_yen, mine.machine_yen, mine.cost_yen) == (6000, 2250, 8250)
    assert (mine.revenue_yen, mine.margin_yen, mine.outsourced_yen) == (None, None, None)
    theirs = rows[for_customer.job_id]
    assert (theirs.for_partner, theirs.labour_minutes, theirs.machine_minutes) == (True, 60, 100)
    assert (theirs.labour_yen, theirs.machine_yen, theirs.cost_yen) == (3000, 2500, 5500)
    assert (theirs.revenue_yen, theirs.margin_yen, theirs.pending_minutes) == (54_000, 48_500, 45)
    assert [s.pk for s in theirs.steps] == [for_customer.pk]


def test_an_own_job_counts_what_was_paid_to_partners(shop):
    people, _machines, _own, _for_customer, _order = shop
    # The shop's own job: turning ordered from the customer (as a partner) for 20,000;
    # its in-house grinding is the shop's.
    turning, _ = partner_step(
        customer=people.shop,
        customer_owner=people.owner,
        shop=people.customer,
        shop_owner=people.customer_owner,
        name="外注した軸",
        price=20_000,
    )
    grinding = turning.job.steps.get(position=2)
    services.cost_rates_set(
        actor=people.owner, company=people.shop, labour_yen_per_hour=6000, machine_yen_per_hour=0
    )
    approved_entry(people.shop, people.worker, grinding, minutes=30)
    row = next(r for r in job_costs(people.owner, people.shop) if r.job.pk == turning.job_id)
    assert (row.labour_yen, row.outsourced_yen, row.cost_yen) == (3000, 20_000, 23_000)
    assert [s.pk for s in row.steps] == [grinding.pk]


def test_the_buyer_officers_and_floor_workers_see_no_cost_of_the_shop(shop):
    people, machines, _own, for_customer, _order = shop
    services.cost_rates_set(
        actor=people.owner, company=people.shop, labour_yen_per_hour=3000, machine_yen_per_hour=1500
    )
    approved_entry(people.shop, people.worker, for_customer, minutes=600, equipment=machines["nc"])
    for outsider in (people.customer_owner, people.officer, people.worker):
        assert job_costs(outsider, people.shop) == []
    # The buyer's own page has the job (it performs its grinding), with what it pays the
    # shop, and none of the shop's minutes.
    buyer_rows = job_costs(people.customer_owner, people.customer)
    row = next(r for r in buyer_rows if r.job.pk == for_customer.job_id)
    assert (row.labour_minutes, row.machine_minutes, row.labour_yen) == (0, 0, 0)
    assert row.outsourced_yen == 54_000
    assert row.revenue_yen is None


def test_approved_entries_by_day(shop):
    people, machines, own, for_customer, _order = shop
    today = timezone.localdate()
    counted = approved_entry(people.shop, people.worker, own, minutes=90, equipment=machines["nc"])
    make_entry(make_report(people.shop, people.staff, status=ReportStatus.DRAFT), own)
    make_entry(make_report(people.shop, people.owner, status=ReportStatus.SUBMITTED), own)
    make_entry(
        make_report(
            people.shop,
            people.staff,
            day=today - dt.timedelta(days=1),
            status=ReportStatus.RETURNED,
        ),
        own,
    )
    yesterday = approved_entry(
        people.shop, people.owner, for_customer, day=today - dt.timedelta(days=1)
    )
    elsewhere = floor_machines(people.customer)["nc"]
    approved_entry(
        people.customer,
        people.customer_owner,
        for_customer.job.steps.get(position=2),
        equipment=elsewhere,
    )

    assert list(approved_entries(people.shop, today, today + dt.timedelta(days=1))) == [counted]
    week = approved_entries(people.shop, today - dt.timedelta(days=6), today + dt.timedelta(days=1))
    assert sorted(e.pk for e in week) == sorted([counted.pk, yesterday.pk])
    row = week.get(pk=counted.pk)
    assert (row.equipment, row.machine_time, row.report.date) == (machines["nc"], 90, today)


def test_approved_entries_in_a_time_window(shop):
    people, _machines, own, _for_customer, _order = shop
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    morning = dt.datetime.combine(today, dt.time(8, 0), tzinfo=tz)
    timed = approved_entry(
        people.shop,
        people.worker,
        own,
        minutes=60,
        started_at=morning + dt.timedelta(hours=1),
        ended_at=morning + dt.timedelta(hours=2),
    )
    typed = make_entry(timed.report, own, minutes=30)  # no start: counts on its day
    afternoon = dt.datetime.combine(today, dt.time(13, 0), tzinfo=tz)
    assert sorted(e.pk for e in approved_entries(people.shop, morning, afternoon)) == sorted(
        [timed.pk, typed.pk]
    )
    later = approved_entries(people.shop, afternoon, afternoon + dt.timedelta(hours=4))
    assert [e.pk for e in later] == [typed.pk]
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    assert not approved_entries(people.shop, tomorrow, tomorrow + dt.timedelta(hours=8)).exists()
    with pytest.raises(TypeError):
        approved_entries(people.shop, today, afternoon)


def test_the_steps_a_worker_may_pick(shop, frozen_clock):
    people, _machines, own, for_customer, _order = shop
    customers_grinding = for_customer.job.steps.get(position=2)
    cancelled = in_house_step(people.owner, people.shop, name="中止した軸")
    cancelled.job.status = JobStatus.CANCELLED
    cancelled.job.save()
    started = in_house_step(people.owner, people.shop, name="着手した軸")
    network.step_start(actor=people.owner, step=started)
    finished = in_house_step(people.owner, people.shop, name="今日終わった軸")
    network.step_start(actor=people.owner, step=finished)
    network.step_finish(actor=people.owner, step=finished)

    today = timezone.localdate()
    picked = workable_steps(people.worker, people.shop, today)
    ids = [c.step.pk for c in picked]
    assert ids[0] == started.pk  # in progress first
    assert set(ids) == {own.pk, for_customer.pk, started.pk, finished.pk}
    assert customers_grinding.pk not in ids
    assert next(c for c in picked if c.step.pk == for_customer.pk).for_partner
    # Another company's people pick none of them.
    assert workable_steps(people.customer_owner, people.shop, today) == []

    frozen_clock.move_to(timezone.now() + dt.timedelta(days=1))
    later = [c.step.pk for c in workable_steps(people.worker, people.shop, timezone.localdate())]
    assert finished.pk not in later


def test_the_form_starts_with_the_steps_only_machine_or_the_last_one_used(shop):
    people, machines, own, _for_customer, _order = shop
    # Turning on NC lathes: two units, no default.
    assert default_machine(people.worker, people.shop, own) == ""
    manual = in_house_step(people.owner, people.shop, name="手で削る軸", code=MANUAL)
    assert default_machine(people.worker, people.shop, manual) == machine_key(
        machines["manual"].pk, 1
    )
    services.entry_record(
        actor=people.worker,
        company=people.shop,
        step=own,
        idempotency_key=uuid.uuid4(),
        fields=EntryFields(minutes=30, equipment=machines["nc"], unit=2),
    )
    assert default_machine(people.worker, people.shop, own) == machine_key(machines["nc"].pk, 2)
    # Another worker's habit is their own.
    assert default_machine(people.staff, people.shop, own) == ""
