"""Partners of the 産学官金 consortium: the ward's office (lab staff and officers) lists,
adds, edits, deactivates and reactivates the universities, banks, vendors and support
bodies it works with.

A bank or a vendor whose people sign in is linked to its company (of kind ``bank`` /
``vendor``): they then see what is addressed to it. A bank without a linked company may be
recorded (the office works with it on paper), but DX-loan referrals go only to a bank
that is linked (``services.referrals``): a referral nobody at the bank can open would wait
unseen, and only the bank records its outcome."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.lab.access import office_wards
from machikoba.lab.choices import PartnerKind
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import Partner
from machikoba.wards.models import Municipality

FIELDS = ["kind", "name", "company", "contact_name", "contact_email", "note", "active"]
# The kind of company each partner kind may be linked to; other kinds have no account.
LINKABLE_KINDS = {PartnerKind.BANK: CompanyKind.BANK, PartnerKind.VENDOR: CompanyKind.VENDOR}


def require_office(actor: User, municipality_id: int) -> None:
    """Refuse anyone who does not work in the support office (lab staff, officers) of the
    ward ``municipality_id``."""
    if municipality_id not in office_wards(actor):
        raise PermissionRefused(
            EcosystemErrorCode.NOT_OFFICE,
            _("この区の窓口 (ラボの職員・区の職員) だけが操作できます。"),
        )


def _check_company(kind: str, company: Company | None) -> None:
    if company is None:
        return
    wanted = LINKABLE_KINDS.get(PartnerKind(kind)) if kind in PartnerKind.values else None
    if wanted is None:
        raise invalid_input(
            EcosystemErrorCode.PARTNER_COMPANY_KIND,
            company=_("アカウントと連携できるのは金融機関とITベンダーだけです。"),
        )
    if company.kind != wanted:
        message = (
            _("金融機関には、種類が「金融機関」の企業アカウントを選んでください。")
            if wanted == CompanyKind.BANK
            else _("ITベンダーには、種類が「ITベンダー」の企業アカウントを選んでください。")
        )
        raise invalid_input(EcosystemErrorCode.PARTNER_COMPANY_KIND, company=message)
    if not company.is_active:
        raise invalid_input(
            EcosystemErrorCode.PARTNER_COMPANY_KIND,
            company=_("利用を停止している企業アカウントとは連携できません。"),
        )


def _validate_and_save(actor: User, partner: Partner, *, verb: str, before: dict | None) -> None:
    full_clean_or_raise(
        partner,
        code=EcosystemErrorCode.PARTNER_INVALID,
        duplicate_code=EcosystemErrorCode.PARTNER_DUPLICATE,
        duplicate_message=_("この区には同じ名前の連携先がすでに登録されています。"),
    )
    partner.save()
    audit_record(
        actor=actor,
        verb=verb,
        target=partner,
        company=partner.company,
        before=before,
        after=snapshot(partner, FIELDS),
    )


@transaction.atomic
def partner_create(
    *,
    actor: User,
    municipality: Municipality,
    kind: str,
    name: str,
    company: Company | None = None,
    contact_name: str = "",
    contact_email: str = "",
    note: str = "",
) -> Partner:
    require_office(actor, municipality.pk)
    _check_company(kind, company)
    partner = Partner(
        municipality=municipality,
        kind=kind,
        name=name.strip(),
        company=company,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        note=note.strip(),
    )
    _validate_and_save(actor, partner, verb="lab.partner.create", before=None)
    return partner


def _lock(actor: User, partner: Partner) -> Partner:
    require_office(actor, partner.municipality_id)
    return Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)


@transaction.atomic
def partner_update(
    *,
    actor: User,
    partner: Partner,
    kind: str,
    name: str,
    company: Company | None = None,
    contact_name: str = "",
    contact_email: str = "",
    note: str = "",
) -> Partner:
    partner = _lock(actor, partner)
    before = snapshot(partner, FIELDS)
    _check_company(kind, company)
    relinked = kind != partner.kind or (company.pk if company else None) != partner.company_id
    if relinked and partner.referrals.exists():
        # The bank's people read the referrals through this link: moving it would show
        # them to another organisation and hide them from the one they were sent to.
        raise invalid_input(
            EcosystemErrorCode.PARTNER_STATE,
            company=_(
                "DX融資の紹介の記録がある金融機関は、種類と連携するアカウントを変えられません。"
                "別の連携先として登録してください。"
            ),
        )
    partner.kind = kind
    partner.name = name.strip()
    partner.company = company
    partner.contact_name = contact_name.strip()
    partner.contact_email = contact_email.strip()
    partner.note = note.strip()
    _validate_and_save(actor, partner, verb="lab.partner.update", before=before)
    return partner


@transaction.atomic
def partner_deactivate(*, actor: User, partner: Partner) -> Partner:
    """The partner leaves the consortium: it gets no new referral or project, its past
    ones stay as they are."""
    return _set_active(actor, partner, active=False)


@transaction.atomic
def partner_reactivate(*, actor: User, partner: Partner) -> Partner:
    return _set_active(actor, partner, active=True)


def _set_active(actor: User, partner: Partner, *, active: bool) -> Partner:
    partner = _lock(actor, partner)
    if partner.active == active:
        raise ApplicationError(
            EcosystemErrorCode.PARTNER_STATE,
            _("この連携先はすでに参加中です。")
            if active
            else _("この連携先の参加はすでに終了しています。"),
        )
    before = snapshot(partner, FIELDS)
    partner.active = active
    _validate_and_save(
        actor,
        partner,
        verb="lab.partner.reactivate" if active else "lab.partner.deactivate",
        before=before,
    )
    return partner
