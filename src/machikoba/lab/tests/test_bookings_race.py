"""Real concurrent transactions on PostgreSQL: two people of two shops booking the last
place of an item at the same moment. The item's row is locked before its places are
counted, so exactly one booking is written and the other is refused as full; a booking
moved to a time while someone else books it likewise leaves one booking there.

SQLite serialises writers and has no row locks, so these run on PostgreSQL only (CI
always does: MACHIKOBA_REQUIRE_POSTGRES)."""

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_lab_bookings import make_setting, make_shop
from machikoba.lab.choices import BookingStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models_bookings import Booking
from machikoba.lab.services.bookings import booking_create, booking_modify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
    pytest.mark.clock_sensitive,
]


def _attempt(s, shop, hour, hours=1):
    start, end = s.at(hour, hours)
    return lambda: booking_create(
        actor=shop.owner, item=s.item, company=shop.company, starts_at=start, ends_at=end
    )


def test_two_people_booking_the_last_place_at_once(transactional_db):
    s = make_setting()
    s.item.capacity = 2
    s.item.save()
    third = make_shop("第三精工株式会社")
    _attempt(s, third, 10)()  # one of two places taken
    other = make_shop("他社工業株式会社")
    results = race(_attempt(s, s.shop, 10), _attempt(s, other, 10.5))
    bookings = [r for r in results if isinstance(r, Booking)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(bookings) == 1, results
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError)
    assert errors[0].code == BookingErrorCode.CAPACITY_FULL
    assert Booking.objects.filter(item=s.item, status=BookingStatus.BOOKED).count() == 2


def test_a_booking_moved_to_the_time_another_books_at_once(transactional_db):
    s = make_setting()
    other = make_shop("他社工業株式会社")
    mine = _attempt(s, s.shop, 10)()
    start, end = s.at(14)
    results = race(
        lambda: booking_modify(actor=s.shop.owner, booking=mine, starts_at=start, ends_at=end),
        _attempt(s, other, 14),
    )
    winners = [r for r in results if isinstance(r, Booking)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError)
    assert errors[0].code == BookingErrorCode.CAPACITY_FULL
    held = Booking.objects.filter(item=s.item, status=BookingStatus.BOOKED, starts_at=start)
    assert held.count() == 1
