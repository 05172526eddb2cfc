"""A floor worker books the lab's cobot on a 390 x 844 phone: picks an open day, sees the
day's slots (10:00 taken by another shop, marked full), is refused the full time with
「空き待ちに登録」 offered, taps a free slot, books 13:00–14:30, finds it in マイ予約 and
cancels it. The lab's staff see the day's bookings on the same phone. Every page passes
the phone rules (no horizontal overflow, 44 px targets) and axe-core."""

import pytest
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories_lab import make_lab_staff
from machikoba.core.testing.factories_lab_bookings import make_booking, make_setting, make_shop
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import BookingStatus
from machikoba.lab.models_bookings import Booking

pytestmark = pytest.mark.browser


def checked(page, screenshot, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"lab-bookings-{name}")
    phone_checks(page, name)
    axe_check(page, name)


def test_book_see_and_cancel_on_a_phone(transactional_db, phone_page, live_server, screenshot):
    s = make_setting()
    s.lab.phone = "03-3733-6600"
    s.lab.save()
    other = make_shop("他社工業株式会社")
    taken = make_booking(s.item, other.company, other.owner, day=s.day, hour=10)
    page, base = phone_page, live_server.url

    sign_in(page, base, s.shop.floor.email)
    page.goto(f"{base}/lab/items/{s.item.pk}/book/")
    page.get_by_test_id("day-select").select_option(s.day.isoformat())
    page.get_by_test_id("day-show").click()
    expect(page.get_by_test_id("slot-10:00")).to_have_attribute("data-state", "full")
    expect(page.get_by_test_id("slot-11:00")).to_have_attribute("data-state", "free")
    checked(page, screenshot, "1-book")

    # The full time: refused on the page, with the waitlist offered.
    page.locator("#id_start").select_option("10:00")
    page.locator("#id_end").select_option("11:00")
    page.get_by_test_id("booking-submit").click()
    refusal = page.get_by_test_id("booking-refusal")
    expect(refusal).to_contain_text("予約でいっぱいです")
    expect(page.get_by_test_id("waitlist-join")).to_be_visible()
    checked(page, screenshot, "2-full")

    # A free slot tapped fills the start; the end and purpose chosen.
    page.get_by_test_id("slot-13:00").click()
    expect(page.locator("#id_start")).to_have_value("13:00")
    page.locator("#id_end").select_option("14:30")
    page.get_by_label("利用の目的").fill("協働ロボットで部品のピッキングを試す")
    page.get_by_test_id("booking-submit").click()
    expect(page).to_have_url(f"{base}/lab/bookings/")
    booking = Booking.objects.exclude(pk=taken.pk).get()
    card = page.get_by_test_id(f"booking-{booking.pk}")
    expect(card.get_by_test_id("booking-when")).to_contain_text("13:00〜14:30")
    expect(card.get_by_test_id("booking-status")).to_have_text("予約済み")
    checked(page, screenshot, "3-my-bookings")

    card.get_by_test_id("booking-cancel").click()
    expect(page.get_by_role("status").first).to_contain_text("予約をキャンセルしました")
    expect(page.get_by_test_id("upcoming").get_by_test_id(f"booking-{booking.pk}")).to_have_count(0)
    expect(page.get_by_test_id("past").get_by_test_id(f"booking-{booking.pk}")).to_contain_text(
        "キャンセル"
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    checked(page, screenshot, "4-cancelled")

    # The lab's staff: the day, by item, on the same phone.
    staff = make_lab_staff()
    sign_in_ward(page, base, staff.email)
    page.goto(f"{base}/lab/{s.lab.pk}/bookings/?day={s.day.isoformat()}")
    expect(page.get_by_test_id(f"staff-booking-{taken.pk}")).to_contain_text("他社工業株式会社")
    expect(page.get_by_test_id(f"staff-booking-{booking.pk}")).to_contain_text("キャンセル")
    checked(page, screenshot, "5-staff-day")
