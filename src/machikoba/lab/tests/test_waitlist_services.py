"""The waitlist: joining a full time, the offer when a booking is cancelled (to the
earliest entry whose time now fits, with a notice and a deadline), accepting it (a booking
through the same checks), declining it, and the periodic task that expires offers and
offers the time to the next in line."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories_lab import make_training
from machikoba.core.testing.factories_lab_bookings import (
    make_booking,
    make_entry,
    make_setting,
    make_shop,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import BookingStatus, WaitlistStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.services.bookings import booking_cancel, booking_create, booking_modify
from machikoba.lab.services.waitlist import (
    waitlist_accept,
    waitlist_cancel,
    waitlist_expire,
    waitlist_join,
)
from machikoba.lab.tasks_bookings import expire_waitlist_offers

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def s():
    setting = make_setting()
    setting.other = make_shop("他社工業株式会社")
    # The other shop holds 10:00–11:00.
    setting.held = make_booking(
        setting.item, setting.other.company, setting.other.owner, day=setting.day, hour=10
    )
    return setting


def _join(s, start, end, user=None, company=None):
    return waitlist_join(
        actor=user or s.shop.owner,
        item=s.item,
        company=company or s.shop.company,
        starts_at=start,
        ends_at=end,
        purpose="空いたら使いたい",
    )


def _status(entry):
    entry.refresh_from_db()
    return entry.status


# --- joining ----------------------------------------------------------------------------


def test_join_a_full_time(s):
    entry = _join(s, *s.at(10))
    assert entry.status == WaitlistStatus.WAITING
    assert (entry.company, entry.user, entry.purpose) == (
        s.shop.company,
        s.shop.owner,
        "空いたら使いたい",
    )
    assert AuditEvent.objects.filter(verb="lab_waitlist.join").count() == 1


def test_a_time_with_a_place_is_booked_not_waited_for(s):
    with pytest.raises(ApplicationError) as caught:
        _join(s, *s.at(14))
    assert caught.value.code == BookingErrorCode.WAITLIST_NOT_FULL
    assert not WaitlistEntry.objects.exists()


def test_one_entry_per_person_and_time(s):
    _join(s, *s.at(10))
    with pytest.raises(ApplicationError) as caught:
        _join(s, *s.at(10.5, 0.5))
    assert caught.value.code == BookingErrorCode.WAITLIST_DUPLICATE
    assert WaitlistEntry.objects.count() == 1


def test_the_other_rules_still_refuse_the_entry(s):
    make_training(s.lab, [s.item])
    with pytest.raises(ApplicationError) as caught:
        _join(s, *s.at(10))
    assert caught.value.code == BookingErrorCode.TRAINING_MISSING
    with pytest.raises(ApplicationError) as caught:
        _join(s, *s.at(8))
    assert caught.value.code == BookingErrorCode.OUTSIDE_HOURS
    assert not WaitlistEntry.objects.exists()


# --- the offer --------------------------------------------------------------------------------


def test_a_cancellation_offers_the_time_to_the_earliest_entry(
    s, frozen_clock, django_capture_on_commit_callbacks
):
    first = _join(s, *s.at(10))
    third = make_shop("第三精工株式会社")
    second = _join(s, *s.at(10), user=third.owner, company=third.company)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=s.other.owner, booking=s.held)
    run_queued_tasks("notification")
    first.refresh_from_db()
    assert first.status == WaitlistStatus.OFFERED
    assert first.offer_expires_at == timezone.now() + dt.timedelta(hours=s.lab.offer_hours)
    assert _status(second) == WaitlistStatus.WAITING  # one place freed, one offer
    notice = Notification.objects.get(user=s.shop.owner, kind="lab_waitlist_offer")
    assert notice.url == f"/lab/bookings/#offer-{first.pk}"
    assert s.item.name in notice.title
    assert not Notification.objects.filter(user=third.owner).exists()


def test_only_an_entry_whose_time_now_fits_is_offered(s):
    make_booking(s.item, s.other.company, s.other.owner, day=s.day, hour=11)
    longer = _join(s, *s.at(10, 2))  # 10–12: 11–12 stays held
    fits = _join(s, *s.at(10), user=s.shop.staff)
    booking_cancel(actor=s.other.owner, booking=s.held)
    assert _status(longer) == WaitlistStatus.WAITING
    assert _status(fits) == WaitlistStatus.OFFERED


def test_moving_a_booking_frees_its_old_time(s):
    entry = _join(s, *s.at(10))
    booking_modify(actor=s.other.owner, booking=s.held, starts_at=s.at(15)[0], ends_at=s.at(15)[1])
    assert _status(entry) == WaitlistStatus.OFFERED


def test_an_offer_never_lasts_past_the_start(s, frozen_clock):
    entry = _join(s, *s.at(10))
    s.lab.offer_hours = 24 * 30
    s.lab.cutoff_hours = 0
    s.lab.save()
    booking_cancel(actor=s.other.owner, booking=s.held)
    entry.refresh_from_db()
    assert entry.offer_expires_at == entry.starts_at


# --- accepting, declining ----------------------------------------------------------------------


def _offered(s):
    entry = _join(s, *s.at(10))
    booking_cancel(actor=s.other.owner, booking=s.held)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    return entry


def test_the_offer_holds_the_place_until_accepted(s):
    entry = _offered(s)
    with pytest.raises(ApplicationError) as caught:
        booking_create(
            actor=s.other.owner,
            item=s.item,
            company=s.other.company,
            starts_at=s.at(10)[0],
            ends_at=s.at(10)[1],
        )
    assert caught.value.code == BookingErrorCode.CAPACITY_FULL
    booking = waitlist_accept(actor=s.shop.owner, entry=entry)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    assert entry.booking == booking
    assert (booking.user, booking.company, booking.starts_at) == (
        s.shop.owner,
        s.shop.company,
        s.at(10)[0],
    )
    assert booking.status == BookingStatus.BOOKED
    assert booking.purpose == "空いたら使いたい"


def test_only_the_person_accepts(s):
    entry = _offered(s)
    for actor in (s.shop.staff, s.other.owner):
        with pytest.raises(ApplicationError) as caught:
            waitlist_accept(actor=actor, entry=entry)
        assert caught.value.code == BookingErrorCode.NOT_BOOKER
    assert _status(entry) == WaitlistStatus.OFFERED
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 0


def test_accepting_passes_the_booking_checks(s):
    entry = _offered(s)
    make_training(s.lab, [s.item])  # required since
    with pytest.raises(ApplicationError) as caught:
        waitlist_accept(actor=s.shop.owner, entry=entry)
    assert caught.value.code == BookingErrorCode.TRAINING_MISSING
    assert _status(entry) == WaitlistStatus.OFFERED
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()


def test_a_waiting_entry_is_not_accepted(s):
    entry = _join(s, *s.at(10))
    with pytest.raises(ApplicationError) as caught:
        waitlist_accept(actor=s.shop.owner, entry=entry)
    assert caught.value.code == BookingErrorCode.WAITLIST_NOT_OPEN


def test_an_expired_offer_is_not_accepted(s, frozen_clock):
    entry = _offered(s)
    frozen_clock.move_to(entry.offer_expires_at)
    with pytest.raises(ApplicationError) as caught:
        waitlist_accept(actor=s.shop.owner, entry=entry)
    assert caught.value.code == BookingErrorCode.OFFER_EXPIRED
    assert _status(entry) == WaitlistStatus.OFFERED  # the task expires it
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()


def test_declining_offers_the_time_to_the_next(s):
    entry = _join(s, *s.at(10))
    following = _join(s, *s.at(10), user=s.shop.staff)
    booking_cancel(actor=s.other.owner, booking=s.held)
    waitlist_cancel(actor=s.shop.owner, entry=entry)
    assert _status(entry) == WaitlistStatus.CANCELLED
    assert _status(following) == WaitlistStatus.OFFERED


def test_leaving_the_waitlist_twice(s):
    entry = _join(s, *s.at(10))
    waitlist_cancel(actor=s.shop.owner, entry=entry)
    with pytest.raises(ApplicationError) as caught:
        waitlist_cancel(actor=s.shop.owner, entry=entry)
    assert caught.value.code == BookingErrorCode.WAITLIST_NOT_OPEN


# --- the periodic task -------------------------------------------------------------------------


def test_the_task_expires_offers_and_offers_the_next(s, frozen_clock):
    entry = _join(s, *s.at(10))
    following = _join(s, *s.at(10), user=s.shop.staff)
    booking_cancel(actor=s.other.owner, booking=s.held)
    entry.refresh_from_db()
    frozen_clock.move_to(entry.offer_expires_at - dt.timedelta(minutes=1))
    assert waitlist_expire() == 0
    assert _status(entry) == WaitlistStatus.OFFERED
    frozen_clock.move_to(entry.offer_expires_at)
    assert expire_waitlist_offers.call() == 1
    assert _status(entry) == WaitlistStatus.EXPIRED
    assert _status(following) == WaitlistStatus.OFFERED
    assert AuditEvent.objects.filter(verb="lab_waitlist.expire", actor=None).count() == 1


def test_the_task_expires_entries_whose_time_began(s, frozen_clock):
    entry = _join(s, *s.at(10))
    frozen_clock.move_to(entry.starts_at)
    assert waitlist_expire() == 1
    assert _status(entry) == WaitlistStatus.EXPIRED


def test_an_offer_elsewhere_is_left_alone(s):
    other_entry = make_entry(s.item, s.other.company, s.other.owner, *s.at(14), offer_hours=3)
    assert waitlist_expire() == 0
    assert _status(other_entry) == WaitlistStatus.OFFERED
