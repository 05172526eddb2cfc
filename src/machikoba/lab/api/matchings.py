"""Business matchings through the API: the list (the office's of its wards, a party
company's own; by source and fiscal year, with the network's first awards), recording one
(the office), proposing one from an event survey answer, and one matching, where each
party confirms or declines it and answers the three-month question."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import BodyId, PathId
from machikoba.lab.api.common import CompanyRef, person_name, pick
from machikoba.lab.choices import (
    FollowUpAnswer,
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
)
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.selectors import ecosystem as ecosystem_selectors
from machikoba.lab.selectors import matchings as selectors
from machikoba.lab.services import matchings as services

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class MatchingOut(Schema):
    id: int
    municipality_id: int
    source: MatchingSource
    event_id: int | None
    item_id: int | None
    party_a: CompanyRef
    party_b: CompanyRef
    agreement: MatchingAgreement
    agreed_on: dt.date
    evidence: str
    status: MatchingStatus
    confirmed_a_at: dt.datetime | None
    confirmed_b_at: dt.datetime | None
    follow_up_due_on: dt.date
    follow_up_answer: str
    follow_up_note: str


class MatchingPageOut(MatchingOut):
    party_id: int | None = Field(description="the party company the caller acts for")
    confirmed_by_me: bool
    may_confirm: bool
    may_decline: bool
    may_answer: bool
    follow_up_open: bool


class MatchingFilters(Schema):
    source: MatchingSource | None = None
    year: int | None = Field(None, ge=1950, le=9999, description="fiscal year (this one)")


class NetworkRowOut(Schema):
    own_name: str
    partner_name: str
    matched_on: dt.date


class MonthCountOut(Schema):
    month: dt.date
    count: int


class MatchingsOut(Schema):
    fiscal_year: int
    fiscal_years: list[int]
    source: str
    total: int
    matchings: Page[MatchingOut]
    network_rows: list[NetworkRowOut] = Field(
        description="first awards in the network of the caller's companies"
    )
    network_count: int | None = Field(description="the office's count of first awards")
    network_by_month: list[MonthCountOut]
    is_office: bool


class MatchingIn(Schema):
    """Where the two companies met: an event (``event_id``) for the source 「イベント」, an
    item of the lab (``item_id``) for the others."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "properties": {
                        "source": {"const": MatchingSource.EVENT.value},
                        "event_id": {"type": "integer"},
                    },
                    "required": ["event_id"],
                },
                {
                    "properties": {
                        "source": {
                            "enum": [s.value for s in MatchingSource if s != MatchingSource.EVENT]
                        },
                        "item_id": {"type": "integer"},
                    },
                    "required": ["item_id"],
                },
            ]
        }
    )

    source: MatchingSource
    event_id: BodyId | None = Field(None, description="when the source is an event")
    item_id: BodyId | None = Field(None, description="for the other sources")
    party_a_id: BodyId
    party_b_id: BodyId
    agreement: MatchingAgreement
    agreed_on: dt.date
    evidence: str = Field(min_length=1, max_length=500)


class LabProposeIn(Schema):
    partner_id: BodyId = Field(description="the company the respondent met")
    agreement: MatchingAgreement
    agreed_on: dt.date


class SurveyToProposeOut(Schema):
    id: int
    event_id: int
    event_title: str
    lab_name: str
    company: CompanyRef
    person: str
    met_partner: str
    rating: int
    comment: str


class LabFollowUpIn(Schema):
    answer: FollowUpAnswer
    note: str = Field("", max_length=500)


# --- helpers ------------------------------------------------------------------------------


def _out(m: Matching) -> dict:
    return {
        "id": m.pk,
        "municipality_id": m.municipality_id,
        "source": m.source,
        "event_id": m.event_id,
        "item_id": m.item_id,
        "party_a": CompanyRef(id=m.party_a.pk, name=m.party_a.name),
        "party_b": CompanyRef(id=m.party_b.pk, name=m.party_b.name),
        "agreement": m.agreement,
        "agreed_on": m.agreed_on,
        "evidence": m.evidence,
        "status": m.status,
        "confirmed_a_at": m.confirmed_a_at,
        "confirmed_b_at": m.confirmed_b_at,
        "follow_up_due_on": m.follow_up_due_on,
        "follow_up_answer": m.follow_up_answer,
        "follow_up_note": m.follow_up_note,
    }


def _matching(request, pk: int) -> Matching:
    return get_for_user_or_404(
        Matching.objects.select_related("party_a", "party_b", "event", "item", "municipality"),
        request.user,
        VIEW,
        pk=pk,
    )


def _active(request):
    return getattr(request, "active_company", None) or None


def _page(request, matching: Matching) -> MatchingPageOut:
    matching = _matching(request, matching.pk)
    page = selectors.matching_page(request.user, matching, _active(request))
    return MatchingPageOut(
        **_out(matching),
        party_id=page.party.pk if page.party else None,
        confirmed_by_me=page.confirmed_by_me,
        may_confirm=page.may_confirm,
        may_decline=page.may_decline,
        may_answer=page.may_answer,
        follow_up_open=page.follow_up_open,
    )


def _require_office(request) -> None:
    if not ecosystem_selectors.is_office(request.user):
        raise PermissionDenied


# --- operations ---------------------------------------------------------------------------


@router.get("/matchings", response=MatchingsOut, summary="Business matchings of a fiscal year")
def lab_matchings(request, params: Query[PageParams], filters: Query[MatchingFilters]):
    if not selectors.has_matchings_access(request.user):
        raise PermissionDenied
    page = selectors.matchings_page(request.user, source=filters.source or "", year=filters.year)
    return MatchingsOut(
        fiscal_year=page.fiscal_year,
        fiscal_years=page.fiscal_years,
        source=page.source,
        total=page.total,
        matchings=Page[MatchingOut](**page_of(page.matchings, params, _out)),
        network_rows=[
            NetworkRowOut(own_name=r.own_name, partner_name=r.partner_name, matched_on=r.matched_on)
            for r in page.network_rows
        ],
        network_count=page.network_count,
        network_by_month=[MonthCountOut(month=m, count=c) for m, c in page.network_by_month],
        is_office=page.is_office,
    )


@router.post("/matchings", response={201: MatchingPageOut}, summary="Record a matching")
def lab_matching_record(request, payload: MatchingIn):
    _require_office(request)
    if payload.source not in dict(selectors.recordable_sources()):
        raise Http404  # the network's first awards are counted, not recorded
    companies = selectors.party_companies(request.user)
    matching = services.matching_record(
        actor=request.user,
        source=payload.source,
        event=pick(selectors.recordable_events(request.user), payload.event_id),
        item=pick(selectors.recordable_items(request.user), payload.item_id),
        party_a=pick(companies, payload.party_a_id),
        party_b=pick(companies, payload.party_b_id),
        agreement=payload.agreement,
        agreed_on=payload.agreed_on,
        evidence=payload.evidence,
    )
    return Status(201, _page(request, matching))


@router.get(
    "/matchings/surveys",
    response=Page[SurveyToProposeOut],
    summary="Survey answers naming someone met, to propose as matchings",
)
def lab_matching_surveys(request, params: Query[PageParams]):
    _require_office(request)

    def out(answer) -> SurveyToProposeOut:
        registration = answer.registration
        return SurveyToProposeOut(
            id=answer.pk,
            event_id=registration.event_id,
            event_title=registration.event.title,
            lab_name=registration.event.lab.name,
            company=CompanyRef(id=registration.company.pk, name=registration.company.name),
            person=person_name(registration.user),
            met_partner=answer.met_partner,
            rating=answer.rating,
            comment=answer.comment,
        )

    return page_of(selectors.surveys_to_propose(request.user), params, out)


@router.post(
    "/matchings/surveys/{survey_id}/propose",
    response={201: MatchingPageOut},
    summary="Propose a matching from a survey answer",
)
def lab_matching_propose(request, survey_id: PathId, payload: LabProposeIn):
    _require_office(request)
    survey = selectors.survey_for_proposal(request.user, survey_id)
    if survey is None:
        raise Http404
    matching = services.matching_propose(
        actor=request.user,
        survey=survey,
        partner=pick(selectors.party_companies(request.user), payload.partner_id),
        agreement=payload.agreement,
        agreed_on=payload.agreed_on,
    )
    return Status(201, _page(request, matching))


@router.get("/matchings/{matching_id}", response=MatchingPageOut, summary="A matching")
def lab_matching(request, matching_id: PathId):
    return _page(request, _matching(request, matching_id))


@router.post(
    "/matchings/{matching_id}/confirm", response=MatchingPageOut, summary="Confirm a matching"
)
def lab_matching_confirm(request, matching_id: PathId):
    matching = _matching(request, matching_id)
    party = selectors.acting_party(request.user, matching, _active(request))
    services.matching_confirm(actor=request.user, matching=matching, company=party)
    return _page(request, matching)


@router.post(
    "/matchings/{matching_id}/decline",
    response=MatchingPageOut,
    summary="Say a matching did not happen",
)
def lab_matching_decline(request, matching_id: PathId):
    matching = _matching(request, matching_id)
    party = selectors.acting_party(request.user, matching, _active(request))
    services.matching_decline(actor=request.user, matching=matching, company=party)
    return _page(request, matching)


@router.post(
    "/matchings/{matching_id}/follow-up",
    response=MatchingPageOut,
    summary="Answer the three-month question",
)
def lab_matching_follow_up(request, matching_id: PathId, payload: LabFollowUpIn):
    matching = _matching(request, matching_id)
    party = selectors.acting_party(request.user, matching, _active(request))
    services.matching_follow_up_answer(
        actor=request.user,
        matching=matching,
        company=party,
        answer=payload.answer,
        note=payload.note,
    )
    return _page(request, matching)
