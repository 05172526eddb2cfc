"""Caller-trusted writes of the subsidy: they check no user's rights, because their caller
(a checked service of this package) already did. Views and API handlers never import this
module (``lint-imports`` checks).

The application's state machine is the table ``subsidies.transitions.TRANSITIONS``: which
status may follow which (pages read it for their buttons). ``application_transition`` is the
one place that assigns ``status``; it records the step in the application's history
(``ApplicationEvent``) and in the audit log.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.models import Application, ApplicationEvent
from machikoba.subsidies.transitions import may_move


def lock_application(pk: int) -> Application:
    """The application row, locked for the rest of the transaction (two officers, or an
    officer and the applicant, acting at once are serialised here)."""
    # Only the application's row: the call's and the stage's are locked first, in that
    # order, by the services that need them (services._screening_checks._lock_open_stage).
    return (
        Application.objects.select_for_update(of=("self",)).select_related("stage__call").get(pk=pk)
    )


def application_transition(
    *, application: Application, to: str, actor: User | None, comment: str = ""
) -> ApplicationEvent:
    """Move ``application`` (locked by the caller) to ``to``; refused unless the table
    allows it. The caller has checked that ``actor`` may take this step and has written
    whatever else the step changes on ``application`` (it is saved here in full)."""
    if not may_move(application, to):
        raise ApplicationError(
            SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
            _("この申請は「%(status)s」のため、この操作はできません。")
            % {"status": application.get_status_display()},
            status_code=409,
        )
    before = application.status
    application.status = to
    application.save()
    event = ApplicationEvent(
        application=application,
        from_status=before,
        to_status=to,
        actor=actor,
        comment=comment,
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        verb=f"subsidy_application.{to}",
        target=application,
        company=application.company,
        before={"status": before},
        after={"status": to, "comment": comment[:200]},
    )
    return event
