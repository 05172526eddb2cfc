"""Real concurrent transactions on PostgreSQL: two officers confirming one stage's
selection at the same moment make one selection; the other is refused ("already
confirmed"), and every application moves once. Two stages of one call confirmed at once
never spend the call's remaining budget twice. A reviewer assigned or an eligibility
check made while the selection is confirmed waits for it or goes before it (call → stage
→ application, one lock order): never a selection made from a ranking that changed under
it, never a deadlock.

SQLite serialises writers and has no row locks, so these run on PostgreSQL only (CI
always does: MACHIKOBA_REQUIRE_POSTGRES)."""

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_subsidies import (
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_screening import in_screening, scored
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import ApplicationEvent
from machikoba.subsidies.models_screening import ReviewerAssignment, Selection
from machikoba.subsidies.services.screening import eligibility_pass, reviewer_assign
from machikoba.subsidies.services.selection import selection_confirm

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
]


def _ranked(stage, *amounts):
    applications = []
    for index, amount in enumerate(amounts):
        application = in_screening(stage, requested=amount)
        scored(application, [9 - index] * 5)
        applications.append(application)
    return applications


def test_two_officers_confirming_one_stage_make_one_selection(transactional_db):
    stage = make_paper_call().stages.get(number=1)
    applications = _ranked(stage, 400_000, 300_000, 200_000)
    first, second = make_officer(), make_officer()
    results = race(
        lambda: selection_confirm(actor=first, stage=stage),
        lambda: selection_confirm(actor=second, stage=stage),
    )
    selections = [r for r in results if isinstance(r, Selection)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(selections) == 1, results
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError)
    assert errors[0].code == ScreeningErrorCode.SELECTION_ALREADY_CONFIRMED
    assert Selection.objects.filter(stage=stage).count() == 1
    for application in applications:
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SELECTED
        assert (
            ApplicationEvent.objects.filter(
                application=application, to_status=ApplicationStatus.SELECTED
            ).count()
            == 1
        )


def test_two_stages_confirmed_at_once_never_overspend_the_call(transactional_db):
    call = make_paper_call(budget=1_000_000)
    one, two = call.stages.get(number=1), call.stages.get(number=2)
    _ranked(one, 400_000, 300_000)  # 700,000 of the call's 1,000,000
    _ranked(two, 400_000, 200_000)  # 600,000: both stages cannot have all they propose
    officer_a, officer_b = make_officer(), make_officer()
    results = race(
        lambda: selection_confirm(actor=officer_a, stage=one),
        lambda: selection_confirm(actor=officer_b, stage=two),
    )
    assert all(isinstance(r, Selection) for r in results), results
    total = sum(s.total_amount for s in Selection.objects.filter(stage__call=call))
    assert total <= 1_000_000
    # The one that went second proposed within what the first left.
    assert sorted(s.total_amount for s in results) in ([200_000, 700_000], [400_000, 600_000])


def test_a_reviewer_assigned_while_the_selection_is_confirmed(transactional_db):
    """Either the reviewer comes first (the application is then unranked and the
    selection waits for their scores) or the selection does (and the assignment is
    refused): never a selection made from a ranking a new reviewer changed."""
    stage = make_paper_call().stages.get(number=1)
    first, _second = _ranked(stage, 400_000, 300_000)
    reviewer = make_reviewer()
    officer_a, officer_b = make_officer(), make_officer()
    results = race(
        lambda: selection_confirm(actor=officer_a, stage=stage),
        lambda: reviewer_assign(actor=officer_b, application=first, reviewer=reviewer),
    )
    confirmed, assigned = results
    if isinstance(confirmed, Selection):
        assert isinstance(assigned, ApplicationError), results
        assert assigned.code == ScreeningErrorCode.SELECTION_ALREADY_CONFIRMED
        assert not ReviewerAssignment.objects.filter(reviewer=reviewer).exists()
    else:
        assert isinstance(confirmed, ApplicationError), results
        assert confirmed.code == ScreeningErrorCode.SELECTION_NOT_READY
        assert isinstance(assigned, ReviewerAssignment), results
        assert not Selection.objects.exists()
        first.refresh_from_db()
        assert first.status == ApplicationStatus.SCREENING


def test_an_eligibility_check_while_the_selection_is_confirmed(transactional_db):
    """The check and the confirmation wait for each other (no deadlock): a submitted
    application keeps the selection from being confirmed either way, and the check
    passes."""
    stage = make_paper_call().stages.get(number=1)
    _ranked(stage, 400_000)
    waiting = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    officer_a, officer_b = make_officer(), make_officer()
    confirmed, passed = race(
        lambda: selection_confirm(actor=officer_a, stage=stage),
        lambda: eligibility_pass(actor=officer_b, application=waiting),
    )
    assert isinstance(confirmed, ApplicationError), confirmed
    assert confirmed.code == ScreeningErrorCode.SELECTION_NOT_READY
    assert not isinstance(passed, Exception), passed
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.SCREENING
    assert not Selection.objects.exists()
