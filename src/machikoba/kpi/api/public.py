"""A ward's public KPI page through the API: open to anyone, no session or token needed,
while the ward publishes it (else not found). Exactly what the public page shows: the
network's size and outcomes as counts, this year so far and last year, small numbers
suppressed; no record, no company, no company count. Whoever asks, signed in or not, gets
the visitor's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Path, Schema
from pydantic import Field

from machikoba.kpi.api._router import router
from machikoba.kpi.selectors.figures import Shown
from machikoba.kpi.selectors.public import PublicFigure, public_page

WardCode = Annotated[str, Path(pattern=r"^[0-9]{6}$", description="the ward's code")]


class KpiPublicFigureOut(Schema):
    code: str
    name: str
    unit: str = Field(description="the unit as the page prints it")
    value: Decimal | None = Field(description="this fiscal year so far (None: see reason)")
    text: str = Field(description="the value as the page prints it (— when none)")
    reason: str = Field(description="why there is no value (3 companies or fewer …)")
    before_value: Decimal | None = Field(description="the fiscal year before")
    before_text: str
    before_reason: str
    target: Decimal | None = Field(description="the ward's target, when it has one")
    target_text: str


class KpiPublicSectionOut(Schema):
    label: str = Field(description="the measure")
    figures: list[KpiPublicFigureOut]


class KpiPublicOut(Schema):
    ward: str = Field(description="the ward's code")
    ward_name: str
    introduction: str = Field(description="the ward's own words above the figures")
    fiscal_year: int
    as_of: dt.date = Field(description="counted up to this day")
    sections: list[KpiPublicSectionOut]


def _reason(figure: Shown) -> str:
    # The page says why only where it prints no value.
    return figure.reason_text if figure.value is None else ""


def _figure_out(figure: PublicFigure) -> KpiPublicFigureOut:
    now, before = figure.now, figure.before
    target = now.result.goal.target
    return KpiPublicFigureOut(
        code=figure.code,
        name=figure.name,
        unit=figure.unit_text,
        value=now.value,
        text=now.text,
        reason=_reason(now),
        before_value=before.value,
        before_text=before.text,
        before_reason=_reason(before),
        target=target,
        target_text=now.target_text if target is not None else "",
    )


@router.get(
    "/public/{ward_code}",
    response=KpiPublicOut,
    auth=None,
    summary="A ward's public KPI page (anyone; only while the ward publishes it)",
)
def kpi_public(request, ward_code: WardCode):
    page = public_page(ward_code, today=timezone.localdate())
    return KpiPublicOut(
        ward=page.ward.code,
        ward_name=page.ward.display_name,
        introduction=page.introduction,
        fiscal_year=page.year,
        as_of=page.as_of,
        sections=[
            KpiPublicSectionOut(
                label=section.label, figures=[_figure_out(f) for f in section.figures]
            )
            for section in page.sections
        ],
    )
