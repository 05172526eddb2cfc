"""Writes of applications to a cohort: applying (a seat, or a place on the waitlist),
withdrawing (the company or the participant), declining (the ward's officer), and the
automatic promotion of the waitlist's head when a seat frees.

The cohort row is the lock: every change that takes or frees a seat locks it first, so
two companies applying for the last seat at once are served one after the other and the
second finds it taken (it is waitlisted, with a message saying so). Who may apply is
decided in ``selectors.participant.application_refusal``, called here under the lock.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Membership
from machikoba.core.access import CHANGE, EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company, notify_users
from machikoba.programs.choices import ACTIVE_APPLICATION_STATUSES, ApplicationStatus
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Application, Cohort, Program
from machikoba.programs.selectors.participant import (
    application_refusal,
    first_upcoming_session,
    next_session_sentence,
    waitlist_position,
)

AUDITED = ["status", "participant", "decided_at", "status_note"]
MOTIVATION_MAX_LENGTH = 2000  # Application.motivation (a TextField: not checked by full_clean)


def _lock_cohort(cohort: Cohort) -> Cohort:
    # No select_related: PostgreSQL refuses FOR UPDATE across a nullable outer join.
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def application_path(application: Application) -> str:
    return reverse("programs:application", args=[application.pk])


def _notify(application: Application, kind: str, params: dict[str, object]) -> None:
    """The company's owner and staff hear of it; so does the participant when they are
    not among them (a floor worker nominated for the leader course)."""
    path = application_path(application)
    notify_company(company=application.company, kind=kind, params=params, path=path)
    editor = Membership.objects.filter(
        company_id=application.company_id,
        user_id=application.participant_id,
        role__in=EDITOR_ROLES,
    ).exists()
    if not editor:
        notify_users(users=[application.participant], kind=kind, params=params, path=path)


def _names(application: Application, cohort: Cohort) -> dict[str, object]:
    return {
        "person": application.participant.get_full_name(),
        "program": cohort.program.name,
        "cohort": cohort.name,
    }


@transaction.atomic
def application_submit(
    *,
    actor: User,
    cohort: Cohort,
    company: Company,
    participant: User | None = None,
    motivation: str = "",
) -> Application:
    """``actor`` applies for ``company`` to ``cohort``: the owner for themself to the dojo,
    or the owner or staff nominating ``participant`` (default: themself) to the leader
    course. A free seat makes it accepted at once; a full cohort puts it on the waitlist,
    and both are told to the company."""
    program = cohort.program
    participant = participant or actor
    motivation = (motivation or "").strip()
    if len(motivation) > MOTIVATION_MAX_LENGTH:
        raise invalid_input(
            ProgramErrorCode.APPLICATION_INVALID,
            motivation=_("受講の目的は2000文字以内で入力してください。"),
        )
    cohort = _lock_cohort(cohort)
    cohort.program = program
    refusal = application_refusal(
        actor=actor, cohort=cohort, company=company, participant=participant
    )
    if refusal is not None:
        raise refusal
    now = timezone.now()
    seats_taken = Application.objects.filter(
        cohort=cohort, status=ApplicationStatus.ACCEPTED
    ).count()
    accepted = seats_taken < cohort.capacity
    application = Application(
        cohort=cohort,
        company=company,
        participant=participant,
        applied_by=actor,
        status=ApplicationStatus.ACCEPTED if accepted else ApplicationStatus.WAITLISTED,
        motivation=motivation,
        applied_at=now,
        decided_at=now if accepted else None,
        accepted_at=now if accepted else None,
    )
    full_clean_or_raise(
        application,
        code=ProgramErrorCode.APPLICATION_INVALID,
        duplicate_code=ProgramErrorCode.APPLICATION_DUPLICATE,
        duplicate_message=_("この受講者はこの期にすでに申し込んでいます。"),
    )
    application.save()
    audit_record(
        actor=actor,
        verb="programs.application.submit",
        target=application,
        company=company,
        after=snapshot(application, ["cohort", *AUDITED]),
    )
    params = _names(application, cohort)
    if accepted:
        params["next"] = next_session_sentence(first_upcoming_session(cohort, now))
        _notify(application, "application_accepted", params)
    else:
        params["position"] = waitlist_position(application) or 1
        _notify(application, "application_waitlisted", params)
    return application


def waitlist_promote(*, actor: User | None, cohort: Cohort) -> list[Application]:
    """Fill the cohort's free seats from the head of its waitlist (first applied, first
    promoted): after a withdrawal, a decline, or a larger capacity. The caller holds the
    cohort's lock (``_lock_cohort``) inside its transaction."""
    promoted: list[Application] = []
    program = Program.objects.get(pk=cohort.program_id)
    taken = Application.objects.filter(cohort=cohort, status=ApplicationStatus.ACCEPTED).count()
    queue = (
        Application.objects.select_for_update()
        .filter(cohort=cohort, status=ApplicationStatus.WAITLISTED)
        .order_by("applied_at", "pk")
    )
    now = timezone.now()
    for application in queue[: max(cohort.capacity - taken, 0)]:
        before = snapshot(application, AUDITED)
        application.status = ApplicationStatus.ACCEPTED
        application.decided_at = now
        application.accepted_at = now
        application.status_note = ""
        application.full_clean()
        application.save(
            update_fields=["status", "decided_at", "accepted_at", "status_note", "updated_at"]
        )
        audit_record(
            actor=actor,
            verb="programs.application.promote",
            target=application,
            company=application.company,
            before=before,
            after=snapshot(application, AUDITED),
        )
        cohort.program = program
        params = _names(application, cohort)
        params["next"] = next_session_sentence(first_upcoming_session(cohort, now))
        _notify(application, "application_promoted", params)
        promoted.append(application)
    return promoted


def _end(
    *, actor: User, application: Application, status: str, reason: str, verb: str
) -> Application:
    """Move an active application to ``status`` and give its seat to the waitlist."""
    cohort = _lock_cohort(application.cohort)
    current = _lock_application(application)
    if current.status not in ACTIVE_APPLICATION_STATUSES:
        raise ApplicationError(
            ProgramErrorCode.APPLICATION_NOT_ACTIVE,
            _("この申込はすでに「%(status)s」になっています。もう一度は変えられません。")
            % {"status": current.get_status_display()},
        )
    held_seat = current.status == ApplicationStatus.ACCEPTED
    before = snapshot(current, AUDITED)
    current.status = status
    current.decided_at = timezone.now()
    current.status_note = reason
    full_clean_or_raise(current, code=ProgramErrorCode.APPLICATION_INVALID)
    current.save(update_fields=["status", "decided_at", "status_note", "updated_at"])
    audit_record(
        actor=actor,
        verb=verb,
        target=current,
        company=current.company,
        before=before,
        after=snapshot(current, AUDITED),
    )
    if held_seat:
        waitlist_promote(actor=actor, cohort=cohort)
    application.refresh_from_db()
    return current


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """The company (its owner or staff) or the participant withdraws an accepted or
    waitlisted application; a seat it held goes to the head of the waitlist."""
    own = application.participant_id == actor.pk
    if not own and not has_role(actor, application.company, EDITOR_ROLES, CHANGE):
        raise PermissionRefused(
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            _("申込を取り下げられるのは、申し込んだ企業の経営者・スタッフと受講者本人だけです。"),
        )
    return _end(
        actor=actor,
        application=application,
        status=ApplicationStatus.WITHDRAWN,
        reason=(reason or "").strip()[:300],
        verb="programs.application.withdraw",
    )


@transaction.atomic
def application_decline(*, actor: User, application: Application, reason: str) -> Application:
    """An officer of the programme's ward declines an application (a reason is required,
    and the company is told it); a seat it held goes to the head of the waitlist."""
    program = application.cohort.program
    if not Program.objects.for_user(actor, CHANGE).filter(pk=program.pk).exists():
        raise PermissionRefused(
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            _("申込を受講不可にできるのは、講座を実施する区の職員だけです。"),
        )
    reason = (reason or "").strip()
    if not reason:
        message = _("受講不可の理由を入力してください。企業にそのまま伝わります。")
        raise ApplicationError(
            ProgramErrorCode.APPLICATION_REASON_REQUIRED, message, fields={"reason": [message]}
        )
    if len(reason) > 300:
        message = _("理由は300文字以内で入力してください。")
        raise ApplicationError(
            ProgramErrorCode.APPLICATION_REASON_REQUIRED, message, fields={"reason": [message]}
        )
    declined = _end(
        actor=actor,
        application=application,
        status=ApplicationStatus.DECLINED,
        reason=reason,
        verb="programs.application.decline",
    )
    params = _names(declined, application.cohort)
    params["reason"] = reason
    _notify(declined, "application_declined", params)
    return declined
