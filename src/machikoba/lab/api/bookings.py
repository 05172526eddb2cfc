"""Bookings through the API: an item's free times, booking it, the waitlist, the caller's
bookings (マイ予約), one booking (change, cancel), and the staff's day with no-show and
completed. The same rules as the pages: a company's people book for the company they work
for now (a vendor, a bank, an officer: 403); a booking is found by its company's people,
the vendor whose exhibit it is and the lab's staff (anyone else: 404)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from machikoba.core.access import CHANGE, MANAGE, VIEW
from machikoba.core.ids import PathId
from machikoba.core.views import active_company_or_403
from machikoba.lab.api.common import CompanyRef, person_name
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.selectors import bookings as selectors
from machikoba.lab.services import bookings as services
from machikoba.lab.services import waitlist as waitlist_services

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class TimesIn(Schema):
    starts_at: AwareDatetime = Field(description="on the lab's grid (its slot length)")
    ends_at: AwareDatetime
    purpose: str = Field("", max_length=300)


class ChangeIn(Schema):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    purpose: str | None = Field(None, max_length=300, description="unchanged when not sent")


class LabBookingsDayQuery(Schema):
    day: dt.date | None = Field(None, description="the first bookable day when not given")


class StaffDayQuery(Schema):
    day: dt.date | None = Field(None, description="today when not given")


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str = Field(description="free, full, demo or past")
    left: int = Field(description="places left")


class AvailabilityOut(Schema):
    item_id: int
    lab_id: int
    days: list[dt.date] = Field(description="the days that take bookings")
    day: dt.date | None
    opens: dt.datetime | None
    closes: dt.datetime | None
    closed_reason: str
    slots: list[SlotOut]
    missing_training_ids: list[int] = Field(description="trainings the caller still needs")
    month_used_hours: float = Field(description="the company's hours at this lab this month")
    blocked_until: dt.datetime | None = Field(description="no-shows stop bookings until then")


class BookingOut(Schema):
    id: int
    lab_id: int
    item_id: int
    item_name: str
    demo_slot_id: int | None
    company: CompanyRef
    user_id: int
    person: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str
    status: str
    checked_in_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    change_deadline: dt.datetime = Field(description="changes and cancels close then")
    may_change: bool = Field(description="still booked and before the deadline")
    is_mine: bool


class BookingDetailOut(BookingOut):
    may_modify: bool
    may_cancel: bool
    is_staff: bool


class WaitOut(Schema):
    id: int
    item_id: int
    item_name: str
    company_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str
    status: str
    offer_expires_at: dt.datetime | None
    booking_id: int | None


class MyBookingsOut(Schema):
    upcoming: list[BookingOut]
    waiting: list[WaitOut] = Field(description="waitlist entries and offers")
    past: list[BookingOut] = Field(description="the last 20")
    exhibit_bookings: list[BookingOut] = Field(description="coming bookings of our exhibits")


class StaffRowOut(BookingOut):
    started: bool
    may_close: bool = Field(description="no-show or completed may be recorded")
    may_cancel: bool


class LabBookingsStaffItemOut(Schema):
    item_id: int
    item_name: str
    rows: list[StaffRowOut]


class StaffDayOut(Schema):
    lab_id: int
    day: dt.date
    opens: dt.datetime | None
    closes: dt.datetime | None
    items: list[LabBookingsStaffItemOut]
    waiting_count: int


# --- helpers ------------------------------------------------------------------------------


def _booking_out(request, booking: Booking) -> dict:
    card = selectors.booking_card(request.user, booking)
    return {
        "id": booking.pk,
        "lab_id": booking.lab_id,
        "item_id": booking.item_id,
        "item_name": booking.item.name,
        "demo_slot_id": booking.demo_slot_id,
        "company": CompanyRef(id=booking.company.pk, name=booking.company.name),
        "user_id": booking.user_id,
        "person": person_name(booking.user),
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "purpose": booking.purpose,
        "status": booking.status,
        "checked_in_at": booking.checked_in_at,
        "cancelled_at": booking.cancelled_at,
        "change_deadline": card.deadline,
        "may_change": card.may_change,
        "is_mine": card.is_mine,
    }


def _detail(request, booking: Booking) -> BookingDetailOut:
    booking = selectors.booking_for(request.user, booking.pk, VIEW)
    detail = selectors.booking_detail(request.user, booking)
    return BookingDetailOut(
        **_booking_out(request, booking),
        may_modify=detail.may_modify,
        may_cancel=detail.may_cancel,
        is_staff=detail.is_staff,
    )


def _wait_out(entry: WaitlistEntry) -> WaitOut:
    return WaitOut(
        id=entry.pk,
        item_id=entry.item_id,
        item_name=entry.item.name,
        company_id=entry.company_id,
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        purpose=entry.purpose,
        status=entry.status,
        offer_expires_at=entry.offer_expires_at,
        booking_id=entry.booking_id,
    )


def _booking_company(request):
    """The company the caller books for: the one they work for now; refused (403) for
    people without one, and for vendors and banks."""
    company = active_company_or_403(request)
    if not selectors.may_book_for(request.user, company):
        raise PermissionDenied
    return company


# --- booking ------------------------------------------------------------------------------


@router.get(
    "/items/{item_id}/availability",
    response=AvailabilityOut,
    summary="An item's free times on a day (for booking)",
)
def lab_item_availability(request, item_id: PathId, query: Query[LabBookingsDayQuery]):
    item = selectors.bookable_item(request.user, item_id)
    company = _booking_company(request)
    page = selectors.booking_page(request.user, item, company, query.day)
    hours = page.hours
    return AvailabilityOut(
        item_id=item.pk,
        lab_id=item.lab_id,
        days=[choice.day for choice in page.days],
        day=page.day,
        opens=hours.opens if hours else None,
        closes=hours.closes if hours else None,
        closed_reason=str(hours.closed_reason) if hours else "",
        slots=[
            SlotOut(starts_at=s.starts_at, ends_at=s.ends_at, state=s.state, left=s.left)
            for s in page.slots
        ],
        missing_training_ids=[t.pk for t in page.missing],
        month_used_hours=page.month_used_hours,
        blocked_until=page.blocked_until,
    )


@router.post("/items/{item_id}/bookings", response={201: BookingDetailOut}, summary="Book an item")
def lab_booking_create(request, item_id: PathId, payload: TimesIn):
    item = selectors.bookable_item(request.user, item_id)
    company = _booking_company(request)
    booking = services.booking_create(
        actor=request.user, item=item, company=company, **payload.model_dump()
    )
    return Status(201, _detail(request, booking))


@router.post(
    "/items/{item_id}/waitlist",
    response={201: WaitOut},
    summary="Wait for a full time to free up",
)
def lab_waitlist_join(request, item_id: PathId, payload: TimesIn):
    item = selectors.bookable_item(request.user, item_id)
    company = _booking_company(request)
    entry = waitlist_services.waitlist_join(
        actor=request.user, item=item, company=company, **payload.model_dump()
    )
    return Status(201, _wait_out(entry))


@router.get("/bookings/mine", response=MyBookingsOut, summary="マイ予約: the caller's bookings")
def lab_my_bookings(request):
    page = selectors.my_bookings_page(request.user)
    return MyBookingsOut(
        upcoming=[_booking_out(request, c.booking) for c in page.upcoming],
        waiting=[_wait_out(w.entry) for w in page.waiting],
        past=[_booking_out(request, c.booking) for c in page.past],
        exhibit_bookings=[_booking_out(request, c.booking) for c in page.exhibit_bookings],
    )


@router.get("/bookings/{booking_id}", response=BookingDetailOut, summary="A booking")
def lab_booking(request, booking_id: PathId):
    return _detail(request, selectors.booking_for(request.user, booking_id, VIEW))


@router.patch(
    "/bookings/{booking_id}", response=BookingDetailOut, summary="Change a booking's time"
)
def lab_booking_change(request, booking_id: PathId, payload: ChangeIn):
    booking = selectors.booking_for(request.user, booking_id, CHANGE)
    booking = services.booking_modify(
        actor=request.user,
        booking=booking,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
    )
    return _detail(request, booking)


@router.post("/bookings/{booking_id}/cancel", response=BookingDetailOut, summary="Cancel a booking")
def lab_booking_cancel(request, booking_id: PathId):
    booking = selectors.booking_for(request.user, booking_id, CHANGE)
    booking = services.booking_cancel(actor=request.user, booking=booking)
    return _detail(request, booking)


@router.post(
    "/waitlist/{entry_id}/accept",
    response=BookingDetailOut,
    summary="Take the time a waitlist offer holds",
)
def lab_waitlist_accept(request, entry_id: PathId):
    entry = selectors.waitlist_entry_for(request.user, entry_id, CHANGE)
    booking = waitlist_services.waitlist_accept(actor=request.user, entry=entry)
    return _detail(request, booking)


@router.post("/waitlist/{entry_id}/cancel", response=WaitOut, summary="Leave the waitlist")
def lab_waitlist_cancel(request, entry_id: PathId):
    entry = selectors.waitlist_entry_for(request.user, entry_id, CHANGE)
    entry = waitlist_services.waitlist_cancel(actor=request.user, entry=entry)
    return _wait_out(entry)


# --- the lab's staff ----------------------------------------------------------------------


@router.get("/labs/{lab_id}/bookings", response=StaffDayOut, summary="The lab's bookings of a day")
def lab_staff_bookings(request, lab_id: PathId, query: Query[StaffDayQuery]):
    lab = selectors.staff_lab(request.user, lab_id)
    day = selectors.staff_day(request.user, lab, query.day or timezone.localdate())
    return StaffDayOut(
        lab_id=lab.pk,
        day=day.day,
        opens=day.hours.opens,
        closes=day.hours.closes,
        items=[
            LabBookingsStaffItemOut(
                item_id=group.item.pk,
                item_name=group.item.name,
                rows=[
                    StaffRowOut(
                        **_booking_out(request, row.booking),
                        started=row.started,
                        may_close=row.may_close,
                        may_cancel=row.may_cancel,
                    )
                    for row in group.rows
                ],
            )
            for group in day.items
        ],
        waiting_count=day.waiting_count,
    )


@router.post(
    "/bookings/{booking_id}/no-show", response=BookingDetailOut, summary="Record a no-show"
)
def lab_booking_no_show(request, booking_id: PathId):
    booking = selectors.booking_for(request.user, booking_id, MANAGE)
    booking = services.booking_mark_no_show(actor=request.user, booking=booking)
    return _detail(request, booking)


@router.post(
    "/bookings/{booking_id}/complete", response=BookingDetailOut, summary="Record a booking used"
)
def lab_booking_complete(request, booking_id: PathId):
    booking = selectors.booking_for(request.user, booking_id, MANAGE)
    booking = services.booking_complete(actor=request.user, booking=booking)
    return _detail(request, booking)
