"""Writes of the applicant's side of the DX subsidy: starting an application (pre-filled
from the company's records and its dojo homework), saving the wizard's steps, the owner's
consent to an application an advisor filed, submission (and resubmission after 差戻し,
which adds a snapshot so the change shows) and withdrawal. Expense lines with their
quotes, and documents, are written in ``application_files``.

Every change locks the application row first (``lock_application``) and is refused,
with nothing changed, unless the application is a draft or returned. What refuses a
submission is decided once in ``selectors.applications.submission_problems`` (the
confirmation page lists the same problems).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import OWNER_ROLES, has_role
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company
from machikoba.subsidies import money
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application, ApplicationSnapshot, Stage
from machikoba.subsidies.models_screening import Selection
from machikoba.subsidies.selectors.body import application_body, is_advisor_filed
from machikoba.subsidies.selectors.calls import is_company_editor, start_refusal
from machikoba.subsidies.selectors.plan import DATE_FIELDS, STEP_FIELDS, STEPS, plan_json
from machikoba.subsidies.selectors.wizard import start_values, submission_problems
from machikoba.subsidies.services._application_checks import (
    _changeable,
    _content_changed,
    _editable,
)
from machikoba.subsidies.services.internal import application_transition, lock_application
from machikoba.subsidies.transitions import may_move

# Links a later change leaves as they are (the filer's account may have been deleted).
KEPT = ["filed_by"]


def application_path(application: Application) -> str:
    return reverse("subsidies:application_detail", args=[application.pk])


# --- start ------------------------------------------------------------------------------


def _consent_params(actor: User, application: Application) -> dict[str, object]:
    return {
        "advisor": actor.get_full_name() or actor.email,
        "company": application.company.name,
        "title": str(application),
    }


@transaction.atomic
def application_start(*, actor: User, stage: Stage, company: Company) -> Application:
    """Start a draft of ``company``'s application to ``stage``: only by the company's
    owner or staff, or an advisor supporting it now; only for a company of the call's
    ward, while the call is open, and one live application per company and stage. The
    draft is pre-filled from the company's profile, its latest value-added report and
    its DX道場 homework. An advisor's draft asks the owner for consent."""
    # The company's row serialises two starts at once (the second finds the first).
    company = Company.objects.select_for_update().get(pk=company.pk)
    stage = Stage.objects.select_related("call__municipality").get(pk=stage.pk)
    refusal = start_refusal(actor, stage, company)
    if refusal is not None:
        raise refusal
    application = Application(
        stage=stage,
        company=company,
        filed_by=actor,
        wizard_step=STEPS[0],
        **start_values(actor, stage, company),
    )
    full_clean_or_raise(application, code=ApplyErrorCode.PLAN_INVALID)
    application.save()
    audit_record(
        actor=actor,
        verb="subsidy_application.start",
        target=application,
        company=company,
        after={"stage": stage.pk, **snapshot(application, ["title", "wizard_step"])},
    )
    if not is_company_editor(actor, company):
        notify_company(
            company=company,
            kind="subsidy_consent_requested",
            params=_consent_params(actor, application),
            path=application_path(application),
            roles=OWNER_ROLES,
        )
    return application


# --- the wizard's steps --------------------------------------------------------------------


def _text_too_long(application: Application, values: Mapping[str, Any]) -> dict[str, str]:
    """TextFields are not checked for length by ``full_clean``."""
    errors = {}
    for name, value in values.items():
        limit = getattr(Application._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            errors[name] = _("%(limit)s文字以内で入力してください。") % {"limit": limit}
    return errors


@transaction.atomic
def application_save_step(
    *,
    actor: User,
    application: Application,
    step: int,
    data: Mapping[str, Any],
    advance: bool = True,
) -> Application:
    """Save what the wizard's ``step`` asks (only that step's fields present in ``data``;
    the others stay as they are) and remember where the applicant is: the next step with
    ``advance`` (「次へ」), this one without (「保存して中断」)."""
    if step not in STEPS:
        raise ValueError(f"unknown wizard step {step!r}")
    locked = _editable(actor, application)
    values = {}
    for name in STEP_FIELDS[step]:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        if name in DATE_FIELDS and value == "":
            value = None
        values[name] = value
    if values.get("partners") and not locked.stage.allows_partners:
        message = _("このステージでは連携先 (大学・公設試験研究機関など) を入れられません。")
        raise ApplicationError(
            ApplyErrorCode.PARTNERS_NOT_ALLOWED, message, fields={"partners": [message]}
        )
    errors = _text_too_long(locked, values)
    if errors:
        raise invalid_input(ApplyErrorCode.PLAN_INVALID, **errors)
    start = values.get("planned_start", locked.planned_start)
    end = values.get("planned_end", locked.planned_end)
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end <= start:
        raise invalid_input(
            ApplyErrorCode.PLAN_INVALID,
            planned_end=_("事業の完了予定日は、開始予定日より後にしてください。"),
        )
    for name in ("effect_before", "effect_after"):
        if name in values and values[name] is not None and not isinstance(values[name], Decimal):
            values[name] = Decimal(str(values[name]))
    before = snapshot(locked, list(values))
    for name, value in values.items():
        setattr(locked, name, value)
    locked.wizard_step = min(step + 1, STEPS[-1]) if advance else step
    full_clean_or_raise(locked, code=ApplyErrorCode.PLAN_INVALID, exclude=KEPT)
    locked.save()
    after = snapshot(locked, list(values))
    if before != after:
        audit_record(
            actor=actor,
            verb="subsidy_application.update",
            target=locked,
            company=locked.company,
            before=before,
            after=after,
        )
        _content_changed(actor, locked)
    return locked


# --- consent -------------------------------------------------------------------------------


@transaction.atomic
def application_consent(*, actor: User, application: Application) -> Application:
    """The company's owner records their consent to an application an advisor filed for
    the company; it may be submitted from then on (until the advisor changes it again)."""
    locked = lock_application(application.pk)
    if not has_role(actor, locked.company, OWNER_ROLES):
        raise PermissionRefused(
            ApplyErrorCode.CONSENT_NOT_ALLOWED,
            _("同意できるのは、申請する会社の代表者 (経営者) だけです。"),
        )
    if not locked.editable:
        raise ApplicationError(
            ApplyErrorCode.NOT_EDITABLE,
            _("この申請は「%(status)s」のため、同意の操作はできません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    if not is_advisor_filed(locked):
        raise ApplicationError(
            ApplyErrorCode.CONSENT_NOT_ALLOWED,
            _("この申請は会社の方が作成したため、同意の操作は必要ありません。"),
        )
    if locked.consent_at is not None:
        raise ApplicationError(
            ApplyErrorCode.CONSENT_NOT_ALLOWED, _("この申請には、すでに同意しています。")
        )
    locked.consent_by = actor
    locked.consent_at = timezone.now()
    full_clean_or_raise(locked, code=ApplyErrorCode.PLAN_INVALID, exclude=KEPT)
    locked.save(update_fields=["consent_by", "consent_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="subsidy_application.consent",
        target=locked,
        company=locked.company,
        after={"consent_by": actor.pk, "consent_at": locked.consent_at.isoformat()},
    )
    return locked


@transaction.atomic
def application_consent_request(*, actor: User, application: Application) -> Application:
    """The advisor who filed the application asks the owner (again) to consent."""
    locked = _editable(actor, application)
    if locked.filed_by_id != actor.pk or not is_advisor_filed(locked):
        raise PermissionRefused(
            ApplyErrorCode.CONSENT_NOT_ALLOWED,
            _("同意を依頼できるのは、申請を作成したアドバイザーだけです。"),
        )
    if locked.consent_at is not None:
        raise ApplicationError(
            ApplyErrorCode.CONSENT_NOT_ALLOWED, _("代表者はすでに同意しています。")
        )
    audit_record(
        actor=actor,
        verb="subsidy_application.consent_request",
        target=locked,
        company=locked.company,
    )
    notify_company(
        company=locked.company,
        kind="subsidy_consent_requested",
        params=_consent_params(actor, locked),
        path=application_path(locked),
        roles=OWNER_ROLES,
    )
    return locked


# --- submission and withdrawal ----------------------------------------------------------------


def reference_for(application: Application) -> str:
    """受付番号: the call's fiscal year, the stage and the application's number, e.g.
    ``DX2026-1-00042``. Kept on resubmission."""
    stage = application.stage
    return f"DX{stage.call.fiscal_year}-{stage.number}-{application.pk:05d}"


def snapshot_payload(application: Application, body: Any) -> dict[str, Any]:
    """What a submission fixes: the plan's fields, the expense lines (with their quotes)
    and the attached documents, as JSON."""
    return {
        "plan": plan_json(application),
        "lines": [
            {
                "category": row.line.category.code,
                "category_name": row.category_name,
                "description": row.line.description,
                "vendor": row.line.vendor,
                "amount": row.line.amount,
                "quotes": [quote.original_name for quote in row.quotes],
            }
            for row in body.expenses
        ],
        "attachments": [
            {"requirement": row.requirement.name, "files": [d.original_name for d in row.documents]}
            for row in body.attachments
        ],
        "expert_evaluation": [d.original_name for d in body.expert_documents],
    }


@transaction.atomic
def application_submit(*, actor: User, application: Application) -> Application:
    """Submit a draft, or resubmit after 差戻し. Refused, with nothing changed, for each
    problem ``submission_problems`` names (the first one's code; every message listed):
    the deadline passed (a first submission; JST, to the second), plan fields missing,
    partners where the stage allows none, no expense or ineligible ones, below the
    stage's minimum, quotes missing (相見積), required attachments or the expert's
    evaluation missing, an advisor's application without the owner's consent, a call
    that requires a GビズID-verified representative. On success: the 受付番号, the
    requested amount and eligible cost from the stage's rules (capped), a snapshot
    (version n), and the move to 提出済み."""
    # One moment for the deadline and the submission's time: what is accepted is
    # recorded as on time.
    now = timezone.now()
    locked = _changeable(actor, application)
    if not may_move(locked, ApplicationStatus.SUBMITTED):
        raise ApplicationError(
            ApplyErrorCode.NOT_EDITABLE,
            _("この申請は「%(status)s」のため、提出できません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    if Selection.objects.filter(stage=locked.stage_id).exists():
        # The stage's ranking is closed: an application arriving now could be neither
        # selected nor not selected (a returned one is a blocker of the confirmation).
        raise ApplicationError(
            ApplyErrorCode.CALL_NOT_OPEN,
            _("このステージの採択はすでに確定しているため、提出できません。"),
            status_code=409,
        )
    body = application_body(actor, locked)
    problems = submission_problems(body, actor=actor, now=now)
    if problems:
        raise ApplicationError(
            problems[0].code,
            problems[0].message,
            fields={"__all__": [problem.message for problem in problems]},
        )
    breakdown = money.application_breakdown(locked)
    resubmission = locked.status == ApplicationStatus.RETURNED
    version = (
        ApplicationSnapshot.objects.filter(application=locked).aggregate(last=Max("version"))[
            "last"
        ]
        or 0
    ) + 1
    snap = ApplicationSnapshot(
        application=locked,
        version=version,
        data=snapshot_payload(locked, body),
        submitted_at=now,
    )
    full_clean_or_raise(snap, code=ApplyErrorCode.PLAN_INVALID)
    snap.save()
    locked.reference = locked.reference or reference_for(locked)
    locked.eligible_cost = breakdown.total_eligible
    locked.requested_amount = breakdown.subsidy
    locked.submitted_by = actor
    locked.submitted_at = now
    locked.wizard_step = STEPS[-1]
    full_clean_or_raise(locked, code=ApplyErrorCode.PLAN_INVALID, exclude=KEPT)
    comment = (
        _("修正して再提出しました (第%(version)s版)。") % {"version": version}
        if resubmission
        else ""
    )
    application_transition(
        application=locked, to=ApplicationStatus.SUBMITTED, actor=actor, comment=comment
    )
    audit_record(
        actor=actor,
        verb="subsidy_application.submit",
        target=locked,
        company=locked.company,
        after={
            "reference": locked.reference,
            "version": version,
            "eligible_cost": locked.eligible_cost,
            "requested_amount": locked.requested_amount,
        },
    )
    return locked


WITHDRAW_REASON_MAX = 300


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """Withdraw an application (取下げ), before payment; the company may apply to the
    stage again while the call is open. After submission only the company's owner or
    staff may; the advisor who filed a draft may withdraw the draft."""
    locked = _changeable(actor, application)
    reason = (reason or "").strip()
    if len(reason) > WITHDRAW_REASON_MAX:
        raise invalid_input(
            ApplyErrorCode.PLAN_INVALID,
            reason=_("理由は %(n)s 文字以内で入力してください。") % {"n": WITHDRAW_REASON_MAX},
        )
    if not may_move(locked, ApplicationStatus.WITHDRAWN):
        raise ApplicationError(
            ApplyErrorCode.NOT_EDITABLE,
            _("この申請は「%(status)s」のため、取り下げられません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    if locked.status != ApplicationStatus.DRAFT and not is_company_editor(actor, locked.company):
        raise PermissionRefused(
            ApplyErrorCode.NOT_ALLOWED,
            _("提出した申請を取り下げられるのは、申請した会社の経営者・スタッフだけです。"),
        )
    application_transition(
        application=locked, to=ApplicationStatus.WITHDRAWN, actor=actor, comment=reason
    )
    return locked
