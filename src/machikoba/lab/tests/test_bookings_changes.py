"""Changing and cancelling a booking: until the cut-off (``cutoff_hours`` before the start)
by the person who booked and the company's owner and staff, after it refused with the
deadline in the message; the lab's staff cancel any time (and the person is told). A new
time passes the same checks as a booking, its own place not counted against it."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA
from machikoba.core.testing.factories_lab import make_lab_staff
from machikoba.core.testing.factories_lab_bookings import (
    make_booking,
    make_demo_slot,
    make_setting,
    make_shop,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import BookingStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models_bookings import Booking
from machikoba.lab.services.bookings import booking_cancel, booking_modify

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def s():
    return make_setting()


@pytest.fixture
def booking(s):
    return make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)


def _state(booking):
    booking.refresh_from_db()
    return (booking.status, booking.starts_at, booking.ends_at, booking.cancelled_at)


def refused(call, booking, code):
    before, audits = _state(booking), AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert _state(booking) == before
    assert AuditEvent.objects.count() == audits
    return caught.value


# --- changing the time ------------------------------------------------------------------


def test_the_booker_moves_the_time(s, booking):
    start, end = s.at(14, 2)
    booking_modify(
        actor=s.shop.floor, booking=booking, starts_at=start, ends_at=end, purpose="再試験"
    )
    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at, booking.purpose) == (start, end, "再試験")
    event = AuditEvent.objects.get(verb="lab_booking.modify")
    assert dt.datetime.fromisoformat(event.before["starts_at"]) == s.at(10)[0]


def test_its_own_place_is_not_counted_against_the_new_time(s, booking):
    start, end = s.at(10.5)  # overlaps where it stands, capacity 1
    booking_modify(actor=s.shop.floor, booking=booking, starts_at=start, ends_at=end)
    booking.refresh_from_db()
    assert booking.starts_at == start


def test_the_company_s_editors_change_a_member_s_booking(s, booking):
    booking_modify(actor=s.shop.staff, booking=booking, starts_at=s.at(12)[0], ends_at=s.at(12)[1])
    booking_modify(actor=s.shop.owner, booking=booking, starts_at=s.at(13)[0], ends_at=s.at(13)[1])


def test_another_floor_worker_may_not(s):
    booking = make_booking(s.item, s.shop.company, s.shop.staff, day=s.day)
    other_floor = make_shop("他社").floor
    for actor in (s.shop.floor, other_floor):
        refused(
            lambda actor=actor: booking_modify(
                actor=actor, booking=booking, starts_at=s.at(12)[0], ends_at=s.at(12)[1]
            ),
            booking,
            BookingErrorCode.NOT_BOOKER,
        )


def test_the_new_time_passes_every_check(s, booking):
    other = make_shop("他社工業株式会社")
    make_booking(s.item, other.company, other.owner, day=s.day, hour=15)
    make_demo_slot(s.item, *s.at(16))
    cases = [
        (s.at(15), BookingErrorCode.CAPACITY_FULL),
        (s.at(16), BookingErrorCode.DEMO_SLOT),
        (s.at(8), BookingErrorCode.OUTSIDE_HOURS),
        ((s.at(10)[0] + dt.timedelta(minutes=10), s.at(11)[0]), BookingErrorCode.OFF_GRID),
    ]
    for (start, end), code in cases:
        refused(
            lambda start=start, end=end: booking_modify(
                actor=s.shop.floor, booking=booking, starts_at=start, ends_at=end
            ),
            booking,
            code,
        )


def test_nothing_to_change(s, booking):
    refused(
        lambda: booking_modify(
            actor=s.shop.floor,
            booking=booking,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
        ),
        booking,
        BookingErrorCode.UNCHANGED,
    )


def test_a_cancelled_booking_is_not_changed(s, booking):
    booking_cancel(actor=s.shop.floor, booking=booking)
    refused(
        lambda: booking_modify(
            actor=s.shop.floor, booking=booking, starts_at=s.at(12)[0], ends_at=s.at(12)[1]
        ),
        booking,
        BookingErrorCode.TRANSITION_NOT_ALLOWED,
    )


# --- cancelling -------------------------------------------------------------------------


def test_the_booker_cancels_before_the_cut_off(s, booking):
    booking_cancel(actor=s.shop.floor, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_at is not None
    assert AuditEvent.objects.filter(verb="lab_booking.cancelled").count() == 1
    # The place is free again.
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 0


def test_after_the_cut_off_both_are_refused_with_the_deadline(s, booking, frozen_clock):
    deadline = booking.starts_at - dt.timedelta(hours=s.lab.cutoff_hours)
    frozen_clock.move_to(deadline - dt.timedelta(minutes=1))
    booking_modify(
        actor=s.shop.floor, booking=booking, starts_at=s.at(10.5)[0], ends_at=s.at(10.5)[1]
    )
    booking.refresh_from_db()
    # The deadline follows the new start.
    deadline = booking.starts_at - dt.timedelta(hours=s.lab.cutoff_hours)
    frozen_clock.move_to(deadline)
    shown = timezone.localtime(deadline).strftime("%Y/%m/%d %H:%M")
    error = refused(
        lambda: booking_cancel(actor=s.shop.floor, booking=booking),
        booking,
        BookingErrorCode.CUTOFF_PASSED,
    )
    assert shown in error.message
    error = refused(
        lambda: booking_modify(
            actor=s.shop.owner, booking=booking, starts_at=s.at(14)[0], ends_at=s.at(14)[1]
        ),
        booking,
        BookingErrorCode.CUTOFF_PASSED,
    )
    assert shown in error.message


def test_lab_staff_cancel_any_time_and_the_person_is_told(
    s, booking, frozen_clock, django_capture_on_commit_callbacks
):
    frozen_clock.move_to(booking.starts_at - dt.timedelta(hours=1))
    staff = make_lab_staff()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=staff, booking=booking)
    run_queued_tasks("notification")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    notice = Notification.objects.get(user=s.shop.floor, kind="lab_booking_cancelled_by_lab")
    assert s.item.name in notice.title


def test_staff_of_another_ward_find_nothing_to_cancel(s, booking):
    staff = make_lab_staff(SUMIDA)
    refused(
        lambda: booking_cancel(actor=staff, booking=booking),
        booking,
        BookingErrorCode.NOT_BOOKER,
    )


def test_a_booking_is_cancelled_once(s, booking):
    booking_cancel(actor=s.shop.floor, booking=booking)
    refused(
        lambda: booking_cancel(actor=s.shop.floor, booking=booking),
        booking,
        BookingErrorCode.TRANSITION_NOT_ALLOWED,
    )
