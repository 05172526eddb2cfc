"""The yearly company survey, the company's side: its survey requests, one request with
the figures it asks for (prefilled from the company's last answer), answering or
correcting it. The company's owners and staff only; anyone else finds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from machikoba.core.ids import PathId
from machikoba.kpi.api._router import router
from machikoba.kpi.choices import DxEngagement, ExpectedSupport
from machikoba.kpi.models import SurveyResponse
from machikoba.kpi.selectors import surveys as survey_selectors
from machikoba.kpi.services import surveys as survey_services
from machikoba.subsidies.services.value_added import MAX_EMPLOYEES, MAX_YEN

# --- schemas ------------------------------------------------------------------------------


class MySurveyOut(Schema):
    id: int
    ward_name: str
    fiscal_year: int
    method: str
    due_on: dt.date
    message: str
    status: str = Field(description="requested or submitted")
    can_answer: bool
    overdue: bool
    figures: list[str] = Field(description="the figures this round asks for")
    answer: dict[str, object] = Field(
        description="the answer given, else the values the form starts with"
    )
    prefilled_from: str
    value_added: int | None
    productivity: int | None


class KpiAnswerIn(Schema):
    dx_engagement: DxEngagement
    dx_stage: int = Field(ge=0, le=4)
    dx_needed: bool
    expected_support: list[ExpectedSupport] = Field(default_factory=list, max_length=10)
    sales: int | None = Field(None, ge=0, le=MAX_YEN)
    external_costs: int | None = Field(None, ge=0, le=MAX_YEN)
    operating_profit: int | None = Field(None, ge=-MAX_YEN, le=MAX_YEN)
    personnel_costs: int | None = Field(None, ge=0, le=MAX_YEN)
    depreciation: int | None = Field(None, ge=0, le=MAX_YEN)
    rent: int | None = Field(None, ge=0, le=MAX_YEN)
    interest: int | None = Field(None, ge=0, le=MAX_YEN)
    taxes: int | None = Field(None, ge=0, le=MAX_YEN)
    employees: int | None = Field(None, ge=1, le=MAX_EMPLOYEES)


# --- helpers and operations ---------------------------------------------------------------


def _my_survey_out(request, response: SurveyResponse) -> MySurveyOut:
    page = survey_selectors.my_survey_page(request.user, response)
    survey = response.round
    answer = {k: (v if not isinstance(v, Decimal) else str(v)) for k, v in page.initial.items()}
    return MySurveyOut(
        id=response.pk,
        ward_name=survey.municipality.display_name,
        fiscal_year=survey.fiscal_year,
        method=survey.method,
        due_on=survey.due_on,
        message=survey.message,
        status=response.status,
        can_answer=page.can_answer,
        overdue=page.overdue,
        figures=list(page.figures),
        answer=answer,
        prefilled_from=page.prefilled_from,
        value_added=page.value_added,
        productivity=page.productivity,
    )


@router.get(
    "/my-surveys",
    response=list[MySurveyOut],
    summary="The survey requests of the caller's company (owners, staff)",
)
def kpi_my_surveys(request):
    company = getattr(request, "active_company", None) or None
    return [
        _my_survey_out(request, row.response)
        for row in survey_selectors.my_surveys(request.user, company)
    ]


@router.get("/my-surveys/{response_id}", response=MySurveyOut, summary="One survey request")
def kpi_my_survey(request, response_id: PathId):
    return _my_survey_out(request, survey_selectors.my_response_for(request.user, response_id))


@router.put(
    "/my-surveys/{response_id}", response=MySurveyOut, summary="Answer (or correct) the survey"
)
def kpi_my_survey_answer(request, response_id: PathId, payload: KpiAnswerIn):
    response = survey_selectors.my_response_for(request.user, response_id)
    figures = survey_services.figure_names(response.round.method)
    response = survey_services.survey_response_submit(
        actor=request.user,
        response=response,
        dx_engagement=payload.dx_engagement,
        dx_stage=payload.dx_stage,
        dx_needed=payload.dx_needed,
        expected_support=list(payload.expected_support),
        **{name: getattr(payload, name) for name in figures},
    )
    return _my_survey_out(request, response)
