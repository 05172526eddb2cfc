"""Every refusal of ``booking_create``: its own code, a message that says what to do, and
nothing written (no booking, no audit event). And what passes: the slot grid, a capacity
counted at its peak, the limits just reached."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.clock import weekday_holiday
from machikoba.core.testing.factories import MembershipFactory
from machikoba.core.testing.factories_lab import (
    closed_day,
    give_training,
    make_training,
    make_vendor,
    open_day,
    slot,
)
from machikoba.core.testing.factories_lab_bookings import (
    make_booking,
    make_demo_slot,
    make_entry,
    make_setting,
    make_shop,
)
from machikoba.lab.choices import BookingStatus, EventKind, EventStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models import Closure
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_events import Event
from machikoba.lab.services.bookings import TrainingMissing, booking_create

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def s():
    return make_setting()


def _book(s, start, end, *, user=None, company=None, item=None, purpose="試し"):
    return booking_create(
        actor=user or s.shop.owner,
        item=item or s.item,
        company=company or s.shop.company,
        starts_at=start,
        ends_at=end,
        purpose=purpose,
    )


def refused(s, start, end, code, **kwargs):
    """The booking is refused with ``code``, and nothing is written."""
    bookings, audits = Booking.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        _book(s, start, end, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert Booking.objects.count() == bookings
    assert AuditEvent.objects.count() == audits
    return caught.value


def test_a_booking_is_written_with_its_lab_and_an_audit_event(s):
    start, end = s.at(10, 1.5)
    booking = _book(s, start, end, user=s.shop.floor, purpose="  ピッキングの試験  ")
    assert booking.status == BookingStatus.BOOKED
    assert (booking.lab, booking.item, booking.company) == (s.lab, s.item, s.shop.company)
    assert booking.user == s.shop.floor
    assert booking.purpose == "ピッキングの試験"
    event = AuditEvent.objects.get(verb="lab_booking.create")
    assert event.target_id == str(booking.pk)
    assert event.actor == s.shop.floor


# --- the item ---------------------------------------------------------------------------


def test_an_inactive_item(s):
    s.item.active = False
    s.item.save()
    error = refused(s, *s.at(10), BookingErrorCode.ITEM_INACTIVE)
    assert s.item.name in error.message


def test_an_item_of_a_closed_lab(s):
    s.lab.active = False
    s.lab.save()
    refused(s, *s.at(10), BookingErrorCode.ITEM_INACTIVE)


def test_an_item_that_is_not_booked_by_the_hour(s):
    s.item.bookable = False
    s.item.save()
    error = refused(s, *s.at(10), BookingErrorCode.ITEM_NOT_BOOKABLE)
    assert "時間予約の対象ではありません" in error.message


# --- who --------------------------------------------------------------------------------


def test_someone_not_of_the_company(s):
    other = make_shop("他社工業株式会社")
    refused(s, *s.at(10), BookingErrorCode.NOT_A_MEMBER, user=other.owner)


def test_a_vendor_does_not_book_the_lab_items(s):
    vendor = make_vendor()
    error = refused(
        s,
        *s.at(10),
        BookingErrorCode.COMPANY_NOT_ELIGIBLE,
        user=vendor.memberships.get().user,
        company=vendor,
    )
    assert "ITベンダー" in error.message


def test_every_member_role_may_book(s):
    for hour, user in ((9, s.shop.owner), (11, s.shop.staff), (13, s.shop.floor)):
        _book(s, *s.at(hour), user=user)
    assert Booking.objects.count() == 3


# --- when -------------------------------------------------------------------------------


def test_end_before_start(s):
    start, _end = s.at(11)
    refused(s, start, start - dt.timedelta(hours=1), BookingErrorCode.INVALID_TIMES)
    refused(s, start, start, BookingErrorCode.INVALID_TIMES)


def test_in_the_past(s):
    start, end = slot(timezone.localdate() - dt.timedelta(days=7), 10)
    error = refused(s, start, end, BookingErrorCode.IN_THE_PAST)
    assert "過去の時間" in error.message


def test_beyond_the_days_ahead(s):
    last = timezone.localdate() + dt.timedelta(days=s.lab.book_days_ahead)
    error = refused(s, *slot(open_day(s.lab, after=last), 10), BookingErrorCode.TOO_FAR_AHEAD)
    assert last.strftime("%Y/%m/%d") in error.message
    # The last day itself may be booked when the lab opens then.
    s.lab.book_days_ahead = (s.day - timezone.localdate()).days
    s.lab.save()
    assert _book(s, *s.at(10)).pk


def test_a_weekly_closed_day(s):
    day = closed_day(s.lab)
    error = refused(s, *slot(day, 10), BookingErrorCode.CLOSED_DAY)
    assert "休館日" in error.message


def test_a_public_holiday(s):
    s.lab.book_days_ahead = 400
    s.lab.closed_year_end = False  # 元日 is a holiday too, but would be the year end's
    s.lab.save()
    holiday = weekday_holiday(after=timezone.localdate())
    error = refused(s, *slot(holiday, 10), BookingErrorCode.CLOSED_DAY)
    assert "祝日" in error.message


def test_the_year_end(s):
    s.lab.book_days_ahead = 400
    s.lab.save()
    today = timezone.localdate()
    year_end = today.replace(month=12, day=30)
    if year_end <= today:
        year_end = year_end.replace(year=today.year + 1)
    error = refused(s, *slot(year_end, 10), BookingErrorCode.CLOSED_DAY)
    assert "年末年始" in error.message


def test_a_closure_of_the_lab(s):
    Closure.objects.create(lab=s.lab, starts_on=s.day, ends_on=s.day, reason="設備点検")
    error = refused(s, *s.at(10), BookingErrorCode.CLOSED_DAY)
    assert "設備点検" in error.message


def test_outside_the_opening_hours(s):
    error = refused(s, *s.at(8), BookingErrorCode.OUTSIDE_HOURS)
    assert "09:00〜18:00" in error.message
    refused(s, *s.at(17.5, 1), BookingErrorCode.OUTSIDE_HOURS)  # ends 18:30


def test_off_the_slot_grid(s):
    start, _end = s.at(10)
    error = refused(
        s,
        start + dt.timedelta(minutes=15),
        start + dt.timedelta(hours=1),
        BookingErrorCode.OFF_GRID,
    )
    assert "30 分単位" in error.message
    refused(s, start, start + dt.timedelta(minutes=45), BookingErrorCode.OFF_GRID)
    # On the grid: half past.
    assert _book(s, start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=90)).pk


# --- the lab's rules ------------------------------------------------------------------


def test_a_full_slot(s):
    other = make_shop("他社工業株式会社")
    make_booking(s.item, other.company, other.owner, day=s.day, hour=10)
    error = refused(s, *s.at(10.5), BookingErrorCode.CAPACITY_FULL)
    assert "空き待ち" in error.message
    assert error.status_code == 409


def test_capacity_is_counted_at_its_peak(s):
    s.item.capacity = 2
    s.item.save()
    other = make_shop("他社工業株式会社")
    make_booking(s.item, other.company, other.owner, day=s.day, hour=10)
    make_booking(s.item, other.company, other.owner, day=s.day, hour=11)
    # 10–12 overlaps both, but never two at once: one place is left all along.
    assert _book(s, *s.at(10, 2)).pk
    refused(s, *s.at(10.5), BookingErrorCode.CAPACITY_FULL)


def test_cancelled_and_no_show_bookings_hold_no_place(s):
    other = make_shop("他社工業株式会社")
    make_booking(s.item, other.company, other.owner, day=s.day, status=BookingStatus.CANCELLED)
    make_booking(s.item, other.company, other.owner, day=s.day, status=BookingStatus.NO_SHOW)
    assert _book(s, *s.at(10)).pk


def test_an_open_waitlist_offer_holds_its_place(s):
    other = make_shop("他社工業株式会社")
    make_entry(s.item, other.company, other.owner, *s.at(10), offer_hours=2)
    refused(s, *s.at(10), BookingErrorCode.CAPACITY_FULL)


def test_a_vendor_demo_blocks_the_item(s):
    make_demo_slot(s.item, *s.at(13, 2))
    error = refused(s, *s.at(14), BookingErrorCode.DEMO_SLOT)
    assert "デモ" in error.message
    assert _book(s, *s.at(15)).pk  # right after it
    s.item.demo_slots.update(cancelled_at=timezone.now())
    assert _book(s, *s.at(13)).pk


def test_the_monthly_hours_of_the_company(s):
    s.lab.max_hours_per_company_month = 3
    s.lab.save()
    make_booking(s.item, s.shop.company, s.shop.staff, day=s.day, hour=9, hours=2)
    error = refused(s, *s.at(12, 1.5), BookingErrorCode.MONTHLY_HOURS)
    assert "3 時間までです" in error.message
    assert "すでに 2 時間の予約" in error.message
    assert _book(s, *s.at(12, 1)).pk  # exactly the limit


def test_a_no_show_blocks_at_the_limit(s):
    s.lab.no_show_limit = 2
    s.lab.save()
    past = timezone.now() - dt.timedelta(days=10)
    make_booking(
        s.item,
        s.shop.company,
        s.shop.owner,
        starts_at=past,
        ends_at=past + dt.timedelta(hours=1),
        status=BookingStatus.NO_SHOW,
    )
    assert _book(s, *s.at(10)).pk  # one no-show: still allowed
    make_booking(
        s.item,
        s.shop.company,
        s.shop.floor,
        starts_at=past - dt.timedelta(days=5),
        ends_at=past - dt.timedelta(days=5, hours=-1),
        status=BookingStatus.NO_SHOW,
    )
    error = refused(s, *s.at(14), BookingErrorCode.NO_SHOW_BLOCKED)
    assert "無断キャンセル" in error.message
    until = timezone.localtime(past - dt.timedelta(days=5) + dt.timedelta(days=90))
    assert until.strftime("%Y/%m/%d") in error.message


def test_no_shows_older_than_90_days_do_not_count(s):
    s.lab.no_show_limit = 1
    s.lab.save()
    old = timezone.now() - dt.timedelta(days=91)
    make_booking(
        s.item,
        s.shop.company,
        s.shop.owner,
        starts_at=old,
        ends_at=old + dt.timedelta(hours=1),
        status=BookingStatus.NO_SHOW,
    )
    assert _book(s, *s.at(10)).pk


def test_another_company_is_not_blocked_by_my_no_shows(s):
    s.lab.no_show_limit = 1
    s.lab.save()
    past = timezone.now() - dt.timedelta(days=3)
    make_booking(
        s.item,
        s.shop.company,
        s.shop.owner,
        starts_at=past,
        ends_at=past + dt.timedelta(hours=1),
        status=BookingStatus.NO_SHOW,
    )
    other = make_shop("他社工業株式会社")
    assert _book(s, *s.at(10), user=other.owner, company=other.company).pk


# --- trainings ------------------------------------------------------------------------------


def _session(s, training, *, days=1, status=EventStatus.PUBLISHED):
    start = timezone.now() + dt.timedelta(days=days)
    return Event.objects.create(
        lab=s.lab,
        kind=EventKind.TRAINING,
        title="協働ロボット安全講習 (第3回)",
        training=training,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
        status=status,
    )


def test_a_missing_training_names_it_and_links_its_next_session(s):
    training = make_training(s.lab, [s.item])
    _session(s, training, days=-1)  # over
    _session(s, training, days=2, status=EventStatus.DRAFT)  # not published
    later = _session(s, training, days=9)
    sooner = _session(s, training, days=4)
    error = refused(s, *s.at(10), BookingErrorCode.TRAINING_MISSING)
    assert isinstance(error, TrainingMissing)
    assert "協働ロボット安全講習" in error.message
    assert error.link == f"/lab/events/{sooner.pk}/"
    assert sooner.title in error.link_label
    assert later.pk != sooner.pk


def test_a_missing_training_without_a_session_says_to_ask_the_lab(s):
    s.lab.phone = "03-1234-5678"
    s.lab.save()
    make_training(s.lab, [s.item])
    error = refused(s, *s.at(10), BookingErrorCode.TRAINING_MISSING)
    assert "予定されている講習がありません" in error.message
    assert "03-1234-5678" in error.message
    assert error.link == ""


def test_an_expired_training_record_does_not_count(s):
    training = make_training(s.lab, [s.item], validity_days=30)
    give_training(s.shop.owner, training, passed_days_ago=40)
    refused(s, *s.at(10), BookingErrorCode.TRAINING_MISSING)


def test_the_training_is_the_person_s_own(s):
    training = make_training(s.lab, [s.item])
    give_training(s.shop.owner, training)
    assert _book(s, *s.at(10)).pk
    refused(s, *s.at(12), BookingErrorCode.TRAINING_MISSING, user=s.shop.floor)


def test_a_member_of_two_companies_books_for_the_one_named():
    s = make_setting()
    second = make_shop("第二工業株式会社")
    MembershipFactory(company=second.company, user=s.shop.floor, role="floor_worker")
    booking = _book(s, *s.at(10), user=s.shop.floor, company=second.company)
    assert booking.company == second.company
