"""The value-added reports (付加価値額) through the same selectors and services as the
pages: a recipient's yearly 事業化状況報告 after the payment and the ward's yearly survey
of the companies that received nothing. The company reads and answers its own (its owner
and staff); the officers of its ward read them, list them per fiscal year and kind, and
send the survey. Anyone else finds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Query, Schema
from pydantic import Field

from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import BodyId, PathId
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.office import officer_only
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.selectors.homes import home_card
from machikoba.subsidies.selectors.value_added import ValueAddedRow, value_added_row

# The service's typo guards (1 trillion yen; 1 million people).
MAX_FIGURE_YEN = 1_000_000_000_000
MAX_EMPLOYEES = 1_000_000


class SubsidyValueAddedOut(Schema):
    id: int
    company_id: int
    company_name: str
    municipality_id: int
    kind: str = Field(description="business_report (a recipient's) or survey")
    application_id: int | None
    year_index: int | None = Field(description="a business report's year after the payment")
    fiscal_year: int
    fiscal_year_label: str
    status: str = Field(description="scheduled, requested or submitted")
    requested_at: dt.datetime | None
    due_on: dt.date
    overdue: bool
    days_overdue: int
    sales: int | None
    external_costs: int | None
    employees: int | None
    value_added: int | None = Field(description="sales − external costs, once answered")
    submitted_at: dt.datetime | None


class SubsidyValueAddedHintOut(Schema):
    label: str = Field(description="whose figures: last year's answer or the application's")
    sales: int | None
    external_costs: int | None
    employees: int | None
    value_added: int | None


class SubsidyValueAddedPageOut(Schema):
    report: SubsidyValueAddedOut
    hint: SubsidyValueAddedHintOut | None
    can_answer: bool = Field(description="the caller may answer (or correct) it now")
    is_office: bool


def _report_out(row: ValueAddedRow) -> SubsidyValueAddedOut:
    report = row.report
    return SubsidyValueAddedOut(
        id=report.pk,
        company_id=report.company_id,
        company_name=report.company.name,
        municipality_id=report.municipality_id,
        kind=report.kind,
        application_id=report.application_id,
        year_index=report.year_index,
        fiscal_year=report.fiscal_year,
        fiscal_year_label=row.fiscal_year_label,
        status=report.status,
        requested_at=report.requested_at,
        due_on=report.due_on,
        overdue=row.overdue,
        days_overdue=row.days_overdue,
        sales=report.sales,
        external_costs=report.external_costs,
        employees=report.employees,
        value_added=report.value_added,
        submitted_at=report.submitted_at,
    )


def _page_out(request: Any, report_id: int) -> SubsidyValueAddedPageOut:
    report = selectors.value_added_report_for(request.user, report_id)
    page = selectors.value_added_page(request.user, report)
    hint = page.hint
    return SubsidyValueAddedPageOut(
        report=_report_out(page.row),
        hint=SubsidyValueAddedHintOut(
            label=str(hint.label),
            sales=hint.sales,
            external_costs=hint.external_costs,
            employees=hint.employees,
            value_added=hint.value_added,
        )
        if hint
        else None,
        can_answer=page.can_answer,
        is_office=page.is_office,
    )


# --- the company's reports ----------------------------------------------------------------


@router.get(
    "/value-added",
    response=Page[SubsidyValueAddedOut],
    summary="The value-added reports the active company owes now (those requested)",
)
def subsidies_value_added_due(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    company = getattr(request, "active_company", None) or None
    reports: list[ValueAddedReport] = (
        home_card(request.user, company).reports_due if company is not None else []
    )
    today = timezone.localdate()
    return page_of([value_added_row(r, today) for r in reports], params, _report_out)


@router.get(
    "/value-added/{report_id}",
    response=SubsidyValueAddedPageOut,
    summary="One value-added report, with last year's answer as a hint",
)
def subsidies_value_added_report(request: Any, report_id: PathId) -> SubsidyValueAddedPageOut:
    return _page_out(request, report_id)


class SubsidyValueAddedIn(Schema):
    sales: int = Field(ge=0, le=MAX_FIGURE_YEN, description="the fiscal year's sales (yen)")
    external_costs: int = Field(
        ge=0, le=MAX_FIGURE_YEN, description="materials, outsourcing, purchases (yen)"
    )
    employees: int = Field(ge=0, le=MAX_EMPLOYEES, description="at the year's end (0: the owner)")


@router.put(
    "/value-added/{report_id}",
    response=SubsidyValueAddedPageOut,
    summary="Answer (or correct) a requested value-added report: the company's owner or staff",
)
def subsidies_value_added_submit(
    request: Any, report_id: PathId, payload: SubsidyValueAddedIn
) -> SubsidyValueAddedPageOut:
    report = selectors.value_added_report_for(request.user, report_id)
    services.value_added_submit(
        actor=request.user,
        report=report,
        sales=payload.sales,
        external_costs=payload.external_costs,
        employees=payload.employees,
    )
    return _page_out(request, report_id)


@router.get(
    "/applications/{application_id}/value-added",
    response=Page[SubsidyValueAddedOut],
    summary="A granted application's 事業化状況報告, year by year (as its grant steps list them)",
)
def subsidies_business_reports(
    request: Any, application_id: PathId, params: Query[PageParams]
) -> dict[str, Any]:
    application = selectors.after_application(request.user, application_id)
    page = selectors.grant_steps_page(request.user, application)
    return page_of(page.value_added, params, _report_out)


# --- the office ---------------------------------------------------------------------------


class SubsidyValueAddedFilters(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100, description="default: the newest")
    kind: Literal["business_report", "survey"] | None = None


@router.get(
    "/office/value-added",
    response=Page[SubsidyValueAddedOut],
    summary="The value-added reports of the officer's wards for one fiscal year (and kind)",
)
def subsidies_office_value_added(
    request: Any, params: Query[PageParams], filters: Query[SubsidyValueAddedFilters]
) -> dict[str, Any]:
    officer_only(request)
    page = selectors.office_value_added_page(
        request.user,
        fiscal_year=filters.fiscal_year,
        kind=filters.kind or "",
        survey_years=services.survey_years(),
    )
    return page_of(page.rows, params, _report_out)


class SubsidyYearSummaryOut(Schema):
    fiscal_year: int
    label: str
    kind: str
    kind_label: str
    requested: int
    submitted: int
    overdue: int
    scheduled: int


class SubsidyWardOut(Schema):
    id: int
    name: str


class SubsidyValueAddedSummaryOut(Schema):
    summaries: list[SubsidyYearSummaryOut] = Field(description="per fiscal year and kind")
    years: list[int] = Field(description="fiscal years with reports, newest first")
    survey_years: list[int] = Field(description="the years the survey may be sent for")
    wards: list[SubsidyWardOut] = Field(description="the wards the survey may be sent in")


@router.get(
    "/office/value-added/summary",
    response=SubsidyValueAddedSummaryOut,
    summary="The value-added reports per fiscal year and kind, and where the survey may go",
)
def subsidies_office_value_added_summary(request: Any) -> SubsidyValueAddedSummaryOut:
    officer_only(request)
    page = selectors.office_value_added_page(request.user, survey_years=services.survey_years())
    return SubsidyValueAddedSummaryOut(
        summaries=[
            SubsidyYearSummaryOut(
                fiscal_year=s.fiscal_year,
                label=s.label,
                kind=s.kind,
                kind_label=s.kind_label,
                requested=s.requested,
                submitted=s.submitted,
                overdue=s.overdue,
                scheduled=s.scheduled,
            )
            for s in page.summaries
        ],
        years=page.years,
        survey_years=page.survey_years,
        wards=[SubsidyWardOut(id=w.pk, name=w.name) for w in page.wards],
    )


class SubsidySurveySendIn(Schema):
    municipality_id: BodyId = Field(description="a ward the officer serves")
    fiscal_year: int = Field(ge=2000, le=2100, description="an ended fiscal year (survey_years)")


class SubsidySurveySentOut(Schema):
    municipality_id: int
    fiscal_year: int
    sent: int = Field(description="companies newly asked (0: all were asked already)")
    report_ids: list[int]


@router.post(
    "/office/value-added/survey",
    response=SubsidySurveySentOut,
    summary="Send the yearly survey to the ward's companies that received nothing",
)
def subsidies_value_added_survey_send(
    request: Any, payload: SubsidySurveySendIn
) -> SubsidySurveySentOut:
    officer_only(request)
    ward = next(
        (w for w in selectors.office_wards(request.user) if w.pk == payload.municipality_id),
        None,
    )
    if ward is None:
        raise Http404
    sent = services.value_added_survey_send(
        actor=request.user, municipality=ward, fiscal_year=payload.fiscal_year
    )
    return SubsidySurveySentOut(
        municipality_id=ward.pk,
        fiscal_year=payload.fiscal_year,
        sent=len(sent),
        report_ids=[r.pk for r in sent],
    )
