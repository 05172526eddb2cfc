"""The shop floor's metrics through the API: the live board (every member), a machine's
day, the figures of a period (owners and staff) and the shifts. Each is of the caller's
active company; a machine of another company is a 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Schema, Status
from pydantic import Field

from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.core.api_fields import WallClockTime
from machikoba.core.ids import PathId
from machikoba.core.views import active_company_or_403
from machikoba.shopfloor.api._router import router
from machikoba.shopfloor.metrics import services
from machikoba.shopfloor.metrics.board import board as board_page
from machikoba.shopfloor.metrics.board import machine_day as machine_day_page
from machikoba.shopfloor.metrics.labels import Figure
from machikoba.shopfloor.metrics.metrics_page import metrics_page, shifts_page
from machikoba.shopfloor.metrics.periods import parse_day, parse_period
from machikoba.shopfloor.metrics.rows import CombinedRow, FigureRow
from machikoba.shopfloor.models_metrics import Shift
from machikoba.telemetry.models import Machine

# --- schemas ----------------------------------------------------------------------------


class FigureOut(Schema):
    percent: float | None = Field(description="empty when it cannot be worked out (see note)")
    numerator: float
    denominator: float
    text: str
    detail: str
    note: str = Field(description="why it is missing, or the warning above 100 %")


class FiguresOut(Schema):
    name: str
    utilisation: FigureOut = Field(description="稼働率")
    availability: FigureOut
    performance: FigureOut
    quality: FigureOut
    oee: FigureOut
    coverage: str = Field(description="how much of the OEE stands (machines / days)")


class MachineFiguresOut(FiguresOut):
    machine_id: int | None
    monitored: bool = Field(description="the machine sends its states (else 日報 only)")
    basis: str = Field(description="where the part counts come from")
    planned_minutes: float
    producing_minutes: float
    offline_minutes: float
    shift_time: str


class BoardCardOut(Schema):
    machine_id: int
    name: str
    state: str
    state_label: str
    reason: str
    since: dt.datetime | None
    utilisation: FigureOut = Field(description="today's 稼働率 so far")
    parts: int | None = Field(description="parts counted today")


class BoardOut(Schema):
    now: dt.datetime
    day: dt.date
    working: bool
    cards: list[BoardCardOut]


class BandOut(Schema):
    state: str
    label: str
    reason: str
    start: dt.datetime
    end: dt.datetime
    minutes: float


class StopOut(Schema):
    start: dt.datetime
    end: dt.datetime
    minutes: str
    state: str
    reason: str
    planned: bool


class MachineDayOut(Schema):
    machine_id: int
    name: str
    day: dt.date
    previous: dt.date | None
    next: dt.date | None
    working: bool
    bands: list[BandOut]
    figures: list[MachineFiguresOut] = Field(description="each shift, then the day")
    stops: list[StopOut]
    report_stops: list[dict[str, str]] = Field(description="stops the 日報 reported")


class ShopfloorMetricsDayQuery(Schema):
    date: dt.date | None = Field(None, description="the day; today when left out")


class PeriodQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="first day (7 days to `to`)")
    date_to: dt.date | None = Field(None, alias="to", description="last day (today)")


class ParetoOut(Schema):
    label: str
    minutes: str
    share: float
    cumulative: float
    planned: bool


class DayRowOut(Schema):
    day: dt.date
    working: bool
    total: FiguresOut
    shifts: list[FiguresOut]


class TrendOut(Schema):
    day: dt.date
    working: bool
    utilisation: FigureOut
    oee: FigureOut


class MetricsOut(Schema):
    first: dt.date
    last: dt.date
    machines: list[MachineFiguresOut]
    total: FiguresOut
    days: list[DayRowOut]
    pareto: list[ParetoOut] = Field(description="downtime by reason, longest first")
    stop_total: str
    offline_total: str
    trend: list[TrendOut] = Field(description="the 30 days to the last day, newest first")


class ShiftOut(Schema):
    id: int
    name: str
    start: dt.time
    end: dt.time = Field(description="before the start: the next day (a night shift)")
    order: int


class ShiftIn(Schema):
    name: str = Field(min_length=1, max_length=30)
    start: WallClockTime
    end: WallClockTime


# --- helpers ----------------------------------------------------------------------------


def _figure(value: Figure) -> FigureOut:
    return FigureOut(
        percent=value.ratio.percent,
        numerator=value.ratio.numerator,
        denominator=value.ratio.denominator,
        text=value.text,
        detail=str(value.detail),
        note=str(value.note),
    )


def _figures(row: FigureRow | CombinedRow) -> dict:
    return {
        "name": str(row.name),
        "utilisation": _figure(row.utilisation),
        "availability": _figure(row.availability),
        "performance": _figure(row.performance),
        "quality": _figure(row.quality),
        "oee": _figure(row.oee),
        "coverage": str(row.coverage),
    }


def _machine_figures(row: FigureRow) -> MachineFiguresOut:
    return MachineFiguresOut(
        **_figures(row),
        machine_id=row.machine.pk if row.machine else None,
        monitored=row.monitored,
        basis=str(row.basis),
        planned_minutes=row.figures.planned,
        producing_minutes=row.figures.producing,
        offline_minutes=row.figures.offline,
        shift_time=row.shift_time,
    )


def _editor_company(request):
    company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


def _shift_out(shift: Shift) -> ShiftOut:
    return ShiftOut(
        id=shift.pk, name=shift.name, start=shift.start, end=shift.end, order=shift.order
    )


# --- operations -------------------------------------------------------------------------


@router.get("/floor/board", response=BoardOut, summary="The live shop board")
def shopfloor_board(request):
    page = board_page(request.user, active_company_or_403(request))
    return BoardOut(
        now=page.now,
        day=page.day,
        working=page.working,
        cards=[
            BoardCardOut(
                machine_id=card.machine.pk,
                name=card.machine.name,
                state=card.state,
                state_label=str(card.state_label),
                reason=str(card.reason_label),
                since=card.since,
                utilisation=_figure(card.utilisation),
                parts=card.parts,
            )
            for card in page.cards
        ],
    )


@router.get(
    "/floor/machines/{machine_id}/day",
    response=MachineDayOut,
    summary="A machine's day: states, figures per shift, stops (owners, staff)",
)
def shopfloor_machine_day(request, machine_id: PathId, query: Query[ShopfloorMetricsDayQuery]):
    company = _editor_company(request)
    machine = get_for_user_or_404(
        Machine.objects.select_related("equipment"),
        request.user,
        VIEW,
        pk=machine_id,
        company=company,
    )
    today = timezone.localdate()
    day = parse_day(query.date.isoformat() if query.date else None, today)
    page = machine_day_page(request.user, company, machine, day)
    return MachineDayOut(
        machine_id=machine.pk,
        name=machine.name,
        day=page.day,
        previous=page.previous,
        next=page.next,
        working=page.working,
        bands=[
            BandOut(
                state=band.style.state,
                label=str(band.label),
                reason=str(band.reason),
                start=band.start,
                end=band.end,
                minutes=band.minutes,
            )
            for band in page.bands
        ],
        figures=[_machine_figures(row) for row in page.figure_rows],
        stops=[
            StopOut(
                start=stop.start,
                end=stop.end,
                minutes=stop.minutes,
                state=str(stop.state),
                reason=str(stop.reason),
                planned=stop.planned,
            )
            for stop in page.stops
        ],
        report_stops=[{"minutes": s.minutes, "reason": s.reason} for s in page.report_stops],
    )


@router.get(
    "/floor/metrics", response=MetricsOut, summary="The figures of a period (owners, staff)"
)
def shopfloor_metrics(request, query: Query[PeriodQuery]):
    company = _editor_company(request)
    period = parse_period(
        query.date_from.isoformat() if query.date_from else None,
        query.date_to.isoformat() if query.date_to else None,
        timezone.localdate(),
    )
    page = metrics_page(request.user, company, period)
    return MetricsOut(
        first=period.first,
        last=period.last,
        machines=[_machine_figures(row) for row in page.machine_rows],
        total=FiguresOut(**_figures(page.total)),
        days=[
            DayRowOut(
                day=row.day,
                working=row.working,
                total=FiguresOut(**_figures(row.total)),
                shifts=[FiguresOut(**_figures(s)) for s in row.shifts],
            )
            for row in page.day_rows
        ],
        pareto=[
            ParetoOut(
                label=str(p.label),
                minutes=p.minutes,
                share=p.share,
                cumulative=p.cumulative,
                planned=p.planned,
            )
            for p in page.pareto
        ],
        stop_total=page.stop_total,
        offline_total=page.offline_total,
        trend=[
            TrendOut(
                day=t.day,
                working=t.working,
                utilisation=_figure(t.utilisation),
                oee=_figure(t.oee),
            )
            for t in page.trend
        ],
    )


@router.get("/floor/shifts", response=list[ShiftOut], summary="The shifts (owners, staff)")
def shopfloor_shifts(request):
    page = shifts_page(request.user, _editor_company(request))
    return [_shift_out(shift) for shift in page.shifts]


@router.post("/floor/shifts", response={201: ShiftOut}, summary="Add a shift (owners, staff)")
def shopfloor_shift_add(request, payload: ShiftIn):
    company = _editor_company(request)
    shift = services.shift_add(
        actor=request.user,
        company=company,
        name=payload.name,
        start=payload.start,
        end=payload.end,
    )
    return Status(201, _shift_out(shift))


@router.delete("/floor/shifts/{shift_id}", response={204: None}, summary="Delete a shift")
def shopfloor_shift_delete(request, shift_id: PathId):
    shift = get_for_user_or_404(
        Shift.objects.select_related("company"), request.user, CHANGE, pk=shift_id
    )
    services.shift_delete(actor=request.user, shift=shift)
    return Status(204, None)
