"""Closing past bookings: the periodic task makes a booking nobody checked in to a no-show
once ``no_show_grace_minutes`` after its start have passed, and completes one in use whose
end has passed (both through ``booking_transition``, by the system); lab staff do either
by hand after the start. A no-show is told to the person."""

import datetime as dt

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories_lab import make_lab_staff
from machikoba.core.testing.factories_lab_bookings import make_booking, make_setting
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import BookingStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.services.bookings import (
    booking_complete,
    booking_mark_no_show,
    bookings_close_past,
)
from machikoba.lab.tasks_bookings import close_past_bookings

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def s():
    return make_setting(no_show_grace_minutes=20)


def _status(booking):
    booking.refresh_from_db()
    return booking.status


def test_the_task_marks_no_shows_after_the_grace(
    s, frozen_clock, django_capture_on_commit_callbacks
):
    late = make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)
    later = make_booking(s.item, s.shop.company, s.shop.owner, day=s.day, hour=11)
    frozen_clock.move_to(late.starts_at + dt.timedelta(minutes=19))
    assert bookings_close_past() == (0, 0)
    frozen_clock.move_to(late.starts_at + dt.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert close_past_bookings.call() == 1
    run_queued_tasks("notification")
    assert _status(late) == BookingStatus.NO_SHOW
    assert _status(later) == BookingStatus.BOOKED
    event = AuditEvent.objects.get(verb="lab_booking.no_show")
    assert event.actor is None
    assert Notification.objects.filter(user=s.shop.floor, kind="lab_booking_no_show").count() == 1
    # Run again: nothing twice.
    assert bookings_close_past() == (0, 0)


def test_the_task_completes_bookings_in_use_whose_end_passed(s, frozen_clock):
    in_use = make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)
    in_use.status = BookingStatus.IN_USE
    in_use.checked_in_at = in_use.starts_at
    in_use.save()
    frozen_clock.move_to(in_use.ends_at - dt.timedelta(minutes=1))
    assert bookings_close_past() == (0, 0)
    frozen_clock.move_to(in_use.ends_at)
    assert bookings_close_past() == (0, 1)
    assert _status(in_use) == BookingStatus.COMPLETED


def test_cancelled_bookings_are_left_alone(s, frozen_clock):
    cancelled = make_booking(
        s.item, s.shop.company, s.shop.floor, day=s.day, status=BookingStatus.CANCELLED
    )
    frozen_clock.move_to(cancelled.ends_at + dt.timedelta(hours=1))
    assert bookings_close_past() == (0, 0)
    assert _status(cancelled) == BookingStatus.CANCELLED


def test_staff_mark_by_hand_after_the_start(s, frozen_clock):
    staff = make_lab_staff()
    gone = make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)
    used = make_booking(s.item, s.shop.company, s.shop.owner, day=s.day, hour=11)
    frozen_clock.move_to(gone.starts_at - dt.timedelta(minutes=1))
    with pytest.raises(ApplicationError) as caught:
        booking_mark_no_show(actor=staff, booking=gone)
    assert caught.value.code == BookingErrorCode.NOT_STARTED
    assert _status(gone) == BookingStatus.BOOKED
    frozen_clock.move_to(used.starts_at + dt.timedelta(minutes=5))
    booking_mark_no_show(actor=staff, booking=gone)
    booking_complete(actor=staff, booking=used)
    assert _status(gone) == BookingStatus.NO_SHOW
    assert _status(used) == BookingStatus.COMPLETED
    assert AuditEvent.objects.get(verb="lab_booking.completed").actor == staff
    # A closed booking is not closed again.
    with pytest.raises(ApplicationError) as caught:
        booking_complete(actor=staff, booking=gone)
    assert caught.value.code == BookingErrorCode.TRANSITION_NOT_ALLOWED


def test_only_the_lab_s_staff_mark(s, frozen_clock):
    booking = make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)
    frozen_clock.move_to(booking.starts_at + dt.timedelta(minutes=5))
    from machikoba.core.testing.factories import SUMIDA

    for actor in (s.shop.owner, s.shop.floor, make_lab_staff(SUMIDA)):
        for mark in (booking_mark_no_show, booking_complete):
            with pytest.raises(ApplicationError) as caught:
                mark(actor=actor, booking=booking)
            assert caught.value.code == BookingErrorCode.NOT_BOOKER
    assert _status(booking) == BookingStatus.BOOKED
