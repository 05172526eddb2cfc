"""Who sees what of the board.

- A request's *summary* (processes, material, quantity, due date, area): its poster; every
  shop of the network while it is open on the board; the shops it was sent to; the shops
  that raised a hand, asked to be admitted or are in a team for it.
- Its *details* (drawings, the poster's name, description, delivery place): the poster and
  the shops it admitted after they accepted the board's NDA (``details_scope``).
- A hand: its shop, the poster and admitted shops (the price and lead time only to the
  shop and the poster: ``hand_terms_visible``).
- A team: its lead and its current members (invited or joined); the buyer once the quote
  is sent. Internal amounts: the lead sees all, each member its own line unless the lead
  shares the split (selectors). A company that declined or was taken off the team keeps
  only its own member row (its own quote, the reason) and the request's summary.
Ward officers and platform admins see none of it.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q

from machikoba.board.choices import (
    IN_TEAM,
    AdmissionStatus,
    Audience,
    RequestStatus,
    TeamStatus,
)
from machikoba.companies.choices import CompanyKind
from machikoba.core.access import (
    CHANGE,
    MANAGE,
    NOTHING,
    VIEW,
    editor_company_ids,
    member_company_ids,
)

_members = member_company_ids
_editors = editor_company_ids


def _model(name: str):
    # Through the app registry: board/models.py imports this module.
    return apps.get_model("board", name)


def network_shops(user) -> list[int]:
    """The user's companies that take part in the board as shops."""
    company = apps.get_model("companies", "Company")
    mine = _members(user)
    if not mine:
        return []
    return list(
        company.objects.filter(pk__in=mine, kind=CompanyKind.SHOP, is_active=True).values_list(
            "pk", flat=True
        )
    )


def _involved_requests(mine):
    """Requests a company has a row in: admissions, hands, teams."""
    return (
        Q(pk__in=_model("Admission").objects.filter(company__in=mine).values("request"))
        | Q(pk__in=_model("Hand").objects.filter(company__in=mine).values("process__request"))
        | Q(pk__in=_model("TeamMember").objects.filter(company__in=mine).values("team__request"))
    )


def request_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        if not mine:
            return NOTHING
        q = Q(company__in=mine) | Q(invited__in=mine) | _involved_requests(mine)
        if network_shops(user):
            q |= Q(audience=Audience.BOARD, status=RequestStatus.OPEN)
        return q
    if action in (CHANGE, MANAGE):
        return Q(company__in=_editors(user))
    return NOTHING


def details_scope(user) -> Q:
    """Requests whose details (drawings, poster, description) the user may see."""
    mine = _members(user)
    admitted = (
        _model("Admission")
        .objects.filter(
            company__in=mine, status=AdmissionStatus.ADMITTED, nda_accepted_at__isnull=False
        )
        .values("request")
    )
    return Q(company__in=mine) | Q(pk__in=admitted)


def process_scope(user, action: str) -> Q:
    if action == VIEW:
        return Q(request__in=_model("Request").objects.for_user(user, VIEW).values("pk"))
    if action in (CHANGE, MANAGE):
        return Q(request__company__in=_editors(user))
    return NOTHING


def admission_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        return Q(company__in=mine) | Q(request__company__in=mine)
    if action == CHANGE:
        return Q(request__company__in=_editors(user))
    return NOTHING


def hand_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = _members(user)
        detailed = _model("Request").objects.filter(details_scope(user)).values("pk")
        return Q(company__in=mine) | Q(process__request__in=detailed)
    if action == CHANGE:
        return Q(company__in=_editors(user))
    return NOTHING


def hand_terms_visible(user, hand) -> bool:
    """A hand's price and lead time are for its shop and the request's poster only."""
    mine = set(_members(user))
    return hand.company_id in mine or hand.process.request.company_id in mine


def _team_q(user, prefix: str = "") -> Q:
    mine = _members(user)
    # Only a company in the team now (asked or joined): one that declined or was taken
    # off sees nothing of the team from then on, later changes included.
    teams = _model("TeamMember").objects.filter(company__in=mine, status__in=IN_TEAM)
    sent = (TeamStatus.QUOTED, TeamStatus.AWARDED, TeamStatus.NOT_AWARDED, TeamStatus.CANCELLED)
    return (
        Q(**{f"{prefix}lead__in": mine})
        | Q(**{f"{prefix}pk__in": teams.values("team")})
        | Q(**{f"{prefix}request__company__in": mine, f"{prefix}status__in": sent})
    )


def team_scope(user, action: str) -> Q:
    if action == VIEW:
        return _team_q(user)
    if action in (CHANGE, MANAGE):
        return Q(lead__in=_editors(user))
    return NOTHING


def member_scope(user, action: str) -> Q:
    if action == VIEW:
        return _team_q(user, "team__") | Q(company__in=_members(user))
    if action == CHANGE:
        # A member answers for itself: join, decline, its internal quote.
        return Q(company__in=_editors(user))
    if action == MANAGE:
        return Q(team__lead__in=_editors(user))
    return NOTHING


def assignment_scope(user, action: str) -> Q:
    if action == VIEW:
        return _team_q(user, "team__")
    if action in (CHANGE, MANAGE):
        return Q(team__lead__in=_editors(user))
    return NOTHING
