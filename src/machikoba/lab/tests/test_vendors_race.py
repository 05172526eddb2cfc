"""Real concurrent transactions on PostgreSQL: two shops taking a demo's last seat at the
same moment get one seat between them, the other is refused as full and writes nothing;
two vendor people publishing overlapping demos of one exhibit at once get one demo."""

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_lab import open_day, slot
from machikoba.core.testing.factories_lab_vendors import (
    make_demo_seat,
    make_demo_slot,
    make_shop,
    make_vendor_cast,
)
from machikoba.lab.choices import HOLDING_BOOKING_STATUSES
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.services.demos import demo_booking_create, demo_slot_publish

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql]


def test_two_shops_taking_the_last_seat_at_once_one_gets_it(transactional_db):
    cast = make_vendor_cast()
    demo = make_demo_slot(cast.kit, seats=2)
    make_demo_seat(demo, make_shop("先客工業"))  # one seat left

    results = race(
        lambda: demo_booking_create(actor=cast.shop.owner, slot=demo, company=cast.shop),
        lambda: demo_booking_create(
            actor=cast.other_shop.owner, slot=demo, company=cast.other_shop
        ),
    )

    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1, results
    assert len(lost) == 1, results
    assert isinstance(lost[0], ApplicationError)
    assert lost[0].code == VendorErrorCode.DEMO_FULL
    assert "満席" in str(lost[0].message)
    assert Booking.objects.filter(demo_slot=demo, status__in=HOLDING_BOOKING_STATUSES).count() == 2


def test_two_overlapping_demos_published_at_once_one_stands(transactional_db):
    cast = make_vendor_cast()
    day = open_day(cast.lab)

    def publish(actor, hour):
        starts, ends = slot(day, hour, 2)
        return demo_slot_publish(
            actor=actor, item=cast.kit, starts_at=starts, ends_at=ends, seats=3
        )

    results = race(
        lambda: publish(cast.vendor_owner, 10),
        lambda: publish(cast.vendor_staff, 11),
    )

    won = [r for r in results if isinstance(r, DemoSlot)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1, results
    assert isinstance(lost[0], ApplicationError), results
    assert lost[0].code == VendorErrorCode.DEMO_OVERLAPS_DEMO
    assert DemoSlot.objects.filter(item=cast.kit).count() == 1
