"""The yearly value-added figures: answering (validation in Japanese, nothing stored on a
refusal), the survey of companies that received nothing (recipients, idempotence), the
scheduled reports requested when their fiscal year ends, and the weekly reminders of what
is due within 14 days or overdue (time frozen)."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from machikoba.companies.choices import CompanyKind
from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.core.models import Notification
from machikoba.core.testing.clock import TOKYO
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, ward
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import make_after
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies.choices import ApplicationStatus, ValueAddedKind, ValueAddedStatus
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode as E
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.services.payments import report_due_on
from machikoba.subsidies.services.value_added import (
    business_reports_request_due,
    value_added_remind,
    value_added_submit,
    value_added_survey_send,
)
from machikoba.subsidies.tasks import value_added_reports

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _business_report(application=None, *, year_index=1, status=ValueAddedStatus.REQUESTED, **f):
    application = application or make_after(status=ApplicationStatus.PAID)
    year = fiscal_year(timezone.localdate()) - 1 + (year_index - 1)
    values = {
        "company": application.company,
        "municipality": application.stage.call.municipality,
        "kind": ValueAddedKind.BUSINESS_REPORT,
        "application": application,
        "year_index": year_index,
        "fiscal_year": year,
        "status": status,
        "requested_at": timezone.now() if status == ValueAddedStatus.REQUESTED else None,
        "due_on": report_due_on(year),
    }
    values.update(f)
    return ValueAddedReport.objects.create(**values)


# --- answering -------------------------------------------------------------------------------


def test_company_answers_and_may_correct():
    report = _business_report()
    owner = make_applicant(report.company)
    value_added_submit(
        actor=owner, report=report, sales=80_000_000, external_costs=95_000_000, employees=0
    )
    report.refresh_from_db()
    assert report.status == ValueAddedStatus.SUBMITTED
    assert report.value_added == -15_000_000  # negative value added is an answer too
    assert report.employees == 0
    value_added_submit(
        actor=owner, report=report, sales=81_000_000, external_costs=50_000_000, employees=3
    )
    report.refresh_from_db()
    assert report.value_added == 31_000_000


@pytest.mark.parametrize(
    ("figures", "field", "words"),
    [
        ({"sales": None}, "sales", "売上高を入力してください"),
        ({"external_costs": None}, "external_costs", "外部購入費用を入力してください"),
        ({"employees": None}, "employees", "従業員数を入力してください"),
        ({"sales": -1}, "sales", "マイナス"),
        ({"employees": -2}, "employees", "マイナス"),
    ],
)
def test_missing_or_negative_figures_are_refused(figures, field, words):
    report = _business_report()
    owner = make_applicant(report.company)
    values = {"sales": 1_000_000, "external_costs": 400_000, "employees": 4, **figures}
    with pytest.raises(ApplicationError) as caught:
        value_added_submit(actor=owner, report=report, **values)
    assert caught.value.code == E.VALUE_ADDED_INVALID
    assert words in str(caught.value.fields[field][0])
    report.refresh_from_db()
    assert report.status == ValueAddedStatus.REQUESTED
    assert report.sales is None


def test_a_scheduled_report_waits_and_only_the_company_answers():
    report = _business_report(status=ValueAddedStatus.SCHEDULED, year_index=2)
    owner = make_applicant(report.company)
    with pytest.raises(ApplicationError) as caught:
        value_added_submit(actor=owner, report=report, sales=1, external_costs=1, employees=1)
    assert caught.value.code == E.VALUE_ADDED_NOT_OPEN
    requested = _business_report()
    for actor in (make_officer(), make_applicant(CompanyFactory())):
        with pytest.raises(ApplicationError) as caught:
            value_added_submit(
                actor=actor, report=requested, sales=1, external_costs=1, employees=1
            )
        assert caught.value.code == E.NOT_COMPANY
    requested.refresh_from_db()
    assert requested.status == ValueAddedStatus.REQUESTED


# --- the survey of companies that received nothing -------------------------------------------


@pytest.fixture
def ward_companies():
    """Four shops of the ward: two to survey, one recipient, one not verified; a buyer
    and a shop of another ward."""
    home = ward()
    plain = [CompanyFactory(ward=home, kind=CompanyKind.SHOP) for _ in range(2)]
    recipient = make_after(status=ApplicationStatus.GRANTED).company
    unverified = CompanyFactory(ward=home, kind=CompanyKind.SHOP, verified_at=None)
    buyer = CompanyFactory(ward=home, kind=CompanyKind.BUYER)
    elsewhere = CompanyFactory(ward=ward(SUMIDA), kind=CompanyKind.SHOP)
    # A company whose application was not selected received nothing: it is surveyed.
    refused = make_after(status=ApplicationStatus.NOT_SELECTED).company
    return home, [*plain, refused], [recipient, unverified, buyer, elsewhere]


def test_survey_goes_to_companies_that_received_nothing(
    ward_companies, django_capture_on_commit_callbacks
):
    home, surveyed, skipped = ward_companies
    officer = make_officer()
    owner = make_applicant(surveyed[0])
    year = fiscal_year(timezone.localdate()) - 1
    with django_capture_on_commit_callbacks(execute=True):
        sent = value_added_survey_send(actor=officer, municipality=home, fiscal_year=year)
    run_queued_tasks("notification")
    assert {r.company for r in sent} == set(surveyed)
    assert not ValueAddedReport.objects.filter(company__in=skipped).exists()
    for report in sent:
        assert report.kind == ValueAddedKind.SURVEY
        assert report.status == ValueAddedStatus.REQUESTED
        assert report.fiscal_year == year
        assert report.due_on >= timezone.localdate() + dt.timedelta(days=30)
    notice = Notification.objects.get(kind="value_added_survey_requested", user=owner)
    assert home.name in notice.body


def test_sending_twice_creates_nothing_new(ward_companies):
    home, surveyed, _skipped = ward_companies
    officer = make_officer()
    year = fiscal_year(timezone.localdate()) - 1
    value_added_survey_send(actor=officer, municipality=home, fiscal_year=year)
    assert value_added_survey_send(actor=officer, municipality=home, fiscal_year=year) == []
    assert ValueAddedReport.objects.filter(kind=ValueAddedKind.SURVEY).count() == len(surveyed)
    # A new company joins: the second sending reaches it alone.
    late = CompanyFactory(ward=home, kind=CompanyKind.SHOP)
    again = value_added_survey_send(actor=officer, municipality=home, fiscal_year=year)
    assert [r.company for r in again] == [late]


def test_survey_refused_to_another_ward_and_for_a_year_not_ended(ward_companies):
    home, _surveyed, _skipped = ward_companies
    this_year = fiscal_year(timezone.localdate())
    with pytest.raises(ApplicationError) as caught:
        value_added_survey_send(
            actor=make_officer(ward(SUMIDA)), municipality=home, fiscal_year=this_year - 1
        )
    assert caught.value.code == E.NOT_OFFICER
    with pytest.raises(ApplicationError) as caught:
        value_added_survey_send(actor=make_officer(), municipality=home, fiscal_year=this_year)
    assert caught.value.code == E.SURVEY_YEAR_INVALID
    assert not ValueAddedReport.objects.exists()


# --- the scheduler: requests and reminders -------------------------------------------------------


def _run(django_capture_on_commit_callbacks, call):
    with django_capture_on_commit_callbacks(execute=True):
        count = call()
    run_queued_tasks("notification")
    return count


def test_scheduled_reports_are_requested_once_their_year_has_ended(
    frozen_clock, django_capture_on_commit_callbacks
):
    application = make_after(status=ApplicationStatus.PAID)
    owner = make_applicant(application.company)
    this_year = fiscal_year(timezone.localdate())
    report = _business_report(
        application,
        year_index=2,
        status=ValueAddedStatus.SCHEDULED,
        fiscal_year=this_year,
        due_on=report_due_on(this_year),
    )
    year_end = fiscal_year_bounds(this_year)[1]
    frozen_clock.move_to(dt.datetime.combine(year_end, dt.time(23, 0), tzinfo=TOKYO))
    assert _run(django_capture_on_commit_callbacks, business_reports_request_due) == 0
    frozen_clock.move_to(
        dt.datetime.combine(year_end + dt.timedelta(days=1), dt.time(0, 30), tzinfo=TOKYO)
    )
    assert _run(django_capture_on_commit_callbacks, business_reports_request_due) == 1
    assert _run(django_capture_on_commit_callbacks, business_reports_request_due) == 0
    report.refresh_from_db()
    assert report.status == ValueAddedStatus.REQUESTED
    notice = Notification.objects.get(kind="business_report_requested", user=owner)
    assert "2年目" in notice.title


def test_reminders_start_14_days_before_and_come_weekly_then_overdue(
    frozen_clock, django_capture_on_commit_callbacks
):
    application = make_after(status=ApplicationStatus.PAID)
    owner = make_applicant(application.company)
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    due = start.date() + dt.timedelta(days=30)
    report = _business_report(application, due_on=due, requested_at=start - dt.timedelta(days=90))

    def at(days):
        frozen_clock.move_to(start + dt.timedelta(days=days))
        return _run(django_capture_on_commit_callbacks, value_added_remind)

    assert at(0) == 0  # due in 30 days: not yet
    assert at(15) == 0  # due in 15 days
    assert at(16) == 1  # due in 14 days: the first reminder
    assert at(17) == 0
    assert at(22) == 0
    assert at(23) == 1  # a week later
    assert at(31) == 1  # overdue (due yesterday), a week after the last
    assert at(32) == 0
    report.refresh_from_db()
    assert timezone.localdate(report.last_reminded_at) == due + dt.timedelta(days=1)
    kinds = list(
        Notification.objects.filter(user=owner).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == [
        "business_report_requested",
        "business_report_requested",
        "business_report_overdue",
    ]
    value_added_submit(actor=owner, report=report, sales=1, external_costs=0, employees=1)
    assert at(40) == 0  # answered: no more


def test_a_fresh_request_is_not_reminded_within_the_week(
    frozen_clock, django_capture_on_commit_callbacks
):
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    _business_report(due_on=start.date() + dt.timedelta(days=10), requested_at=start)
    frozen_clock.move_to(start + dt.timedelta(days=6))
    assert _run(django_capture_on_commit_callbacks, value_added_remind) == 0
    frozen_clock.move_to(start + dt.timedelta(days=7))
    assert _run(django_capture_on_commit_callbacks, value_added_remind) == 1


def test_an_overdue_survey_is_reminded_with_the_survey_notice(
    frozen_clock, django_capture_on_commit_callbacks
):
    home = ward()
    company = CompanyFactory(ward=home, kind=CompanyKind.SHOP)
    owner = make_applicant(company)
    start = timezone.localtime()
    ValueAddedReport.objects.create(
        company=company,
        municipality=home,
        kind=ValueAddedKind.SURVEY,
        fiscal_year=fiscal_year(start) - 1,
        status=ValueAddedStatus.REQUESTED,
        requested_at=start - dt.timedelta(days=40),
        due_on=start.date() - dt.timedelta(days=3),
    )
    assert _run(django_capture_on_commit_callbacks, value_added_remind) == 1
    assert Notification.objects.filter(kind="value_added_survey_requested", user=owner).exists()


def test_the_task_requests_and_reminds(django_capture_on_commit_callbacks):
    assert settings.PERIODIC_TASKS["subsidies.value_added_reports"][0] == (
        "machikoba.subsidies.tasks.value_added_reports"
    )
    last_year = fiscal_year(timezone.localdate()) - 1
    _business_report(
        year_index=2,
        status=ValueAddedStatus.SCHEDULED,
        fiscal_year=last_year,
        due_on=report_due_on(last_year),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert value_added_reports.call() == 1
