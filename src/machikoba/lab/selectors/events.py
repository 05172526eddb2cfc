"""Reads of the lab's events: the list of upcoming events, one event's page (places left,
the reader's own registration and why they may not register), a person's own
registrations, and the staff's pages (registrations, waitlist, attendance, the survey's
answers).

A reader sees how many places an event has left, never who took them: the rows of
registrations come only through ``Registration.objects.for_user`` (the person, their
company's editors, the lab's staff). ``registration_refusal`` is the one list of reasons a
person may not register; the service asks it again under the event's lock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import MANAGE, VIEW, can
from machikoba.core.errors import ApplicationError
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models import Item, Lab, Training, TrainingRecord
from machikoba.lab.models_events import Event, Registration, SurveyResponse
from machikoba.lab.models_visits import Visitor

# A registration in these statuses holds one of the event's places.
TAKING = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
# A registration in these statuses is live: its person may not register again.
LIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED)
# How long after an event its attendees find the survey on their page.
SURVEY_OPEN_DAYS = 60


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """``taken`` (places held) and ``waiting`` (on the waitlist) on each event."""
    return events.annotate(
        taken=Count("registrations", filter=Q(registrations__status__in=TAKING), distinct=True),
        waiting=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.WAITLISTED),
            distinct=True,
        ),
    )


def places_taken(event: Event) -> int:
    """Places held at ``event`` now (the service counts under the event's lock)."""
    return Registration.objects.filter(event=event, status__in=TAKING).count()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the head of the waitlist; None unless ``registration`` is waitlisted. A count
    over the event's waitlist: it names nobody."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def live_registration(user: User, event: Event) -> Registration | None:
    """``user``'s own registration of ``event`` that still counts (registered, waitlisted
    or attended), if any."""
    return (
        Registration.objects.for_user(user, VIEW)
        .filter(event=event, user=user, status__in=LIVE)
        .first()
    )


def event_state_refusal(event: Event, now: dt.datetime) -> ApplicationError | None:
    """Why nobody may register for ``event`` now (draft, cancelled, started, closed)."""
    if event.status == EventStatus.CANCELLED:
        return ApplicationError(
            EventErrorCode.EVENT_CANCELLED,
            _("このイベントは中止になりました。申し込めません。"),
            status_code=409,
        )
    if event.status != EventStatus.PUBLISHED or not event.lab.active:
        return ApplicationError(
            EventErrorCode.EVENT_NOT_OPEN,
            _("このイベントはまだ申込みを受け付けていません。"),
            status_code=409,
        )
    if now >= event.starts_at:
        return ApplicationError(
            EventErrorCode.EVENT_STARTED,
            _("このイベントはすでに始まっています。申込みは開始前までです。"),
            status_code=409,
        )
    if event.registration_closes_at is not None and now > event.registration_closes_at:
        return ApplicationError(
            EventErrorCode.REGISTRATION_CLOSED,
            _("申込みの締切 (%(deadline)s) を過ぎました。")
            % {"deadline": _when(event.registration_closes_at)},
            status_code=409,
        )
    return None


def already_registered(existing: Registration) -> ApplicationError:
    if existing.status == RegistrationStatus.WAITLISTED:
        message = _("すでにキャンセル待ち (%(position)s 番目) で申し込んでいます。") % {
            "position": waitlist_position(existing)
        }
    else:
        message = _("このイベントにはすでに申し込んでいます。")
    return ApplicationError(EventErrorCode.ALREADY_REGISTERED, message, status_code=409)


def registration_refusal(
    *, actor: User, event: Event, now: dt.datetime | None = None
) -> ApplicationError | None:
    """Why ``actor`` may not register for ``event`` now, or None: the page hides its
    button, the service refuses with it."""
    refusal = event_state_refusal(event, now or timezone.now())
    if refusal is not None:
        return refusal
    existing = live_registration(actor, event)
    if existing is not None:
        return already_registered(existing)
    return None


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y/%m/%d %H:%M")


# --- the list and one event --------------------------------------------------------------


@dataclass
class EventCard:
    event: Event
    taken: int
    waiting: int
    mine: Registration | None = None
    position: int | None = None

    @property
    def places_left(self) -> int:
        return max(self.event.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.places_left == 0


def _card(event: Any, mine: Registration | None = None) -> EventCard:
    return EventCard(
        event=event,
        taken=event.taken,
        waiting=event.waiting,
        mine=mine,
        position=waitlist_position(mine) if mine is not None else None,
    )


def event_cards(user: User, *, kind: str = "", now: dt.datetime | None = None) -> list[EventCard]:
    """Upcoming published events of active labs, soonest first, each with its places and
    the reader's own registration; ``kind`` narrows to one kind."""
    now = now or timezone.now()
    events = Event.objects.for_user(user, VIEW).filter(
        status=EventStatus.PUBLISHED, lab__active=True, ends_at__gt=now
    )
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    listed = list(
        with_counts(events).select_related("lab", "training", "host").order_by("starts_at", "pk")
    )
    mine = {
        r.event_id: r
        for r in Registration.objects.for_user(user, VIEW).filter(
            user=user, status__in=LIVE, event__in=[e.pk for e in listed]
        )
    }
    return [_card(event, mine.get(event.pk)) for event in listed]


@dataclass
class EventPage:
    card: EventCard
    refusal: ApplicationError | None
    may_manage: bool
    may_cancel: bool
    survey_due: bool
    unlocks: list[Item] = field(default_factory=list)

    @property
    def event(self) -> Event:
        return self.card.event


def event_page(user: User, event: Event, *, now: dt.datetime | None = None) -> EventPage:
    """One event as its reader sees it: places left, their registration (with its
    waitlist position), whether they may register (or why not), cancel or answer the
    survey, and what a training session unlocks."""
    now = now or timezone.now()
    counted = with_counts(Event.objects.for_user(user, VIEW).filter(pk=event.pk)).get()
    counted.lab = event.lab
    counted.training = event.training
    counted.host = event.host
    mine = live_registration(user, event)
    card = _card(counted, mine)
    refusal = registration_refusal(actor=user, event=event, now=now) if mine is None else None
    unlocks: list[Item] = []
    if event.training_id is not None:
        unlocks = list(
            Item.objects.for_user(user, VIEW).filter(required_trainings=event.training_id)
        )
    return EventPage(
        card=card,
        refusal=refusal,
        may_manage=can(user, MANAGE, event),
        may_cancel=mine is not None
        and mine.status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
        and now < event.starts_at,
        survey_due=mine is not None
        and mine.status == RegistrationStatus.ATTENDED
        and not SurveyResponse.objects.filter(registration=mine).exists(),
        unlocks=unlocks,
    )


# --- a person's own registrations ----------------------------------------------------------


@dataclass
class MyRegistration:
    registration: Registration
    position: int | None
    may_cancel: bool
    survey_due: bool

    @property
    def event(self) -> Event:
        return self.registration.event


@dataclass
class MyEventsPage:
    upcoming: list[MyRegistration]
    surveys: list[MyRegistration]
    past: list[MyRegistration]


def my_events(user: User, *, now: dt.datetime | None = None) -> MyEventsPage:
    """``user``'s own registrations: those to come (with the waitlist position), surveys
    to answer, and the events they went to."""
    now = now or timezone.now()
    rows = list(
        Registration.objects.for_user(user, VIEW)
        .filter(user=user, status__in=LIVE)
        .select_related("event__lab", "company")
        .annotate(answered=Count("survey"))
        .order_by("event__starts_at", "pk")
    )
    upcoming, surveys, past = [], [], []
    survey_since = now - dt.timedelta(days=SURVEY_OPEN_DAYS)
    for row in rows:
        event = row.event
        attended = row.status == RegistrationStatus.ATTENDED
        item = MyRegistration(
            registration=row,
            position=waitlist_position(row),
            may_cancel=not attended
            and event.status != EventStatus.CANCELLED
            and now < event.starts_at,
            survey_due=attended and not row.answered and event.ends_at >= survey_since,
        )
        if event.ends_at > now and not attended:
            upcoming.append(item)
        elif item.survey_due:
            surveys.append(item)
        elif attended:
            past.append(item)
    past.reverse()
    return MyEventsPage(upcoming=upcoming, surveys=surveys, past=past[:20])


# --- the staff's pages ---------------------------------------------------------------------


def is_lab_staff(user: User) -> bool:
    """Whether ``user`` runs some lab (its events' pages are theirs)."""
    return Lab.objects.for_user(user, MANAGE).exists()


@dataclass
class StaffEvents:
    upcoming: list[EventCard]
    past: list[EventCard]


def staff_events(user: User, *, now: dt.datetime | None = None) -> StaffEvents:
    """The events of the labs ``user`` runs: those to come (drafts included) and the last
    thirty that ended."""
    now = now or timezone.now()
    events = with_counts(Event.objects.for_user(user, MANAGE)).select_related("lab", "training")
    upcoming = events.filter(ends_at__gt=now).order_by("starts_at", "pk")
    past = events.filter(ends_at__lte=now).order_by("-starts_at", "-pk")[:30]
    return StaffEvents(upcoming=[_card(e) for e in upcoming], past=[_card(e) for e in past])


def lab_choices(user: User) -> list[Lab]:
    return list(Lab.objects.for_user(user, MANAGE).filter(active=True))


def training_choices(user: User) -> list[Training]:
    return list(Training.objects.for_user(user, MANAGE).filter(active=True).select_related("lab"))


def vendor_choices(user: User) -> list[Company]:
    return list(
        Company.objects.for_user(user, VIEW)
        .filter(kind=CompanyKind.VENDOR, deactivated_at__isnull=True)
        .order_by("name", "pk")
    )


@dataclass
class SurveySummary:
    count: int
    average: float | None
    useful: int
    partners: list[SurveyResponse]
    comments: list[SurveyResponse]


def survey_summary(user: User, event: Event) -> SurveySummary:
    """The answers to ``event``'s survey, for its lab's staff: how many, the average
    rating, how many found it useful, the partners people met (which staff may turn into
    matchings) and the comments."""
    answers = SurveyResponse.objects.for_user(user, VIEW).filter(
        registration__event=event, registration__event__lab__in=Lab.objects.for_user(user, MANAGE)
    )
    totals = answers.aggregate(
        count=Count("pk"), average=Avg("rating"), useful=Count("pk", filter=Q(useful=True))
    )
    rows = list(
        answers.select_related("registration__user", "registration__company").order_by("pk")
    )
    average = totals["average"]
    return SurveySummary(
        count=totals["count"],
        average=round(float(average), 1) if average is not None else None,
        useful=totals["useful"],
        partners=[r for r in rows if r.met_partner],
        comments=[r for r in rows if r.comment],
    )


@dataclass
class StaffEventPage:
    card: EventCard
    registered: list[Registration]
    waitlisted: list[Registration]
    cancelled: int
    survey: SurveySummary
    visitors: list[Visitor]
    may_publish: bool
    may_cancel: bool
    may_edit: bool

    @property
    def event(self) -> Event:
        return self.card.event


def _registrations(user: User, event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.for_user(user, MANAGE)
        .filter(event=event)
        .select_related("user", "visitor", "company")
        .order_by("created_at", "pk")
    )


def event_staff_page(user: User, event: Event, *, now: dt.datetime | None = None) -> StaffEventPage:
    """The staff's page of one event: who registered, the waitlist in order, the desk
    visitors they may register, the survey's answers and the buttons the state allows."""
    now = now or timezone.now()
    counted = with_counts(Event.objects.for_user(user, MANAGE).filter(pk=event.pk)).get()
    counted.lab, counted.training, counted.host = event.lab, event.training, event.host
    rows = list(_registrations(user, event))
    taken_visitors = {r.visitor_id for r in rows if r.visitor_id and r.status in LIVE}
    visitors = [
        v
        for v in Visitor.objects.for_user(user, VIEW)
        .filter(lab=event.lab)
        .order_by("-created_at", "pk")[:200]
        if v.pk not in taken_visitors
    ]
    open_event = event.status != EventStatus.CANCELLED and now < event.ends_at
    return StaffEventPage(
        card=_card(counted),
        registered=[r for r in rows if r.status in TAKING],
        waitlisted=[r for r in rows if r.status == RegistrationStatus.WAITLISTED],
        cancelled=sum(1 for r in rows if r.status == RegistrationStatus.CANCELLED),
        survey=survey_summary(user, event),
        visitors=visitors if open_event and event.status == EventStatus.PUBLISHED else [],
        may_publish=event.status == EventStatus.DRAFT and now < event.starts_at,
        may_cancel=open_event,
        may_edit=open_event,
    )


@dataclass
class AttendanceRow:
    registration: Registration
    trained: bool  # a training record from this event exists for the person


@dataclass
class AttendancePage:
    event: Event
    rows: list[AttendanceRow]
    may_mark: bool
    to_record: int  # attendees of a training session without their record yet

    @property
    def attended(self) -> list[AttendanceRow]:
        return [r for r in self.rows if r.registration.status == RegistrationStatus.ATTENDED]


def attendance_opens(event: Event) -> dt.datetime:
    """Attendance may be marked from the start of the event's day (local time)."""
    day = timezone.localtime(event.starts_at).date()
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def attendance_page(user: User, event: Event, *, now: dt.datetime | None = None) -> AttendancePage:
    """The staff's attendance sheet: everyone holding a place, who came, and for a
    training session whose record each attendee has."""
    now = now or timezone.now()
    rows = [r for r in _registrations(user, event) if r.status in TAKING]
    trained: set[int] = set()
    if event.kind == EventKind.TRAINING:
        trained = set(
            TrainingRecord.objects.for_user(user, MANAGE)
            .filter(event=event, revoked_at__isnull=True)
            .values_list("user_id", flat=True)
        )
    sheet = [AttendanceRow(r, r.user_id is not None and r.user_id in trained) for r in rows]
    to_record = sum(
        1
        for row in sheet
        if row.registration.status == RegistrationStatus.ATTENDED
        and row.registration.user_id is not None
        and not row.trained
    )
    return AttendancePage(
        event=event,
        rows=sheet,
        may_mark=event.status == EventStatus.PUBLISHED and now >= attendance_opens(event),
        to_record=to_record if event.kind == EventKind.TRAINING else 0,
    )


def survey_registration(user: User, event: Event) -> Registration | None:
    """``user``'s attended registration of ``event`` (the survey is theirs to answer)."""
    return (
        Registration.objects.for_user(user, VIEW)
        .filter(event=event, user=user, status=RegistrationStatus.ATTENDED)
        .select_related("company")
        .first()
    )


def survey_of(user: User, registration: Registration) -> SurveyResponse | None:
    return SurveyResponse.objects.for_user(user, VIEW).filter(registration=registration).first()
