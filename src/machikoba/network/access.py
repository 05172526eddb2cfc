"""Who sees what of the network. The owning company sees its whole job; a company
performing a step sees the job's part data and its own steps; an RFQ recipient sees the
RFQ and its own answer; buyer and supplier see their order. Nobody else, officers and
platform admins included (the KPI dashboard counts through its own aggregates)."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from machikoba.core.access import (
    CHANGE,
    DELETE,
    LAB_STAFF,
    MANAGE,
    NOTHING,
    OWNER_ROLES,
    SUPPORT,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    editor_company_ids,
    member_company_ids,
    municipality_ids_for,
)

_members = member_company_ids
_editors = editor_company_ids


def _model(name: str):
    # Through the app registry: network/models.py imports this module.
    return apps.get_model("network", name)


def job_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        performing = _model("Step").objects.filter(performer__in=mine).values("job")
        return Q(company__in=mine) | Q(pk__in=performing)
    if action in (CHANGE, MANAGE):
        return Q(company__in=_editors(user))
    if action == DELETE:
        return Q(company__in=company_ids_for(user, OWNER_ROLES))
    return NOTHING


def next_step_by(companies) -> Exists:
    """The step right after this one (positions are kept contiguous) is performed by one
    of ``companies``: they receive this step's parts, so they see this step."""
    return Exists(
        _model("Step").objects.filter(
            job=OuterRef("job"), position=OuterRef("position") + 1, performer__in=companies
        )
    )


def step_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(job__company__in=mine) | Q(performer__in=mine) | Q(next_step_by(mine))
    if action in (CHANGE, MANAGE, DELETE):
        return Q(job__company__in=_editors(user))
    return NOTHING


def rfq_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        invited = _model("RfqRecipient").objects.filter(company__in=mine).values("rfq")
        return Q(job__company__in=mine) | Q(pk__in=invited)
    if action in (CHANGE, MANAGE):
        return Q(job__company__in=_editors(user))
    return NOTHING


def recipient_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(rfq__job__company__in=mine) | Q(company__in=mine)
    if action == CHANGE:
        # Answering (quote, decline) is the recipient's owners' and staff's job.
        return Q(company__in=_editors(user))
    return NOTHING


def guest_link_scope(user, action: str) -> Q:
    # The RFQ owner's owners and staff send and follow the links; the page a link opens
    # is authorised by its token, not by this scope.
    if action in (VIEW, CHANGE):
        return Q(recipient__rfq__job__company__in=_editors(user))
    return NOTHING


def quote_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(recipient__rfq__job__company__in=mine) | Q(recipient__company__in=mine)
    return NOTHING


def order_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(buyer__in=mine) | Q(supplier__in=mine)
    if action in (CHANGE, MANAGE):
        return Q(buyer__in=_editors(user))
    return NOTHING


def claim_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(step__job__company__in=mine) | Q(step__performer__in=mine)
    if action == CHANGE:
        return Q(step__job__company__in=_editors(user))
    return NOTHING


def match_scope(user, action: str) -> Q:
    """A new business relationship: its two companies see it (their own partners, no job,
    no price); the support office of either company's ward (officers, lab staff) counts
    them (``SUPPORT``: the matchings statistics and the KPI), never reads them as rows on
    a page."""
    if action == VIEW:
        mine = _members(user)
        return Q(company_low__in=mine) | Q(company_high__in=mine)
    if action == SUPPORT:
        wards = sorted(
            set(municipality_ids_for(user, WARD_OFFICER))
            | set(municipality_ids_for(user, LAB_STAFF))
        )
        if not wards:
            return NOTHING
        return Q(company_low__ward__in=wards) | Q(company_high__ward__in=wards)
    return NOTHING


def is_member(user, company) -> bool:
    return company is not None and company.pk in _members(user)


def is_editor(user, company) -> bool:
    return company is not None and company.pk in _editors(user)


def question_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        invited = _model("RfqRecipient").objects.filter(company__in=mine).values("rfq")
        shared = Q(is_public=True, answered_at__isnull=False, rfq__in=invited)
        return Q(rfq__job__company__in=mine) | Q(company__in=mine) | shared
    if action == CHANGE:
        return Q(rfq__job__company__in=_editors(user))
    return NOTHING


def order_event_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(order__buyer__in=mine) | Q(order__supplier__in=mine)
    return NOTHING


def rating_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(rater__in=mine) | Q(rated__in=mine)
    if action == CHANGE:
        return Q(rated__in=_editors(user))  # responding
    return NOTHING
