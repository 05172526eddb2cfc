"""DX-loan referrals: an officer of the ward refers a company of the ward to a partner bank
(amount requested in yen, purpose); the bank's people record the outcome (under review →
approved with an amount up to the one requested, or declined with a note); the officer may
withdraw it while it is open. The company's owner and staff follow it; the bank's people
see only what is addressed to their bank (``lab.access.referral_scope``).

Only a bank partner linked to an active company of kind ``bank`` receives referrals: the
bank records the outcome itself, so a bank recorded offline (no account) is worked with
on paper, outside this list."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, WARD_OFFICER, company_ids_for, municipality_ids_for
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company, notify_users
from machikoba.lab.choices import PartnerKind, ReferralStatus
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import LoanReferral, Partner

# Which status may follow which: the bank moves it on, the officer withdraws it.
BANK_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.REFERRED: (
        ReferralStatus.UNDER_REVIEW,
        ReferralStatus.APPROVED,
        ReferralStatus.DECLINED,
    ),
    ReferralStatus.UNDER_REVIEW: (ReferralStatus.APPROVED, ReferralStatus.DECLINED),
}
OPEN_STATUSES = (ReferralStatus.REFERRED, ReferralStatus.UNDER_REVIEW)
MAX_AMOUNT = 10_000_000_000  # 100億円: anything above is a typing slip
# Links a later change leaves as they are (the person's account may have been deleted).
KEPT = ["referred_by"]
FIELDS = ["status", "amount_requested", "amount_approved", "outcome_note", "purpose"]


def referral_path(referral: LoanReferral) -> str:
    return reverse("lab:referral_detail", args=[referral.pk])


def _require_officer(actor: User, municipality_id: int) -> None:
    if municipality_id not in municipality_ids_for(actor, WARD_OFFICER):
        raise PermissionRefused(
            EcosystemErrorCode.NOT_OFFICER,
            _("DX融資の紹介は、その区の職員だけが扱えます。"),
        )


def bank_may_record(actor: User, referral: LoanReferral) -> bool:
    """Whether ``actor`` records outcomes for the bank the referral is addressed to."""
    company_id = referral.bank.company_id
    return company_id is not None and company_id in company_ids_for(actor, EDITOR_ROLES)


def _check_bank(bank: Partner, company: Company) -> Company:
    """The bank's own company, once the bank may receive a referral for ``company``."""
    if bank.kind != PartnerKind.BANK or bank.municipality_id != company.ward_id:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_BANK_OFFLINE,
            bank=_("企業と同じ区の連携金融機関を選んでください。"),
        )
    if not bank.active:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_BANK_OFFLINE,
            bank=_("この金融機関は連携への参加を終了しています。"),
        )
    linked = bank.company
    if linked is None or linked.kind != CompanyKind.BANK or not linked.is_active:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_BANK_OFFLINE,
            bank=_(
                "この金融機関は machikoba のアカウントと連携していないため、オンラインで"
                "紹介できません。連携先の設定で金融機関のアカウントを選んでください。"
            ),
        )
    return linked


@transaction.atomic
def referral_create(
    *,
    actor: User,
    company: Company,
    bank: Partner,
    amount_requested: int,
    purpose: str,
) -> LoanReferral:
    """Refer ``company`` (of the officer's ward) to ``bank`` (a linked bank of that ward)."""
    if company.ward_id is None:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_COMPANY_WARD,
            company=_("所在する区が登録されていない企業は紹介できません。"),
        )
    _require_officer(actor, company.ward_id)
    if not company.is_active or company.kind in (CompanyKind.BANK, CompanyKind.VENDOR):
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_COMPANY_WARD,
            company=_("区内で利用中の町工場・企業を選んでください。"),
        )
    bank_company = _check_bank(bank, company)
    purpose = purpose.strip()
    if not purpose:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_INVALID, purpose=_("資金の使いみちを書いてください。")
        )
    if not 1 <= amount_requested <= MAX_AMOUNT:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_INVALID,
            amount_requested=_("希望額は1円以上100億円以下で入力してください。"),
        )
    referral = LoanReferral(
        municipality_id=company.ward_id,
        company=company,
        bank=bank,
        amount_requested=amount_requested,
        purpose=purpose,
        referred_by=actor,
    )
    full_clean_or_raise(referral, code=EcosystemErrorCode.REFERRAL_INVALID, exclude=KEPT)
    referral.save()
    audit_record(
        actor=actor,
        verb="lab.referral.create",
        target=referral,
        company=company,
        after=snapshot(referral, [*FIELDS, "bank"]),
    )
    ward = referral.municipality.name
    amount = format_yen(amount_requested)
    notify_company(
        company=company,
        kind="lab_referral_made",
        params={"ward": ward, "bank": bank.name, "amount": amount},
        path=referral_path(referral),
    )
    notify_company(
        company=bank_company,
        kind="lab_referral_received",
        params={"ward": ward, "company": company.name, "amount": amount},
        path=referral_path(referral),
    )
    return referral


def _lock(referral: LoanReferral) -> LoanReferral:
    return (
        LoanReferral.objects.select_for_update(of=("self",))
        .select_related("bank", "company")
        .get(pk=referral.pk)
    )


@transaction.atomic
def referral_outcome_record(
    *,
    actor: User,
    referral: LoanReferral,
    status: str,
    amount_approved: int | None = None,
    note: str = "",
) -> LoanReferral:
    """The bank's people record where the referral stands: under review, approved (with
    the amount lent, at most the amount requested) or declined (with a note)."""
    referral = _lock(referral)
    if not bank_may_record(actor, referral):
        raise PermissionRefused(
            EcosystemErrorCode.REFERRAL_NOT_BANK,
            _("結果を記録できるのは、紹介先の金融機関の方だけです。"),
        )
    if status not in BANK_TRANSITIONS.get(referral.status, ()):
        raise ApplicationError(
            EcosystemErrorCode.REFERRAL_STATE,
            _("この紹介はいまの状態から、その結果を記録できません。"),
        )
    note = note.strip()
    if status == ReferralStatus.APPROVED:
        if amount_approved is None or amount_approved < 1:
            raise invalid_input(
                EcosystemErrorCode.REFERRAL_AMOUNT,
                amount_approved=_("融資額を入力してください。"),
            )
        if amount_approved > referral.amount_requested:
            raise invalid_input(
                EcosystemErrorCode.REFERRAL_AMOUNT,
                amount_approved=_("融資額は希望額以下にしてください。"),
            )
    elif amount_approved is not None:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_AMOUNT,
            amount_approved=_("融資額は「融資実行」のときだけ入力してください。"),
        )
    if status == ReferralStatus.DECLINED and not note:
        raise invalid_input(
            EcosystemErrorCode.REFERRAL_INVALID,
            note=_("見送りの理由を書いてください。"),
        )
    before = snapshot(referral, FIELDS)
    referral.status = status
    referral.amount_approved = amount_approved if status == ReferralStatus.APPROVED else None
    referral.outcome_note = note
    referral.decided_by = actor
    referral.decided_at = timezone.now()
    full_clean_or_raise(referral, code=EcosystemErrorCode.REFERRAL_INVALID, exclude=KEPT)
    referral.save()
    audit_record(
        actor=actor,
        verb="lab.referral.outcome",
        target=referral,
        company=referral.company,
        before=before,
        after=snapshot(referral, FIELDS),
    )
    params = {"bank": referral.bank.name, "status": referral.get_status_display()}
    notify_company(
        company=referral.company,
        kind="lab_referral_decided",
        params=params,
        path=referral_path(referral),
    )
    if referral.referred_by is not None:
        notify_users(
            users=[referral.referred_by],
            kind="lab_referral_decided",
            params=params,
            path=referral_path(referral),
        )
    return referral


@transaction.atomic
def referral_withdraw(*, actor: User, referral: LoanReferral) -> LoanReferral:
    """The officer withdraws an open referral (the company changed its mind, another route)."""
    referral = _lock(referral)
    _require_officer(actor, referral.municipality_id)
    if referral.status not in OPEN_STATUSES:
        raise ApplicationError(
            EcosystemErrorCode.REFERRAL_STATE,
            _("結果が出た紹介・取り下げた紹介は取り下げられません。"),
        )
    before = snapshot(referral, FIELDS)
    referral.status = ReferralStatus.WITHDRAWN
    full_clean_or_raise(referral, code=EcosystemErrorCode.REFERRAL_INVALID, exclude=KEPT)
    referral.save()
    audit_record(
        actor=actor,
        verb="lab.referral.withdraw",
        target=referral,
        company=referral.company,
        before=before,
        after=snapshot(referral, FIELDS),
    )
    if referral.bank.company is not None:
        notify_company(
            company=referral.bank.company,
            kind="lab_referral_withdrawn",
            params={"ward": referral.municipality.name, "company": referral.company.name},
            path=referral_path(referral),
        )
    return referral
