"""Reads for the API tokens page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from machikoba.apitokens.models import ApiToken
from machikoba.core.access import EDITOR_ROLES, VIEW

if TYPE_CHECKING:
    from machikoba.accounts.models import User, WardRoleAssignment
    from machikoba.companies.models import Company


@dataclass(frozen=True)
class TokenOwner:
    """Something a token may act for: one of the person's companies or ward roles."""

    value: str  # "company:<id>" or "ward:<id>"
    label: str
    company: Company | None = None
    ward_role: WardRoleAssignment | None = None


def token_owners(user: User) -> list[TokenOwner]:
    """The companies (as owner or staff) and the ward roles in force a token may act for."""
    owners = [
        TokenOwner(f"company:{m.company_id}", m.company.name, company=m.company)
        for m in user.memberships.filter(role__in=EDITOR_ROLES, company__is_active=True)
        .select_related("company")
        .order_by("company__name")
    ]
    today = timezone.localdate()
    for grant in user.ward_roles.select_related("municipality", "group").order_by("role", "pk"):
        if grant.valid_until is not None and grant.valid_until < today:
            continue
        place = grant.municipality or grant.group
        label = f"{grant.get_role_display()}（{place}）" if place else grant.get_role_display()
        owners.append(TokenOwner(f"ward:{grant.pk}", label, ward_role=grant))
    return owners


def tokens_of(user: User) -> list[ApiToken]:
    """The tokens a person made, and those made for a company they own; newest first."""
    return list(
        ApiToken.objects.for_user(user, VIEW).select_related(
            "user", "company", "ward_role__municipality", "ward_role__group"
        )
    )
