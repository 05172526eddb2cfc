"""Writes of the lab's events: lab staff create and edit an event of their lab, publish
it and cancel it (its registrants are told); and the two mailings the scheduler runs
(``tasks_events``): the reminder the day before, and the survey's link after the event.

An event's status moves by ``EVENT_TRANSITIONS`` only, one service per step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import MANAGE, can
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_users
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models import Lab, Training
from machikoba.lab.models_events import Event, Registration, SurveyResponse
from machikoba.lab.selectors.events import places_taken
from machikoba.lab.services.registrations import (
    event_params,
    event_path,
    lock_event,
    waitlist_promote,
)

EVENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EventStatus.DRAFT: (EventStatus.PUBLISHED, EventStatus.CANCELLED),
    EventStatus.PUBLISHED: (EventStatus.CANCELLED,),
    EventStatus.CANCELLED: (),
}

# What staff set on an event (the lab is chosen once, at creation).
EVENT_FIELDS = [
    "kind",
    "title",
    "description",
    "training",
    "host",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "registration_closes_at",
]
MAX_CAPACITY = 1000
CANCEL_REASON_MAX_LENGTH = 200
# The reminder goes out from 9:00 on the day before the event (the scheduler runs hourly).
REMIND_HOUR = 9
# The survey's link goes out this long after the end (staff mark attendance meanwhile),
# and not at all for an event that ended longer ago than SURVEY_WINDOW.
SURVEY_DELAY = dt.timedelta(hours=1)
SURVEY_WINDOW = dt.timedelta(days=14)


def _person(registration: Registration) -> User:
    """The person of a registration read with ``user__isnull=False``."""
    if registration.user is None:  # the queries here filter them out
        raise ValueError(registration.pk)
    return registration.user


def _refuse_unless_staff(actor: User, event: Event) -> None:
    if not can(actor, MANAGE, event):
        raise PermissionRefused(
            EventErrorCode.NOT_LAB_STAFF,
            _("イベントを作成・変更できるのは、このラボの職員だけです。"),
        )


def _field_errors(lab: Lab, values: dict[str, Any], *, now: dt.datetime, new: bool) -> dict:
    """What is wrong with ``values`` (a message per field; empty when all is well)."""
    errors: dict[str, Any] = {}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    closes = values.get("registration_closes_at")
    training: Training | None = values.get("training")
    host: Company | None = values.get("host")
    capacity = values.get("capacity")
    if not (values.get("title") or "").strip():
        errors["title"] = _("タイトルを入力してください。")
    if values.get("kind") not in EventKind.values:
        errors["kind"] = _("種類を選んでください。")
    if starts is None:
        errors["starts_at"] = _("開始の日時を入力してください。")
    elif new and starts <= now:
        errors["starts_at"] = _("開始は今より後の日時にしてください。")
    if ends is None:
        errors["ends_at"] = _("終了の日時を入力してください。")
    elif starts is not None and ends <= starts:
        errors["ends_at"] = _("終了は開始より後の日時にしてください。")
    if closes is not None and starts is not None and closes > starts:
        errors["registration_closes_at"] = _("申込みの締切は開始より前の日時にしてください。")
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("定員は1〜%(max)s人にしてください。") % {"max": MAX_CAPACITY}
    if values.get("kind") == EventKind.TRAINING and training is None:
        errors["training"] = _("講習の回には、修了すると予約できるようになる講習を選んでください。")
    elif training is not None and values.get("kind") != EventKind.TRAINING:
        errors["training"] = _("講習を選べるのは、種類が「機器の講習」の回だけです。")
    elif training is not None and training.lab_id != lab.pk:
        errors["training"] = _("このラボの講習を選んでください。")
    if host is not None and host.kind != CompanyKind.VENDOR:
        errors["host"] = _("共催できるのはITベンダーだけです。")
    return errors


@transaction.atomic
def event_create(*, actor: User, lab: Lab, **values: Any) -> Event:
    """Lab staff create an event of ``lab`` (a draft: nobody else sees it until it is
    published). ``values`` are ``EVENT_FIELDS``."""
    if not Lab.objects.for_user(actor, MANAGE).filter(pk=lab.pk).exists():
        raise PermissionRefused(
            EventErrorCode.NOT_LAB_STAFF,
            _("イベントを作成できるのは、このラボの職員だけです。"),
        )
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields {sorted(unknown)}")
    errors = _field_errors(lab, values, now=timezone.now(), new=True)
    if errors:
        raise invalid_input(EventErrorCode.EVENT_INVALID, **errors)
    event = Event(lab=lab, created_by=actor, status=EventStatus.DRAFT, **values)
    full_clean_or_raise(event, code=EventErrorCode.EVENT_INVALID)
    event.save()
    audit_record(
        actor=actor, verb="lab_event.create", target=event, after=snapshot(event, EVENT_FIELDS)
    )
    return event


def _refuse_closed(event: Event, now: dt.datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ApplicationError(
            EventErrorCode.EVENT_CANCELLED,
            _("中止したイベントは変更できません。"),
            status_code=409,
        )
    if now >= event.ends_at:
        raise ApplicationError(
            EventErrorCode.EVENT_ENDED,
            _("終わったイベントは変更・中止できません。"),
            status_code=409,
        )


@transaction.atomic
def event_update(*, actor: User, event: Event, **values: Any) -> Event:
    """Lab staff change an event that has not ended nor been cancelled. The capacity may
    not go below the places already taken; a larger one moves the waitlist up."""
    _refuse_unless_staff(actor, event)
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields {sorted(unknown)}")
    locked = lock_event(event)
    now = timezone.now()
    _refuse_closed(locked, now)
    merged = {name: getattr(locked, name) for name in EVENT_FIELDS}
    merged.update(values)
    moved = merged["starts_at"] != locked.starts_at
    errors = _field_errors(locked.lab, merged, now=now, new=moved)
    if errors:
        raise invalid_input(EventErrorCode.EVENT_INVALID, **errors)
    taken = places_taken(locked)
    if merged["capacity"] < taken:
        raise invalid_input(
            EventErrorCode.CAPACITY_BELOW_REGISTERED,
            capacity=_("すでに %(taken)s 人が申し込んでいます。定員はそれより少なくできません。")
            % {"taken": taken},
        )
    before = snapshot(locked, EVENT_FIELDS)
    for name, value in merged.items():
        setattr(locked, name, value)
    full_clean_or_raise(locked, code=EventErrorCode.EVENT_INVALID)
    locked.save()
    audit_record(
        actor=actor,
        verb="lab_event.update",
        target=locked,
        before=before,
        after=snapshot(locked, EVENT_FIELDS),
    )
    waitlist_promote(actor=actor, event=locked)
    return locked


def _move(event: Event, to: str) -> None:
    if to not in EVENT_TRANSITIONS.get(event.status, ()):
        raise ApplicationError(
            EventErrorCode.EVENT_NOT_DRAFT,
            _("このイベントは「%(status)s」のため、この操作はできません。")
            % {"status": event.get_status_display()},
            status_code=409,
        )
    event.status = to
    event.full_clean()
    event.save(update_fields=["status", "updated_at"])


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Lab staff publish a draft: it is listed, and people may register."""
    _refuse_unless_staff(actor, event)
    locked = lock_event(event)
    if locked.status == EventStatus.DRAFT and timezone.now() >= locked.starts_at:
        raise ApplicationError(
            EventErrorCode.EVENT_STARTED,
            _("開始の日時を過ぎたイベントは公開できません。日時を直してください。"),
            status_code=409,
        )
    _move(locked, EventStatus.PUBLISHED)
    audit_record(
        actor=actor,
        verb="lab_event.publish",
        target=locked,
        before={"status": EventStatus.DRAFT},
        after={"status": EventStatus.PUBLISHED},
    )
    return locked


@transaction.atomic
def event_cancel(*, actor: User, event: Event, reason: str = "") -> Event:
    """Lab staff cancel an event before it ends; everyone registered or waiting is told
    (with ``reason`` when given)."""
    _refuse_unless_staff(actor, event)
    reason = (reason or "").strip()
    if len(reason) > CANCEL_REASON_MAX_LENGTH:
        raise invalid_input(
            EventErrorCode.EVENT_INVALID,
            reason=_("中止の理由は200文字以内で入力してください。"),
        )
    locked = lock_event(event)
    _refuse_closed(locked, timezone.now())
    before = locked.status
    _move(locked, EventStatus.CANCELLED)
    audit_record(
        actor=actor,
        verb="lab_event.cancel",
        target=locked,
        before={"status": before},
        after={"status": EventStatus.CANCELLED, "reason": reason},
    )
    people = [
        _person(r)
        for r in Registration.objects.filter(
            event=locked,
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED),
            user__isnull=False,
        ).select_related("user")
    ]
    params = event_params(locked)
    params["reason"] = _("理由: %(reason)s") % {"reason": reason} if reason else ""
    # Their own page lists the cancelled event (the event's page is for published ones).
    notify_users(
        users=people, kind="lab_event_cancelled", params=params, path=reverse("lab:event_mine")
    )
    return locked


# --- the scheduler's mailings ------------------------------------------------------------


def remind_from(event: Event) -> dt.datetime:
    """When ``event``'s reminder is due: 9:00 on the day before it, local time."""
    day = timezone.localdate(event.starts_at) - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(REMIND_HOUR), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def event_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the people registered for each published event starting tomorrow (or
    sooner, if it was published late), once per event (``Event.reminded_at``). The number
    of people reminded."""
    now = now or timezone.now()
    due = (
        Event.objects.select_for_update(of=("self",))
        .filter(
            status=EventStatus.PUBLISHED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(days=2),
        )
        .select_related("lab")
        .order_by("starts_at", "pk")
    )
    reached = 0
    for event in due:
        if now < remind_from(event):
            continue
        people = [
            _person(r)
            for r in Registration.objects.filter(
                event=event, status=RegistrationStatus.REGISTERED, user__isnull=False
            ).select_related("user")
        ]
        notify_users(
            users=people,
            kind="lab_event_reminder",
            params=event_params(event),
            path=event_path(event),
        )
        event.reminded_at = now
        event.save(update_fields=["reminded_at", "updated_at"])
        audit_record(
            actor=None, verb="lab_event.remind", target=event, after={"people": len(people)}
        )
        reached += len(people)
    return reached


@transaction.atomic
def event_surveys_send(*, now: dt.datetime | None = None) -> int:
    """Send the survey's link to the attendees of each event that ended (an hour ago, so
    staff have marked attendance), once per event (``Event.survey_sent_at``); an event
    with no attendee recorded yet waits for the next run, for two weeks. The number of
    people asked."""
    now = now or timezone.now()
    due = (
        Event.objects.select_for_update(of=("self",))
        .filter(
            status=EventStatus.PUBLISHED,
            survey_sent_at__isnull=True,
            ends_at__lte=now - SURVEY_DELAY,
            ends_at__gt=now - SURVEY_WINDOW,
        )
        .select_related("lab")
        .order_by("ends_at", "pk")
    )
    reached = 0
    for event in due:
        answered = SurveyResponse.objects.filter(registration__event=event).values("registration")
        people = [
            _person(r)
            for r in Registration.objects.filter(
                event=event, status=RegistrationStatus.ATTENDED, user__isnull=False
            )
            .exclude(pk__in=answered)
            .select_related("user")
        ]
        if not people:
            continue
        notify_users(
            users=people,
            kind="lab_event_survey",
            params=event_params(event),
            path=reverse("lab:event_survey", args=[event.pk]),
        )
        event.survey_sent_at = now
        event.save(update_fields=["survey_sent_at", "updated_at"])
        audit_record(
            actor=None, verb="lab_event.survey_send", target=event, after={"people": len(people)}
        )
        reached += len(people)
    return reached
