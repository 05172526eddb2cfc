"""What an entry to the lab starts: the person's booking that is due and their place at an
event that is on.

On a successful entry (kiosk, phone or desk), for the person who came in:

- each ``BOOKED`` booking of theirs at this lab that starts within the next
  ``ATTENDANCE_LEAD`` (30 minutes) or has started and not ended moves to ``IN_USE``;
- each ``REGISTERED`` registration of theirs for a published event of this lab that is on
  (from ``ATTENDANCE_LEAD`` before its start to its end) moves to ``ATTENDED``.

Both through ``services.internal`` (the state tables); each change is told back as a line
the kiosk shows under 「入館しました」.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.lab.choices import BookingStatus, EventStatus, RegistrationStatus
from machikoba.lab.models import Lab
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_events import Registration
from machikoba.lab.models_visits import Visitor
from machikoba.lab.services.internal import (
    booking_transition,
    lock_booking,
    registration_transition,
)

ATTENDANCE_LEAD = dt.timedelta(minutes=30)


@dataclass
class AttendanceResult:
    bookings: list[Booking] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def due_bookings(*, lab: Lab, user: User, at: dt.datetime) -> list[Booking]:
    """The person's bookings an entry at ``at`` starts."""
    return list(
        Booking.objects.filter(
            lab=lab,
            user=user,
            status=BookingStatus.BOOKED,
            starts_at__lte=at + ATTENDANCE_LEAD,
            ends_at__gt=at,
        ).order_by("starts_at", "id")
    )


def current_registrations(
    *, lab: Lab, at: dt.datetime, user: User | None = None, visitor: Visitor | None = None
) -> list[Registration]:
    """The person's registrations for events of ``lab`` that are on at ``at``."""
    person = Q(user=user) if user is not None else Q(visitor=visitor)
    return list(
        Registration.objects.filter(
            person,
            event__lab=lab,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__lte=at + ATTENDANCE_LEAD,
            event__ends_at__gt=at,
            status=RegistrationStatus.REGISTERED,
        )
        .select_related("event")
        .order_by("event__starts_at", "id")
    )


@transaction.atomic
def attendance_on_entry(
    *,
    lab: Lab,
    actor: User | None,
    at: dt.datetime,
    user: User | None = None,
    visitor: Visitor | None = None,
) -> AttendanceResult:
    """Start what the entry of ``user`` (or of the desk ``visitor``) at ``at`` starts. The
    caller recorded the entry and proved ``actor`` may record it (the kiosk's staff, the
    person with the lab's code, the desk)."""
    result = AttendanceResult()
    if user is not None:
        for due in due_bookings(lab=lab, user=user, at=at):
            booking = lock_booking(due.pk)
            if booking.status != BookingStatus.BOOKED:  # a concurrent entry started it
                continue
            booking_transition(booking=booking, to=BookingStatus.IN_USE, actor=actor, at=at)
            result.bookings.append(booking)
            result.lines.append(
                _("%(item)sのご予約 %(start)s〜 を開始しました")
                % {"item": booking.item.name, "start": _hhmm(booking.starts_at)}
            )
    if user is None and visitor is None:
        return result
    for current in current_registrations(lab=lab, at=at, user=user, visitor=visitor):
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=current.pk)
        )
        if registration.status != RegistrationStatus.REGISTERED:
            continue
        registration_transition(
            registration=registration, to=RegistrationStatus.ATTENDED, actor=actor, at=at
        )
        result.registrations.append(registration)
        result.lines.append(
            _("「%(event)s」(%(start)s〜) の出席を記録しました")
            % {"event": registration.event.title, "start": _hhmm(registration.event.starts_at)}
        )
    return result
