"""Who sees what of the advisor dispatch.

- Officers act on the requests and engagements of the wards they serve
  (``municipality_ids_for``) and read the advisors serving those wards.
- An advisor sees their own roster entry and only the engagements that name them (and
  their requests, phases, visits, measurements); they log their own visits. Nothing of
  those companies' network (jobs, drawings, prices, messages): those models never name
  an advisor.
- A company's owner and staff see their own requests and engagements; the owner signs
  visits off (the services check which of them may).
- Nobody else anything (another company, an instructor, the metro viewer, a visitor).
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q, QuerySet

from machikoba.core.access import (
    ADVISOR,
    CHANGE,
    EDITOR_ROLES,
    MANAGE,
    NOTHING,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def advised_engagement_ids(user) -> QuerySet:
    """The engagements whose team names ``user`` as an advisor, in a ward where their
    advisor grant is in force: an ended grant (or a roster entry set inactive) ends the
    advisor's access to those companies at once."""
    member = apps.get_model("advisory", "EngagementMember")
    return member.objects.filter(
        advisor__user=user,
        advisor__active=True,
        engagement__municipality__in=municipality_ids_for(user, ADVISOR),
    ).values("engagement")


def advisor_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    wards = municipality_ids_for(user, WARD_OFFICER)
    if action == VIEW:
        q = Q(user=user)
        if wards:
            advisor = apps.get_model("advisory", "Advisor")
            q |= Q(pk__in=advisor.objects.filter(wards__in=wards).values("pk"))
        return q
    if action in (CHANGE, MANAGE):  # the roster is kept by the wards it serves
        if not wards:
            return NOTHING
        advisor = apps.get_model("advisory", "Advisor")
        return Q(pk__in=advisor.objects.filter(wards__in=wards).values("pk"))
    return NOTHING


def support_request_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    office = Q(municipality__in=municipality_ids_for(user, WARD_OFFICER))
    company = Q(company__in=company_ids_for(user, EDITOR_ROLES, action))
    if action == VIEW:
        engagement = apps.get_model("advisory", "Engagement")
        advised = Q(
            pk__in=engagement.objects.filter(pk__in=advised_engagement_ids(user)).values("request")
        )
        return office | company | advised
    if action == CHANGE:  # the company withdraws or answers a proposal
        return office | company
    if action == MANAGE:  # the office assigns or declines
        return office
    return NOTHING


def _engagement_q(user, action: str, prefix: str = "") -> Q:
    if not _signed_in(user):
        return NOTHING
    office = Q(**{f"{prefix}municipality__in": municipality_ids_for(user, WARD_OFFICER)})
    company = Q(**{f"{prefix}company__in": company_ids_for(user, EDITOR_ROLES, action)})
    advised = Q(**{f"{prefix}pk__in": advised_engagement_ids(user)})
    if action == VIEW:
        return office | company | advised
    if action == CHANGE:  # phases, measurements, evidence: the team and the office
        return office | advised
    if action == MANAGE:  # the team, closing, cancelling: the office
        return office
    return NOTHING


def engagement_scope(user, action: str) -> Q:
    return _engagement_q(user, action)


def engagement_child_scope(user, action: str) -> Q:
    """Members, phases and measurements: rows with an ``engagement``."""
    return _engagement_q(user, action, "engagement__")


def evidence_scope(user, action: str) -> Q:
    return _engagement_q(user, action, "phase__engagement__")


def visit_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action == VIEW:
        return _engagement_q(user, VIEW, "engagement__")
    if action == CHANGE:
        # An advisor changes only their own visits; the company's owner and staff sign
        # them off (the service lets only an owner do it); the office corrects.
        return (
            Q(advisor__user=user, engagement__in=advised_engagement_ids(user))
            | Q(engagement__company__in=company_ids_for(user, EDITOR_ROLES, CHANGE))
            | Q(engagement__municipality__in=municipality_ids_for(user, WARD_OFFICER))
        )
    return NOTHING
