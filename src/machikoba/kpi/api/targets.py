"""A ward's own targets and its public page's publication: the ward's officers read and
set them (anyone else: not found, as the pages)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from ninja import Query, Schema
from pydantic import Field

from machikoba.core.api_fields import IndicatorDecimal
from machikoba.kpi.api._router import router
from machikoba.kpi.api.common import reader_or_404
from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors.figures import Reader
from machikoba.kpi.services import publication_set, target_set
from machikoba.wards.models import Municipality

# --- schemas ------------------------------------------------------------------------------


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
    target: IndicatorDecimal | None = None
    target_year: int | None = Field(None, ge=2000, le=2100)
    baseline: IndicatorDecimal | None = None
    baseline_year: int | None = Field(None, ge=2000, le=2100)


class PublicationIn(Schema):
    enabled: bool
    introduction: str = Field("", max_length=2000)


# --- targets and the publication ----------------------------------------------------------


def _officer_ward(request, query: WardQuery) -> tuple[Reader, Municipality]:
    reader = reader_or_404(request)
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
