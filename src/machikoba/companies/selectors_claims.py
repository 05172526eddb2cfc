"""Reads for requests of a company's first account: the ward's queue, the page a mailed
link opens, and who may see the ward's ledger address of a company."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.choices import ClaimStatus
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_claims import CompanyClaim
from machikoba.core.access import MANAGE, SUPPORT, VIEW, can

RECENT_DECIDED = 30


def company_has_account(company: Company) -> bool:
    """Someone can sign in for ``company`` (a system question, not a person's scope)."""
    return Membership.objects.filter(company=company, user__is_active=True).exists()


def mask_email(address: str) -> str:
    """``taro@example.jp`` → ``t***@example.jp``: enough for the right person to recognise
    the address, too little for anyone else to use it."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def claim_queue(*, user: User) -> dict[str, Any]:
    """The ward's queue: requests waiting for an officer (oldest first), then the latest
    others. Empty for anyone but ward officers (the claims' scope)."""
    claims = CompanyClaim.objects.for_user(user, VIEW).select_related("company", "decided_by")
    # Waiting for the ward: an officer's check, or a letter to print and mail.
    ward_work = (ClaimStatus.AWAITING_OFFICER, ClaimStatus.LETTER_REQUESTED)
    waiting = list(claims.filter(status__in=ward_work).order_by("created_at"))
    others = list(claims.filter(~Q(status__in=ward_work))[:RECENT_DECIDED])
    now = timezone.now()
    for claim in others:
        claim.link_expired = (  # type: ignore[attr-defined]
            claim.status in (ClaimStatus.EMAIL_SENT, ClaimStatus.APPROVED)
            and claim.secret_expires_at is not None
            and claim.secret_expires_at <= now
        )
    return {"waiting": waiting, "others": others}


def contact_email_panel(*, user: User, company: Company) -> dict[str, Any]:
    """The ward's ledger address on a company page: the officers of the company's ward see
    and change it, the company's own owners see it; nobody else learns it (not another
    ward's officers)."""
    officer = bool(user.is_authenticated and can(user, SUPPORT, company))
    visible = officer or (user.is_authenticated and can(user, MANAGE, company))
    return {
        "contact_email_visible": visible,
        "contact_email_editable": officer,
        "contact_email": company.contact_email if visible else "",
    }
