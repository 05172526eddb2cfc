"""What IT vendors do at the lab, through the API: the vendor portal (its exhibits, demo
slots, bookings, consultations, trial requests), publishing and cancelling demo slots,
the demos shops book a seat in, consultations (導入相談) and software trials. A
consultation is between a shop and a vendor only; the lab's staff and officers do not
read it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, has_role
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import active_company_or_403
from machikoba.lab.api.common import CompanyRef, company_ref, person_name, pick_from
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import Consultation, DemoSlot, TrialRequest
from machikoba.lab.selectors import vendors as selectors
from machikoba.lab.services import consultations, demos, trials

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class DemoSlotOut(Schema):
    id: int
    item_id: int
    item_name: str
    lab_name: str
    vendor: CompanyRef | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    seats: int
    taken: int
    note: str
    cancelled_at: dt.datetime | None
    cancel_reason: str


class DemoRowOut(DemoSlotOut):
    my_seat_id: int | None = Field(description="the company's booked seat")
    may_book: bool
    why_not: str = Field(description="own (its own exhibit), full, or empty")


class SeatOut(Schema):
    id: int
    item_id: int
    item_name: str
    demo_slot_id: int | None
    company: CompanyRef
    person: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


class ConsultationOut(Schema):
    id: int
    vendor: CompanyRef
    item_id: int | None
    item_name: str | None
    company: CompanyRef
    person: str
    subject: str
    message: str
    status: str
    answer: str
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime


class ConsultationPageOut(ConsultationOut):
    is_vendor: bool = Field(description="the caller is on the vendor's side")
    may_answer: bool
    may_close: bool


class TrialOut(Schema):
    id: int
    item_id: int
    item_name: str
    vendor: CompanyRef | None
    company: CompanyRef
    person: str
    message: str
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    licence_note: str
    decline_reason: str
    decided_at: dt.datetime | None
    ended_at: dt.datetime | None
    created_at: dt.datetime


class TrialPageOut(TrialOut):
    is_vendor: bool
    may_decide: bool
    may_end: bool
    may_withdraw: bool


class PortalOut(Schema):
    vendor: CompanyRef
    may_edit: bool = Field(description="owner or staff: demos, answers, trial decisions")
    exhibit_ids: list[int]
    slots: list[DemoSlotOut] = Field(description="upcoming demo slots")
    bookings: list[SeatOut] = Field(description="coming bookings of its exhibits")
    consultations: list[ConsultationOut] = Field(description="not closed, unanswered first")
    trials: list[TrialOut] = Field(description="requested, then running")


class DemoSlotIn(Schema):
    item_id: BodyId = Field(description="one of the vendor's active exhibits")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    seats: int = Field(3, ge=1, le=50)
    note: str = Field("", max_length=300)


class VendorDemoOut(Schema):
    slot: DemoSlotOut
    seats: list[SeatOut] = Field(description="holding seats first, then cancelled ones")
    may_cancel: bool


class LabReasonIn(Schema):
    reason: str = Field("", max_length=300)


class LabDeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ConsultationIn(Schema):
    subject: str = Field(min_length=1, max_length=120)
    message: str = Field(min_length=1, max_length=4000)


class LabAnswerIn(Schema):
    answer: str = Field(min_length=1, max_length=4000)


class TrialIn(Schema):
    message: str = Field("", max_length=1000)


class ApproveIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    licence_note: str = Field(min_length=1, max_length=1000)


# --- helpers ------------------------------------------------------------------------------


def _slot_out(slot: DemoSlot, taken: int | None = None) -> dict:
    if taken is None:
        taken = getattr(slot, "taken", None)
    if taken is None:
        taken = demos.seats_taken(slot)
    return {
        "id": slot.pk,
        "item_id": slot.item_id,
        "item_name": slot.item.name,
        "lab_name": slot.item.lab.name,
        "vendor": company_ref(slot.item.exhibitor),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "seats": slot.seats,
        "taken": taken,
        "note": slot.note,
        "cancelled_at": slot.cancelled_at,
        "cancel_reason": slot.cancel_reason,
    }


def _seat_out(booking: Booking) -> SeatOut:
    return SeatOut(
        id=booking.pk,
        item_id=booking.item_id,
        item_name=booking.item.name,
        demo_slot_id=booking.demo_slot_id,
        company=CompanyRef(id=booking.company.pk, name=booking.company.name),
        person=person_name(booking.user),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        status=booking.status,
    )


def _consultation_out(c: Consultation) -> dict:
    return {
        "id": c.pk,
        "vendor": CompanyRef(id=c.vendor.pk, name=c.vendor.name),
        "item_id": c.item_id,
        "item_name": c.item.name if c.item else None,
        "company": CompanyRef(id=c.company.pk, name=c.company.name),
        "person": person_name(c.user),
        "subject": c.subject,
        "message": c.message,
        "status": c.status,
        "answer": c.answer,
        "answered_at": c.answered_at,
        "closed_at": c.closed_at,
        "created_at": c.created_at,
    }


def _trial_out(t: TrialRequest) -> dict:
    return {
        "id": t.pk,
        "item_id": t.item_id,
        "item_name": t.item.name,
        "vendor": company_ref(t.item.exhibitor),
        "company": CompanyRef(id=t.company.pk, name=t.company.name),
        "person": person_name(t.user),
        "message": t.message,
        "status": t.status,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "licence_note": t.licence_note,
        "decline_reason": t.decline_reason,
        "decided_at": t.decided_at,
        "ended_at": t.ended_at,
        "created_at": t.created_at,
    }


def _consultation_page(request, consultation: Consultation) -> ConsultationPageOut:
    page = selectors.consultation_page(user=request.user, consultation=consultation)
    return ConsultationPageOut(
        **_consultation_out(consultation),
        is_vendor=page.is_vendor,
        may_answer=page.may_answer,
        may_close=page.may_close,
    )


def _trial_page(request, trial: TrialRequest) -> TrialPageOut:
    trial = selectors.trial_or_404(request.user, trial.pk)
    page = selectors.trial_page(user=request.user, trial=trial)
    return TrialPageOut(
        **_trial_out(trial),
        is_vendor=page.is_vendor,
        may_decide=page.may_decide,
        may_end=page.may_end,
        may_withdraw=page.may_withdraw,
    )


def _vendor(request) -> Company:
    """The active company, when it is an IT vendor the caller works for."""
    company: Company = active_company_or_403(request)
    if not selectors.is_vendor_member(request.user, company):
        raise PermissionDenied
    return company


def _vendor_editor(request) -> Company:
    vendor = _vendor(request)
    if not has_role(request.user, vendor, EDITOR_ROLES):
        raise PermissionDenied
    return vendor


def _shop_editor(request) -> Company:
    """The active company, for its owners and staff (they ask vendors and try software)."""
    company: Company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


# --- the vendor portal and its demo slots -------------------------------------------------


@router.get("/vendor/portal", response=PortalOut, summary="The vendor portal")
def lab_vendor_portal(request):
    vendor = _vendor(request)
    page = selectors.vendor_portal_page(user=request.user, vendor=vendor)
    return PortalOut(
        vendor=CompanyRef(id=vendor.pk, name=vendor.name),
        may_edit=page.may_edit,
        exhibit_ids=[i.pk for i in page.exhibits],
        slots=[_slot_out(s) for s in page.slots],
        bookings=[_seat_out(b) for b in page.bookings],
        consultations=[_consultation_out(c) for c in page.consultations],
        trials=[_trial_out(t) for t in page.trials],
    )


@router.post("/vendor/demos", response={201: DemoSlotOut}, summary="Publish a demo slot")
def lab_vendor_demo_create(request, payload: DemoSlotIn):
    vendor = _vendor_editor(request)
    exhibits = selectors.vendor_exhibits_for_demos(user=request.user, vendor=vendor)
    item = pick_from(exhibits, payload.item_id)
    slot = demos.demo_slot_publish(
        actor=request.user,
        item=item,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        seats=payload.seats,
        note=payload.note,
    )
    return Status(201, _slot_out(slot, 0))


@router.get("/vendor/demos/{slot_id}", response=VendorDemoOut, summary="A demo slot and its seats")
def lab_vendor_demo(request, slot_id: PathId):
    slot = selectors.vendor_demo_slot_or_404(request.user, slot_id)
    page = selectors.vendor_demo_page(user=request.user, slot=slot)
    return VendorDemoOut(
        slot=DemoSlotOut(**_slot_out(slot, page.taken)),
        seats=[_seat_out(b) for b in page.seats],
        may_cancel=page.may_cancel,
    )


@router.post("/vendor/demos/{slot_id}/cancel", response=DemoSlotOut, summary="Call a demo off")
def lab_vendor_demo_cancel(request, slot_id: PathId, payload: LabReasonIn):
    slot = selectors.vendor_demo_slot_or_404(request.user, slot_id)
    slot = demos.demo_slot_cancel(actor=request.user, slot=slot, reason=payload.reason)
    return _slot_out(slot)


# --- demos as shops see them --------------------------------------------------------------


@router.get("/demos", response=Page[DemoRowOut], summary="Upcoming vendors' demos")
def lab_demos(request, params: Query[PageParams]):
    company = getattr(request, "active_company", None) or None
    page = selectors.demos_page(user=request.user, company=company)

    def out(row) -> dict:
        return {
            **_slot_out(row.slot, row.taken),
            "my_seat_id": row.my_seat.pk if row.my_seat else None,
            "may_book": row.may_book,
            "why_not": row.why_not,
        }

    return page_of(page.rows, params, out)


@router.post("/demos/{slot_id}/seats", response={201: SeatOut}, summary="Book a seat in a demo")
def lab_demo_book(request, slot_id: PathId):
    slot = selectors.demo_slot_or_404(request.user, slot_id)
    company = active_company_or_403(request)
    seat = demos.demo_booking_create(actor=request.user, slot=slot, company=company)
    return Status(201, _seat_out(seat))


@router.post("/demo-seats/{seat_id}/cancel", response=SeatOut, summary="Give a demo seat up")
def lab_demo_seat_cancel(request, seat_id: PathId):
    seat = selectors.demo_seat_or_404(request.user, seat_id)
    seat = demos.demo_booking_cancel(actor=request.user, booking=seat)
    return _seat_out(seat)


# --- consultations ------------------------------------------------------------------------


@router.get(
    "/consultations", response=Page[ConsultationOut], summary="Our consultations with vendors"
)
def lab_consultations(request, params: Query[PageParams]):
    company = _shop_editor(request)
    rows = selectors.shop_consultations(user=request.user, company=company)
    return page_of(rows, params, _consultation_out)


@router.post(
    "/items/{item_id}/consultations",
    response={201: ConsultationPageOut},
    summary="Ask an exhibit's vendor (導入相談)",
)
def lab_consultation_create(request, item_id: PathId, payload: ConsultationIn):
    item = selectors.exhibit_or_404(request.user, item_id)
    company = _shop_editor(request)
    consultation = consultations.consultation_create(
        actor=request.user,
        company=company,
        item=item,
        subject=payload.subject,
        message=payload.message,
    )
    return Status(201, _consultation_page(request, consultation))


@router.get(
    "/consultations/{consultation_id}", response=ConsultationPageOut, summary="A consultation"
)
def lab_consultation(request, consultation_id: PathId):
    return _consultation_page(request, selectors.consultation_or_404(request.user, consultation_id))


@router.post(
    "/consultations/{consultation_id}/answer",
    response=ConsultationPageOut,
    summary="Answer a consultation (the vendor)",
)
def lab_consultation_answer(request, consultation_id: PathId, payload: LabAnswerIn):
    consultation = selectors.consultation_or_404(request.user, consultation_id, CHANGE)
    page = selectors.consultation_page(user=request.user, consultation=consultation)
    if not page.may_answer:
        raise PermissionDenied
    consultation = consultations.consultation_answer(
        actor=request.user, consultation=consultation, answer=payload.answer
    )
    return _consultation_page(request, consultation)


@router.post(
    "/consultations/{consultation_id}/close",
    response=ConsultationPageOut,
    summary="Close a consultation",
)
def lab_consultation_close(request, consultation_id: PathId):
    consultation = selectors.consultation_or_404(request.user, consultation_id, CHANGE)
    consultation = consultations.consultation_close(actor=request.user, consultation=consultation)
    return _consultation_page(request, consultation)


# --- software trials ----------------------------------------------------------------------


@router.get("/trials", response=Page[TrialOut], summary="Our software trials")
def lab_trials(request, params: Query[PageParams]):
    company = _shop_editor(request)
    rows = selectors.shop_trials(user=request.user, company=company)
    return page_of(rows, params, _trial_out)


@router.post("/items/{item_id}/trials", response={201: TrialPageOut}, summary="Ask to try software")
def lab_trial_create(request, item_id: PathId, payload: TrialIn):
    item = selectors.exhibit_or_404(request.user, item_id)
    company = _shop_editor(request)
    trial = trials.trial_request_create(
        actor=request.user, company=company, item=item, message=payload.message
    )
    return Status(201, _trial_page(request, trial))


@router.get("/trials/{trial_id}", response=TrialPageOut, summary="A software trial")
def lab_trial(request, trial_id: PathId):
    return _trial_page(request, selectors.trial_or_404(request.user, trial_id))


def _deciding(request, pk: int) -> TrialRequest:
    trial = selectors.trial_or_404(request.user, pk, CHANGE)
    if not selectors.trial_page(user=request.user, trial=trial).may_decide:
        raise PermissionDenied
    return trial


@router.post("/trials/{trial_id}/approve", response=TrialPageOut, summary="Approve a trial")
def lab_trial_approve(request, trial_id: PathId, payload: ApproveIn):
    trial = trials.trial_approve(
        actor=request.user, trial=_deciding(request, trial_id), **payload.model_dump()
    )
    return _trial_page(request, trial)


@router.post("/trials/{trial_id}/decline", response=TrialPageOut, summary="Decline a trial")
def lab_trial_decline(request, trial_id: PathId, payload: LabDeclineIn):
    trial = trials.trial_decline(
        actor=request.user, trial=_deciding(request, trial_id), reason=payload.reason
    )
    return _trial_page(request, trial)


@router.post("/trials/{trial_id}/withdraw", response=TrialPageOut, summary="Withdraw a request")
def lab_trial_withdraw(request, trial_id: PathId):
    trial = selectors.trial_or_404(request.user, trial_id, CHANGE)
    trial = trials.trial_withdraw(actor=request.user, trial=trial)
    return _trial_page(request, trial)


@router.post("/trials/{trial_id}/end", response=TrialPageOut, summary="End a running trial")
def lab_trial_end(request, trial_id: PathId):
    trial = selectors.trial_or_404(request.user, trial_id, CHANGE)
    trial = trials.trial_end(actor=request.user, trial=trial)
    return _trial_page(request, trial)
