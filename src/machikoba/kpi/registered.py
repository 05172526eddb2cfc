"""Which companies are a ward's registered companies: the survey's recipients and the
population the indicators count (M3.P2) are the same set."""

from __future__ import annotations

from django.db.models import Q

from machikoba.companies.choices import PARTNER_KINDS


def registered_q() -> Q:
    """Active, verified companies of a ward that are not partners of the lab (a vendor or
    a bank is not one of the ward's manufacturers)."""
    return Q(is_active=True, verified_at__isnull=False, ward__isnull=False) & ~Q(
        kind__in=PARTNER_KINDS
    )
