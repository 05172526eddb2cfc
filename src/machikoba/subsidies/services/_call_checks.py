"""Checks every office write of a call shares: only the officers of the call's ward act,
on the call's row locked for the rest of the transaction, while the rules applicants rely
on are not yet fixed (``selectors.office.rules_lock``); a refusal names the field it is
about. And the last step of each write of a rule: saved or deleted with its audit event.
Not for views: they call the services."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Model, QuerySet, Sum
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import Call, Stage
from machikoba.subsidies.selectors.office import rules_lock


def _not_allowed() -> PermissionRefused:
    return PermissionRefused(
        CallOfficeErrorCode.OFFICE_NOT_ALLOWED,
        _("この公募を管理できるのは、実施する区の職員だけです。"),
    )


def _locked_call(actor: User, call: Call) -> Call:
    """``call``, locked for the rest of the transaction, once ``actor`` is proved an
    officer of its ward. Two officers changing one call's rules at once are serialised
    here, so the budget sums below hold."""
    if not Call.objects.for_user(actor, CHANGE).filter(pk=call.pk).exists():
        raise _not_allowed()
    return Call.objects.select_for_update().get(pk=call.pk)


def _require_rules_open(call: Call) -> None:
    refusal = rules_lock(call)
    if refusal is not None:
        raise refusal


def _open_call(actor: User, call: Call) -> Call:
    """``_locked_call``, refused once the rules are fixed."""
    call = _locked_call(actor, call)
    _require_rules_open(call)
    return call


def _invalid(code: CallOfficeErrorCode, **fields: Any) -> ApplicationError:
    return ApplicationError(
        code,
        _("入力内容を確認してください。"),
        fields={name: [message] for name, message in fields.items()},
    )


def _refuse(code: CallOfficeErrorCode, message: Any, field: str | None = None) -> ApplicationError:
    return ApplicationError(code, message, fields={field: [message]} if field else None)


def _next_order(rows: QuerySet[Any]) -> int:
    """One past the largest ``order`` of ``rows``: a new line goes last."""
    largest = rows.aggregate(largest=Max("order"))["largest"]
    return 0 if largest is None else largest + 1


def _stage_budgets(call: Call, *, excluding: Stage | None = None) -> int:
    stages = Stage.objects.filter(call=call)
    if excluding is not None:
        stages = stages.exclude(pk=excluding.pk)
    return stages.aggregate(total=Sum("budget"))["total"] or 0


def _refuse_in_use(what: str) -> ApplicationError:
    return ApplicationError(
        CallOfficeErrorCode.RULE_IN_USE,
        _("%(what)s は申請ですでに使われているため、削除できません。") % {"what": what},
        status_code=409,
    )


def _save_rule(
    actor: User,
    row: Model,
    *,
    code: CallOfficeErrorCode,
    verb: str,
    fields: list[str],
    before: dict[str, Any] | None = None,
) -> None:
    """Validate and save one row of a call's rules, with its audit event; ``before`` is
    the row's snapshot before a change (None for a new row)."""
    full_clean_or_raise(row, code=code)
    row.save()
    audit_record(actor=actor, verb=verb, target=row, before=before, after=snapshot(row, fields))


def _remove_rule(
    actor: User, row: Model, *, in_use: bool, verb: str, fields: list[str], what: str
) -> None:
    """Delete one row of a call's rules, with its audit event, unless an application
    uses it (``in_use``; the refusal names it as ``what``)."""
    if in_use:
        raise _refuse_in_use(what)
    audit_record(actor=actor, verb=verb, target=row, before=snapshot(row, fields))
    row.delete()
