"""A vendor's demo on a phone (390 × 844), one of the issue's "done means": the vendor's
owner opens the vendor portal, publishes a demo slot of its exhibit through the form; a
shop's floor worker finds it on the demos page and books a seat; the vendor sees the seat
taken on its portal and the shop on the demo's page. A refused second booking says why.
Every page passes the phone rules and axe; screenshots of the portal are saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories_lab import open_day
from machikoba.core.testing.factories_lab_vendors import (
    make_consultation,
    make_demo_seat,
    make_demo_slot,
    make_trial,
    make_vendor_cast,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import BookingStatus, TrialStatus
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import DemoSlot

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]


def _checked(page, screenshot=None, name=""):
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    if screenshot is not None:
        screenshot(page, name)


def test_a_vendor_publishes_a_demo_and_a_shop_books_it_on_a_phone(
    phone_page, live_server, transactional_db, screenshot
):
    page, base = phone_page, live_server.url
    cast = make_vendor_cast()
    make_consultation(cast.kit, cast.other_shop, subject="NC旋盤5台の稼働を見える化したい")
    make_trial(cast.software, cast.other_shop)
    day = open_day(cast.lab, 2)

    # The vendor's owner publishes a demo of its kit.
    sign_in(page, base, cast.vendor_owner.email)
    page.goto(f"{base}/lab/vendor/")
    expect(page.get_by_test_id("vendor-portal")).to_be_visible()
    expect(page.get_by_test_id("count-consultations")).to_have_text("1")
    _checked(page, screenshot, "lab-vendor-portal-before")
    page.get_by_test_id("demo-publish").click()
    page.get_by_label("デモをする展示品").select_option(str(cast.kit.pk))
    page.get_by_label("日付").fill(day.isoformat())
    page.get_by_label("開始の時刻").fill("14:00")
    page.get_by_label("終了の時刻").fill("15:00")
    page.get_by_label("定員 (社)").fill("2")
    page.get_by_label("内容").fill("後付けセンサーで稼働を見える化する実演です。")
    _checked(page, screenshot, "lab-vendor-demo-form")
    page.get_by_test_id("vendors-submit").click()
    expect(page.get_by_text("デモの枠を公開しました")).to_be_visible()
    demo = DemoSlot.objects.get()
    assert (demo.item, demo.seats, demo.published_by) == (cast.kit, 2, cast.vendor_owner)
    expect(page.get_by_test_id("demo-seats")).to_have_text("0 / 定員 2 社")
    _checked(page, screenshot, "lab-vendor-demo-published")

    # A floor worker of the shop books a seat from the demos page.
    sign_in(page, base, cast.shop.worker.email)
    page.goto(f"{base}/lab/demos/")
    card = page.get_by_test_id(f"demo-{demo.pk}")
    expect(card).to_contain_text("稼働監視IoTキット")
    expect(card).to_contain_text("残り 2 席 (定員 2 社)")
    _checked(page, screenshot, "lab-demos")
    page.get_by_test_id(f"demo-book-{demo.pk}").click()
    expect(page.get_by_text("デモを予約しました")).to_be_visible()
    expect(page.get_by_test_id(f"demo-booked-{demo.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"demo-left-{demo.pk}")).to_have_text("残り 1 席 (定員 2 社)")
    seat = Booking.objects.get(demo_slot=demo)
    assert (seat.company, seat.user, seat.status) == (
        cast.shop,
        cast.shop.worker,
        BookingStatus.BOOKED,
    )
    assert (seat.starts_at, seat.ends_at, seat.item) == (demo.starts_at, demo.ends_at, cast.kit)
    _checked(page, screenshot, "lab-demos-booked")

    # The vendor sees the seat taken, and who took it.
    sign_in(page, base, cast.vendor_owner.email)
    page.goto(f"{base}/lab/vendor/")
    expect(page.get_by_test_id(f"portal-demo-seats-{demo.pk}")).to_have_text("予約 1 / 定員 2 社")
    expect(page.get_by_test_id(f"portal-booking-{seat.pk}")).to_contain_text("蒲田精工株式会社")
    _checked(page, screenshot, "lab-vendor-portal")
    page.get_by_test_id(f"portal-demo-{demo.pk}").get_by_role("link").click()
    expect(page.get_by_test_id(f"demo-seat-{seat.pk}")).to_contain_text("蒲田精工株式会社")
    _checked(page, screenshot, "lab-vendor-demo-seats")


def test_a_full_demo_is_refused_with_a_clear_message_on_a_phone(
    phone_page, live_server, transactional_db
):
    page, base = phone_page, live_server.url
    cast = make_vendor_cast()
    demo = make_demo_slot(cast.kit, seats=1)
    sign_in(page, base, cast.shop.owner.email)
    page.goto(f"{base}/lab/demos/")
    button = page.get_by_test_id(f"demo-book-{demo.pk}")
    expect(button).to_be_visible()
    make_demo_seat(demo, cast.other_shop)  # someone else took the last seat meanwhile
    button.click()
    expect(page.get_by_role("alert")).to_contain_text("このデモは満席です (定員 1 社)")
    expect(page.get_by_test_id(f"demo-left-{demo.pk}")).to_have_text("満席")
    assert not Booking.objects.filter(company=cast.shop).exists()
    phone_checks(page, "full demo")


def test_a_vendor_answers_a_consultation_and_approves_a_trial_on_a_phone(
    phone_page, live_server, transactional_db, screenshot
):
    page, base = phone_page, live_server.url
    cast = make_vendor_cast()
    consultation = make_consultation(
        cast.kit, cast.shop, cast.shop.owner, subject="NC旋盤5台の稼働を見える化したい"
    )
    trial = make_trial(cast.software, cast.shop, cast.shop.owner, message="見積業務で1か月")

    sign_in(page, base, cast.vendor_staff.email)
    page.goto(f"{base}/lab/vendor/")
    page.get_by_test_id(f"portal-consultation-{consultation.pk}").get_by_role("link").click()
    page.get_by_label("回答").fill("一度ラボで実機をご覧ください。後付けで5台とも取れます。")
    _checked(page, screenshot, "lab-vendor-consultation")
    page.get_by_test_id("answer-submit").click()
    expect(page.get_by_text("回答を送りました")).to_be_visible()
    expect(page.get_by_test_id("consultation-status")).to_have_text("回答済み")

    page.goto(f"{base}/lab/vendor/")
    page.get_by_test_id(f"portal-trial-{trial.pk}").get_by_role("link").click()
    today = timezone.localdate()
    page.get_by_label("試用開始日").fill(today.isoformat())
    page.get_by_label("試用終了日").fill((today + dt.timedelta(days=40)).isoformat())
    page.get_by_label("ライセンスの案内").fill(
        "ID: kamata-seiko / 初回にパスワードを変えてください"
    )
    _checked(page, screenshot, "lab-vendor-trial")
    page.get_by_test_id("trial-approve").click()
    expect(page.get_by_text("試用期間は最長 30 日です (指定は 41 日)。")).to_be_visible()
    trial.refresh_from_db()
    assert trial.status == TrialStatus.REQUESTED
    page.get_by_label("試用終了日").fill((today + dt.timedelta(days=29)).isoformat())
    page.get_by_test_id("trial-approve").click()
    expect(page.get_by_text("試用を承認しました")).to_be_visible()
    expect(page.get_by_test_id("trial-status")).to_have_text("試用中")

    sign_in(page, base, cast.shop.owner.email)
    page.goto(f"{base}/lab/trials/")
    page.get_by_test_id(f"trial-row-{trial.pk}").get_by_role("link").click()
    expect(page.get_by_test_id("trial-licence")).to_contain_text("kamata-seiko")
    _checked(page, screenshot, "lab-shop-trial")
    page.goto(f"{base}/lab/consultations/{consultation.pk}/")
    expect(page.get_by_test_id("consultation-answer")).to_contain_text("後付けで5台とも")
    page.get_by_test_id("consultation-close").click()
    expect(page.get_by_test_id("consultation-status")).to_have_text("終了")
    _checked(page, screenshot, "lab-shop-consultation")
