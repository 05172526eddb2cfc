"""Reads of joining: finding one's company among the profiles the ward imported, the ways
its ward offers to prove it, and one's own claims."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from machikoba.companies.choices import CompanyKind, JoinMethod
from machikoba.companies.models import Company
from machikoba.companies.models_claims import OPEN_CLAIM_STATUSES, CompanyClaim, JoinPolicy
from machikoba.companies.validators import normalize_corporate_number
from machikoba.core.access import VIEW

if TYPE_CHECKING:
    from machikoba.accounts.models import User

SEARCH_LIMIT = 10


@dataclass(frozen=True)
class Candidate:
    """A company a person may be looking for, and whether it can be claimed."""

    company: Company
    has_owner: bool
    claimed_by_other: bool
    offers_code: bool  # the code can go at once to the ward's ledger address or phone


def _digits(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())


def join_search(*, user: User, text: str) -> list[Candidate]:
    """Companies matching ``text`` by 法人番号 (13 digits), phone number (the ward's
    ledger; digits only) or name (kanji or kana). Only profiles the network sees
    (verified), at most ``SEARCH_LIMIT``."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return []
    digits = _digits(text)
    condition = Q(name__icontains=text) | Q(name_kana__icontains=text)
    if len(digits) == 13:
        condition |= Q(corporate_number=normalize_corporate_number(digits))
    if len(digits) >= 9:
        # The ledger phone is matched, never shown; only profiles the person may see.
        phones = [
            pk
            for pk, phone in Company.objects.for_user(user, VIEW)
            .exclude(contact_phone="")
            .values_list("pk", "contact_phone")
            if _digits(phone) == digits
        ]
        condition |= Q(pk__in=phones)
    companies = list(
        Company.objects.for_user(user, VIEW)
        .filter(condition, kind=CompanyKind.SHOP, is_active=True, verified_at__isnull=False)
        .select_related("ward")
        .order_by("name_kana", "pk")[:SEARCH_LIMIT]
    )
    owned = set(
        Company.objects.filter(pk__in=[c.pk for c in companies], memberships__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    pending = set(
        open_claims([c.pk for c in companies])
        .exclude(requester=user)
        .values_list("company_id", flat=True)
    )
    policies: dict[int | None, object] = {
        p.ward_id: p for p in JoinPolicy.objects.filter(ward__in={c.ward_id for c in companies})
    }
    return [
        Candidate(
            c,
            c.pk in owned,
            c.pk in pending,
            JoinMethod.CODE in join_methods(c, policies.get(c.ward_id, _NO_POLICY)),
        )
        for c in companies
    ]


_NO_POLICY = object()


def open_claims(company_or_ids) -> QuerySet[CompanyClaim]:
    """Claims of a company (or of companies, by id) that can still succeed: open, and
    their secret (if one is out) not expired."""
    companies = company_or_ids if isinstance(company_or_ids, list) else [company_or_ids]
    return CompanyClaim.objects.filter(
        company__in=companies, status__in=OPEN_CLAIM_STATUSES
    ).filter(Q(secret_expires_at__isnull=True) | Q(secret_expires_at__gt=timezone.now()))


def join_methods(company: Company, policy: object = None) -> list[str]:
    """The ways ``company``'s ward lets a person prove the claim, in order: a code to the
    ledger's e-mail or phone (only when the ward holds one), a letter, an officer (for a
    company outside every ward, a platform admin). ``policy``: the ward's ``JoinPolicy``
    when the caller read it already (``_NO_POLICY`` for none)."""
    if policy is None and company.ward_id:
        policy = JoinPolicy.objects.filter(ward_id=company.ward_id).first()
    offered = policy.methods() if isinstance(policy, JoinPolicy) else list(JoinMethod.values)
    if not (company.contact_email or company.contact_phone):
        offered = [m for m in offered if m != JoinMethod.CODE]
    return offered


def verification_pending(*, user: User, company: Company) -> CompanyClaim | None:
    """For a company the network does not see yet: ``user``'s claim that will verify it
    (None once verified, or when there is none to show)."""
    if company.verified_at is not None:
        return None
    return (
        CompanyClaim.objects.for_user(user, VIEW)
        .filter(company=company, requester=user)
        .order_by("-created_at", "-pk")
        .first()
    )


def my_claims(*, user: User) -> list[CompanyClaim]:
    """``user``'s own join claims, latest first."""
    return list(
        CompanyClaim.objects.for_user(user, VIEW)
        .filter(requester=user)
        .select_related("company")
        .order_by("-created_at", "-pk")[:20]
    )
