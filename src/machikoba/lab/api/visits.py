"""The entry log (入退館) through the API: the caller's personal code and visits, the
kiosk (its scan and the lab's rotating code), the phone's entry with the lab's code, the
desk (visitors without an account, people by e-mail) and the staff's day. The kiosk, the
desk and the day are the lab's staff's (403 for anyone else who sees the lab, 404 else);
the personal code, the phone's entry and one's own visits are every signed-in person's."""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import PathId
from machikoba.lab.api.common import Email, person_name
from machikoba.lab.models_visits import EntryEvent, Visitor
from machikoba.lab.selectors import visits as selectors
from machikoba.lab.services import entry_codes
from machikoba.lab.services import visits as services
from machikoba.lab.services.visits import EntryOutcome

router = Router(tags=["lab"])

Direction = Literal["entered", "left"]


# --- schemas ------------------------------------------------------------------------------


class MyCodeOut(Schema):
    token: str = Field(description="the personal code the kiosk reads (show it as a QR code)")
    seconds: int = Field(description="how long a code is good for")
    seconds_left: int


class LabEntryOut(Schema):
    id: int
    lab_id: int
    kind: str = Field(description="entered, left or refused")
    method: str
    at: dt.datetime
    user_id: int | None
    visitor_id: int | None
    person: str
    company_name: str
    reason: str = Field(description="why it was refused")
    booking_id: int | None
    event_id: int | None


class OutcomeOut(Schema):
    ok: bool
    kind: str = Field(description="entered, left or refused")
    headline: str
    message: str = Field(description="why not, when refused")
    reason: str
    name: str
    company: str
    lines: list[str] = Field(description="what else happened (a booking checked in …)")
    entry_id: int | None


class PresenceOut(Schema):
    name: str
    company: str
    since: dt.datetime
    has_account: bool
    user_id: int | None
    visitor_id: int | None


class LabCodeOut(Schema):
    url: str = Field(description="the address a phone opens (show it as a QR code)")
    seconds_left: int


class KioskOut(Schema):
    lab_id: int
    hours: str
    inside_count: int
    recent: list[LabEntryOut]
    lab_code: LabCodeOut


class ScanIn(Schema):
    code: str = Field(min_length=1, max_length=entry_codes.MAX_CODE_LENGTH * 4)
    direction: Direction = "entered"


class EnterIn(Schema):
    code: str = Field(max_length=80, description="the lab's code from its QR address (c=)")
    direction: Direction = "entered"


class DirectionIn(Schema):
    direction: Direction


class DeskUserIn(Schema):
    email: Email
    direction: Direction


class VisitorIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    organisation: str = Field("", max_length=120)
    company_name: str = Field("", max_length=200, description="a registered company's name")
    contact: str = Field("", max_length=120)
    check_in: bool = True


class VisitorOut(Schema):
    id: int
    lab_id: int
    name: str
    organisation: str
    company_id: int | None
    contact: str
    inside: bool = False


class FoundOut(Schema):
    user_id: int
    name: str
    company_names: list[str]
    inside: bool


class DeskQuery(Schema):
    email: str = Field("", max_length=254, description="find one account by its address")


class DeskOut(Schema):
    lab_id: int
    inside: list[PresenceOut]
    visitors: list[VisitorOut] = Field(description="visitors registered lately")
    found: FoundOut | None
    searched: bool


class LabVisitsDayQuery(Schema):
    day: dt.date | None = Field(None, description="today when not given")


class DayBookingOut(Schema):
    id: int
    item_id: int
    item_name: str
    company_name: str
    person: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


class LabDayOut(Schema):
    lab_id: int
    day: dt.date
    is_today: bool
    hours: str
    inside: list[PresenceOut]
    entries: list[LabEntryOut]
    in_use: list[DayBookingOut]
    booked: list[DayBookingOut]
    entered_count: int
    refused_count: int


# --- helpers ------------------------------------------------------------------------------


def _entry_out(event: EntryEvent) -> LabEntryOut:
    return LabEntryOut(
        id=event.pk,
        lab_id=event.lab_id,
        kind=event.kind,
        method=event.method,
        at=event.at,
        user_id=event.user_id,
        visitor_id=event.visitor_id,
        person=selectors.person_name(user=event.user, visitor=event.visitor),
        company_name=selectors.company_label(event),
        reason=event.reason or "",
        booking_id=event.booking_id,
        event_id=event.event_id,
    )


def _outcome_out(outcome: EntryOutcome) -> OutcomeOut:
    return OutcomeOut(
        ok=outcome.ok,
        kind=outcome.kind,
        headline=str(outcome.headline),
        message=outcome.message,
        reason=outcome.reason,
        name=outcome.name,
        company=outcome.company,
        lines=[str(line) for line in outcome.lines],
        entry_id=outcome.event.pk if outcome.event is not None else None,
    )


def _presence_out(presence: selectors.Presence) -> PresenceOut:
    return PresenceOut(
        name=presence.name,
        company=presence.company,
        since=presence.since,
        has_account=presence.has_account,
        user_id=presence.event.user_id,
        visitor_id=presence.event.visitor_id,
    )


def _visitor_out(visitor: Visitor, inside: bool = False) -> VisitorOut:
    return VisitorOut(
        id=visitor.pk,
        lab_id=visitor.lab_id,
        name=visitor.name,
        organisation=visitor.organisation,
        company_id=visitor.company_id,
        contact=visitor.contact,
        inside=inside,
    )


def _day_booking(booking) -> DayBookingOut:
    return DayBookingOut(
        id=booking.pk,
        item_id=booking.item_id,
        item_name=booking.item.name,
        company_name=booking.company.name,
        person=person_name(booking.user),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        status=booking.status,
    )


# --- a person's code and visits -----------------------------------------------------------


@router.get("/visits/my-code", response=MyCodeOut, summary="A fresh personal entry code")
def lab_my_code(request):
    now = timezone.now()
    seconds = selectors.personal_code_seconds(request.user)
    issued = entry_codes.personal_code_issue(user=request.user, now=now)
    return MyCodeOut(
        token=issued.token, seconds=seconds, seconds_left=issued.seconds_left(seconds, now)
    )


@router.get("/visits/mine", response=Page[LabEntryOut], summary="The caller's visits")
def lab_my_visits(request, params: Query[PageParams]):
    # The page's own query (its paginator's list), paged the API's way.
    entries = cast("QuerySet[EntryEvent]", selectors.my_visits(request.user).paginator.object_list)
    return page_of(entries, params, _entry_out)


@router.post(
    "/labs/{lab_id}/enter", response=OutcomeOut, summary="Enter or leave with the lab's code"
)
def lab_enter(request, lab_id: PathId, payload: EnterIn):
    lab = selectors.visiting_lab(request.user, lab_id)
    outcome = services.entry_by_lab_code(
        actor=request.user,
        lab=lab,
        code=payload.code,
        direction=payload.direction,
        company=getattr(request, "active_company", None) or None,
    )
    return _outcome_out(outcome)


# --- the kiosk ----------------------------------------------------------------------------


@router.get(
    "/labs/{lab_id}/kiosk", response=KioskOut, summary="The kiosk: who is in, the lab's code"
)
def lab_kiosk(request, lab_id: PathId):
    lab = selectors.staff_lab(request.user, lab_id)
    page = selectors.kiosk_page(request.user, lab)
    return KioskOut(
        lab_id=lab.pk,
        hours=str(page.hours),
        inside_count=page.inside_count,
        recent=[_entry_out(e) for e in page.recent],
        lab_code=LabCodeOut(
            url=entry_codes.lab_code_url(lab),
            seconds_left=entry_codes.lab_code_seconds_left(lab),
        ),
    )


@router.post("/labs/{lab_id}/kiosk/scan", response=OutcomeOut, summary="The kiosk read a code")
def lab_kiosk_scan(request, lab_id: PathId, payload: ScanIn):
    lab = selectors.staff_lab(request.user, lab_id)
    outcome = services.entry_scan(
        actor=request.user, lab=lab, token=payload.code.strip(), direction=payload.direction
    )
    return _outcome_out(outcome)


# --- the desk -----------------------------------------------------------------------------


@router.get("/labs/{lab_id}/desk", response=DeskOut, summary="The desk: who is in, visitors")
def lab_desk(request, lab_id: PathId, query: Query[DeskQuery]):
    lab = selectors.staff_lab(request.user, lab_id)
    page = selectors.desk_page(request.user, lab, email=query.email)
    found = None
    if page.found is not None:
        found = FoundOut(
            user_id=page.found.user.pk,
            name=person_name(page.found.user),
            company_names=[c.name for c in page.found.companies],
            inside=page.found.presence is not None,
        )
    return DeskOut(
        lab_id=lab.pk,
        inside=[_presence_out(p) for p in page.inside],
        visitors=[_visitor_out(r.visitor, r.presence is not None) for r in page.visitors],
        found=found,
        searched=page.searched,
    )


@router.post(
    "/labs/{lab_id}/visitors", response={201: VisitorOut}, summary="Register a desk visitor"
)
def lab_desk_visitor_register(request, lab_id: PathId, payload: VisitorIn):
    lab = selectors.staff_lab(request.user, lab_id)
    visitor = services.visitor_register(actor=request.user, lab=lab, **payload.model_dump())
    return Status(201, _visitor_out(visitor, payload.check_in))


@router.post(
    "/labs/{lab_id}/visitors/{visitor_id}/entries",
    response=OutcomeOut,
    summary="Check a desk visitor in or out",
)
def lab_desk_visitor_entry(request, lab_id: PathId, visitor_id: PathId, payload: DirectionIn):
    lab = selectors.staff_lab(request.user, lab_id)
    visitor = selectors.desk_visitor(request.user, lab, visitor_id)
    outcome = services.entry_desk_visitor(
        actor=request.user, lab=lab, visitor=visitor, direction=payload.direction
    )
    return _outcome_out(outcome)


@router.post(
    "/labs/{lab_id}/desk/entries",
    response=OutcomeOut,
    summary="Check a person with an account in or out at the desk",
)
def lab_desk_user_entry(request, lab_id: PathId, payload: DeskUserIn):
    lab = selectors.staff_lab(request.user, lab_id)
    outcome = services.entry_desk_user(
        actor=request.user, lab=lab, email=payload.email, direction=payload.direction
    )
    return _outcome_out(outcome)


# --- the day view -------------------------------------------------------------------------


@router.get("/labs/{lab_id}/day", response=LabDayOut, summary="The lab's day: entries, bookings")
def lab_visits_day(request, lab_id: PathId, query: Query[LabVisitsDayQuery]):
    lab = selectors.staff_lab(request.user, lab_id)
    page = selectors.day_page(request.user, lab, query.day or timezone.localdate())
    return LabDayOut(
        lab_id=lab.pk,
        day=page.day,
        is_today=page.is_today,
        hours=str(page.hours),
        inside=[_presence_out(p) for p in page.inside],
        entries=[_entry_out(e) for e in page.entries],
        in_use=[_day_booking(b) for b in page.in_use],
        booked=[_day_booking(b) for b in page.booked],
        entered_count=page.entered_count,
        refused_count=page.refused_count,
    )
