"""Who reaches what after the selection, beyond the permission matrix's actors: a reviewer
cleared on the application reads it while screening, but nothing of what follows (the
grant steps, the 実績報告, the notice, the value-added reports), and may press nothing;
another ward's officer sees none of this ward's overdue reports."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_subsidies import make_officer, make_reviewer
from machikoba.core.testing.factories_subsidies_after import make_after, make_report
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    ReportStatus,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode as E
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.models_screening import ReviewerAssignment
from machikoba.subsidies.selectors.value_added import overdue_value_added
from machikoba.subsidies.services.grants import change_request_file, grant_decide
from machikoba.subsidies.services.reports import completion_report_submit, inspection_accept
from machikoba.subsidies.services.value_added import value_added_submit

pytestmark = pytest.mark.django_db


def _business_report(application, *, due_on, status=ValueAddedStatus.REQUESTED):
    return ValueAddedReport.objects.create(
        company=application.company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=1,
        fiscal_year=fiscal_year(timezone.localdate()) - 1,
        status=status,
        requested_at=timezone.now() - dt.timedelta(days=120),
        due_on=due_on,
    )


@pytest.fixture
def reviewed():
    """A paid application that a reviewer scored during its screening."""
    application = make_after(status=ApplicationStatus.PAID)
    make_report(application, status=ReportStatus.ACCEPTED)
    reviewer = make_reviewer()
    ReviewerAssignment.objects.create(
        application=application, reviewer=reviewer, status=AssignmentStatus.SUBMITTED
    )
    report = _business_report(application, due_on=timezone.localdate() + dt.timedelta(days=30))
    return application, reviewer, report


def test_after_the_screening_the_reviewer_reads_nothing_of_it(reviewed):
    application, reviewer, report = reviewed
    assert not Application.objects.for_user(reviewer, "view").filter(pk=application.pk).exists()
    client = Client()
    client.force_login(reviewer)
    for name, pk in (
        ("grant_steps", application.pk),
        ("grant_report", application.pk),
        ("grant_notice", application.pk),
        ("value_added_report", report.pk),
    ):
        assert client.get(reverse(f"subsidies:{name}", args=[pk])).status_code == 404, name
    assert client.get(reverse("subsidies:office_value_added")).status_code == 403


def test_a_reviewer_may_press_nothing():
    application = make_after(status=ApplicationStatus.GRANTED)
    reviewer = make_reviewer()
    ReviewerAssignment.objects.create(
        application=application, reviewer=reviewer, status=AssignmentStatus.SUBMITTED
    )
    with pytest.raises(ApplicationError) as caught:
        change_request_file(actor=reviewer, application=application, description="a", reason="b")
    assert caught.value.code == E.NOT_COMPANY
    with pytest.raises(ApplicationError) as caught:
        completion_report_submit(actor=reviewer, application=application)
    assert caught.value.code == E.NOT_COMPANY
    requested = make_after(status=ApplicationStatus.GRANT_REQUESTED)
    with pytest.raises(ApplicationError) as caught:
        grant_decide(actor=reviewer, application=requested)
    assert caught.value.code == E.NOT_OFFICER
    reported = make_after(status=ApplicationStatus.REPORTED)
    make_report(reported, status=ReportStatus.SUBMITTED)
    with pytest.raises(ApplicationError) as caught:
        inspection_accept(actor=reviewer, application=reported)
    assert caught.value.code == E.NOT_OFFICER


def test_a_reviewer_may_not_answer_a_value_added_report(reviewed):
    _application, reviewer, report = reviewed
    with pytest.raises(ApplicationError) as caught:
        value_added_submit(actor=reviewer, report=report, sales=1, external_costs=1, employees=1)
    assert caught.value.code == E.NOT_COMPANY


def test_overdue_reports_are_the_wards_own():
    application = make_after(status=ApplicationStatus.PAID)
    today = timezone.localdate()
    late = _business_report(application, due_on=today - dt.timedelta(days=3))
    other = make_after(status=ApplicationStatus.PAID)
    _business_report(other, due_on=today + dt.timedelta(days=3))  # not due yet
    rows = overdue_value_added(make_officer())
    assert [row.report for row in rows] == [late]
    assert rows[0].overdue
    assert rows[0].days_overdue == 3
    assert overdue_value_added(make_officer(ward(SUMIDA))) == []


def test_anonymous_is_sent_to_sign_in():
    application = make_after(status=ApplicationStatus.GRANTED)
    response = Client().get(reverse("subsidies:grant_steps", args=[application.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
