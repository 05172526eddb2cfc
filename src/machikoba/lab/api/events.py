"""Events through the API: the upcoming events (anyone signed in reads a published one,
registers, cancels), the caller's registrations and the survey after attending, and the
staff's side (create, edit, publish, cancel; registrations and the waitlist; desk
visitors; attendance and a training session's records). A draft event and another
company's registration are not found; a published event's staff operations are refused
(403) to anyone not running its lab."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import BodyId, PathId
from machikoba.lab.api.common import CompanyRef, company_ref, person_name, pick_from
from machikoba.lab.choices import EventKind
from machikoba.lab.models_events import Event, Registration
from machikoba.lab.selectors import events as selectors
from machikoba.lab.services import events as event_services
from machikoba.lab.services import registrations as registration_services
from machikoba.lab.services import surveys as survey_services

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class LabEventOut(Schema):
    id: int
    lab_id: int
    lab_name: str
    kind: EventKind
    title: str
    description: str
    training_id: int | None
    host: CompanyRef | None = Field(description="the vendor co-hosting it")
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    capacity: int
    registration_closes_at: dt.datetime | None
    status: str
    taken: int = Field(description="places taken")
    waiting: int = Field(description="on the waitlist")
    places_left: int
    my_registration_id: int | None
    my_status: str | None
    my_waitlist_position: int | None


class EventPageOut(LabEventOut):
    may_register: bool
    why_not: str = Field(description="why the caller may not register (empty when they may)")
    may_manage: bool
    may_cancel: bool = Field(description="the caller may cancel their registration")
    survey_due: bool
    unlock_item_ids: list[int] = Field(description="items a training session unlocks")


class LabEventFilters(Schema):
    kind: EventKind | None = None


class RegistrationOut(Schema):
    id: int
    event_id: int
    user_id: int | None
    visitor_id: int | None
    person: str
    company: CompanyRef | None
    status: str
    waitlist_position: int | None
    attended_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class EventRefOut(Schema):
    id: int
    lab_name: str
    kind: EventKind
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    status: str


class MyRegistrationOut(RegistrationOut):
    event: EventRefOut
    may_cancel: bool
    survey_due: bool


class MyEventsOut(Schema):
    upcoming: list[MyRegistrationOut]
    surveys: list[MyRegistrationOut] = Field(description="attended, survey not answered yet")
    past: list[MyRegistrationOut]


class SurveyIn(Schema):
    rating: int = Field(ge=1, le=5)
    useful: bool
    met_partner: str = Field("", max_length=200)
    comment: str = Field("", max_length=1000)


class SurveyOut(SurveyIn):
    id: int
    registration_id: int


class EventIn(Schema):
    kind: EventKind
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    training_id: BodyId | None = Field(None, description="required for a training session")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = Field("", max_length=120)
    capacity: int = Field(ge=1, le=1000)
    registration_closes_at: AwareDatetime | None = None
    host_id: BodyId | None = Field(None, description="a vendor co-hosting it")


class EventCreateIn(EventIn):
    lab_id: BodyId


class StaffEventsOut(Schema):
    upcoming: list[LabEventOut]
    past: list[LabEventOut]


class SurveyRowOut(Schema):
    registration_id: int
    person: str
    company_name: str | None
    rating: int
    useful: bool
    met_partner: str
    comment: str


class SurveySummaryOut(Schema):
    count: int
    average: float | None
    useful: int
    partners: list[SurveyRowOut]
    comments: list[SurveyRowOut]


class VisitorRefOut(Schema):
    id: int
    name: str
    organisation: str


class StaffEventOut(Schema):
    event: LabEventOut
    registered: list[RegistrationOut]
    waitlisted: list[RegistrationOut]
    cancelled: int
    survey: SurveySummaryOut
    visitors: list[VisitorRefOut] = Field(description="desk visitors who may be registered")
    may_publish: bool
    may_cancel: bool
    may_edit: bool


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class VisitorRegistrationIn(Schema):
    visitor_id: BodyId


class AttendanceRowOut(RegistrationOut):
    trained: bool


class LabAttendanceOut(Schema):
    event_id: int
    rows: list[AttendanceRowOut]
    may_mark: bool
    to_record: int = Field(description="attendees of a training session without a record")


class TrainingRecordsIn(Schema):
    registration_ids: list[BodyId] | None = Field(
        None, max_length=1000, description="every attendee without a record when not given"
    )


class TrainingRecordsOut(Schema):
    recorded: int
    record_ids: list[int]


# --- helpers ------------------------------------------------------------------------------


def _event(request, event_id: int, action: str = VIEW) -> Event:
    return get_for_user_or_404(
        Event.objects.select_related("lab", "training", "host"),
        request.user,
        action,
        pk=event_id,
    )


def _event_out(card: selectors.EventCard) -> dict:
    event, mine = card.event, card.mine
    return {
        "id": event.pk,
        "lab_id": event.lab_id,
        "lab_name": event.lab.name,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "training_id": event.training_id,
        "host": company_ref(event.host),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "capacity": event.capacity,
        "registration_closes_at": event.registration_closes_at,
        "status": event.status,
        "taken": card.taken,
        "waiting": card.waiting,
        "places_left": card.places_left,
        "my_registration_id": mine.pk if mine else None,
        "my_status": mine.status if mine else None,
        "my_waitlist_position": card.position,
    }


def _page_out(request, event: Event) -> EventPageOut:
    page = selectors.event_page(request.user, event)
    return EventPageOut(
        **_event_out(page.card),
        may_register=page.card.mine is None and page.refusal is None,
        why_not=str(page.refusal.message) if page.refusal is not None else "",
        may_manage=page.may_manage,
        may_cancel=page.may_cancel,
        survey_due=page.survey_due,
        unlock_item_ids=[i.pk for i in page.unlocks],
    )


def _registration_out(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "event_id": registration.event_id,
        "user_id": registration.user_id,
        "visitor_id": registration.visitor_id,
        "person": (
            person_name(registration.user)
            if registration.user_id
            else (registration.visitor.name if registration.visitor else "")
        ),
        "company": company_ref(registration.company),
        "status": registration.status,
        "waitlist_position": selectors.waitlist_position(registration),
        "attended_at": registration.attended_at,
        "cancelled_at": registration.cancelled_at,
    }


def _mine_out(row: selectors.MyRegistration) -> MyRegistrationOut:
    registration, event = row.registration, row.registration.event
    return MyRegistrationOut(
        **_registration_out(registration),
        event=EventRefOut(
            id=event.pk,
            lab_name=event.lab.name,
            kind=EventKind(event.kind),
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            place=event.place,
            status=event.status,
        ),
        may_cancel=row.may_cancel,
        survey_due=row.survey_due,
    )


def _staff_only(request) -> None:
    if not selectors.is_lab_staff(request.user):
        raise PermissionDenied


def _event_values(request, payload: EventIn) -> dict:
    data = payload.model_dump()
    data["training"] = pick_from(selectors.training_choices(request.user), data.pop("training_id"))
    data["host"] = pick_from(selectors.vendor_choices(request.user), data.pop("host_id"))
    return data


def _survey_row(answer) -> SurveyRowOut:
    registration = answer.registration
    return SurveyRowOut(
        registration_id=registration.pk,
        person=person_name(registration.user) if registration.user_id else "",
        company_name=registration.company.name if registration.company_id else None,
        rating=answer.rating,
        useful=answer.useful,
        met_partner=answer.met_partner,
        comment=answer.comment,
    )


# --- everyone signed in -------------------------------------------------------------------


@router.get("/events", response=Page[LabEventOut], summary="Upcoming events")
def lab_events(request, params: Query[PageParams], filters: Query[LabEventFilters]):
    cards = selectors.event_cards(request.user, kind=filters.kind or "")
    return page_of(cards, params, _event_out)


@router.get("/events/mine", response=MyEventsOut, summary="The caller's registrations")
def lab_my_events(request):
    page = selectors.my_events(request.user)
    return MyEventsOut(
        upcoming=[_mine_out(r) for r in page.upcoming],
        surveys=[_mine_out(r) for r in page.surveys],
        past=[_mine_out(r) for r in page.past],
    )


@router.get("/events/staff", response=StaffEventsOut, summary="The events of the caller's labs")
def lab_staff_events(request):
    _staff_only(request)
    page = selectors.staff_events(request.user)
    return StaffEventsOut(
        upcoming=[_event_out(c) for c in page.upcoming],
        past=[_event_out(c) for c in page.past],
    )


@router.get("/events/{event_id}", response=EventPageOut, summary="An event")
def lab_event(request, event_id: PathId):
    return _page_out(request, _event(request, event_id))


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegistrationOut},
    summary="Register for an event (the waitlist when full)",
)
def lab_event_register(request, event_id: PathId):
    event = _event(request, event_id)
    registration = registration_services.registration_create(
        actor=request.user, event=event, company=getattr(request, "active_company", None) or None
    )
    return Status(201, _registration_out(registration))


@router.post(
    "/event-registrations/{registration_id}/cancel",
    response=RegistrationOut,
    summary="Cancel a registration",
)
def lab_event_registration_cancel(request, registration_id: PathId):
    registration = get_for_user_or_404(
        Registration.objects.select_related("event"), request.user, CHANGE, pk=registration_id
    )
    registration = registration_services.registration_cancel(
        actor=request.user, registration=registration
    )
    return _registration_out(registration)


@router.post(
    "/events/{event_id}/survey", response={201: SurveyOut}, summary="Answer an event's survey"
)
def lab_event_survey(request, event_id: PathId, payload: SurveyIn):
    event = _event(request, event_id)
    registration = selectors.survey_registration(request.user, event)
    if registration is None:
        raise Http404
    answer = survey_services.survey_submit(
        actor=request.user, registration=registration, **payload.model_dump()
    )
    return Status(
        201,
        SurveyOut(
            id=answer.pk,
            registration_id=registration.pk,
            rating=answer.rating,
            useful=answer.useful,
            met_partner=answer.met_partner,
            comment=answer.comment,
        ),
    )


# --- lab staff ----------------------------------------------------------------------------


@router.post("/events", response={201: EventPageOut}, summary="Create an event (a draft)")
def lab_event_create(request, payload: EventCreateIn):
    _staff_only(request)
    lab = pick_from(selectors.lab_choices(request.user), payload.lab_id)
    values = _event_values(request, payload)
    values.pop("lab_id")
    event = event_services.event_create(actor=request.user, lab=lab, **values)
    return Status(201, _page_out(request, _event(request, event.pk)))


@router.put("/events/{event_id}", response=EventPageOut, summary="Change an event")
def lab_event_update(request, event_id: PathId, payload: EventIn):
    event = _event(request, event_id, MANAGE)
    event = event_services.event_update(
        actor=request.user, event=event, **_event_values(request, payload)
    )
    return _page_out(request, _event(request, event.pk))


@router.get(
    "/events/{event_id}/staff",
    response=StaffEventOut,
    summary="An event's registrations, waitlist and survey (its lab's staff)",
)
def lab_event_staff(request, event_id: PathId):
    event = _event(request, event_id, MANAGE)
    page = selectors.event_staff_page(request.user, event)
    survey = page.survey
    return StaffEventOut(
        event=LabEventOut(**_event_out(page.card)),
        registered=[RegistrationOut(**_registration_out(r)) for r in page.registered],
        waitlisted=[RegistrationOut(**_registration_out(r)) for r in page.waitlisted],
        cancelled=page.cancelled,
        survey=SurveySummaryOut(
            count=survey.count,
            average=survey.average,
            useful=survey.useful,
            partners=[_survey_row(a) for a in survey.partners],
            comments=[_survey_row(a) for a in survey.comments],
        ),
        visitors=[
            VisitorRefOut(id=v.pk, name=v.name, organisation=v.organisation) for v in page.visitors
        ],
        may_publish=page.may_publish,
        may_cancel=page.may_cancel,
        may_edit=page.may_edit,
    )


@router.post("/events/{event_id}/publish", response=EventPageOut, summary="Publish an event")
def lab_event_publish(request, event_id: PathId):
    event = _event(request, event_id, MANAGE)
    event_services.event_publish(actor=request.user, event=event)
    return _page_out(request, _event(request, event.pk))


@router.post("/events/{event_id}/cancel", response=EventPageOut, summary="Call an event off")
def lab_event_cancel(request, event_id: PathId, payload: CancelIn):
    event = _event(request, event_id, MANAGE)
    event_services.event_cancel(actor=request.user, event=event, reason=payload.reason)
    return _page_out(request, _event(request, event.pk))


@router.post(
    "/events/{event_id}/visitor-registrations",
    response={201: RegistrationOut},
    summary="Register a desk visitor for an event",
)
def lab_event_register_visitor(request, event_id: PathId, payload: VisitorRegistrationIn):
    event = _event(request, event_id, MANAGE)
    page = selectors.event_staff_page(request.user, event)
    visitor = pick_from(page.visitors, payload.visitor_id)
    registration = registration_services.registration_add_visitor(
        actor=request.user, event=event, visitor=visitor
    )
    return Status(201, _registration_out(registration))


@router.get(
    "/events/{event_id}/attendance", response=LabAttendanceOut, summary="An event's attendance"
)
def lab_event_attendance(request, event_id: PathId):
    event = _event(request, event_id, MANAGE)
    page = selectors.attendance_page(request.user, event)
    return LabAttendanceOut(
        event_id=event.pk,
        rows=[
            AttendanceRowOut(**_registration_out(r.registration), trained=r.trained)
            for r in page.rows
        ],
        may_mark=page.may_mark,
        to_record=page.to_record,
    )


@router.post(
    "/event-registrations/{registration_id}/attend",
    response=RegistrationOut,
    summary="Record that a registered person came",
)
def lab_event_registration_attend(request, registration_id: PathId):
    registration = get_for_user_or_404(
        Registration.objects.select_related("event"), request.user, MANAGE, pk=registration_id
    )
    registration = registration_services.attendance_mark(
        actor=request.user, registration=registration
    )
    return _registration_out(registration)


@router.post(
    "/events/{event_id}/training-records",
    response=TrainingRecordsOut,
    summary="Record the passes of a training session's attendees",
)
def lab_event_training_records(request, event_id: PathId, payload: TrainingRecordsIn):
    event = _event(request, event_id, MANAGE)
    records = registration_services.training_records_record(
        actor=request.user, event=event, registration_ids=payload.registration_ids
    )
    return TrainingRecordsOut(recorded=len(records), record_ids=[r.pk for r in records])
