"""Writes for companies and memberships. Views, admin and commands call only these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.rules import forget_cached_roles
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.validators import normalize_corporate_number
from machikoba.core.access import MANAGE, can
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused

COMPANY_AUDIT_FIELDS = [
    "name",
    "name_kana",
    "name_en",
    "corporate_number",
    "postal_code",
    "address",
    "employees",
]


@transaction.atomic
def company_create(
    *,
    actor,
    name: str,
    name_kana: str = "",
    name_en: str = "",
    corporate_number: str | None = None,
    postal_code: str = "",
    address: str = "",
    employees: int | None = None,
    owner=None,
) -> Company:
    """Register a company; ``owner`` (if given) becomes its first owner."""
    company = Company(
        name=name.strip(),
        name_kana=name_kana.strip(),
        name_en=name_en.strip(),
        corporate_number=normalize_corporate_number(corporate_number or "") or None,
        postal_code=postal_code.strip(),
        address=address.strip(),
        employees=employees,
    )
    try:
        company.full_clean()
    except ValidationError as error:
        raise ApplicationError.from_validation_error(error, code="company_invalid") from None
    company.save()
    audit_record(
        actor=actor,
        verb="company.create",
        target=company,
        company=company,
        after=snapshot(company, COMPANY_AUDIT_FIELDS),
    )
    if owner is not None:
        _membership_create(actor=actor, company=company, user=owner, role=CompanyRole.OWNER)
    return company


def _membership_create(*, actor, company: Company, user, role: str) -> Membership:
    membership = Membership(company=company, user=user, role=role)
    try:
        membership.full_clean()
    except ValidationError as error:
        if "__all__" in getattr(error, "error_dict", {}):
            raise ApplicationError(
                "membership_exists", _("この人はすでにこの企業に所属しています。")
            ) from None
        raise ApplicationError.from_validation_error(error, code="membership_invalid") from None
    membership.save()
    forget_cached_roles(user)
    audit_record(
        actor=actor,
        verb="membership.create",
        target=membership,
        company=company,
        after={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_add(*, actor, company: Company, user, role: str) -> Membership:
    """An owner adds a person to their company with a company role.

    ``actor=None`` is the system itself (demo data, imports run by an operator).
    """
    if actor is not None and not can(actor, MANAGE, company):
        raise PermissionRefused(
            "not_company_owner", _("所属を管理できるのはこの企業の経営者だけです。")
        )
    return _membership_create(actor=actor, company=company, user=user, role=role)
