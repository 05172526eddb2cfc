"""The company's hours per calendar month (``max_hours_per_company_month``) are counted in
Japan time, month by month: hours booked at the end of one month do not count against the
next, even for a booking at 07:00 JST on the 1st, which is still the previous month in UTC.
The clock is frozen ten days before the month ends."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.clock import TOKYO
from machikoba.core.testing.factories_lab_bookings import make_booking, make_setting
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models_bookings import Booking
from machikoba.lab.services.bookings import booking_create

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

EARLY_ALL_WEEK = {day: (dt.time(7), dt.time(18)) for day in range(7)}


def _first_of_next_month() -> dt.date:
    today = timezone.localdate()
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def test_monthly_hours_across_a_month_boundary(frozen_clock):
    first = _first_of_next_month()
    frozen_clock.move_to(dt.datetime.combine(first - dt.timedelta(days=10), dt.time(12), TOKYO))
    s = make_setting(
        hours=EARLY_ALL_WEEK,
        closed_on_holidays=False,
        closed_year_end=False,
        max_hours_per_company_month=4,
    )
    last_day = first - dt.timedelta(days=1)
    make_booking(
        s.item,
        s.shop.company,
        s.shop.owner,
        starts_at=dt.datetime.combine(last_day, dt.time(9), TOKYO),
        ends_at=dt.datetime.combine(last_day, dt.time(12), TOKYO),
    )

    def book(day, hour, hours):
        start = dt.datetime.combine(day, dt.time(hour), TOKYO)
        return booking_create(
            actor=s.shop.owner,
            item=s.item,
            company=s.shop.company,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
        )

    # This month: 3 of 4 hours used; two more do not fit.
    with pytest.raises(ApplicationError) as caught:
        book(last_day, 14, 2)
    assert caught.value.code == BookingErrorCode.MONTHLY_HOURS
    assert f"{last_day.month}月" in caught.value.message
    assert Booking.objects.count() == 1
    # 07:00 JST on the 1st (22:00 UTC the day before): next month, all four hours free.
    early = book(first, 7, 4)
    assert early.starts_at.astimezone(dt.UTC).month != first.month
    # and now next month is full, this month still has its hour.
    with pytest.raises(ApplicationError) as caught:
        book(first, 13, 1)
    assert caught.value.code == BookingErrorCode.MONTHLY_HOURS
    assert f"{first.month}月" in caught.value.message
    assert book(last_day, 14, 1).pk
