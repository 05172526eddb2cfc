"""Reads of the business matchings: the list (the office's of its wards, a party company's
own), filtered by source and fiscal year, with the network's first awards beside the lab's;
one matching's page with what the reader may do; the choices of the forms.

The network's first awards (``network.BusinessMatch``) are read through the network's own
selectors (``network.selectors.matches``), under the network's rule: a party company reads
its own as rows; the office of either company's ward only counts them per month (who
trades with whom stays between the companies), so the office's list shows the count, not
rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, SUPPORT, VIEW, company_ids_for
from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.lab.access import office_wards
from machikoba.lab.choices import FollowUpAnswer, MatchingSource, MatchingStatus
from machikoba.lab.models import Item
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.models_events import Event, SurveyResponse
from machikoba.lab.services.matchings import RECORDABLE_SOURCES
from machikoba.network.selectors.matches import (
    first_award_counts_by_month,
    first_awards_of_company,
)

YEARS_LISTED = 5


@dataclass(frozen=True)
class NetworkRow:
    """A first award in the network, as a party company reads it."""

    own_name: str
    partner_name: str
    matched_on: dt.date


@dataclass
class MatchingsPage:
    fiscal_year: int
    fiscal_years: list[int]
    source: str
    sources: list[tuple[str, str]]
    matchings: list[Matching]
    network_rows: list[NetworkRow] = field(default_factory=list)
    # The office's count of first awards in the network (None: not the office's view).
    network_count: int | None = None
    network_by_month: list[tuple[dt.date, int]] = field(default_factory=list)
    is_office: bool = False

    @property
    def total(self) -> int:
        counted = [m for m in self.matchings if m.status == MatchingStatus.CONFIRMED]
        return len(counted) + len(self.network_rows) + (self.network_count or 0)


def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    first, last = fiscal_year_bounds(year)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def matchings_page(user: User, *, source: str = "", year: int | None = None) -> MatchingsPage:
    current = fiscal_year(timezone.localdate())
    years = list(range(current, current - YEARS_LISTED, -1))
    year = year if year is not None and current - 50 <= year <= current else current
    if year not in years:
        years.append(year)
    source = source if source in MatchingSource.values else ""
    first, last = fiscal_year_bounds(year)
    lab = (
        Matching.objects.for_user(user, VIEW)
        .filter(agreed_on__gte=first, agreed_on__lte=last)
        .select_related("party_a", "party_b", "event", "item", "municipality")
        .order_by("-agreed_on", "-pk")
    )
    if source:
        lab = lab.filter(source=source)
    wards = office_wards(user)
    page = MatchingsPage(
        fiscal_year=year,
        fiscal_years=years,
        source=source,
        sources=[(value, str(label)) for value, label in MatchingSource.choices],
        matchings=list(lab) if source != MatchingSource.NETWORK else [],
        is_office=bool(wards),
    )
    if source in ("", MatchingSource.NETWORK):
        start, end = _bounds(year)
        for company in Company.objects.filter(
            pk__in=company_ids_for(user, EDITOR_ROLES, VIEW)
        ).order_by("name", "pk"):
            for award in first_awards_of_company(user, company.pk):
                day = timezone.localdate(award.matched_at)
                if first <= day <= last:
                    page.network_rows.append(NetworkRow(company.name, award.partner_name, day))
        if wards:
            by_month = first_award_counts_by_month(user, ward_ids=wards, start=start, end=end)
            page.network_by_month = sorted(by_month.items())
            page.network_count = sum(by_month.values())
    return page


# --- one matching --------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchingPageData:
    matching: Matching
    # The party company the reader acts for (None: the office, or a reader of no party).
    party: Company | None
    confirmed_by_me: bool
    may_confirm: bool
    may_decline: bool
    may_answer: bool
    follow_up_open: bool
    answer_choices: list[tuple[str, str]]


def acting_party(user: User, matching: Matching, active: Company | None) -> Company | None:
    """The party company ``user`` acts for on this matching: the company they work for now
    when it is a party, else the first party they are an owner or staff of."""
    editable = company_ids_for(user, EDITOR_ROLES)
    parties = [matching.party_a, matching.party_b]
    if active is not None and active.pk in editable:
        for party in parties:
            if party.pk == active.pk:
                return party
    return next((party for party in parties if party.pk in editable), None)


def matching_page(user: User, matching: Matching, active: Company | None) -> MatchingPageData:
    party = acting_party(user, matching, active)
    proposed = matching.status == MatchingStatus.PROPOSED
    mine = None
    if party is not None:
        mine = (
            matching.confirmed_a_at if party.pk == matching.party_a_id else matching.confirmed_b_at
        )
    today = timezone.localdate()
    follow_up_open = matching.status == MatchingStatus.CONFIRMED and (
        matching.follow_up_asked_at is not None or matching.follow_up_due_on <= today
    )
    return MatchingPageData(
        matching=matching,
        party=party,
        confirmed_by_me=mine is not None,
        may_confirm=party is not None and proposed and mine is None,
        may_decline=party is not None and proposed,
        may_answer=party is not None and follow_up_open,
        follow_up_open=follow_up_open,
        answer_choices=[(value, str(label)) for value, label in FollowUpAnswer.choices],
    )


# --- the forms' choices --------------------------------------------------------------------


def recordable_sources() -> list[tuple[str, str]]:
    labels = dict(MatchingSource.choices)
    return [(str(s), str(labels[s])) for s in RECORDABLE_SOURCES]


def recordable_events(user: User) -> QuerySet[Event]:
    """Events of the office's labs that have begun (a matching comes out of one)."""
    return (
        Event.objects.for_user(user, SUPPORT)
        .filter(starts_at__lte=timezone.now())
        .select_related("lab")
        .order_by("-starts_at", "pk")
    )


def recordable_items(user: User) -> QuerySet[Item]:
    return Item.objects.for_user(user, SUPPORT).select_related("lab").order_by("lab", "name", "pk")


def party_companies(user: User) -> QuerySet[Company]:
    """The companies a matching may name: every active company (a shop, a buyer, a vendor
    from outside the ward)."""
    return Company.objects.for_user(user, VIEW).filter(is_active=True).order_by("name", "pk")


def _proposable_surveys(user: User) -> QuerySet[SurveyResponse]:
    """Survey answers of the office's events that name someone met, from a company, and
    not yet turned into a standing or proposed matching. Read as the lab staff read them
    (``VIEW``; officers do not read survey rows), limited to the office's wards (a
    participant reads their own answer too)."""
    taken = Matching.objects.exclude(status=MatchingStatus.DECLINED).filter(survey__isnull=False)
    return (
        SurveyResponse.objects.for_user(user, VIEW)
        .filter(registration__event__lab__municipality__in=office_wards(user))
        .filter(registration__company__isnull=False)
        .exclude(met_partner="")
        .exclude(pk__in=taken.values("survey"))
        .select_related("registration__company", "registration__event__lab", "registration__user")
    )


def surveys_to_propose(user: User) -> list[SurveyResponse]:
    return list(_proposable_surveys(user).order_by("-registration__event__starts_at", "pk"))


def survey_for_proposal(user: User, pk: int) -> SurveyResponse | None:
    return _proposable_surveys(user).filter(pk=pk).first()


def has_matchings_access(user: User) -> bool:
    """The office, or an owner or staff of a company (who sees its own)."""
    return bool(office_wards(user)) or bool(company_ids_for(user, EDITOR_ROLES, VIEW))
