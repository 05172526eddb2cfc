"""交付申請, 交付決定 and the 計画変更申請: each step, each refusal with its code, and that a
refusal changes nothing."""

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import make_after
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies.choices import ApplicationStatus, ChangeRequestStatus
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode as E
from machikoba.subsidies.models import Application, ApplicationEvent
from machikoba.subsidies.models_after import ChangeRequest
from machikoba.subsidies.services.grants import (
    change_request_decide,
    change_request_file,
    grant_decide,
    grant_request,
)

pytestmark = pytest.mark.django_db


def _state(application):
    application.refresh_from_db()
    return (
        application.status,
        application.requested_amount,
        application.decided_amount,
        application.decided_at,
        application.events.count(),
    )


def _refused(code, call, application):
    before = _state(application)
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    assert _state(application) == before
    return caught.value


@pytest.fixture
def selected():
    application = make_after(status=ApplicationStatus.SELECTED, requested=500_000)
    return application, make_applicant(application.company), make_officer()


# --- 交付申請 ----------------------------------------------------------------------------------


def test_company_requests_the_grant(selected):
    application, owner, _officer = selected
    grant_request(actor=owner, application=application, confirm=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANT_REQUESTED
    assert application.requested_amount == 500_000
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        ApplicationStatus.SELECTED,
        ApplicationStatus.GRANT_REQUESTED,
        owner,
    )
    assert AuditEvent.objects.filter(verb="subsidy_application.grant_requested").exists()


def test_grant_request_computes_the_amount_when_submission_left_none():
    # Stage 1: ¥700,000 at 3/4 = ¥525,000, capped at ¥500,000.
    application = make_after(status=ApplicationStatus.SELECTED, requested=None)
    owner = make_applicant(application.company)
    grant_request(actor=owner, application=application, confirm=True)
    application.refresh_from_db()
    assert application.requested_amount == 500_000


def test_grant_request_needs_the_confirmation_tick(selected):
    application, owner, _officer = selected
    error = _refused(
        E.GRANT_REQUEST_INVALID,
        lambda: grant_request(actor=owner, application=application, confirm=False),
        application,
    )
    assert "confirm" in error.fields


def test_grant_request_refused_from_the_office_and_before_selection(selected):
    application, _owner, officer = selected
    _refused(
        E.NOT_COMPANY,
        lambda: grant_request(actor=officer, application=application, confirm=True),
        application,
    )
    screening = make_after(status=ApplicationStatus.SCREENING)
    owner = make_applicant(screening.company)
    _refused(
        SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
        lambda: grant_request(actor=owner, application=screening, confirm=True),
        screening,
    )


# --- 交付決定 ----------------------------------------------------------------------------------


@pytest.fixture
def requested():
    application = make_after(status=ApplicationStatus.GRANT_REQUESTED, requested=500_000)
    return application, make_applicant(application.company), make_officer()


def test_officer_decides_the_requested_amount_by_default(
    requested, django_capture_on_commit_callbacks
):
    application, owner, officer = requested
    with django_capture_on_commit_callbacks(execute=True):
        grant_decide(actor=officer, application=application)
    run_queued_tasks("notification")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    assert application.decided_amount == 500_000
    assert application.decided_at is not None
    notice = Notification.objects.get(kind="subsidy_granted", user=owner)
    assert "500,000" in notice.body
    assert notice.url == f"/subsidies/applications/{application.pk}/grant/"


def test_a_lower_amount_needs_a_reason_and_the_reason_is_kept(requested):
    application, _owner, officer = requested
    _refused(
        E.GRANT_REASON_REQUIRED,
        lambda: grant_decide(actor=officer, application=application, amount=400_000),
        application,
    )
    grant_decide(
        actor=officer, application=application, amount=400_000, reason="タブレット1台分は対象外"
    )
    application.refresh_from_db()
    assert application.decided_amount == 400_000
    event = application.events.get(to_status=ApplicationStatus.GRANTED)
    assert "タブレット1台分は対象外" in event.comment


def test_decide_above_requested_or_zero_is_refused(requested):
    application, _owner, officer = requested
    error = _refused(
        E.GRANT_ABOVE_REQUESTED,
        lambda: grant_decide(actor=officer, application=application, amount=500_001),
        application,
    )
    assert "500,000円" in str(error.fields["amount"][0])
    _refused(
        E.GRANT_AMOUNT_INVALID,
        lambda: grant_decide(actor=officer, application=application, amount=0),
        application,
    )


def test_decide_refused_to_others_and_from_other_states(requested):
    application, owner, _officer = requested
    other_ward = make_officer(ward(SUMIDA))
    for actor in (owner, other_ward):
        _refused(
            E.NOT_OFFICER,
            lambda actor=actor: grant_decide(actor=actor, application=application),
            application,
        )
    # GRANTED may also follow REPORTED in the table; 交付決定 only follows 交付申請.
    reported = make_after(status=ApplicationStatus.REPORTED)
    officer = make_officer()
    _refused(
        SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
        lambda: grant_decide(actor=officer, application=reported),
        reported,
    )


# --- 計画変更申請 -----------------------------------------------------------------------------


@pytest.fixture
def granted():
    application = make_after(status=ApplicationStatus.GRANTED, requested=500_000)
    return application, make_applicant(application.company), make_officer()


def test_change_request_filed_and_approved_with_a_lower_amount(
    granted, django_capture_on_commit_callbacks
):
    application, owner, officer = granted
    change = change_request_file(
        actor=owner,
        application=application,
        description="タブレットを3台から2台に減らす",
        reason="現場の人数が減ったため",
    )
    assert change.status == ChangeRequestStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        change_request_decide(
            actor=officer,
            change_request=change,
            approve=True,
            comment="承認します",
            decided_amount=450_000,
        )
    run_queued_tasks("notification")
    change.refresh_from_db()
    application.refresh_from_db()
    assert change.status == ChangeRequestStatus.APPROVED
    assert change.decided_by == officer
    assert application.decided_amount == 450_000
    assert application.status == ApplicationStatus.GRANTED
    notice = Notification.objects.get(kind="subsidy_change_decided", user=owner)
    assert "承認" in notice.body


def test_approval_never_raises_the_decided_amount(granted):
    application, owner, officer = granted
    change = change_request_file(
        actor=owner, application=application, description="機器を追加", reason="増産のため"
    )
    with pytest.raises(ApplicationError) as caught:
        change_request_decide(
            actor=officer, change_request=change, approve=True, decided_amount=500_001
        )
    assert caught.value.code == E.CHANGE_DECISION_INVALID
    change.refresh_from_db()
    application.refresh_from_db()
    assert change.status == ChangeRequestStatus.PENDING
    assert application.decided_amount == 500_000


def test_rejection_needs_a_comment(granted):
    application, owner, officer = granted
    change = change_request_file(
        actor=owner, application=application, description="導入するソフトを変更", reason="値上げ"
    )
    with pytest.raises(ApplicationError) as caught:
        change_request_decide(actor=officer, change_request=change, approve=False)
    assert caught.value.code == E.CHANGE_DECISION_INVALID
    change_request_decide(
        actor=officer, change_request=change, approve=False, comment="同等品の見積を添えてください"
    )
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.REJECTED
    with pytest.raises(ApplicationError) as caught:
        change_request_decide(actor=officer, change_request=change, approve=True)
    assert caught.value.code == E.CHANGE_REQUEST_DECIDED


def test_change_request_refusals(granted):
    application, owner, officer = granted
    with pytest.raises(ApplicationError) as caught:
        change_request_file(actor=owner, application=application, description=" ", reason="")
    assert caught.value.code == E.CHANGE_REQUEST_INVALID
    assert set(caught.value.fields) == {"description", "reason"}
    with pytest.raises(ApplicationError) as caught:
        change_request_file(actor=officer, application=application, description="a", reason="b")
    assert caught.value.code == E.NOT_COMPANY
    change_request_file(actor=owner, application=application, description="a", reason="b")
    with pytest.raises(ApplicationError) as caught:
        change_request_file(actor=owner, application=application, description="c", reason="d")
    assert caught.value.code == E.CHANGE_REQUEST_PENDING
    assert ChangeRequest.objects.count() == 1
    # Only while the grant stands.
    selected = make_after(status=ApplicationStatus.SELECTED)
    other_owner = make_applicant(selected.company)
    with pytest.raises(ApplicationError) as caught:
        change_request_file(actor=other_owner, application=selected, description="a", reason="b")
    assert caught.value.code == SubsidyErrorCode.TRANSITION_NOT_ALLOWED
    assert ChangeRequest.objects.count() == 1


def test_change_decision_by_another_ward_is_refused(granted):
    application, owner, _officer = granted
    change = change_request_file(actor=owner, application=application, description="a", reason="b")
    with pytest.raises(ApplicationError) as caught:
        change_request_decide(actor=make_officer(ward(SUMIDA)), change_request=change, approve=True)
    assert caught.value.code == E.NOT_OFFICER
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.PENDING


def test_every_step_is_in_the_history():
    application = make_after(status=ApplicationStatus.SELECTED)
    owner, officer = make_applicant(application.company), make_officer()
    grant_request(actor=owner, application=application, confirm=True)
    grant_decide(actor=officer, application=application)
    assert list(
        ApplicationEvent.objects.filter(application=application).values_list("to_status", flat=True)
    ) == [ApplicationStatus.GRANT_REQUESTED, ApplicationStatus.GRANTED]
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.GRANTED
