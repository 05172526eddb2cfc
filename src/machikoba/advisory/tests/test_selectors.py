"""Reads: workload against capacity, overdue phases, the monthly roll-up (worked by hand),
measurement changes, the home summaries, and the closing report PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from machikoba.advisory import selectors, services
from machikoba.advisory.choices import Better, EngagementStatus, PhaseStatus
from machikoba.advisory.closing_report_pdf import closing_report_pdf
from machikoba.advisory.models import Engagement, Measurement, Phase
from machikoba.advisory.tests.conftest import make_advisor
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, ward
from machikoba.core.testing.factories_programs import make_engagement, make_visit

pytestmark = pytest.mark.clock_sensitive


def test_workload_counts_only_running_engagements(cast):
    make_engagement(cast.company, [cast.advisor])
    make_engagement(CompanyFactory(), [cast.advisor])
    closed = make_engagement(CompanyFactory(), [cast.advisor])
    Engagement.objects.filter(pk=closed.pk).update(status=EngagementStatus.CLOSED)
    idle = make_advisor("待機 一郎", capacity=2)
    sumida = make_advisor("墨田 二郎")
    sumida.wards.set([ward(SUMIDA)])
    rows = {r.advisor.pk: r for r in selectors.advisor_workload(user=cast.officer)}
    assert set(rows) == {cast.advisor.pk, idle.pk}  # not 墨田区's advisor
    assert (rows[cast.advisor.pk].load, rows[cast.advisor.pk].free) == (2, 1)
    assert (rows[idle.pk].load, rows[idle.pk].full) == (0, False)
    assert selectors.advisor_workload(user=cast.sumida_officer)[0].advisor == sumida
    assert selectors.advisor_workload(user=cast.owner) == []


def test_overdue_phases_are_past_due_and_not_done(cast):
    engagement = make_engagement(cast.company, [cast.advisor], started_days_ago=80)
    first, second = engagement.phases.order_by("order")[:2]  # due 36 and 72 days in: past
    Phase.objects.filter(pk=first.pk).update(status=PhaseStatus.DONE)
    overdue = selectors.overdue_phases(user=cast.officer)
    assert overdue == [second]
    assert selectors.overdue_phases(user=cast.sumida_officer) == []
    assert selectors.overdue_phases(user=cast.advisor.user) == []
    row = selectors.engagements_overview(user=cast.officer)[0]
    assert row.overdue == [second]
    assert row.done == 1
    assert row.current == second


def test_the_roll_up_pays_signed_off_minutes_at_the_hourly_fee(cast):
    """90 + 150 signed-off minutes at ¥8,000/h = 4 h = ¥32,000; 45 unsigned minutes shown
    apart and not paid; a visit of last month is not in this month."""
    engagement = make_engagement(cast.company, [cast.advisor], started_days_ago=90)
    today = timezone.localdate()
    # Early today (or on the 1st, when today is too); never last month.
    make_visit(
        engagement, cast.advisor, minutes=90, days_ago=0, at=dt.time(0, 10), signed_by=cast.owner
    )
    make_visit(
        engagement, cast.advisor, minutes=150, days_ago=0, at=dt.time(2, 0), signed_by=cast.owner
    )
    make_visit(engagement, cast.advisor, minutes=45, days_ago=0, at=dt.time(5, 0))
    make_visit(engagement, cast.advisor, minutes=600, days_ago=today.day + 3, signed_by=cast.owner)
    rollup = selectors.hours_rollup(user=cast.officer, month=today)
    (row,) = rollup.rows
    assert (row.signed_minutes, row.unsigned_minutes, row.visits) == (240, 45, 3)
    assert row.amount == 32_000
    assert rollup.amount == 32_000
    assert selectors.hours_rollup(user=cast.sumida_officer, month=today).rows == []


def test_payable_amount_rounds_half_up_to_the_yen():
    assert selectors.payable_amount(240, 8000) == 32_000
    assert selectors.payable_amount(1, 8000) == 133  # 133.33…
    assert selectors.payable_amount(1, 8010) == 134  # 133.5 → 134
    assert selectors.payable_amount(0, 8000) == 0


def test_the_month_picker_falls_back_to_this_month():
    this_month = timezone.localdate().replace(day=1)
    assert selectors.parse_month("2030-02") == dt.date(2030, 2, 1)
    assert selectors.parse_month("garbage") == this_month
    assert selectors.parse_month("2030-13") == this_month
    assert selectors.parse_month(None) == this_month


@pytest.mark.parametrize(
    ("better", "before", "after", "percent", "improved"),
    [
        (Better.LOWER, "240", "60", Decimal("-75.0"), True),
        (Better.LOWER, "10", "12", Decimal("20.0"), False),
        (Better.HIGHER, "62.5", "75", Decimal("20.0"), True),
        (Better.HIGHER, "0", "5", None, True),
        (Better.HIGHER, "5", "5", Decimal("0.0"), None),
    ],
)
def test_measurement_change(better, before, after, percent, improved):
    m = Measurement(
        name="x",
        unit="分",
        better=better,
        before_value=Decimal(before),
        before_on=timezone.localdate(),
        after_value=Decimal(after),
        after_on=timezone.localdate(),
    )
    change = selectors.measurement_change(m)
    assert change is not None
    assert (change.percent, change.improved) == (percent, improved)


def test_summaries_for_the_homes(cast):
    engagement = make_engagement(cast.company, [cast.advisor], started_days_ago=80)
    make_visit(engagement, cast.advisor, minutes=60, days_ago=0)
    summary = selectors.advisor_home_summary(user=cast.advisor.user)
    assert summary is not None
    assert (summary.engagements, summary.overdue, summary.minutes_this_month) == (1, 1, 60)
    assert selectors.advisor_home_summary(user=cast.owner) is None
    company = selectors.company_home_summary(user=cast.owner, company=cast.company)
    assert (company.visits_to_sign_off, company.active_engagement) == (1, True)
    assert (
        selectors.company_home_summary(user=cast.staff, company=cast.company).visits_to_sign_off
        == 0
    )
    office = selectors.officer_home_summary(user=cast.officer)
    assert (office.active_engagements, office.overdue_phases, office.unsigned_visits) == (1, 2, 1)
    assert selectors.officer_home_summary(user=cast.sumida_officer).active_engagements == 0


def test_the_closing_report_is_a_japanese_pdf(cast):
    engagement = make_engagement(cast.company, [cast.advisor], started_days_ago=30)
    make_visit(engagement, cast.advisor, minutes=90, signed_by=cast.owner)
    services.measurement_add(
        actor=cast.officer,
        engagement=engagement,
        name="見積作成時間",
        unit="分",
        better=Better.LOWER,
        before_value=Decimal("240"),
        before_on=timezone.localdate() - dt.timedelta(days=20),
    )
    page = selectors.engagement_page(user=cast.officer, engagement=engagement)
    data = closing_report_pdf(page)
    assert data.startswith(b"%PDF")
    assert b"IPAexGothic" in data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "蒲田精機株式会社" in text
    assert "見積作成時間" in text
    assert "課題整理" in text


@pytest.mark.django_db
def test_the_office_is_offered_its_wards_dojo_graduates_not_yet_supported():
    from machikoba.advisory.choices import RequestStatus
    from machikoba.advisory.selectors import graduates_to_propose
    from machikoba.core.testing.factories import SUMIDA, CompanyFactory, WardRoleFactory, ward
    from machikoba.core.testing.factories_programs import (
        ApplicationFactory,
        SupportRequestFactory,
        make_engagement,
        make_graduate,
    )

    ota_officer = WardRoleFactory(role="officer").user
    sumida_officer = WardRoleFactory(role="officer", municipality=ward(SUMIDA)).user
    newer = make_graduate(ApplicationFactory(), graduated_days_ago=10)
    older = make_graduate(ApplicationFactory(), graduated_days_ago=40)
    engaged = make_graduate(ApplicationFactory(), graduated_days_ago=5)
    make_engagement(engaged.company)
    pending = make_graduate(ApplicationFactory(), graduated_days_ago=6)
    SupportRequestFactory(company=pending.company, status=RequestStatus.PROPOSED)
    elsewhere = CompanyFactory(ward=ward(SUMIDA))
    make_graduate(ApplicationFactory(company=elsewhere), graduated_days_ago=3)

    assert graduates_to_propose(user=ota_officer) == [newer, older]
    assert graduates_to_propose(user=sumida_officer) == []
