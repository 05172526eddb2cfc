"""Checks every write of the applicant's side shares: who may change an application (on
its row, locked), only while it is a draft or returned, and the owner's consent, which no
longer holds once an advisor changes what was consented to. And what every write that
stores files shares (the application's documents, the 実績報告's proofs): a file stored by
a transaction that does not commit is deleted again (``atomic_storing_files``). Not for
views."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, OWNER_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application
from machikoba.subsidies.selectors.body import is_advisor_filed
from machikoba.subsidies.services.internal import lock_application

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)


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


# --- files stored by a write that rolls back -------------------------------------------------

# The files the running ``atomic_storing_files`` write stored: (storage, name) pairs.
_stored_files: ContextVar[list[tuple[Any, str]] | None] = ContextVar(
    "subsidies_stored_files", default=None
)


def atomic_storing_files(service: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic`` for a write that stores files (``remember_stored``): when its
    transaction does not commit (an error inside it, or the commit itself failing), the
    files it stored are deleted again, so no file outlives its rolled-back row. Django runs
    callbacks on commit but none on rollback, hence the list kept here. A write called by
    another one hands its files to the caller's list when it succeeds, and deletes them
    when its savepoint rolls back."""

    @functools.wraps(service)
    def write(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = _stored_files.get()
        stored: list[tuple[Any, str]] = []
        committed: list[bool] = []
        token = _stored_files.set(stored)
        try:
            with transaction.atomic():
                if outer is None:
                    # Registered first, so it runs before any other callback of this
                    # transaction: a later callback's failure is not a rollback.
                    transaction.on_commit(lambda: committed.append(True))
                result = service(*args, **kwargs)
        except BaseException:
            if not committed:
                for storage, name in stored:
                    _delete_stored(storage, name)
            raise
        finally:
            _stored_files.reset(token)
        if outer is not None:
            outer.extend(stored)
        return result

    return write


def _delete_stored(storage: Any, name: str) -> None:
    """Delete a file of a rolled-back write; a storage failure is logged, not raised over
    the error that rolled the write back."""
    try:
        storage.delete(name)
    except Exception:
        logger.exception("could not delete %s after its write rolled back", name)


def remember_stored(field_file: FieldFile) -> None:
    """Note a file just stored by the running ``atomic_storing_files`` write: it is
    deleted again if that write's transaction does not commit."""
    stored = _stored_files.get()
    if stored is None:
        raise RuntimeError("files are stored only inside an @atomic_storing_files write")
    if field_file.name:
        stored.append((field_file.storage, field_file.name))
