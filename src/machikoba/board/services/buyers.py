"""Buyer registration: a company outside the network that posts requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.board.error_codes import BoardErrorCode
from machikoba.companies.choices import CompanyKind
from machikoba.companies.services import company_create
from machikoba.core.audit import audit_record
from machikoba.core.errors import PermissionRefused

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


@transaction.atomic
def buyer_register(
    *, actor: User, name: str, prefecture: str = "", municipality: str = "", **profile: Any
) -> Company:
    """A person registers the company they buy for, becoming its owner. Buyers post
    requests; they are not listed in the directory and do not see the board."""
    if not actor.is_authenticated:
        raise PermissionRefused(BoardErrorCode.NOT_SIGNED_IN, _("ログインしてください。"))
    company = company_create(
        actor=None,
        name=name,
        owner=actor,
        prefecture=prefecture,
        municipality=municipality,
        kind=CompanyKind.BUYER,
        **profile,
    )
    audit_record(actor=actor, verb="company.register_buyer", target=company, company=company)
    return company
