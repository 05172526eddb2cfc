"""The dashboard's reads: every indicator of a ward or of every ward together (with the
dashboard's small-number suppression and ward scoping: officers read their ward, the
metro viewer the wards it serves and every ward together, aggregates only), one indicator
with its trend and the records behind it, and the wards side by side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from machikoba.kpi.api._router import router
from machikoba.kpi.api.common import Filters, filters_of, reader_or_404
from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors.drilldown import DrillDown, drilldown, kind_label
from machikoba.kpi.selectors.figures import Shown

# --- schemas ------------------------------------------------------------------------------


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


# --- helpers -----------------------------------------------------------------------------


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
    reader = reader_or_404(request)
    filters = filters_of(reader, query)
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
    reader = reader_or_404(request)
    if len(code) > 20:
        raise Http404
    filters = filters_of(reader, query)
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
    reader = reader_or_404(request)
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
