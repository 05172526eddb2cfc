"""The ward's aggregates (issue 22, point 5): officers get counts, a median and a mean of
the 稼働率 of their ward's companies, suppressed below three companies, never a
company's own figure; officers of another ward, companies and metro viewers get nothing.

Each company here has one machine, a default calendar (Monday–Friday 08:30–17:30, 540
minutes a working day) and, on one working day of the period, producing rows of a known
length inside the calendar day; the period is that single day, so each company's 稼働率
is its producing minutes ÷ 540."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.testing.clock import working_day
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    ward,
)
from machikoba.core.testing.factories_floor import (
    approved_entry,
    floor_machines,
    in_house_step,
    make_report,
)
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.metrics.periods import Period
from machikoba.shopfloor.metrics.ward import WardFloorRow, ward_floor_summary

pytestmark = pytest.mark.clock_sensitive


def nine(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())


def monitored_company(day: dt.date, producing_minutes: int, *, municipality=None):
    company = CompanyFactory(**({"ward": municipality} if municipality else {}))
    machine = make_machine(company, name="NC")
    spans = [("producing", producing_minutes)]
    if producing_minutes < 480:
        spans.append(("idle", 480 - producing_minutes))
    make_intervals(machine, nine(day), [*spans, None])
    return company


@pytest.fixture
def day(db):
    return working_day(-2)


@pytest.fixture
def officer(db):
    return WardRoleFactory(role=WardRole.OFFICER).user


def _row(summary) -> WardFloorRow:
    (row,) = summary.rows
    return row


def test_two_companies_are_too_few_for_a_median(officer, day):
    monitored_company(day, 270)
    monitored_company(day, 405)
    row = _row(ward_floor_summary(officer, period=Period(day, day)))
    assert row.municipality == "大田区"
    assert row.monitoring_companies == 2
    assert row.utilisation.contributors == 2
    assert row.utilisation.suppressed
    assert row.utilisation.median is None
    assert row.utilisation.mean is None
    assert row.median_text == "—"
    assert "2 社" in row.note


def test_three_companies_give_the_median_and_mean_of_their_utilisation(officer, day):
    # 270 / 540 = 50 %, 405 / 540 = 75 %, 108 / 540 = 20 %
    for minutes in (270, 405, 108):
        monitored_company(day, minutes)
    # A company of another ward does not count for this officer.
    monitored_company(day, 480, municipality=ward(SUMIDA))
    row = _row(ward_floor_summary(officer, period=Period(day, day)))
    assert row.monitoring_companies == 3
    assert not row.utilisation.suppressed
    assert row.utilisation.median == pytest.approx(0.5)
    assert row.utilisation.mean == pytest.approx((0.5 + 0.75 + 0.2) / 3)
    assert row.median_text == "50.0%"
    assert row.note == ""


def test_companies_filing_daily_reports_are_counted_and_report_only_machines_contribute(
    officer, day
):
    monitored_company(day, 270)
    monitored_company(day, 405)
    # A shop without monitoring whose approved 日報 says its lathe ran 216 minutes (40 %).
    shop = CompanyFactory()
    owner = MembershipFactory(company=shop).user
    lathe = floor_machines(shop)["manual"]
    approved_entry(shop, owner, in_house_step(owner, shop), day=day, equipment=lathe, minutes=216)
    # A shop whose report is still a draft files nothing yet.
    drafting = CompanyFactory()
    make_report(drafting, MembershipFactory(company=drafting).user, day=day)
    # A shop that submitted (not yet approved): filing, but no figure.
    submitted = CompanyFactory()
    make_report(
        submitted, MembershipFactory(company=submitted).user, day=day, status=ReportStatus.SUBMITTED
    )
    row = _row(ward_floor_summary(officer, period=Period(day, day)))
    assert row.reporting_companies == 2  # the approved one and the submitted one
    assert row.monitoring_companies == 2
    assert row.utilisation.contributors == 3
    assert row.utilisation.median == pytest.approx(0.5)
    assert row.utilisation.mean == pytest.approx((0.5 + 0.75 + 0.4) / 3)


def test_nobody_but_the_wards_officers_gets_anything(day):
    companies = [monitored_company(day, minutes) for minutes in (270, 405, 108)]
    other_officer = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user
    row = _row(ward_floor_summary(other_officer, period=Period(day, day)))
    assert (row.municipality, row.monitoring_companies, row.utilisation.contributors) == (
        "墨田区",
        0,
        0,
    )
    owner = MembershipFactory(company=companies[0]).user
    metro = WardRoleFactory(role=WardRole.METRO_VIEWER).user
    for person in (owner, metro):
        assert ward_floor_summary(person, period=Period(day, day)).rows == []


def test_no_company_figure_leaves_the_summary(officer, day):
    """The answer holds counts and the spread only: no field names a company or holds
    one company's value."""
    for minutes in (270, 405, 108):
        monitored_company(day, minutes)
    row = _row(ward_floor_summary(officer, period=Period(day, day)))
    fields = {f.name for f in dataclasses.fields(row)}
    assert fields == {
        "municipality",
        "reporting_companies",
        "monitoring_companies",
        "utilisation",
        "note",
    }
    assert {f.name for f in dataclasses.fields(row.utilisation)} == {
        "contributors",
        "median",
        "mean",
        "suppressed",
    }


def test_the_default_period_is_the_last_30_days(officer):
    summary = ward_floor_summary(officer)
    today = timezone.localdate()
    assert summary.period == Period(today - dt.timedelta(days=29), today)
