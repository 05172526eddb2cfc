"""Who sees the shop floor's daily reports (日報).

A worker sees and writes their own reports; the company's owners and staff (the
supervisors) see every report of the company and approve or send them back. Nobody outside
the company gets anything: not a partner of the job, an officer or an admin. Ward officers
get only aggregates through ``SUPPORT`` (counted, never listed) for the KPI figures.
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


def _report_q(user, action: str, prefix: str) -> Q:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    supervised = Q(**{f"{prefix}company__in": company_ids_for(user, EDITOR_ROLES, action)})
    own = Q(**{f"{prefix}worker": user}) & Q(
        **{f"{prefix}company__in": company_ids_for(user, MEMBER_ROLES, action)}
    )
    if action in (VIEW, CHANGE):
        return supervised | own
    if action in (DELETE, MANAGE):
        return supervised
    if action == SUPPORT:
        wards = municipality_ids_for(user, WARD_OFFICER)
        return Q(**{f"{prefix}company__ward__in": wards}) if wards else NOTHING
    return NOTHING


def daily_report_scope(user, action: str) -> Q:
    return _report_q(user, action, "")


def report_part_scope(user, action: str) -> Q:
    """An entry or photo of a report: read and written with its report."""
    return _report_q(user, action, "report__")


def report_photo_scope(user, action: str) -> Q:
    return _report_q(user, action, "entry__report__")
