"""Who sees which API tokens: your own, and an owner those made for their company. The
idempotency records are read only by the API guard (``internal``), never through a page."""

from __future__ import annotations

from django.db.models import Q

from machikoba.core.access import CHANGE, OWNER_ROLES, VIEW, company_ids_for


def apitoken_scope(user, action: str) -> Q:
    own = Q(user=user)
    if action in (VIEW, CHANGE):
        return own | Q(company__in=company_ids_for(user, OWNER_ROLES, VIEW))
    return own


def idempotency_record_scope(user, action: str) -> Q:
    return Q(pk__in=[])
