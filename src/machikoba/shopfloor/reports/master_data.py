"""Writes of the daily reports' master data: the company's stop and defect reasons
(seeded with a default set on first use) and its hourly rates for actual costs."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import full_clean_or_raise
from machikoba.shopfloor.choices import ReasonKind
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.internal_reports import reasons_seed
from machikoba.shopfloor.models_reports import CostRates, Reason
from machikoba.shopfloor.reports.rules import require_editor, require_member

# --- master data ----------------------------------------------------------------------------


@transaction.atomic
def reasons_ensure(*, actor: User, company: Company) -> int:
    """The first use of the 日報 by anyone of ``company`` gives it the default reasons."""
    require_member(actor, company)
    return reasons_seed(company=company, actor=actor)


REASON_FIELDS = ["kind", "code", "label", "planned", "active", "order"]


def _clean_reason(reason: Reason) -> None:
    reason.code = reason.code.strip()
    reason.label = reason.label.strip()
    if reason.kind != ReasonKind.STOP:
        reason.planned = False
    full_clean_or_raise(
        reason,
        code=ReportErrorCode.REASON_INVALID,
        duplicate_code=ReportErrorCode.REASON_DUPLICATE,
        duplicate_message=_("このコードはもう使われています。別のコードにしてください。"),
    )


@transaction.atomic
def reason_create(
    *,
    actor: User,
    company: Company,
    kind: str,
    code: str,
    label: str,
    planned: bool = False,
    order: int = 0,
) -> Reason:
    require_editor(actor, company, ReportErrorCode.NOT_SUPERVISOR)
    reason = Reason(
        company=company, kind=kind, code=code, label=label, planned=planned, order=order
    )
    _clean_reason(reason)
    reason.save()
    audit_record(
        actor=actor,
        verb="floor_reason.create",
        target=reason,
        company=company,
        after=snapshot(reason, REASON_FIELDS),
    )
    return reason


@transaction.atomic
def reason_update(
    *,
    actor: User,
    reason: Reason,
    code: str,
    label: str,
    planned: bool,
    active: bool,
    order: int,
) -> Reason:
    """Rename, recode, reorder or retire (``active`` off) a reason; entries keep it."""
    require_editor(actor, reason.company, ReportErrorCode.NOT_SUPERVISOR)
    reason = Reason.objects.select_for_update().get(pk=reason.pk)
    before = snapshot(reason, REASON_FIELDS)
    reason.code, reason.label, reason.planned = code, label, planned
    reason.active, reason.order = active, order
    _clean_reason(reason)
    reason.save()
    audit_record(
        actor=actor,
        verb="floor_reason.update",
        target=reason,
        company=reason.company,
        before=before,
        after=snapshot(reason, REASON_FIELDS),
    )
    return reason


@transaction.atomic
def cost_rates_set(
    *, actor: User, company: Company, labour_yen_per_hour: int, machine_yen_per_hour: int
) -> CostRates:
    """The company's hourly rates for its actual costs (its own figures: nobody outside
    the company sees them)."""
    require_editor(actor, company, ReportErrorCode.NOT_SUPERVISOR)
    rates = CostRates.objects.select_for_update().filter(company=company).first()
    rates = rates or CostRates(company=company)
    rates.labour_yen_per_hour = labour_yen_per_hour
    rates.machine_yen_per_hour = machine_yen_per_hour
    full_clean_or_raise(rates, code=ReportErrorCode.RATES_INVALID)
    rates.save()
    # The trail says that the rates changed, not to what: platform admins read it too.
    audit_record(
        actor=actor,
        verb="floor_rates.update",
        target=rates,
        company=company,
        after={"changed": ["labour_yen_per_hour", "machine_yen_per_hour"]},
    )
    return rates
