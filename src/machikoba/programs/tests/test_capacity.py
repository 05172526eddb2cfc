"""A cohort's capacity and its waitlist: more seats promote the head of the waitlist at once
(in the order they applied), and the promoted hear of it; fewer seats than are taken is
refused."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import Notification
from machikoba.core.testing.factories import WardRoleFactory
from machikoba.core.testing.factories_programs import CohortFactory, make_owner
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.programs.choices import ApplicationStatus
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.services.applications import application_submit
from machikoba.programs.services.programs import cohort_update

pytestmark = pytest.mark.django_db


def _update(officer, cohort, capacity):
    return cohort_update(
        actor=officer,
        cohort=cohort,
        fiscal_year=cohort.fiscal_year,
        name=cohort.name,
        capacity=capacity,
        applications_open_at=cohort.applications_open_at,
        applications_close_at=cohort.applications_close_at,
    )


def test_more_seats_promote_the_waitlist_in_the_order_people_applied(
    django_capture_on_commit_callbacks,
):
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    cohort = CohortFactory(capacity=1)
    applications = []
    for index in range(4):
        company, owner = make_owner(name=f"経営者 {index}")
        applications.append(application_submit(actor=owner, cohort=cohort, company=company))
    assert [a.status for a in applications] == ["accepted"] + ["waitlisted"] * 3
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        _update(officer, cohort, 3)

    for application in applications:
        application.refresh_from_db()
    assert [a.status for a in applications] == ["accepted", "accepted", "accepted", "waitlisted"]
    promoted = applications[1:3]
    assert all(
        a.accepted_at is not None and a.accepted_at > timezone.now() - dt.timedelta(minutes=1)
        for a in promoted
    )
    run_queued_tasks()
    notified = set(
        Notification.objects.filter(kind="application_promoted").values_list("user", flat=True)
    )
    assert notified == {a.participant_id for a in promoted}


def test_fewer_seats_than_are_taken_is_refused_and_nothing_changes():
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    cohort = CohortFactory(capacity=3)
    for index in range(2):
        company, owner = make_owner(name=f"経営者 {index}")
        application_submit(actor=owner, cohort=cohort, company=company)

    with pytest.raises(ApplicationError) as refused:
        _update(officer, cohort, 1)

    assert refused.value.code == ProgramErrorCode.OFFICE_CAPACITY_BELOW_ACCEPTED
    assert "2 人" in refused.value.message
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert cohort.applications.filter(status=ApplicationStatus.ACCEPTED).count() == 2
