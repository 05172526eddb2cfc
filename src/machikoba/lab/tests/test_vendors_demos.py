"""Vendors' demo slots through their services: publishing (the exhibiting vendor's owner
or staff only; in the future, within the lab's hours, not over another demo of the item nor
a booking that holds it; seats 1–50), cancelling (seats cancelled, shops told), and the
seats shops book (one per company, up to the seats; refused when full, cancelled or past).
Each refusal says why in Japanese, carries its code and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories_lab import (
    closed_day,
    make_training,
    open_day,
    slot,
)
from machikoba.core.testing.factories_lab_vendors import (
    make_demo_seat,
    make_demo_slot,
    make_vendor_cast,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import BookingStatus
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.services.demos import (
    demo_booking_cancel,
    demo_booking_create,
    demo_slot_cancel,
    demo_slot_publish,
)

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def cast(db):
    return make_vendor_cast()


def refused(code, call, *, message):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    text = str(caught.value.message) + " ".join(
        str(m) for msgs in caught.value.fields.values() for m in msgs
    )
    assert message in text, text
    return caught.value


def publish(cast, *, actor=None, item=None, day=None, hour=10, hours=1, seats=3, note=""):
    item = item or cast.kit
    starts, ends = slot(day or open_day(cast.lab), hour, hours)
    return demo_slot_publish(
        actor=actor or cast.vendor_owner,
        item=item,
        starts_at=starts,
        ends_at=ends,
        seats=seats,
        note=note,
    )


# --- publishing ---------------------------------------------------------------------------


def test_the_vendors_owner_publishes_a_demo_of_its_exhibit(cast):
    day = open_day(cast.lab, 2)
    demo = publish(cast, day=day, hour=13, hours=1.5, seats=4, note=" 稼働監視の実演 ")

    demo.refresh_from_db()
    assert demo.item == cast.kit
    assert (demo.starts_at, demo.ends_at) == slot(day, 13, 1.5)
    assert (demo.seats, demo.note, demo.published_by) == (4, "稼働監視の実演", cast.vendor_owner)
    assert demo.cancelled_at is None
    event = AuditEvent.objects.get(verb="lab_demo_slot.publish")
    assert event.company == cast.vendor
    assert event.actor == cast.vendor_owner


def test_the_vendors_staff_publishes_too(cast):
    assert publish(cast, actor=cast.vendor_staff).published_by == cast.vendor_staff


@pytest.mark.parametrize(
    "who", ["vendor_worker", "other_vendor_owner", "lab_staff", "officer", "shop_owner"]
)
def test_only_the_exhibiting_vendors_owner_and_staff_publish(cast, who):
    actor = cast.shop.owner if who == "shop_owner" else getattr(cast, who)
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: publish(cast, actor=actor),
        message="出展しているベンダーの経営者とスタッフだけ",
    )
    assert not DemoSlot.objects.exists()


def test_a_lab_owned_item_or_a_withdrawn_exhibit_has_no_demo(cast):
    refused(
        VendorErrorCode.NOT_AN_EXHIBIT,
        lambda: publish(cast, item=cast.cobot),
        message="ベンダーの展示品ではありません",
    )
    cast.kit.active = False
    cast.kit.save()
    refused(
        VendorErrorCode.NOT_AN_EXHIBIT,
        lambda: publish(cast),
        message="いま公開されていません",
    )
    assert not DemoSlot.objects.exists()


def test_a_demo_lies_within_the_labs_opening_hours(cast):
    refused(
        VendorErrorCode.DEMO_OUTSIDE_HOURS,
        lambda: publish(cast, day=closed_day(cast.lab)),
        message="休館日です",
    )
    refused(
        VendorErrorCode.DEMO_OUTSIDE_HOURS,
        lambda: publish(cast, hour=8),
        message="開館時間 (09:00〜18:00) の中で",
    )
    refused(
        VendorErrorCode.DEMO_OUTSIDE_HOURS,
        lambda: publish(cast, hour=17, hours=2),
        message="開館時間",
    )
    assert not DemoSlot.objects.exists()


def test_a_demo_starts_in_the_future_and_ends_after_it_starts(cast):
    now = timezone.now()
    refused(
        VendorErrorCode.DEMO_IN_PAST,
        lambda: demo_slot_publish(
            actor=cast.vendor_owner,
            item=cast.kit,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=1),
            seats=3,
        ),
        message="これから先の日時",
    )
    starts, _ends = slot(open_day(cast.lab), 11)
    refused(
        VendorErrorCode.DEMO_INVALID,
        lambda: demo_slot_publish(
            actor=cast.vendor_owner, item=cast.kit, starts_at=starts, ends_at=starts, seats=3
        ),
        message="終了は開始より後に",
    )
    assert not DemoSlot.objects.exists()


def test_a_demo_is_published_at_most_the_labs_booking_horizon_ahead(cast):
    cast.lab.book_days_ahead = 5
    cast.lab.save()
    refused(
        VendorErrorCode.DEMO_TOO_FAR,
        lambda: publish(cast, day=open_day(cast.lab, 10)),
        message="5 日先",
    )
    assert not DemoSlot.objects.exists()


@pytest.mark.parametrize(("seats", "message"), [(0, "1社以上"), (51, "50 社まで")])
def test_seats_are_one_to_fifty(cast, seats, message):
    error = refused(
        VendorErrorCode.DEMO_INVALID, lambda: publish(cast, seats=seats), message=message
    )
    assert "seats" in error.fields
    assert not DemoSlot.objects.exists()


def test_a_demo_does_not_overlap_another_demo_of_the_item(cast):
    day = open_day(cast.lab)
    make_demo_slot(cast.kit, day=day, hour=10, hours=2)
    refused(
        VendorErrorCode.DEMO_OVERLAPS_DEMO,
        lambda: publish(cast, day=day, hour=11),
        message="別のデモがあります",
    )
    assert DemoSlot.objects.count() == 1
    # right after it, another item at the same time, or over a cancelled demo: fine
    publish(cast, day=day, hour=12)
    make_demo_slot(cast.software, day=day, hour=14, cancelled_at=timezone.now())
    publish(cast, day=day, hour=14)
    publish(cast, item=cast.software, day=day, hour=10)
    assert DemoSlot.objects.filter(cancelled_at__isnull=True).count() == 4


def test_a_demo_does_not_overlap_a_booking_that_holds_the_item(cast):
    day = open_day(cast.lab)
    starts, ends = slot(day, 10, 2)
    Booking.objects.create(
        lab=cast.lab,
        item=cast.kit,
        company=cast.shop,
        user=cast.shop.owner,
        starts_at=starts,
        ends_at=ends,
    )
    refused(
        VendorErrorCode.DEMO_OVERLAPS_BOOKING,
        lambda: publish(cast, day=day, hour=11),
        message="利用の予約が入っています",
    )
    assert not DemoSlot.objects.exists()
    Booking.objects.update(status=BookingStatus.CANCELLED)
    publish(cast, day=day, hour=11)


# --- cancelling a demo ---------------------------------------------------------------------


def test_cancelling_a_demo_cancels_its_seats_and_tells_the_shops(
    cast, django_capture_on_commit_callbacks
):
    demo = make_demo_slot(cast.kit)
    seat = make_demo_seat(demo, cast.shop, cast.shop.worker)
    gone = make_demo_seat(demo, cast.other_shop, status=BookingStatus.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        demo_slot_cancel(actor=cast.vendor_staff, slot=demo, reason="講師の体調不良のため")
    run_queued_tasks("notification")

    demo.refresh_from_db()
    seat.refresh_from_db()
    gone.refresh_from_db()
    assert demo.cancelled_at is not None
    assert demo.cancel_reason == "講師の体調不良のため"
    assert seat.status == BookingStatus.CANCELLED
    assert seat.cancelled_at == demo.cancelled_at
    notices = Notification.objects.filter(kind="lab_demo_cancelled")
    assert set(notices.values_list("user", flat=True)) == {
        cast.shop.owner.pk,
        cast.shop.staff.pk,
        cast.shop.worker.pk,
    }
    assert "講師の体調不良のため" in notices.first().body
    assert AuditEvent.objects.filter(verb="lab_demo_slot.cancel").exists()
    assert AuditEvent.objects.filter(verb="lab_booking.cancelled").count() == 1


def test_the_labs_staff_may_call_a_demo_off(cast):
    demo = make_demo_slot(cast.kit)
    demo_slot_cancel(actor=cast.lab_staff, slot=demo)
    demo.refresh_from_db()
    assert demo.cancelled_at is not None


@pytest.mark.parametrize("who", ["other_vendor_owner", "vendor_worker", "officer"])
def test_others_cannot_call_a_demo_off(cast, who):
    demo = make_demo_slot(cast.kit)
    seat = make_demo_seat(demo, cast.shop)
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: demo_slot_cancel(actor=getattr(cast, who), slot=demo),
        message="デモを中止できるのは",
    )
    demo.refresh_from_db()
    seat.refresh_from_db()
    assert demo.cancelled_at is None
    assert seat.status == BookingStatus.BOOKED


def test_a_cancelled_or_past_demo_cannot_be_called_off(cast):
    demo = make_demo_slot(cast.kit, cancelled_at=timezone.now())
    refused(
        VendorErrorCode.DEMO_CANCELLED,
        lambda: demo_slot_cancel(actor=cast.vendor_owner, slot=demo),
        message="中止になりました",
    )
    starts = timezone.now() - dt.timedelta(minutes=30)
    past = DemoSlot.objects.create(
        item=cast.kit, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), seats=2
    )
    refused(
        VendorErrorCode.DEMO_STARTED,
        lambda: demo_slot_cancel(actor=cast.vendor_owner, slot=past),
        message="すでに始まっているか",
    )
    past.refresh_from_db()
    assert past.cancelled_at is None


# --- seats -----------------------------------------------------------------------------------


def test_a_shops_floor_worker_books_a_seat_without_any_training(
    cast, django_capture_on_commit_callbacks
):
    make_training(cast.lab, [cast.kit])  # the kit needs a training to be booked as an item
    demo = make_demo_slot(cast.kit, hour=14, seats=2)

    with django_capture_on_commit_callbacks(execute=True):
        seat = demo_booking_create(actor=cast.shop.worker, slot=demo, company=cast.shop)
    run_queued_tasks("notification")

    seat.refresh_from_db()
    assert seat.demo_slot == demo
    assert (seat.item, seat.lab, seat.company, seat.user) == (
        cast.kit,
        cast.lab,
        cast.shop,
        cast.shop.worker,
    )
    assert (seat.starts_at, seat.ends_at) == (demo.starts_at, demo.ends_at)
    assert seat.status == BookingStatus.BOOKED
    notice = Notification.objects.get(user=cast.vendor_owner, kind="lab_demo_booked")
    assert cast.shop.name in notice.body
    assert "予約 1 / 定員 2 社" in notice.body
    assert not Notification.objects.filter(user=cast.other_vendor_owner).exists()
    assert AuditEvent.objects.filter(verb="lab_demo_booking.create", company=cast.shop).exists()


def test_a_full_demo_refuses_the_next_company(cast):
    demo = make_demo_slot(cast.kit, seats=1)
    make_demo_seat(demo, cast.other_shop)
    refused(
        VendorErrorCode.DEMO_FULL,
        lambda: demo_booking_create(actor=cast.shop.owner, slot=demo, company=cast.shop),
        message="満席です (定員 1 社)",
    )
    assert not Booking.objects.filter(company=cast.shop).exists()


def test_a_cancelled_seat_frees_its_place(cast):
    demo = make_demo_slot(cast.kit, seats=1)
    make_demo_seat(demo, cast.other_shop, status=BookingStatus.CANCELLED)
    demo_booking_create(actor=cast.shop.owner, slot=demo, company=cast.shop)
    assert Booking.objects.filter(company=cast.shop, demo_slot=demo).count() == 1


def test_one_seat_per_company(cast):
    demo = make_demo_slot(cast.kit, seats=5)
    demo_booking_create(actor=cast.shop.owner, slot=demo, company=cast.shop)
    refused(
        VendorErrorCode.DEMO_ALREADY_BOOKED,
        lambda: demo_booking_create(actor=cast.shop.staff, slot=demo, company=cast.shop),
        message="すでに予約しています",
    )
    assert Booking.objects.filter(company=cast.shop).count() == 1


def test_a_cancelled_or_started_demo_takes_no_seat(cast):
    demo = make_demo_slot(cast.kit, cancelled_at=timezone.now())
    refused(
        VendorErrorCode.DEMO_CANCELLED,
        lambda: demo_booking_create(actor=cast.shop.owner, slot=demo, company=cast.shop),
        message="中止になりました",
    )
    starts = timezone.now() - dt.timedelta(minutes=5)
    started = DemoSlot.objects.create(
        item=cast.kit, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), seats=2
    )
    refused(
        VendorErrorCode.DEMO_STARTED,
        lambda: demo_booking_create(actor=cast.shop.owner, slot=started, company=cast.shop),
        message="すでに始まっているか、終わっています",
    )
    assert not Booking.objects.exists()


def test_the_vendor_does_not_book_its_own_demo_and_nobody_books_for_another_company(cast):
    demo = make_demo_slot(cast.kit)
    refused(
        VendorErrorCode.OWN_EXHIBIT,
        lambda: demo_booking_create(actor=cast.vendor_owner, slot=demo, company=cast.vendor),
        message="自社の展示品のデモは予約できません",
    )
    refused(
        VendorErrorCode.NOT_SHOP_MEMBER,
        lambda: demo_booking_create(actor=cast.other_shop.owner, slot=demo, company=cast.shop),
        message="蒲田精工株式会社 の方だけ",
    )
    assert not Booking.objects.exists()


def test_another_vendor_may_book_a_seat(cast):
    demo = make_demo_slot(cast.kit)
    seat = demo_booking_create(actor=cast.other_vendor_owner, slot=demo, company=cast.other_vendor)
    assert seat.company == cast.other_vendor


# --- giving a seat back -----------------------------------------------------------------------


def test_the_booker_gives_the_seat_back_and_the_vendor_is_told(
    cast, django_capture_on_commit_callbacks
):
    demo = make_demo_slot(cast.kit)
    seat = make_demo_seat(demo, cast.shop, cast.shop.worker)
    with django_capture_on_commit_callbacks(execute=True):
        demo_booking_cancel(actor=cast.shop.worker, booking=seat)
    run_queued_tasks("notification")
    seat.refresh_from_db()
    assert seat.status == BookingStatus.CANCELLED
    assert Notification.objects.filter(
        user=cast.vendor_owner, kind="lab_demo_seat_cancelled"
    ).exists()


def test_only_the_booker_or_the_companys_editors_give_a_seat_back(cast):
    demo = make_demo_slot(cast.kit)
    seat = make_demo_seat(demo, cast.shop, cast.shop.worker)
    for outsider in (cast.other_shop.owner, cast.vendor_owner):
        refused(
            VendorErrorCode.NOT_SHOP_MEMBER,
            lambda outsider=outsider: demo_booking_cancel(actor=outsider, booking=seat),
            message="予約した本人と企業の経営者・スタッフだけ",
        )
    seat.refresh_from_db()
    assert seat.status == BookingStatus.BOOKED
    demo_booking_cancel(actor=cast.shop.staff, booking=seat)
    seat.refresh_from_db()
    assert seat.status == BookingStatus.CANCELLED


def test_a_seat_is_not_given_back_once_the_demo_started_and_an_item_booking_is_not_a_seat(
    cast,
):
    starts = timezone.now() - dt.timedelta(minutes=5)
    started = DemoSlot.objects.create(
        item=cast.kit, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), seats=2
    )
    seat = make_demo_seat(started, cast.shop)
    refused(
        VendorErrorCode.DEMO_STARTED,
        lambda: demo_booking_cancel(actor=cast.shop.owner, booking=seat),
        message="すでに始まっているか",
    )
    starts, ends = slot(open_day(cast.lab), 15)
    booking = Booking.objects.create(
        lab=cast.lab,
        item=cast.cobot,
        company=cast.shop,
        user=cast.shop.owner,
        starts_at=starts,
        ends_at=ends,
    )
    refused(
        VendorErrorCode.DEMO_SEAT_NOT_DEMO,
        lambda: demo_booking_cancel(actor=cast.shop.owner, booking=booking),
        message="デモの予約ではありません",
    )
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.BOOKED}
