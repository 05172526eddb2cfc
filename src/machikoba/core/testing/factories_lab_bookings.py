"""Test data of the lab's bookings: a shop with its people, an item ready to book (on an
open day), bookings and waitlist entries written directly (for a state to start from;
the services are what the tests exercise), and a vendor's demo slot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import make_item, make_lab, open_day, slot
from machikoba.lab.choices import BookingStatus, WaitlistStatus
from machikoba.lab.models import Item, Lab
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.models_vendors import DemoSlot


@dataclass
class Shop:
    company: Any
    owner: Any
    staff: Any
    floor: Any


def make_shop(name: str = "蒲田精機株式会社") -> Shop:
    company = CompanyFactory(name=name)
    return Shop(
        company=company,
        owner=MembershipFactory(company=company, role=CompanyRole.OWNER).user,
        staff=MembershipFactory(company=company, role=CompanyRole.STAFF).user,
        floor=MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user,
    )


def make_bookable(lab: Lab | None = None, **fields: Any) -> Item:
    """A bookable item (capacity 1 unless told) of ``lab`` (a new lab by default)."""
    return make_item(lab or make_lab(), **fields)


def make_booking(
    item: Item,
    company: Any,
    user: Any,
    *,
    day: dt.date | None = None,
    hour: int = 10,
    hours: float = 1,
    status: str = BookingStatus.BOOKED,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    **fields: Any,
) -> Booking:
    """A booking written directly (``day`` default: the lab's next open day)."""
    if starts_at is None:
        starts_at, ends_at = slot(day or open_day(item.lab), hour, hours)
    assert ends_at is not None
    return Booking.objects.create(
        lab=item.lab,
        item=item,
        company=company,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        **fields,
    )


def make_entry(
    item: Item,
    company: Any,
    user: Any,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    status: str = WaitlistStatus.WAITING,
    offer_hours: float | None = None,
) -> WaitlistEntry:
    """A waitlist entry written directly; ``offer_hours`` makes it an open offer."""
    fields: dict[str, Any] = {}
    if offer_hours is not None:
        now = timezone.now()
        status = WaitlistStatus.OFFERED
        fields = {"offered_at": now, "offer_expires_at": now + dt.timedelta(hours=offer_hours)}
    return WaitlistEntry.objects.create(
        item=item,
        company=company,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        **fields,
    )


def make_demo_slot(item: Item, starts_at: dt.datetime, ends_at: dt.datetime) -> DemoSlot:
    return DemoSlot.objects.create(item=item, starts_at=starts_at, ends_at=ends_at, seats=3)


@dataclass
class Setting:
    """A lab (Mon–Sat 9–18, 30-minute slots, cut-off 24 h), one cobot of capacity 1, a
    shop with its three people, and ``day``: the lab's third open day from today (always
    more than a cut-off away)."""

    lab: Lab
    item: Item
    shop: Shop
    day: dt.date

    def at(self, hour: float, hours: float = 1) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(
            self.day, dt.time(int(hour), round((hour % 1) * 60)), tzinfo=_zone()
        )
        return start, start + dt.timedelta(hours=hours)


def _zone() -> dt.tzinfo:
    return timezone.get_current_timezone()


def make_setting(**lab_fields: Any) -> Setting:
    lab = make_lab(**lab_fields)
    item = make_item(lab)
    return Setting(lab=lab, item=item, shop=make_shop(), day=open_day(lab, 3))
