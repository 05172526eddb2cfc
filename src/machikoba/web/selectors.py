"""Reads for the home pages, and figures of higher apps shown on lower apps' pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.companies.models import Company
from machikoba.core.access import VIEW
from machikoba.core.models import AuditEvent
from machikoba.network.selectors import reliability


def recent_company_events(*, user: User, company: Company, limit: int = 8) -> list[AuditEvent]:
    """The company's latest audit trail (owners only: the scope returns nothing to others)."""
    return list(
        AuditEvent.objects.for_user(user, VIEW)
        .filter(company=company)
        .order_by("-occurred_at", "-id")[:limit]
    )


def ward_overview(*, user: User) -> dict[str, Any]:
    """Aggregates an officer may see: counts, never one company's confidential data."""
    companies = Company.objects.for_user(user, VIEW).filter(is_active=True)
    bands = {
        "1–9": Q(employees__lt=10),
        "10–29": Q(employees__gte=10, employees__lt=30),
        "30+": Q(employees__gte=30),
    }
    stats = companies.aggregate(
        total=Count("id", distinct=True),
        with_members=Count("id", filter=Q(memberships__isnull=False), distinct=True),
        **{f"band_{i}": Count("id", filter=q, distinct=True) for i, q in enumerate(bands.values())},
    )
    return {
        "company_total": stats["total"],
        "company_with_members": stats["with_members"],
        "size_bands": [(label, stats[f"band_{i}"]) for i, label in enumerate(bands)],
        "advisor_count": WardRoleAssignment.objects.for_user(user, VIEW)
        .filter(role=WardRole.ADVISOR)
        .count(),
    }


def company_reliability(*, user: User, company: Company) -> dict[str, Any]:
    """The network's reliability figures on a company's profile (counts and averages, for
    signed-in users only): registered with ``companies.profile`` in ``WebConfig.ready``."""
    return {"reliability": reliability([company.pk])[company.pk]}
