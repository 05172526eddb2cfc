"""Who sees what of the machines' data.

- **A company's people** see their own machines, state intervals and ingest counters
  (``VIEW``: every member, floor workers included); owners and staff register and change
  machines (``CHANGE``/``DELETE``/``MANAGE``).
- **Ward officers and the metro viewer** never read a row: the action ``SUPPORT`` ("what
  the ward's office holds") lets an officer's aggregate selectors count the machines and
  intervals of companies in the officer's wards; nothing else reads with it, and no page
  shows a company's figures to an officer
  (``shopfloor.metrics.ward.ward_floor_summary``).
- Nobody else, another company included, gets anything; unknown-source records and the
  collector's cursors are the platform admin's (Django admin only).
"""

from __future__ import annotations

from django.db.models import Q

from machikoba.core.access import (
    CHANGE,
    DELETE,
    EDITOR_ROLES,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    SUPPORT,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)


def _company_q(user, action: str, prefix: str) -> Q:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if action == VIEW:
        return Q(**{f"{prefix}company__in": company_ids_for(user, MEMBER_ROLES, VIEW)})
    if action in (CHANGE, DELETE, MANAGE):
        return Q(**{f"{prefix}company__in": company_ids_for(user, EDITOR_ROLES, action)})
    if action == SUPPORT:
        wards = municipality_ids_for(user, WARD_OFFICER)
        return Q(**{f"{prefix}company__ward__in": wards}) if wards else NOTHING
    return NOTHING


def machine_scope(user, action: str) -> Q:
    return _company_q(user, action, "")


def machine_part_scope(user, action: str) -> Q:
    """Rows that belong to a machine (intervals, ingest counters): read with the machine;
    written only by the collector, never through a page."""
    return _company_q(user, action, "machine__")
