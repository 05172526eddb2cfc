"""Real concurrent transactions on PostgreSQL: two companies applying for a cohort's last
seat at the same moment get one seat between them; the other is waitlisted, never a
second seat and never an error. A double-submitted application is stored once.

SQLite serialises writers and has no row locks, so these run on PostgreSQL only (CI
always does: MACHIKOBA_REQUIRE_POSTGRES)."""

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_programs import CohortFactory, make_owner
from machikoba.programs.choices import ApplicationStatus
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Application
from machikoba.programs.services.applications import application_submit, application_withdraw

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
]


def _applying(cohort):
    company, owner = make_owner()
    return lambda: application_submit(actor=owner, cohort=cohort, company=company)


def test_two_companies_for_the_last_seat_one_gets_it_the_other_is_waitlisted(transactional_db):
    cohort = CohortFactory(capacity=2)
    _applying(cohort)()  # one seat left
    results = race(_applying(cohort), _applying(cohort))
    assert all(isinstance(r, Application) for r in results), results
    assert sorted(r.status for r in results) == [
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.WAITLISTED,
    ]
    assert Application.objects.filter(cohort=cohort, status="accepted").count() == 2
    assert Application.objects.filter(cohort=cohort, status="waitlisted").count() == 1


def test_a_double_submitted_application_is_stored_once(transactional_db):
    cohort = CohortFactory()
    attempt = _applying(cohort)
    results = race(attempt, attempt)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError)
    assert errors[0].code == ProgramErrorCode.APPLICATION_DUPLICATE
    assert Application.objects.filter(cohort=cohort).count() == 1


def test_a_withdrawal_racing_an_application_never_overfills_the_cohort(transactional_db):
    cohort = CohortFactory(capacity=1)
    company, owner = make_owner()
    holder = application_submit(actor=owner, cohort=cohort, company=company)
    waiting = _applying(cohort)()
    results = race(lambda: application_withdraw(actor=owner, application=holder), _applying(cohort))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Application.objects.filter(cohort=cohort, status="accepted").count() == 1
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.ACCEPTED  # first in the queue, first promoted
