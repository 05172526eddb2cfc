"""Checks every write of the applicant's side shares: who may change an application (on
its row, locked), only while it is a draft or returned, and the owner's consent, which no
longer holds once an advisor changes what was consented to. Not for views."""

from __future__ import annotations

from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, OWNER_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application
from machikoba.subsidies.selectors.body import is_advisor_filed
from machikoba.subsidies.services.internal import lock_application


def _refuse_change() -> PermissionRefused:
    return PermissionRefused(
        ApplyErrorCode.NOT_ALLOWED,
        _(
            "この申請を変更できるのは、申請する会社の経営者・スタッフと、"
            "申請を作成したアドバイザーだけです。"
        ),
    )


def _changeable(actor: User, application: Application) -> Application:
    """``application`` locked, after checking that ``actor`` may change it."""
    if not Application.objects.for_user(actor, CHANGE).filter(pk=application.pk).exists():
        raise _refuse_change()
    return lock_application(application.pk)


def _editable(actor: User, application: Application) -> Application:
    """``application`` locked for an edit: ``actor`` may change it and it is a draft or
    returned (差戻し)."""
    locked = _changeable(actor, application)
    if not locked.editable:
        raise ApplicationError(
            ApplyErrorCode.NOT_EDITABLE,
            _("この申請は「%(status)s」のため、内容を変えられません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    return locked


def _content_changed(actor: User, application: Application) -> None:
    """An advisor changed what the owner consented to: the consent no longer holds."""
    if application.consent_at is None or has_role(actor, application.company, OWNER_ROLES):
        return
    if not is_advisor_filed(application):
        return
    application.consent_by = None
    application.consent_at = None
    application.save(update_fields=["consent_by", "consent_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="subsidy_application.consent_reset",
        target=application,
        company=application.company,
    )
