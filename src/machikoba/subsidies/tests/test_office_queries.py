"""The office's call dashboard and applications list cost a fixed number of queries,
however many applications, reviewers, payments and reports the call has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import force_login_with_mfa, give_totp
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.subsidies.choices import ApplicationStatus as S
from machikoba.subsidies.choices import AssignmentStatus, BonusClaimStatus
from machikoba.subsidies.models import BonusClaim, Payment, ReviewerAssignment, Score

pytestmark = pytest.mark.django_db

# Both: session, user, ward roles, served wards, the call, its stages, the scope's company
# memberships, and the header's notices (8). The dashboard: figures by stage and status,
# payments, assignments by status, reviewers behind, overdue reports, the rules lock (6).
# The list: its count and page, payments, bonus points, pending assignments, scores (6).
DASHBOARD_QUERIES = 14
APPLICATIONS_QUERIES = 14


def _add_applications(call, n):
    """``n`` applications per stage 1 state that carries figures, each with a reviewer who
    scored, a verified bonus and (when paid) a payment."""
    stage = call.stages.get(number=1)
    bonus = call.bonus_criteria.get(points=3)
    rubric = list(call.rubric.all())
    for _ in range(n):
        for status in (S.SUBMITTED, S.SCREENING, S.GRANTED, S.PAID):
            amounts = {"requested_amount": 400_000}
            if status in (S.GRANTED, S.PAID):
                amounts["decided_amount"] = 400_000
            if status == S.PAID:
                amounts["confirmed_amount"] = 380_000
            application = make_application(stage, status=status, **amounts)
            if status == S.PAID:
                Payment.objects.create(
                    application=application, amount=380_000, paid_on=timezone.localdate()
                )
            assignment = ReviewerAssignment.objects.create(
                application=application,
                reviewer=make_reviewer(),
                status=AssignmentStatus.SUBMITTED
                if status != S.SCREENING
                else AssignmentStatus.CLEARED,
            )
            for criterion in rubric:
                Score.objects.create(assignment=assignment, criterion=criterion, score=5)
            BonusClaim.objects.create(
                application=application, criterion=bonus, status=BonusClaimStatus.VERIFIED
            )


@pytest.fixture
def officer_client(client):
    officer = make_officer()
    give_totp(officer)
    force_login_with_mfa(client, officer)
    return client


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("route", "pinned"),
    [
        ("subsidies:office_call", DASHBOARD_QUERIES),
        ("subsidies:office_applications", APPLICATIONS_QUERIES),
    ],
)
def test_the_page_does_not_grow_with_the_call(officer_client, route, pinned):
    call = make_paper_call()
    url = reverse(route, args=[call.pk])
    _add_applications(call, 1)
    small = _queries(officer_client, url)
    _add_applications(call, 4)
    large = _queries(officer_client, url)
    assert small == large == pinned
