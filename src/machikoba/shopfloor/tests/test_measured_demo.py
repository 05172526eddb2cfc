"""The demo floor (shopfloor.demo.seed_floor after telemetry.demo.seed_machines): the 日報
of the last working days, approved and matching the machines' history, so that the plan
starts from measured times and the figures (OEE, the Pareto, the trend) show at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.testing.clock import clock_at, working_day
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, STAFF
from machikoba.network.choices import StepStatus
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.demo import MANUAL, NC, seed_floor
from machikoba.shopfloor.measured import Basis
from machikoba.shopfloor.metrics.metrics_page import metrics_page
from machikoba.shopfloor.metrics.periods import default_period
from machikoba.shopfloor.models import DailyReport, ReportEntry
from machikoba.shopfloor.selectors import step_rows
from machikoba.shopfloor.tests.factories import in_house_job, machines
from machikoba.telemetry.demo import seed_machines
from machikoba.telemetry.simulator import ShopHours

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

HOURS = ShopHours()


def _seed(world):
    owner = world.users[MEMBER]
    monitored = seed_machines(company=world.company, hours=HOURS)
    return seed_floor(
        company=world.company,
        owner=owner,
        workers={NC: world.users[FLOOR_WORKER], MANUAL: world.users[STAFF]},
        machines=monitored,
        hours=HOURS,
    )


def test_the_demo_floor_reports_its_week_and_plans_from_it(world):
    owner = world.users[MEMBER]
    machines(world.company)  # two NC lathes, a manual lathe
    _a, (spacer,) = in_house_job(owner, world.company, name="スペーサー", quantity=300)
    _b, (bush,) = in_house_job(owner, world.company, codes=(MANUAL,), name="ブッシュ", quantity=40)
    morning = dt.datetime.combine(
        working_day(1), dt.time(9, 0), tzinfo=timezone.get_current_timezone()
    )

    with clock_at(morning):
        written = _seed(world)
        again = _seed(world)
        rows = {row.step.pk: row for row in step_rows(user=owner, company=world.company)}
        page = metrics_page(owner, world.company, default_period(timezone.localdate()))

    reports = DailyReport.objects.filter(company=world.company)
    assert written == reports.count() > 0
    assert again == 0
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.APPROVED}
    days = sorted(set(reports.values_list("date", flat=True)))
    assert len(days) == 7
    assert max(days) < morning.date()
    # The NC lathes with 「開始」/「終了」 (their times), the manual lathe typed; the counts
    # are what the machines made.
    timed = ReportEntry.objects.filter(report__company=world.company, started_at__isnull=False)
    assert set(timed.values_list("report__worker", flat=True)) == {world.users[FLOOR_WORKER].pk}
    assert set(timed.values_list("step__process__code", flat=True)) == {NC}
    typed = ReportEntry.objects.filter(
        report__company=world.company, started_at__isnull=True, equipment__isnull=False
    )
    assert set(typed.values_list("step__process__code", flat=True)) == {MANUAL}
    assert all(entry.good > 0 for entry in timed)
    # The lots are finished jobs; the plan's open steps of those parts start from them.
    past = ReportEntry.objects.filter(report__company=world.company).values_list(
        "step__status", flat=True
    )
    assert set(past) == {StepStatus.DONE}
    assert rows[spacer.pk].basis == Basis.MACHINE
    assert rows[bush.pk].basis == Basis.REPORTS
    # The figures have values at once: 稼働率 and OEE of each reported day (the trend),
    # the downtime Pareto.
    trend = {row.day: row for row in page.trend}
    for day in days:
        utilisation, oee = trend[day].utilisation.ratio.value, trend[day].oee.ratio.value
        assert utilisation is not None
        assert oee is not None
        assert 0 < oee < 1
        assert 0 < utilisation < 1
    assert len(page.pareto) >= 3
