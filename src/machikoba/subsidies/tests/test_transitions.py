"""The application's state machine: which status may follow which, for every pair of
statuses, written out here from the life of an application (not read from the table), and
that the one writer of ``status`` (``services.internal.application_transition``) keeps to it.
"""

import itertools

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories_subsidies import (
    make_applicant,
    make_application,
    make_paper_call,
)
from machikoba.subsidies.choices import ApplicationStatus as S
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.models import Application, ApplicationEvent
from machikoba.subsidies.services.internal import application_transition
from machikoba.subsidies.transitions import may_move

# (from, to): every step the life of an application allows, and no other.
ALLOWED = {
    # 提出, 差戻し and the resubmission
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.RETURNED),
    (S.RETURNED, S.SUBMITTED),
    # 要件確認: into screening, or out as ineligible
    (S.SUBMITTED, S.SCREENING),
    (S.SUBMITTED, S.INELIGIBLE),
    # 採択 / 不採択
    (S.SCREENING, S.SELECTED),
    (S.SCREENING, S.NOT_SELECTED),
    # 交付申請, 交付決定, 実績報告 (and back to 交付決定 when it is returned), 額の確定, 支払
    (S.SELECTED, S.GRANT_REQUESTED),
    (S.GRANT_REQUESTED, S.GRANTED),
    (S.GRANTED, S.REPORTED),
    (S.REPORTED, S.GRANTED),
    (S.REPORTED, S.CONFIRMED),
    (S.CONFIRMED, S.PAID),
    # 取下げ: until the 実績報告
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.RETURNED, S.WITHDRAWN),
    (S.SCREENING, S.WITHDRAWN),
    (S.SELECTED, S.WITHDRAWN),
    (S.GRANT_REQUESTED, S.WITHDRAWN),
    (S.GRANTED, S.WITHDRAWN),
}

PAIRS = list(itertools.product(S.values, S.values))


@pytest.mark.parametrize(("source", "to"), PAIRS)
def test_a_status_follows_another_only_as_the_life_of_an_application_allows(source, to):
    assert may_move(Application(status=source), to) is ((source, to) in ALLOWED)


@pytest.mark.parametrize("source", [S.INELIGIBLE, S.NOT_SELECTED, S.PAID, S.WITHDRAWN])
def test_nothing_follows_an_end(source):
    assert not any(may_move(Application(status=source), to) for to in S.values)


@pytest.mark.parametrize("source", [S.REPORTED, S.CONFIRMED, S.PAID])
def test_an_application_is_not_withdrawn_once_its_work_is_reported(source):
    assert not may_move(Application(status=source), S.WITHDRAWN)


def test_nothing_goes_back_to_draft():
    assert not any(may_move(Application(status=source), S.DRAFT) for source in S.values)


@pytest.mark.parametrize("source", S.values)
def test_no_application_moves_to_a_status_that_does_not_exist(source):
    assert may_move(Application(status=source), "archived") is False


def _application(status):
    return make_application(make_paper_call().stages.get(number=1), status=status)


def test_the_one_writer_of_status_takes_an_allowed_step_and_records_it(db):
    application = _application(S.SUBMITTED)
    actor = make_applicant(application.company)
    event = application_transition(application=application, to=S.RETURNED, actor=actor)
    application.refresh_from_db()
    assert application.status == S.RETURNED
    assert (event.from_status, event.to_status, event.actor) == (S.SUBMITTED, S.RETURNED, actor)


def test_the_one_writer_of_status_refuses_a_step_the_table_does_not_allow(db):
    application = _application(S.DRAFT)
    with pytest.raises(ApplicationError) as caught:
        application_transition(application=application, to=S.PAID, actor=None)
    assert caught.value.code == SubsidyErrorCode.TRANSITION_NOT_ALLOWED
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert not ApplicationEvent.objects.filter(application=application).exists()
