"""支払 and the five 事業化状況報告 it schedules: FY(completed_on) to +4, each due three months
after its fiscal year ends, the first requested at once."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.core.models import Notification
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import make_after, make_report
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies.choices import (
    ApplicationStatus,
    ReportStatus,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode as E
from machikoba.subsidies.models_after import Payment, ValueAddedReport
from machikoba.subsidies.services.payments import payment_record

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _confirmed(completed_days_ago=30):
    application = make_after(status=ApplicationStatus.CONFIRMED, confirmed_amount=450_000)
    report = make_report(
        application, completed_days_ago=completed_days_ago, status=ReportStatus.ACCEPTED
    )
    report.inspected_at = timezone.now() - dt.timedelta(days=2)
    report.save()
    return application, make_applicant(application.company), make_officer()


def test_payment_records_the_confirmed_amount_and_schedules_five_reports(
    django_capture_on_commit_callbacks,
):
    application, owner, officer = _confirmed()
    completed_on = application.completion_report.completed_on
    paid_on = timezone.localdate() - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record(
            actor=officer, application=application, paid_on=paid_on, reference="支出-0042"
        )
    run_queued_tasks("notification")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PAID
    assert (payment.amount, payment.paid_on, payment.reference) == (450_000, paid_on, "支出-0042")

    reports = list(ValueAddedReport.objects.filter(application=application).order_by("year_index"))
    first_year = fiscal_year(completed_on)
    assert [r.year_index for r in reports] == [1, 2, 3, 4, 5]
    assert [r.fiscal_year for r in reports] == [first_year + n for n in range(5)]
    for report in reports:
        year_end = fiscal_year_bounds(report.fiscal_year)[1]
        assert report.due_on == dt.date(year_end.year, 6, 30)  # three months after 31 March
        assert report.kind == ValueAddedKind.BUSINESS_REPORT
        assert report.municipality == application.stage.call.municipality
    assert reports[0].status == ValueAddedStatus.REQUESTED
    assert reports[0].requested_at is not None
    assert {r.status for r in reports[1:]} == {ValueAddedStatus.SCHEDULED}

    paid = Notification.objects.get(kind="subsidy_paid", user=owner)
    assert "450,000" in paid.body
    asked = Notification.objects.get(kind="business_report_requested", user=owner)
    assert asked.url == f"/subsidies/value-added/{reports[0].pk}/"


def test_a_project_completed_in_march_reports_from_that_fiscal_year():
    # Completed on the last day of the last fiscal year: FY(completed_on) is that year.
    last_year = fiscal_year(timezone.localdate()) - 1
    march_end = fiscal_year_bounds(last_year)[1]
    days_ago = (timezone.localdate() - march_end).days
    application, _owner, officer = _confirmed(completed_days_ago=days_ago)
    payment_record(actor=officer, application=application, paid_on=timezone.localdate())
    first = ValueAddedReport.objects.get(application=application, year_index=1)
    assert first.fiscal_year == last_year
    assert first.due_on == dt.date(last_year + 1, 6, 30)


def test_paid_before_confirmed_is_refused():
    application = make_after(status=ApplicationStatus.REPORTED)
    make_report(application, status=ReportStatus.SUBMITTED)
    with pytest.raises(ApplicationError) as caught:
        payment_record(actor=make_officer(), application=application, paid_on=timezone.localdate())
    assert caught.value.code == SubsidyErrorCode.TRANSITION_NOT_ALLOWED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    assert not Payment.objects.exists()
    assert not ValueAddedReport.objects.exists()


def test_payment_day_must_be_between_confirmation_and_today():
    application, _owner, officer = _confirmed()
    today = timezone.localdate()
    for day in (today + dt.timedelta(days=1), today - dt.timedelta(days=5), None):
        with pytest.raises(ApplicationError) as caught:
            payment_record(actor=officer, application=application, paid_on=day)
        assert caught.value.code == E.PAYMENT_INVALID
        assert "paid_on" in caught.value.fields
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED
    assert not Payment.objects.exists()
    assert not ValueAddedReport.objects.exists()


def test_payment_is_the_wards_office(settings):
    application, owner, _officer = _confirmed()
    for actor in (owner, make_officer(ward(SUMIDA))):
        with pytest.raises(ApplicationError) as caught:
            payment_record(actor=actor, application=application, paid_on=timezone.localdate())
        assert caught.value.code == E.NOT_OFFICER
    assert not Payment.objects.exists()


def test_paid_twice_is_refused():
    application, _owner, officer = _confirmed()
    payment_record(actor=officer, application=application, paid_on=timezone.localdate())
    with pytest.raises(ApplicationError) as caught:
        payment_record(actor=officer, application=application, paid_on=timezone.localdate())
    assert caught.value.code == SubsidyErrorCode.TRANSITION_NOT_ALLOWED
    assert Payment.objects.count() == 1
    assert ValueAddedReport.objects.count() == 5
