"""Checks and helpers the screening writes share: the ward's officer, the stage locked
while its selection is not yet confirmed, texts within their bounds (a reason, a comment,
a note), and what a notice to the company names and links to. Not for views: they call
the services.

Locks are taken in one order, call → stage → application, as ``selection_confirm``
takes them: a write that changes what the ranking reads locks the stage first
(``_lock_open_stage``), then the application (``lock_application``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import MANAGE, can
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import Application, Call, Stage
from machikoba.subsidies.models_screening import Selection

REASON_MAX_LENGTH = 2000  # Application.decision_reason, Selection.reason (TextFields)
COMMENT_MAX_LENGTH = 3000  # ReviewerAssignment.comment, ApplicationEvent.comment
NOTE_MAX_LENGTH = 300  # conflict_note, evidence_note, officer_note


def application_path(application: Application) -> str:
    return reverse("subsidies:application_detail", args=[application.pk])


def _names(application: Application) -> dict[str, object]:
    return {
        "title": str(application),
        "call": application.stage.call.name,
        "stage": str(application.stage),
    }


def _required_text(value: str, *, field: str, max_length: int, required: str) -> str:
    """``value`` stripped; refused when empty or too long (on ``field``)."""
    text = (value or "").strip()
    if not text:
        raise ApplicationError(
            ScreeningErrorCode.REASON_REQUIRED, required, fields={field: [required]}
        )
    return _bounded_text(text, field=field, max_length=max_length)


def _bounded_text(value: str, *, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        message = _("%(n)s 文字以内で入力してください。") % {"n": max_length}
        raise ApplicationError(
            ScreeningErrorCode.REASON_REQUIRED, message, fields={field: [message]}
        )
    return text


def _require_officer(actor: User, application: Application) -> None:
    if not can(actor, MANAGE, application):
        raise PermissionRefused(
            ScreeningErrorCode.NOT_OFFICER,
            _("この操作ができるのは、公募を実施する区の職員だけです。"),
        )


def _lock_open_stage(stage: Stage, refusal: str) -> Stage:
    """``stage``'s row, locked for the rest of the transaction after its call's and
    before any of its applications, refused with ``refusal`` (it may name ``%(when)s``,
    the confirmation's date and time) once the stage's selection is confirmed: nothing may
    then enter or change the ranking it was made from."""
    # The call's row too, first: ``lock_application`` then locks the stage's and the
    # call's rows again (its select_related), already ours, so the order holds.
    call = Call.objects.select_for_update().get(pk=stage.call_id)
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    locked.call = call
    selection = Selection.objects.filter(stage=locked).first()
    if selection is not None:
        raise ApplicationError(
            ScreeningErrorCode.SELECTION_ALREADY_CONFIRMED,
            refusal
            % {"when": timezone.localtime(selection.confirmed_at).strftime("%Y/%m/%d %H:%M")},
            status_code=409,
        )
    return locked
