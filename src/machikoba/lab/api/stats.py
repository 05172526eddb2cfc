"""The lab's statistics through the API (its staff and its ward's officers; anyone else,
the metro viewer included, finds no such lab: 404), their CSV / Excel export, and the
two doors of the site menu: マイラボ (the caller's own counts) and ラボの運営 (the labs
the caller runs or counts for)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import Field

from machikoba.core.ids import PathId
from machikoba.core.views import content_disposition
from machikoba.lab import exports
from machikoba.lab.selectors.hub import lab_office, my_lab
from machikoba.lab.selectors.stats import FIRST_YEAR, current_fiscal_year, lab_stats, stats_lab

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class LabYearQuery(Schema):
    year: int | None = Field(
        None, ge=FIRST_YEAR, le=9999, description="fiscal year (April–March); this one if not given"
    )


class ExportQuery(LabYearQuery):
    format: Literal["csv", "xlsx"] = "csv"


class MonthOut(Schema):
    month: dt.date = Field(description="its first day")
    entries: int
    bookings_used: int
    bookings_without_entry: int
    visits: int = Field(description="延べ利用者数")
    companies: int


class ItemUseOut(Schema):
    item_id: int
    name: str
    kind: str
    exhibitor: str
    capacity: int
    hours_used: float
    open_hours: float
    bookings_used: int
    no_shows: int


class TrainingPassesOut(Schema):
    training_id: int
    name: str
    passes: int
    people: int


class EventAttendanceOut(Schema):
    event_id: int
    title: str
    kind: str
    starts_at: dt.datetime
    capacity: int
    registered: int
    attended: int
    surveys: int
    survey_average: float | None


class SourceCountOut(Schema):
    source: str
    label: str
    count: int


class FollowUpsOut(Schema):
    yes: int
    in_progress: int
    no: int
    unanswered: int
    not_due: int


class StatsOut(Schema):
    lab_id: int
    fiscal_year: int
    first_day: dt.date
    last_day: dt.date
    period_end: dt.date = Field(description="counted through this day")
    is_current: bool
    years: list[int]
    months: list[MonthOut]
    entries: int
    bookings_used: int
    visits: int = Field(description="延べ利用者数 (KPI M3.KSI)")
    companies: int = Field(description="distinct companies of the year")
    open_hours: float
    items: list[ItemUseOut]
    trainings: list[TrainingPassesOut]
    training_passes: int
    events: list[EventAttendanceOut]
    events_held: int
    event_attendance_rate: float | None
    matchings: list[SourceCountOut]
    matchings_total: int
    follow_ups: FollowUpsOut
    network_first_awards: int | None
    matchings_with_network: int
    notes: list[str]


class MyLabOut(Schema):
    lab_ids: list[int]
    next_booking_id: int | None
    upcoming_bookings: int
    offers: int
    registrations: int
    valid_trainings: int
    active_trials: int
    has_company: bool


class OfficeLabOut(Schema):
    lab_id: int
    name: str
    runs: bool = Field(description="the caller's ward's lab staff (every desk); else figures")


class OfficeOut(Schema):
    labs: list[OfficeLabOut]
    consortium: bool = Field(description="partners, projects, matchings")
    referrals: bool = Field(description="DX-loan referrals")


# --- helpers ------------------------------------------------------------------------------


def _year(query: LabYearQuery) -> int:
    current = current_fiscal_year()
    if query.year is None:
        return current
    if query.year > current:
        raise ValidationError(
            [
                {
                    "loc": ("query", "year"),
                    "msg": _("%(first)s年度から今年度までの年度を指定してください。")
                    % {"first": FIRST_YEAR},
                }
            ]
        )
    return query.year


# --- operations ---------------------------------------------------------------------------


@router.get("/labs/{lab_id}/stats", response=StatsOut, summary="A lab's statistics for a year")
def lab_stats_read(request, lab_id: PathId, query: Query[LabYearQuery]):
    lab = stats_lab(request.user, lab_id)
    s = lab_stats(request.user, lab, _year(query))
    return StatsOut(
        lab_id=lab.pk,
        fiscal_year=s.fiscal_year,
        first_day=s.first_day,
        last_day=s.last_day,
        period_end=s.period_end,
        is_current=s.is_current,
        years=s.years,
        months=[
            MonthOut(
                month=m.month,
                entries=m.entries,
                bookings_used=m.bookings_used,
                bookings_without_entry=m.bookings_without_entry,
                visits=m.visits,
                companies=m.companies,
            )
            for m in s.months
        ],
        entries=s.entries,
        bookings_used=s.bookings_used,
        visits=s.visits,
        companies=s.companies,
        open_hours=s.open_hours,
        items=[ItemUseOut(**vars(i)) for i in s.items],
        trainings=[TrainingPassesOut(**vars(t)) for t in s.trainings],
        training_passes=s.training_passes,
        events=[EventAttendanceOut(**vars(e)) for e in s.events],
        events_held=s.events_held,
        event_attendance_rate=s.event_attendance_rate,
        matchings=[SourceCountOut(**vars(m)) for m in s.matchings],
        matchings_total=s.matchings_total,
        follow_ups=FollowUpsOut(
            yes=s.follow_ups.yes,
            in_progress=s.follow_ups.in_progress,
            no=s.follow_ups.no,
            unanswered=s.follow_ups.unanswered,
            not_due=s.follow_ups.not_due,
        ),
        network_first_awards=s.network_first_awards,
        matchings_with_network=s.matchings_with_network,
        notes=[str(n) for n in s.notes],
    )


@router.get(
    "/labs/{lab_id}/stats/export",
    response={200: None},
    summary="A lab's statistics as CSV or Excel",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                }
            }
        }
    },
)
def lab_stats_export(request, lab_id: PathId, query: Query[ExportQuery]):
    lab = stats_lab(request.user, lab_id)
    stats = lab_stats(request.user, lab, _year(query))
    fmt = query.format
    content, content_type = exports.stats_file(stats, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(exports.stats_filename(stats, fmt))
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/me", response=MyLabOut, summary="マイラボ: the caller's lab at a glance")
def lab_me(request):
    page = my_lab(request.user)
    return MyLabOut(
        lab_ids=[lab.pk for lab in page.labs],
        next_booking_id=page.next_booking.pk if page.next_booking else None,
        upcoming_bookings=page.upcoming_bookings,
        offers=page.offers,
        registrations=page.registrations,
        valid_trainings=page.valid_trainings,
        active_trials=page.active_trials,
        has_company=page.has_company,
    )


@router.get("/office", response=OfficeOut, summary="ラボの運営: the labs the caller runs")
def lab_office_read(request):
    page = lab_office(request.user)
    if not page.any:
        raise PermissionDenied
    return OfficeOut(
        labs=[OfficeLabOut(lab_id=o.lab.pk, name=o.lab.name, runs=o.runs) for o in page.labs],
        consortium=page.consortium,
        referrals=page.referrals,
    )
