"""Writes for companies and memberships. Views, admin and commands call only these."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.rules import forget_cached_roles, is_platform_admin
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.validators import normalize_corporate_number
from machikoba.core.access import CHANGE, MANAGE, can
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import PermissionRefused, full_clean_or_raise

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
    is_active: bool = True,
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
        is_active=is_active,
    )
    full_clean_or_raise(company, code="company_invalid")
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
    full_clean_or_raise(
        membership,
        code="membership_invalid",
        duplicate_code="membership_exists",
        duplicate_message=_("この人はすでにこの企業に所属しています。"),
    )
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


@transaction.atomic
def company_update(*, actor, company: Company, **changes) -> Company:
    """Change profile fields of a company.

    Owners and staff of the company may change its profile; platform admins (Django
    admin) may change it and also (de)activate the company.
    """
    admin = actor is not None and is_platform_admin(actor)
    if actor is not None and not admin and not can(actor, CHANGE, company):
        raise PermissionRefused(
            "not_company_editor", _("企業情報を変更できるのはこの企業の経営者とスタッフだけです。")
        )
    allowed = set(COMPANY_AUDIT_FIELDS) | ({"is_active"} if admin or actor is None else set())
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"fields this actor may not change: {sorted(unknown)}")
    fields = [*COMPANY_AUDIT_FIELDS, "is_active"]
    before = snapshot(company, fields)
    if "corporate_number" in changes:
        changes["corporate_number"] = (
            normalize_corporate_number(changes["corporate_number"] or "") or None
        )
    for name, value in changes.items():
        setattr(company, name, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(company, code="company_invalid")
    company.save()
    after = snapshot(company, fields)
    audit_record(
        actor=actor,
        verb="company.update",
        target=company,
        company=company,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return company
