"""KPI API: the indicators of a ward or of every ward together (with the dashboard's
small-number suppression and ward scoping: officers read their ward, the metro viewer the
wards it serves and every ward together, aggregates only), one indicator with its trend
and the records behind it, the wards side by side, a ward's own targets and public page,
the yearly company survey (the office's rounds; a company's requests and answers).
Through the same selectors, services and access layer as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from machikoba.core.access import CHANGE
from machikoba.core.ids import BodyId, PathId
from machikoba.kpi.choices import DxEngagement, ExpectedSupport, ValueAddedMethod
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors import surveys as survey_selectors
from machikoba.kpi.selectors.drilldown import DrillDown, drilldown, kind_label
from machikoba.kpi.selectors.figures import Reader, Shown, readable_wards, reader_of
from machikoba.kpi.services import publication_set, target_set
from machikoba.kpi.services import surveys as survey_services
from machikoba.subsidies.services.value_added import MAX_EMPLOYEES, MAX_YEN
from machikoba.wards.models import Municipality

router = Router(tags=["kpi"])

# The employees bands of the company filter (``computations.base.SIZE_BANDS``; a test
# checks that they are the same).
SizeBand = Literal["1-9", "10-29", "30-"]

# --- schemas: indicators ------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str = Field(description="e.g. M1.KGI")
    name: str
    measure: int = Field(description="the policy paper's measure 1..3")
    level: str = Field(description="kgi, ksi, outcome or output")
    unit: str
    hidden: bool = Field(description="suppressed: from fewer than 3 companies")
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    text: str = Field(description="the value as the page prints it (— when none)")
    reason: str = Field(description="why there is no value")
    target: Decimal | None
    target_year: int | None
    target_is_ward: bool = Field(description="the ward's own target (else the paper's)")
    expected: Decimal | None = Field(description="where the figure should be by now")
    progress: float | None = Field(description="value in % of the target (capped at 150)")
    light: str = Field(description="green, amber, red or none")
    company_count: int | None = Field(description="companies behind the figure (None if hidden)")
    filters_ignored: bool = Field(description="the company filters do not apply to it")


class ScopeOut(Schema):
    fiscal_year: int
    ward: str = Field(description="the ward's code, or 'all' for every ward together")
    ward_name: str
    size: str
    process: str
    as_of: dt.date
    current: bool = Field(description="the fiscal year is still running")
    problems: list[str] = Field(
        description="filters that could not be used and were replaced by their default"
    )


class IndicatorsOut(Schema):
    scope: ScopeOut
    indicators: list[IndicatorOut]


class TrendPointOut(Schema):
    fiscal_year: int
    value: Decimal | None
    text: str
    reason: str
    stored: bool = Field(description="the year's final snapshot (else computed now)")


class DrillRowOut(Schema):
    day: dt.date | None
    kind: str
    kind_label: str
    company_id: int | None
    company_name: str
    label: str
    detail: str
    counted: bool


class DrillTallyOut(Schema):
    company_id: int | None
    company_name: str
    kind: str
    count: int


class DrillBucketOut(Schema):
    month: dt.date | None
    label: str
    counted: int
    others: int


class DrillDownOut(Schema):
    hidden: bool
    reason: str
    detailed: bool = Field(description="records one by one (an officer of the figure's ward)")
    rows: list[DrillRowOut]
    tallies: list[DrillTallyOut] = Field(description="records counted per company")
    buckets: list[DrillBucketOut] = Field(description="records only counted, by month")
    confidential: bool
    share: bool
    partial: bool


class IndicatorDetailOut(Schema):
    scope: ScopeOut
    indicator: IndicatorOut
    baseline: Decimal | None
    baseline_year: int | None
    trend: list[TrendPointOut]
    records: DrillDownOut


class Filters(Schema):
    fy: int | None = Field(None, ge=2000, le=2100, description="fiscal year (this one)")
    ward: str | None = Field(
        None,
        pattern=r"^(all|[0-9]{6})$",
        description="a ward's code, or 'all' (an officer starts with their ward)",
    )
    size: SizeBand | None = Field(None, description="employees band")
    process: str | None = Field(None, max_length=100, description="top process code")


class CompareFilters(Schema):
    fy: int | None = Field(None, ge=2000, le=2100)
    ward: list[str] = Field(
        default_factory=list, max_length=50, description="ward codes (repeat the parameter)"
    )
    indicator: str | None = Field(None, max_length=20)


class CompareColumnOut(Schema):
    ward: str
    label: str


class CompareRowOut(Schema):
    code: str
    name: str
    cells: list[IndicatorOut] = Field(description="one per column, in the columns' order")


class CompareOut(Schema):
    fiscal_year: int
    as_of: dt.date
    problems: list[str] = Field(description="wards or indicator left out, and why")
    columns: list[CompareColumnOut]
    rows: list[CompareRowOut]


# --- schemas: targets --------------------------------------------------------------------


class WardQuery(Schema):
    ward: str | None = Field(None, pattern=r"^[0-9]{6}$", description="an officer's ward code")


class TargetOut(Schema):
    code: str
    name: str
    unit: str
    paper_target: Decimal | None
    paper_baseline: Decimal | None
    target: Decimal | None = Field(description="the ward's own")
    target_year: int | None
    baseline: Decimal | None
    baseline_year: int | None


class PublicationOut(Schema):
    enabled: bool
    introduction: str


class TargetsOut(Schema):
    ward: str
    ward_name: str
    targets: list[TargetOut]
    publication: PublicationOut


class TargetIn(Schema):
    target: Decimal | None = Field(None, max_digits=20, decimal_places=4)
    target_year: int | None = Field(None, ge=2000, le=2100)
    baseline: Decimal | None = Field(None, max_digits=20, decimal_places=4)
    baseline_year: int | None = Field(None, ge=2000, le=2100)


class PublicationIn(Schema):
    enabled: bool
    introduction: str = Field("", max_length=2000)


# --- schemas: surveys --------------------------------------------------------------------


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


# --- helpers -----------------------------------------------------------------------------


def _reader(request) -> Reader:
    """Officers and the metro viewer; anyone else finds no dashboard (404, as the pages)."""
    reader = reader_of(request.user)
    if reader is None:
        raise Http404
    return reader


def _filters(reader: Reader, query: Filters) -> selectors.Filters:
    """The page's filters from the query. A ward the reader may not read is a 404; any
    other unusable value falls back to its default, as on the page, and ``problems``
    says so."""
    asked = query.ward and query.ward != selectors.ALL_WARDS
    if asked and not readable_wards(reader).filter(code=query.ward).exists():
        raise Http404
    params = QueryDict(mutable=True)
    for name in ("fy", "ward", "size", "process"):
        value = getattr(query, name)
        if value is not None:
            params[name] = str(value)
    return selectors.filters_from(reader, params, today=timezone.localdate())


def _indicator_out(shown: Shown, filters_ignored: bool = False) -> IndicatorOut:
    definition = shown.definition
    result = shown.result
    return IndicatorOut(
        code=shown.code,
        name=definition.display_name,
        measure=definition.indicator.measure,
        level=definition.indicator.level,
        unit=definition.unit,
        hidden=shown.hidden,
        value=shown.value,
        numerator=shown.numerator,
        denominator=shown.denominator,
        text=shown.text,
        reason=shown.reason_text,
        target=result.goal.target,
        target_year=result.goal.target_year,
        target_is_ward=result.goal.ward_set,
        expected=None if shown.hidden else result.expected,
        progress=shown.progress,
        light=shown.light,
        company_count=None if shown.hidden else shown.company_count,
        filters_ignored=filters_ignored,
    )


def _scope_out(filters: selectors.Filters, as_of: dt.date, current: bool) -> ScopeOut:
    return ScopeOut(
        fiscal_year=filters.year,
        ward=filters.ward_param,
        ward_name=filters.ward.display_name if filters.ward else _("全区の合計"),
        size=filters.size,
        process=filters.process,
        as_of=as_of,
        current=current,
        problems=[str(problem) for problem in filters.problems],
    )


def _drill_out(drill: DrillDown) -> DrillDownOut:
    return DrillDownOut(
        hidden=drill.hidden,
        reason=str(drill.reason),
        detailed=drill.detailed,
        rows=[
            DrillRowOut(
                day=r.day,
                kind=r.kind,
                kind_label=str(kind_label(r.kind)),
                company_id=r.company_id,
                company_name=str(r.company_name),
                label=str(r.label),
                detail=str(r.detail),
                counted=r.counted,
            )
            for r in drill.rows
        ],
        tallies=[
            DrillTallyOut(
                company_id=t.company_id,
                company_name=str(t.company_name),
                kind=t.kind,
                count=t.count,
            )
            for t in drill.tallies
        ],
        buckets=[
            DrillBucketOut(month=b.month, label=str(b.label), counted=b.counted, others=b.others)
            for b in drill.buckets
        ],
        confidential=drill.confidential,
        share=drill.share,
        partial=drill.partial,
    )


# --- indicators ---------------------------------------------------------------------------


@router.get(
    "/indicators",
    response=IndicatorsOut,
    summary="Every indicator of a ward or of every ward together (officers, metro viewer)",
)
def kpi_indicators(request, query: Query[Filters]):
    reader = _reader(request)
    filters = _filters(reader, query)
    board = selectors.dashboard(reader, filters, today=timezone.localdate())
    items = []
    for measure in board.measures:
        for item in (measure.kgi, measure.ksi, measure.outcome, *measure.outputs):
            if item is not None:
                items.append(_indicator_out(item.shown, item.filters_ignored))
    return IndicatorsOut(scope=_scope_out(filters, board.as_of, board.current), indicators=items)


@router.get(
    "/indicators/{code}",
    response=IndicatorDetailOut,
    summary="One indicator: its trend and the records behind it (as the reader may see them)",
)
def kpi_indicator(request, code: str, query: Query[Filters]):
    reader = _reader(request)
    if len(code) > 20:
        raise Http404
    filters = _filters(reader, query)
    page = selectors.indicator_page(reader, code, filters, today=timezone.localdate())
    ward_id = filters.ward.pk if filters.ward is not None else None
    return IndicatorDetailOut(
        scope=_scope_out(filters, page.as_of, page.current),
        indicator=_indicator_out(page.item.shown, page.item.filters_ignored),
        baseline=page.result.goal.baseline,
        baseline_year=page.result.goal.baseline_year,
        trend=[
            TrendPointOut(
                fiscal_year=p.year,
                value=p.value,
                text=p.text,
                reason=str(p.reason),
                stored=p.stored,
            )
            for p in page.trend
        ],
        records=_drill_out(drilldown(reader, page.result, ward_id)),
    )


@router.get("/compare", response=CompareOut, summary="Wards side by side with every ward together")
def kpi_compare(request, query: Query[CompareFilters]):
    reader = _reader(request)
    params = QueryDict(mutable=True)
    if query.fy is not None:
        params["fy"] = str(query.fy)
    params.setlist("ward", query.ward)
    if query.indicator:
        params["indicator"] = query.indicator
    comparison = selectors.comparison(reader, params, today=timezone.localdate())
    return CompareOut(
        fiscal_year=comparison.year,
        as_of=comparison.as_of,
        problems=[str(problem) for problem in comparison.problems],
        columns=[
            CompareColumnOut(
                ward=column.ward.code if column.ward else selectors.ALL_WARDS,
                label=str(column.label),
            )
            for column in comparison.columns
        ],
        rows=[
            CompareRowOut(
                code=row.code,
                name=row.name,
                cells=[_indicator_out(cell.shown, cell.filters_ignored) for cell in row.cells],
            )
            for row in comparison.rows
        ],
    )


# --- targets and the public page ------------------------------------------------------------


def _officer_ward(request, query: WardQuery) -> tuple[Reader, Municipality]:
    reader = _reader(request)
    return reader, selectors.officer_ward(reader, query.ward or "")


def _targets_out(reader: Reader, ward: Municipality) -> TargetsOut:
    publication = selectors.publication_of(reader, ward)
    return TargetsOut(
        ward=ward.code,
        ward_name=ward.display_name,
        targets=[
            TargetOut(
                code=row.code,
                name=row.definition.display_name,
                unit=row.definition.unit,
                paper_target=row.definition.target,
                paper_baseline=row.definition.baseline,
                target=row.own.target if row.own else None,
                target_year=row.own.target_year if row.own else None,
                baseline=row.own.baseline if row.own else None,
                baseline_year=row.own.baseline_year if row.own else None,
            )
            for row in selectors.target_rows(reader, ward)
        ],
        publication=PublicationOut(
            enabled=publication.enabled if publication else False,
            introduction=publication.introduction if publication else "",
        ),
    )


@router.get("/targets", response=TargetsOut, summary="A ward's own targets (its officers)")
def kpi_targets(request, query: Query[WardQuery]):
    reader, ward = _officer_ward(request, query)
    return _targets_out(reader, ward)


@router.put(
    "/targets/{code}", response=TargetsOut, summary="Set (or, all empty, remove) a ward's target"
)
def kpi_target_set(request, code: str, payload: TargetIn, query: Query[WardQuery]):
    reader, ward = _officer_ward(request, query)
    row = next((r for r in selectors.target_rows(reader, ward) if r.code == code), None)
    if row is None:
        raise Http404
    target_set(
        actor=request.user,
        municipality=ward,
        indicator=row.definition.indicator,
        target=payload.target,
        target_year=payload.target_year,
        baseline=payload.baseline,
        baseline_year=payload.baseline_year,
    )
    return _targets_out(reader, ward)


@router.put(
    "/publication", response=TargetsOut, summary="Publish or withdraw the ward's public KPI page"
)
def kpi_publication_set(request, payload: PublicationIn, query: Query[WardQuery]):
    reader, ward = _officer_ward(request, query)
    publication_set(
        actor=request.user,
        municipality=ward,
        enabled=payload.enabled,
        introduction=payload.introduction,
    )
    return _targets_out(reader, ward)


# --- the survey: the office -----------------------------------------------------------------


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


# --- the survey: the company ----------------------------------------------------------------


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
