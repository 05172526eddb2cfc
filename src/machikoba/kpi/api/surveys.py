"""The yearly company survey, the ward office's side: the survey rounds of the caller's
wards, creating and changing a round, sending it to the ward's registered companies,
reminding those that have not answered, closing it. Officers only (anyone else: 403, as
the pages); another ward's round is not found."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Schema, Status
from pydantic import Field

from machikoba.core.access import CHANGE
from machikoba.core.ids import BodyId, PathId
from machikoba.kpi.api._router import router
from machikoba.kpi.choices import ValueAddedMethod
from machikoba.kpi.models import SurveyRound
from machikoba.kpi.selectors import surveys as survey_selectors
from machikoba.kpi.services import surveys as survey_services

# --- schemas ------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    ward: str
    ward_name: str
    fiscal_year: int
    method: str
    status: str = Field(description="draft, open or closed")
    due_on: dt.date
    message: str
    sent_at: dt.datetime | None
    sent: int = Field(description="companies asked")
    submitted: int
    overdue: bool


class ResponseRowOut(Schema):
    id: int
    company_id: int
    company_name: str
    status: str = Field(description="requested or submitted")
    requested_at: dt.datetime
    reminders_sent: int
    submitted_at: dt.datetime | None
    value_added: int | None
    productivity: int | None = Field(description="value added per employee (yen)")


class RoundDetailOut(RoundOut):
    new_companies: int = Field(description="registered companies not asked yet")
    can_send: bool
    can_remind: bool
    can_close: bool
    can_edit: bool
    responses: list[ResponseRowOut]


class RoundIn(Schema):
    municipality_id: BodyId = Field(description="one of the caller's wards")
    fiscal_year: int = Field(ge=2000, le=2100)
    method: ValueAddedMethod = ValueAddedMethod.DEDUCTION
    due_on: dt.date
    message: str = Field("", max_length=2000)


class RoundEditIn(Schema):
    due_on: dt.date
    message: str = Field("", max_length=2000)
    method: ValueAddedMethod | None = Field(None, description="only while a draft")


class SentOut(Schema):
    count: int = Field(description="companies asked (or reminded) now")
    survey: RoundDetailOut


# --- helpers ------------------------------------------------------------------------------


def _officer(request) -> None:
    """The survey's office operations are the officers' (anyone else: 403, as the pages)."""
    if not survey_selectors.officer_wards(request.user):
        raise PermissionDenied


def _round_fields(survey: SurveyRound, sent: int, submitted: int, overdue: bool) -> dict:
    return {
        "id": survey.pk,
        "ward": survey.municipality.code,
        "ward_name": survey.municipality.display_name,
        "fiscal_year": survey.fiscal_year,
        "method": survey.method,
        "status": survey.status,
        "due_on": survey.due_on,
        "message": survey.message,
        "sent_at": survey.sent_at,
        "sent": sent,
        "submitted": submitted,
        "overdue": overdue,
    }


def _round_detail(request, survey: SurveyRound) -> RoundDetailOut:
    page = survey_selectors.survey_round_page(request.user, survey)
    return RoundDetailOut(
        **_round_fields(survey, page.sent, page.submitted, page.overdue),
        new_companies=page.new_companies,
        can_send=page.can_send,
        can_remind=page.can_remind,
        can_close=page.can_close,
        can_edit=page.can_edit,
        responses=[
            ResponseRowOut(
                id=row.response.pk,
                company_id=row.response.company_id,
                company_name=row.response.company.name,
                status=row.response.status,
                requested_at=row.response.requested_at,
                reminders_sent=row.response.reminders_sent,
                submitted_at=row.response.submitted_at,
                value_added=row.value_added,
                productivity=row.productivity,
            )
            for row in page.rows
        ],
    )


@router.get("/surveys", response=list[RoundOut], summary="The survey rounds of the caller's wards")
def kpi_survey_rounds(request):
    _officer(request)
    return [
        RoundOut(**_round_fields(row.survey, row.sent, row.submitted, row.overdue))
        for row in survey_selectors.survey_rounds(request.user)
    ]


@router.post("/surveys", response={201: RoundDetailOut}, summary="Create a survey round (draft)")
def kpi_survey_round_create(request, payload: RoundIn):
    _officer(request)
    wards = {w.pk: w for w in survey_selectors.officer_wards(request.user)}
    ward = wards.get(payload.municipality_id)
    if ward is None:
        raise Http404
    survey = survey_services.survey_round_create(
        actor=request.user,
        municipality=ward,
        fiscal_year=payload.fiscal_year,
        method=payload.method,
        due_on=payload.due_on,
        message=payload.message,
    )
    return Status(201, _round_detail(request, survey))


@router.get("/surveys/{round_id}", response=RoundDetailOut, summary="A round and its answers")
def kpi_survey_round(request, round_id: PathId):
    _officer(request)
    return _round_detail(request, survey_selectors.survey_round_for(request.user, round_id))


@router.patch("/surveys/{round_id}", response=RoundDetailOut, summary="Change a round")
def kpi_survey_round_update(request, round_id: PathId, payload: RoundEditIn):
    _officer(request)
    survey = survey_selectors.survey_round_for(request.user, round_id, CHANGE)
    survey = survey_services.survey_round_update(
        actor=request.user,
        survey=survey,
        due_on=payload.due_on,
        message=payload.message,
        method=payload.method,
    )
    return _round_detail(request, survey)


@router.post(
    "/surveys/{round_id}/send",
    response=SentOut,
    summary="Send the round to the ward's registered companies not asked yet",
)
def kpi_survey_round_send(request, round_id: PathId):
    _officer(request)
    survey = survey_selectors.survey_round_for(request.user, round_id, CHANGE)
    sent = survey_services.survey_round_send(actor=request.user, survey=survey)
    survey.refresh_from_db()
    return SentOut(count=len(sent), survey=_round_detail(request, survey))


@router.post(
    "/surveys/{round_id}/remind",
    response=SentOut,
    summary="Remind the companies that have not answered",
)
def kpi_survey_round_remind(request, round_id: PathId):
    _officer(request)
    survey = survey_selectors.survey_round_for(request.user, round_id, CHANGE)
    count = survey_services.survey_round_remind(actor=request.user, survey=survey)
    return SentOut(count=count, survey=_round_detail(request, survey))


@router.post("/surveys/{round_id}/close", response=RoundDetailOut, summary="Close a round")
def kpi_survey_round_close(request, round_id: PathId):
    _officer(request)
    survey = survey_selectors.survey_round_for(request.user, round_id, CHANGE)
    survey = survey_services.survey_round_close(actor=request.user, survey=survey)
    return _round_detail(request, survey)
