"""Who sees what of the KPI dashboard.

- Indicator definitions are public knowledge (the policy paper's own words): anyone reads
  them, nobody changes them here (a new version comes from the platform's admin).
- Snapshots are aggregates: the officers of a ward read their ward's; a metro viewer
  reads those of the wards it serves, and the all-wards figures (``municipality``
  empty); a visitor reads only the snapshots of a ward that publishes its public page.
  Which figures a reader may see in full (small-number suppression) is decided by the
  selectors, on top of this scope.
- A ward's public page is read by anyone once published, and managed by its officers.
- A ward's survey rounds and targets are its officers' (``ward_rows_scope``).
- A survey answer is seen by the officers of the round's ward and by its own company's
  owner and staff, who answer it; nobody else.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q

from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    EVERYTHING,
    METRO_VIEWER,
    NOTHING,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)


def definition_scope(user, action: str) -> Q:
    return EVERYTHING if action == VIEW else NOTHING


def definition_anonymous_scope(action: str) -> Q:
    return EVERYTHING if action == VIEW else NOTHING


def snapshot_scope(user, action: str) -> Q:
    if action != VIEW:
        return NOTHING
    officer = municipality_ids_for(user, WARD_OFFICER)
    metro = municipality_ids_for(user, METRO_VIEWER)
    scope = NOTHING
    if officer or metro:
        scope = Q(municipality__in=sorted({*officer, *metro})) | Q(municipality__isnull=True)
    return scope


def snapshot_anonymous_scope(action: str) -> Q:
    if action != VIEW:
        return NOTHING
    publication = apps.get_model("kpi", "Publication")  # pragma: no mutate
    return Q(municipality__in=publication.objects.filter(enabled=True).values("municipality_id"))


def publication_scope(user, action: str) -> Q:
    """A ward's officers manage its page; anyone reads a published one."""
    wards = municipality_ids_for(user, WARD_OFFICER)
    own = Q(municipality__in=wards) if wards else NOTHING
    return own | Q(enabled=True) if action == VIEW else own


def publication_anonymous_scope(action: str) -> Q:
    return Q(enabled=True) if action == VIEW else NOTHING


def ward_rows_scope(user, action: str) -> Q:
    """A ward's own rows (its targets, its survey rounds): its officers read and change
    them; nobody else."""
    wards = municipality_ids_for(user, WARD_OFFICER)
    return Q(municipality__in=wards) if wards and action in (VIEW, CHANGE) else NOTHING


def survey_response_scope(user, action: str) -> Q:
    wards = municipality_ids_for(user, WARD_OFFICER)
    mine = company_ids_for(user, EDITOR_ROLES, action)
    scope = NOTHING
    if wards:
        scope |= Q(round__municipality__in=wards)
    if mine:
        scope |= Q(company__in=mine)
    return scope
