"""Writes of registrations to the lab's events: registering (a place, or the waitlist),
cancelling (the place goes to the head of the waitlist), a desk visitor registered by the
staff, attendance marked by hand, and the training records of a training session's
attendees.

The event row is the lock: every write that takes or frees a place locks it first
(``lock_event``, ``FOR UPDATE OF`` the event alone), then the registration. Two people
taking the last place at once are served one after the other, and the second is put on
the waitlist and told so. Statuses move only through
``services.internal.registration_transition``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, MEMBER_ROLES, VIEW, can, company_ids_for
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date, format_datetime
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.notifications import notify_users
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models import TrainingRecord
from machikoba.lab.models_events import Event, Registration
from machikoba.lab.models_visits import Visitor
from machikoba.lab.selectors.events import (
    LIVE,
    already_registered,
    attendance_opens,
    event_state_refusal,
    places_taken,
    registration_refusal,
    waitlist_position,
)
from machikoba.lab.services.internal import registration_transition, training_record_create


def lock_event(event: Event) -> Event:
    """``event`` locked for this transaction (its row only: the lab and the training are
    read with it, not locked)."""
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("lab", "training")
        .get(pk=event.pk)
    )


def _lock_registration(registration: Registration) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)


def event_path(event: Event) -> str:
    return reverse("lab:event_detail", args=[event.pk])


def event_params(event: Event) -> dict[str, object]:
    """What the notices say of ``event``: its title, start and place."""
    return {
        "title": event.title,
        "starts": format_datetime(event.starts_at),
        "place": event.place or event.lab.name,
    }


def _refuse_unless_staff(actor: User, event: Event) -> None:
    if not can(actor, MANAGE, event):
        raise PermissionRefused(
            EventErrorCode.NOT_LAB_STAFF,
            _("この操作ができるのは、このラボの職員だけです。"),
        )


def _create(
    *,
    actor: User,
    event: Event,
    user: User | None = None,
    visitor: Visitor | None = None,
    company: Company | None = None,
) -> Registration:
    """A place at the locked ``event`` if one is free, else the end of its waitlist."""
    free = places_taken(event) < event.capacity
    registration = Registration(
        event=event,
        user=user,
        visitor=visitor,
        company=company,
        status=RegistrationStatus.REGISTERED if free else RegistrationStatus.WAITLISTED,
    )
    full_clean_or_raise(
        registration,
        code=EventErrorCode.ALREADY_REGISTERED,
        duplicate_code=EventErrorCode.ALREADY_REGISTERED,
        duplicate_message=_("このイベントにはすでに申し込んでいます。"),
    )
    registration.save()
    audit_record(
        actor=actor,
        verb="lab_registration.create" if free else "lab_registration.waitlist",
        target=registration,
        company=company,
        after={"event": event.pk, "status": registration.status},
    )
    if user is not None:
        params = event_params(event)
        if free:
            notify_users(
                users=[user], kind="lab_event_registered", params=params, path=event_path(event)
            )
        else:
            params["position"] = waitlist_position(registration) or 1
            notify_users(
                users=[user], kind="lab_event_waitlisted", params=params, path=event_path(event)
            )
    return registration


@transaction.atomic
def registration_create(
    *, actor: User, event: Event, company: Company | None = None, now: dt.datetime | None = None
) -> Registration:
    """``actor`` registers for ``event``, for ``company`` (the company they work for now;
    None for someone without one). A free place is theirs at once; a full event puts them
    on the waitlist (the returned registration says which, and its position). Refused
    after the deadline or the start, for a draft or cancelled event, and a second time."""
    if company is not None and company.pk not in company_ids_for(actor, MEMBER_ROLES):
        raise PermissionRefused(
            EventErrorCode.NOT_A_MEMBER,
            _("この企業の一員として申し込むことはできません。"),
        )
    # No visibility check beyond the state: what a person may not see (a draft, an event
    # of a closed lab) is refused as not open, under the lock.
    locked = lock_event(event)
    refusal = registration_refusal(actor=actor, event=locked, now=now or timezone.now())
    if refusal is not None:
        raise refusal
    return _create(actor=actor, event=locked, user=actor, company=company)


@transaction.atomic
def registration_add_visitor(*, actor: User, event: Event, visitor: Visitor) -> Registration:
    """Lab staff register a desk visitor (no account) of the event's lab: a place or the
    waitlist, as anyone. The deadline does not bind the staff (a walk-in on the day), the
    start does."""
    _refuse_unless_staff(actor, event)
    if (
        visitor.lab_id != event.lab_id
        or not Visitor.objects.for_user(actor, VIEW).filter(pk=visitor.pk).exists()
    ):
        raise ApplicationError(
            EventErrorCode.VISITOR_INVALID,
            _("このラボの受付で登録した来館者を選んでください。"),
        )
    locked = lock_event(event)
    now = timezone.now()
    refusal = event_state_refusal(locked, now)
    if refusal is not None and refusal.code != EventErrorCode.REGISTRATION_CLOSED:
        raise refusal
    existing = Registration.objects.filter(event=locked, visitor=visitor, status__in=LIVE).first()
    if existing is not None:
        raise already_registered(existing)
    return _create(actor=actor, event=locked, visitor=visitor, company=visitor.company)


def waitlist_promote(*, actor: User | None, event: Event) -> list[Registration]:
    """Give the free places of ``event`` (locked by the caller) to the head of its
    waitlist, first registered first; each promoted person is told. Nobody moves up once
    the event has started."""
    if event.status != EventStatus.PUBLISHED or timezone.now() >= event.starts_at:
        return []
    free = event.capacity - places_taken(event)
    if free <= 0:
        return []
    queue = (
        Registration.objects.select_for_update(of=("self",))
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    promoted = []
    for registration in queue[:free]:
        registration_transition(
            registration=registration, to=RegistrationStatus.REGISTERED, actor=actor
        )
        if registration.user is not None:
            notify_users(
                users=[registration.user],
                kind="lab_event_promoted",
                params=event_params(event),
                path=event_path(event),
            )
        promoted.append(registration)
    return promoted


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration) -> Registration:
    """The person (or the lab's staff) cancels a registration or a place on the waitlist.
    A freed place goes to the head of the waitlist. The person cancels until the start;
    the staff until the end."""
    if not Registration.objects.for_user(actor, CHANGE).filter(pk=registration.pk).exists():
        raise PermissionRefused(
            EventErrorCode.REGISTRATION_NOT_YOURS,
            _("この申込みをキャンセルできるのは、申し込んだ本人とラボの職員だけです。"),
        )
    event = lock_event(registration.event)
    current = _lock_registration(registration)
    now = timezone.now()
    if event.status == EventStatus.CANCELLED:
        raise ApplicationError(
            EventErrorCode.EVENT_CANCELLED,
            _("このイベントは中止になりました。キャンセルの手続きは要りません。"),
            status_code=409,
        )
    staff = can(actor, MANAGE, event)
    if now >= (event.ends_at if staff else event.starts_at):
        raise ApplicationError(
            EventErrorCode.CANCEL_TOO_LATE,
            _("イベントが始まった後は、キャンセルできません。"),
            status_code=409,
        )
    held_place = current.status == RegistrationStatus.REGISTERED
    registration_transition(registration=current, to=RegistrationStatus.CANCELLED, actor=actor)
    if held_place:
        waitlist_promote(actor=actor, event=event)
    return current


@transaction.atomic
def attendance_mark(*, actor: User, registration: Registration) -> Registration:
    """Lab staff mark a registered person present (by hand; the entry QR check-in marks
    them the same way), from the start of the event's day."""
    if not Registration.objects.for_user(actor, MANAGE).filter(pk=registration.pk).exists():
        raise PermissionRefused(
            EventErrorCode.NOT_LAB_STAFF,
            _("この操作ができるのは、このラボの職員だけです。"),
        )
    event = lock_event(registration.event)
    current = _lock_registration(registration)
    if event.status != EventStatus.PUBLISHED:
        raise ApplicationError(
            EventErrorCode.EVENT_CANCELLED,
            _("このイベントは開かれていないため、出席を記録できません。"),
            status_code=409,
        )
    if timezone.now() < attendance_opens(event):
        raise ApplicationError(
            EventErrorCode.ATTENDANCE_TOO_EARLY,
            _("出席はイベントの当日から記録できます。"),
            status_code=409,
        )
    return registration_transition(
        registration=current, to=RegistrationStatus.ATTENDED, actor=actor
    )


@transaction.atomic
def training_records_record(
    *, actor: User, event: Event, registration_ids: Iterable[int] | None = None
) -> list[TrainingRecord]:
    """「修了を記録」: lab staff record the training of a training session's attendees
    (those with an account; all of them, or those in ``registration_ids``), passed on the
    session's day. Anyone already recorded from this session is left as is; each person
    recorded is told they may now book."""
    _refuse_unless_staff(actor, event)
    locked = lock_event(event)
    if locked.kind != EventKind.TRAINING or locked.training is None:
        raise ApplicationError(
            EventErrorCode.NOT_A_TRAINING_SESSION,
            _("修了を記録できるのは、機器の講習の回だけです。"),
        )
    if locked.status != EventStatus.PUBLISHED:
        raise ApplicationError(
            EventErrorCode.EVENT_CANCELLED,
            _("このイベントは開かれていないため、修了を記録できません。"),
            status_code=409,
        )
    attendees = (
        Registration.objects.select_for_update(of=("self",))
        .filter(event=locked, status=RegistrationStatus.ATTENDED, user__isnull=False)
        .select_related("user", "company")
        .order_by("created_at", "pk")
    )
    if registration_ids is not None:
        attendees = attendees.filter(pk__in=list(registration_ids))
    recorded = set(
        TrainingRecord.objects.filter(event=locked, revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    passed_on = timezone.localdate(locked.starts_at)
    records = []
    for registration in attendees:
        person = registration.user
        if person is None or person.pk in recorded:
            continue
        record = training_record_create(
            training=locked.training,
            user=person,
            actor=actor,
            company=registration.company,
            passed_on=passed_on,
            event=locked,
        )
        recorded.add(person.pk)
        notify_users(
            users=[person],
            kind="lab_event_training_recorded",
            params={"training": locked.training.name, "expires": format_date(record.expires_on)},
            path=event_path(locked),
        )
        records.append(record)
    if not records:
        raise ApplicationError(
            EventErrorCode.NOTHING_TO_RECORD,
            _(
                "修了を記録する出席者がいません。先に出席を記録してください "
                "(記録済みの人、アカウントのない来館者は対象外です)。"
            ),
        )
    return records
