"""IT vendors as exhibitors: the lab's staff register a vendor (a company of kind
``vendor``, with its ``Partner`` row of kind vendor in the lab's ward consortium) and
invite its first person by e-mail; that person accepts the ordinary invite link
(``companies:invite_accept``), becomes the vendor's owner and invites the rest of its
people the ordinary way.

Two steps of the companies app need an actor the lab's staff are not:

- ``companies.services.company_create`` lets ward officers and platform admins register a
  company, or the system (``actor=None``). Registering a vendor is the lab's act: this
  service checks that the actor runs the lab, then registers as the system, and records
  its own audit event naming the staff member (``lab_vendor.register``).
- ``companies.services_people.invitation_create`` lets only a company's owner invite, and a
  new vendor has none. Until the companies app offers a caller-trusted way to issue a
  company's first invitation, ``_issue_first_invitation`` writes it with the same token,
  hash, lifetime and mail as ``invitation_create`` (and only while the vendor has no
  owner: from then on its owner invites).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_people import Invitation, InvitationChannel
from machikoba.companies.selectors_people import invitation_token_hash
from machikoba.companies.services import company_create
from machikoba.companies.services_people import (
    EMAIL_INVITATION_LIFETIME,
    IssuedInvitation,
    _send_invitation_mail,
    invitation_url,
)
from machikoba.companies.validators import normalize_corporate_number
from machikoba.core.access import OWNER_ROLES
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, full_clean_or_raise
from machikoba.lab.choices import PartnerKind
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Lab
from machikoba.lab.models_ecosystem import Partner
from machikoba.lab.services.labs import require_lab_staff

# A vendor's first person may be invited again (a typo, an expired link) a few times.
OPEN_FIRST_INVITATIONS = 3


@dataclass(frozen=True)
class VendorRegistration:
    company: Company
    partner: Partner
    invitation: IssuedInvitation | None  # None: the vendor already has an owner


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        CatalogueErrorCode.VENDOR_INVALID,
        _("入力内容を確認してください。"),
        fields={field: [message]},
    )


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _invalid("email", _("担当者のメールアドレスを正しく入力してください。")) from None
    return email


def _has_owner(company: Company) -> bool:
    return Membership.objects.filter(
        company=company, role__in=OWNER_ROLES, user__is_active=True
    ).exists()


def _issue_first_invitation(*, actor: User, company: Company, email: str) -> IssuedInvitation:
    """The vendor's first person, invited as its owner by e-mail (the link is mailed after
    commit and works for a week), as ``invitation_create`` would for an owner."""
    now = timezone.now()
    open_count = Invitation.objects.filter(
        company=company, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    if open_count >= OPEN_FIRST_INVITATIONS:
        raise ApplicationError(
            CatalogueErrorCode.VENDOR_INVALID,
            _(
                "使われていない招待が %(count)s 件あります。"
                "届いていないときは、メールアドレスを確かめてから少し待ってください。"
            )
            % {"count": open_count},
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        company=company,
        role=CompanyRole.OWNER,
        channel=InvitationChannel.EMAIL,
        email=email,
        invited_by=actor,
        token_hash=invitation_token_hash(token),
        expires_at=now + EMAIL_INVITATION_LIFETIME,
    )
    full_clean_or_raise(invitation, code=CatalogueErrorCode.VENDOR_INVALID)
    invitation.save()
    audit_record(
        actor=actor,
        verb="invitation.create",
        target=invitation,
        company=company,
        after={
            "role": CompanyRole.OWNER,
            "channel": InvitationChannel.EMAIL,
            "email": email,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    issued = IssuedInvitation(invitation=invitation, token=token, url=invitation_url(token))
    _send_invitation_mail(issued, inviter=actor)
    return issued


@transaction.atomic
def vendor_register(
    *,
    actor: User,
    lab: Lab,
    name: str,
    email: str,
    contact_name: str = "",
    corporate_number: str = "",
    postal_code: str = "",
) -> VendorRegistration:
    """Register an IT vendor exhibiting at ``lab``: its company (kind vendor), its partner
    row in the lab's ward consortium, and an owner's invitation mailed to ``email``. A
    vendor already registered on the platform (same 法人番号) joins this ward's consortium
    instead of being registered twice. Nothing is written on a refusal."""
    require_lab_staff(actor, lab)
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("ベンダーの名称を入力してください。"))
    email = _clean_email(email)
    if Partner.objects.filter(municipality_id=lab.municipality_id, name=name).exists():
        raise ApplicationError(
            CatalogueErrorCode.VENDOR_EXISTS,
            _("入力内容を確認してください。"),
            fields={"name": [_("同じ名称の連携先がすでに登録されています。")]},
        )
    company = None
    number = normalize_corporate_number(corporate_number or "")
    if number:
        company = Company.objects.filter(corporate_number=number).first()
        if company is not None and company.kind != CompanyKind.VENDOR:
            raise _invalid(
                "corporate_number",
                _("この法人番号の企業は、ITベンダーではない企業として登録されています。"),
            )
        if (
            company is not None
            and Partner.objects.filter(
                municipality_id=lab.municipality_id, company=company
            ).exists()
        ):
            raise ApplicationError(
                CatalogueErrorCode.VENDOR_EXISTS,
                _("このベンダーは、すでにこの区の連携先です。"),
            )
    if company is None:
        # Registering as the system: the lab's staff are not among company_create's actors
        # (ward officers, admins); the check above is this act's own (see the docstring).
        company = company_create(
            actor=None,
            name=name,
            kind=CompanyKind.VENDOR,
            corporate_number=corporate_number,
            postal_code=postal_code,
            contact_email=email,
        )
    partner = Partner(
        municipality_id=lab.municipality_id,
        kind=PartnerKind.VENDOR,
        name=name,
        company=company,
        contact_name=(contact_name or "").strip()[:80],
        contact_email=email,
    )
    full_clean_or_raise(partner, code=CatalogueErrorCode.VENDOR_INVALID)
    partner.save()
    audit_record(
        actor=actor,
        verb="lab_vendor.register",
        target=partner,
        company=company,
        after={"lab": lab.pk, "company": company.pk, "email": email},
    )
    # A vendor already on the platform has an owner, who invites its people.
    issued = (
        None
        if _has_owner(company)
        else _issue_first_invitation(actor=actor, company=company, email=email)
    )
    return VendorRegistration(company=company, partner=partner, invitation=issued)


@transaction.atomic
def vendor_invite(*, actor: User, lab: Lab, vendor: Company, email: str) -> IssuedInvitation:
    """Invite a registered vendor's first person again (the first link expired, or went to
    a wrong address). Once the vendor has an owner, the owner invites its people."""
    require_lab_staff(actor, lab)
    partner = Partner.objects.filter(
        municipality_id=lab.municipality_id, kind=PartnerKind.VENDOR, company=vendor
    ).first()
    if partner is None:
        raise ApplicationError(
            CatalogueErrorCode.VENDOR_INVALID,
            _("このベンダーはこのラボの区の連携先ではありません。"),
        )
    email = _clean_email(email)
    vendor = Company.objects.select_for_update(of=("self",)).get(pk=vendor.pk)
    if _has_owner(vendor):
        raise ApplicationError(
            CatalogueErrorCode.VENDOR_HAS_OWNER,
            _(
                "%(vendor)s にはすでに経営者 (管理者) がいます。"
                "メンバーの招待は、ベンダーの経営者にお願いしてください。"
            )
            % {"vendor": vendor.name},
        )
    issued = _issue_first_invitation(actor=actor, company=vendor, email=email)
    audit_record(
        actor=actor,
        verb="lab_vendor.invite",
        target=partner,
        company=vendor,
        after={"email": email},
    )
    return issued
