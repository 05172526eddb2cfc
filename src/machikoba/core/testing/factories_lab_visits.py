"""Test data of the entry log (入退館): a lab that is always open (for browser tests, whose
server runs on the real clock), desk visitors, entries, the personal and lab codes, and
the bookings and event registrations an entry starts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.core.testing.factories import OTA
from machikoba.core.testing.factories_lab import make_item, make_lab, open_day, slot
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    EntryMethod,
    EventKind,
    EventStatus,
    RegistrationStatus,
)
from machikoba.lab.models import Lab
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_events import Event, Registration
from machikoba.lab.models_visits import EntryEvent, Visitor
from machikoba.lab.services import entry_codes

# Open every day, all day, holidays and the year end included.
ALWAYS_OPEN = {day: (dt.time(0), dt.time(23, 59, 59)) for day in range(7)}


def make_open_lab(municipality_code: str = OTA, **fields) -> Lab:
    """A lab open whenever a test runs (browser tests cannot move the server's clock)."""
    fields.setdefault("closed_on_holidays", False)
    fields.setdefault("closed_year_end", False)
    return make_lab(municipality_code, hours=ALWAYS_OPEN, **fields)


def opening_moment(lab: Lab, hour: int = 10, minute: int = 0, *, n: int = 1) -> dt.datetime:
    """An aware moment on the ``n``-th open day of ``lab`` from tomorrow, at ``hour``."""
    start, _end = slot(open_day(lab, n), hour)
    return start + dt.timedelta(minutes=minute)


def make_visitor(lab: Lab, **fields) -> Visitor:
    fields.setdefault("name", "来館 花子")
    fields.setdefault("organisation", "城南工業高校")
    return Visitor.objects.create(lab=lab, **fields)


def make_entry(
    lab: Lab,
    *,
    user=None,
    visitor=None,
    kind: str = EntryKind.ENTERED,
    at: dt.datetime | None = None,
    method: str = EntryMethod.DESK,
    company=None,
    reason: str = "",
) -> EntryEvent:
    return EntryEvent.objects.create(
        lab=lab,
        kind=kind,
        method=method,
        at=at or timezone.now(),
        user=user,
        visitor=visitor,
        company=company,
        reason=reason,
    )


def personal_code(user, at: dt.datetime | None = None) -> str:
    return entry_codes.personal_code_issue(user=user, now=at).token


def make_booking(
    lab: Lab,
    *,
    user,
    company,
    starts_at: dt.datetime,
    hours: float = 1,
    item=None,
    status: str = BookingStatus.BOOKED,
) -> Booking:
    return Booking.objects.create(
        lab=lab,
        item=item or make_item(lab),
        company=company,
        user=user,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        status=status,
    )


def make_event(lab: Lab, *, starts_at: dt.datetime, hours: float = 2, **fields) -> Event:
    fields.setdefault("title", "IoT入門セミナー")
    fields.setdefault("kind", EventKind.SEMINAR)
    fields.setdefault("capacity", 20)
    fields.setdefault("status", EventStatus.PUBLISHED)
    return Event.objects.create(
        lab=lab, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=hours), **fields
    )


def make_registration(
    event: Event, *, user=None, visitor=None, company=None, status=RegistrationStatus.REGISTERED
) -> Registration:
    return Registration.objects.create(
        event=event, user=user, visitor=visitor, company=company, status=status
    )
