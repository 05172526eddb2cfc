"""Issue 21's "done means", end to end in the browser, across the lab's parts, clicked
through as the people would:

1. A shop's floor worker, on a phone (390 x 844), opens the cobot's page and tries to book
   it: refused, the training is missing, with a link to the next session; they follow it
   and register. The lab's staff (a desktop) mark them present and press 「修了を記録」. The
   worker books the cobot and finds it in マイ予約; the kiosk on a tablet (820 x 1180),
   kept open by the staff, reads the worker's personal code and says 入館しました (and
   starts the booking).
2. A vendor (a desktop) publishes a demo slot of its exhibit on its portal; a shop's
   worker on a phone finds it on the demos page and books a seat; the portal shows it.
3. The lab's staff record a matching from a lab visit on 「ビジネスマッチング」; it is in the
   list, and the statistics' "matchings by source" for this fiscal year go from 0 to 1.

Screenshots of the key steps go to ``var/test-artifacts/screens/story-*.png``.

Time: story 1 runs on a moved clock. The session must not have started when the worker is
refused (the refusal links to the next session *not yet begun*, and registration closes at
the start), yet attendance is marked only from the start of the session's own day
(``selectors.events.attendance_opens``), and the booking and the entry must come after the
session. On the real clock that cannot be arranged in the last hour of a day (a session
"in an hour" falls on tomorrow). So the test travels (``clock_at``, ticking) to 10:00 of
today, moves to 12:05 once the 11:00 session is over, and books 12:30: the same steps at
any day and hour. ``time_machine`` patches the clock of the whole process, and the live
server is a thread of this process, so the pages see the same moment (the browser's own
clock is not used by these pages: the code's countdown comes from the server). The lab is
open every day 0:00–23:59, holidays and the year end included; stories 2 and 3 only need
an open tomorrow and "today" as the agreement day, so they run on the real clock."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.clock import clock_at
from machikoba.core.testing.factories_lab import open_day
from machikoba.core.testing.factories_lab_story import make_story, today_at
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    MatchingSource,
    MatchingStatus,
    RegistrationStatus,
)
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models import TrainingRecord
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.models_events import Registration
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.models_visits import EntryEvent

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]

TABLET = {"width": 820, "height": 1180}


def _on_phone(page, screenshot=None, name: str = "") -> None:
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    if screenshot is not None:
        screenshot(page, name)


def _book_from_the_item_page(page) -> None:
    """The item page's link to its booking page (in its actions, under the summary)."""
    book = page.get_by_test_id("item-page").get_by_role("link", name=re.compile("予約"))
    expect(book.first, "the item page has no link to book the item").to_be_visible()
    book.first.click()
    expect(page.get_by_test_id("booking-page")).to_be_visible()


@pytest.fixture
def tablet(chromium, live_server):
    context = chromium.new_context(viewport=TABLET, locale="ja-JP")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# --- 1. refused, trained, booked, entered ---------------------------------------------------


def test_refused_without_training_trained_booked_and_checked_in_at_the_kiosk(
    transactional_db, phone_page, page, tablet, live_server, screenshot
):
    base = live_server.url
    with clock_at(today_at(10)) as clock:
        story = make_story(session_starts_at=today_at(11))
        session = story.session
        phone = phone_page

        # The worker finds the cobot from their lab page and tries to book it.
        sign_in(phone, base, story.member.email)
        phone.goto(f"{base}/lab/me/")
        phone.get_by_role("link", name="機器・ソフトウェアを探して予約する").click()
        phone.get_by_role("link", name=story.lab.name).click()
        phone.get_by_role("link", name=story.cobot.name).click()
        item_page = phone.get_by_test_id("item-page")
        expect(item_page.get_by_test_id("training-missing")).to_have_text("未受講")
        _on_phone(phone, screenshot, "story-1a-item-untrained")
        _book_from_the_item_page(phone)
        phone.locator("#id_start").select_option("10:30")
        phone.locator("#id_end").select_option("11:30")
        phone.get_by_test_id("booking-submit").click()

        refusal = phone.get_by_test_id("booking-refusal")
        expect(refusal).to_have_attribute("data-code", BookingErrorCode.TRAINING_MISSING.value)
        expect(refusal).to_contain_text("講習「協働ロボット安全講習」の修了が必要です")
        link = refusal.get_by_test_id("training-session-link")
        expect(link).to_have_text("講習「協働ロボット安全講習 (第3回)」の申込みへ")
        assert not Booking.objects.exists()
        _on_phone(phone, screenshot, "story-1b-refused-with-link")

        # The link leads to the session; the worker registers.
        link.click()
        expect(phone).to_have_url(f"{base}/lab/events/{session.pk}/")
        expect(phone.get_by_test_id("event-training")).to_contain_text(story.cobot.name)
        phone.get_by_test_id("register").click()
        expect(phone.get_by_role("status").first).to_contain_text("申し込みました")
        expect(phone.get_by_test_id("registered-message")).to_be_visible()
        _on_phone(phone, screenshot, "story-1c-registered")
        registration = Registration.objects.get(event=session)
        assert (registration.user, registration.company, registration.status) == (
            story.member,
            story.shop,
            RegistrationStatus.REGISTERED,
        )

        # The session is over; the staff, on a desktop, mark the worker present and
        # record the training.
        clock.move_to(today_at(12, 5))
        sign_in_ward(page, base, story.staff.email)
        page.goto(f"{base}/lab/office/")
        page.get_by_role("link", name="イベントの運営").click()
        page.get_by_test_id(f"staff-event-{session.pk}").get_by_role(
            "link", name=re.compile("^出席")
        ).click()
        expect(page.get_by_test_id("event-attendance")).to_be_visible()
        row = page.get_by_test_id("attendance-row").filter(has_text="町田 太郎")
        expect(row).to_contain_text("蒲田精密株式会社")
        row.get_by_test_id("mark-present").click()
        expect(page.get_by_role("status").first).to_contain_text("出席を記録しました")
        page.get_by_role("button", name=re.compile("修了を記録")).click()
        expect(page.get_by_role("status").first).to_contain_text("1 人の修了を記録しました")
        expect(page.get_by_test_id("trained")).to_have_text("記録済み")
        screenshot(page, "story-1d-attendance-recorded-desktop")
        record = TrainingRecord.objects.get()
        assert (record.user, record.training, record.event) == (
            story.member,
            story.training,
            session,
        )
        assert record.passed_on == timezone.localdate()

        # The worker books the cobot now, from its page, and finds it in マイ予約.
        phone.goto(f"{base}/lab/items/{story.cobot.pk}/")
        expect(phone.get_by_test_id("training-held")).to_have_text("受講済み")
        _book_from_the_item_page(phone)
        phone.get_by_test_id("slot-12:30").click()
        expect(phone.locator("#id_start")).to_have_value("12:30")
        phone.locator("#id_end").select_option("13:30")
        phone.get_by_label("利用の目的").fill("溶接ワークの段取りを協働ロボットで試す")
        phone.get_by_test_id("booking-submit").click()
        expect(phone).to_have_url(f"{base}/lab/bookings/")
        booking = Booking.objects.get()
        card = phone.get_by_test_id(f"booking-{booking.pk}")
        expect(card).to_contain_text(story.cobot.name)
        expect(card.get_by_test_id("booking-when")).to_contain_text("12:30〜13:30")
        expect(card.get_by_test_id("booking-status")).to_have_text("予約済み")
        _on_phone(phone, screenshot, "story-1e-booked")
        assert (booking.user, booking.company, booking.item) == (
            story.member,
            story.shop,
            story.cobot,
        )

        # At the entrance: the kiosk on a tablet reads the worker's personal code.
        sign_in_ward(tablet, base, story.staff.email)
        tablet.goto(f"{base}/lab/office/")
        tablet.get_by_role("link", name="受付端末 (QR)").click()
        expect(tablet.locator("#id_code")).to_be_focused()
        phone.goto(f"{base}/lab/me/")
        phone.get_by_test_id("lab-me-code").click()
        expect(phone.get_by_test_id("my-code-qr")).to_be_visible()
        _on_phone(phone, screenshot, "story-1f-my-code")
        token = phone.get_by_test_id("my-code-panel").get_attribute("data-token")
        tablet.locator("#id_code").focus()
        tablet.keyboard.type(token)
        tablet.keyboard.press("Enter")
        result = tablet.get_by_test_id("kiosk-result")
        expect(result.get_by_test_id("kiosk-headline")).to_have_text("入館しました")
        expect(result.get_by_test_id("kiosk-name")).to_have_text("町田 太郎 様")
        expect(result.get_by_test_id("kiosk-company")).to_have_text("蒲田精密株式会社")
        expect(result.get_by_test_id("kiosk-attendance")).to_contain_text(story.cobot.name)
        tablet.wait_for_load_state("networkidle")
        phone_checks(tablet, "kiosk on a tablet")  # no overflow, 44 px targets at 820 px too
        axe_check(tablet, "kiosk on a tablet")
        screenshot(tablet, "story-1g-kiosk-entered-tablet")
        entered = EntryEvent.objects.get(kind=EntryKind.ENTERED)
        assert (entered.lab, entered.user, entered.booking) == (story.lab, story.member, booking)
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.IN_USE
        expect(phone.get_by_test_id("my-code-used")).to_contain_text("入館を記録しました")


# --- 2. a vendor's demo slot, booked by a shop ------------------------------------------------


def test_a_vendor_publishes_a_demo_slot_and_a_shop_books_a_seat(
    transactional_db, phone_page, page, live_server, screenshot
):
    base = live_server.url
    story = make_story()
    day = open_day(story.lab)  # tomorrow: the lab is open every day

    # The vendor, on a desktop, publishes a demo of its kit from its portal.
    sign_in(page, base, story.vendor_owner.email)
    page.goto(f"{base}/lab/vendor/")
    page.get_by_test_id("demo-publish").click()
    page.get_by_label("デモをする展示品").select_option(str(story.kit.pk))
    page.get_by_label("日付").fill(day.isoformat())
    page.get_by_label("開始の時刻").fill("14:00")
    page.get_by_label("終了の時刻").fill("15:00")
    page.get_by_label("定員 (社)").fill("3")
    page.get_by_label("内容").fill("NC旋盤に後付けセンサーを付けて、稼働を見える化する実演です。")
    page.get_by_test_id("vendors-submit").click()
    expect(page.get_by_text("デモの枠を公開しました")).to_be_visible()
    demo = DemoSlot.objects.get()
    assert (demo.item, demo.seats, demo.published_by) == (story.kit, 3, story.vendor_owner)
    assert timezone.localtime(demo.starts_at).date() == day

    # The shop's worker, on a phone, finds it among the lab's demos and books a seat.
    phone = phone_page
    sign_in(phone, base, story.member.email)
    phone.goto(f"{base}/lab/me/")
    phone.get_by_role("link", name="ベンダーのデモ").click()
    card = phone.get_by_test_id(f"demo-{demo.pk}")
    expect(card).to_contain_text("稼働監視IoTキット")
    expect(card).to_contain_text("城南ITソリューションズ株式会社")
    expect(card).to_contain_text("14:00〜15:00")
    expect(card.get_by_test_id(f"demo-left-{demo.pk}")).to_have_text("残り 3 席 (定員 3 社)")
    _on_phone(phone, screenshot, "story-2a-demos")
    card.get_by_test_id(f"demo-book-{demo.pk}").click()
    expect(phone.get_by_text("デモを予約しました")).to_be_visible()
    expect(phone.get_by_test_id(f"demo-booked-{demo.pk}")).to_be_visible()
    expect(phone.get_by_test_id(f"demo-left-{demo.pk}")).to_have_text("残り 2 席 (定員 3 社)")
    _on_phone(phone, screenshot, "story-2b-demo-booked")
    seat = Booking.objects.get(demo_slot=demo)
    assert (seat.company, seat.user, seat.item, seat.status) == (
        story.shop,
        story.member,
        story.kit,
        BookingStatus.BOOKED,
    )

    # The vendor's portal shows the seat and who took it.
    page.goto(f"{base}/lab/vendor/")
    expect(page.get_by_test_id(f"portal-demo-seats-{demo.pk}")).to_have_text("予約 1 / 定員 3 社")
    expect(page.get_by_test_id(f"portal-booking-{seat.pk}")).to_contain_text("蒲田精密株式会社")
    screenshot(page, "story-2c-vendor-portal-desktop")


# --- 3. a matching recorded, counted in the statistics -------------------------------------


def test_staff_record_a_matching_and_it_shows_in_the_statistics(
    transactional_db, page, phone_page, live_server, screenshot
):
    base = live_server.url
    story = make_story()
    today = timezone.localdate()
    source = MatchingSource.LAB_VISIT

    sign_in_ward(page, base, story.staff.email)
    page.goto(f"{base}/lab/office/")
    page.get_by_test_id("lab-office-stats").click()
    expect(page.get_by_test_id("stats-period")).to_contain_text(f"{fiscal_year(today)}年度")
    counted = page.get_by_test_id(f"matching-{source}").get_by_test_id("matching-count")
    expect(counted).to_have_text("0")

    # 「ビジネスマッチング」 from the office's page; the form.
    page.goto(f"{base}/lab/office/")
    page.get_by_role("link", name="ビジネスマッチング").click()
    page.get_by_test_id("matching-record").click()
    page.get_by_label("ラボの利用").check()
    page.get_by_label("機器・展示品 (それ以外のきっかけのとき)").select_option(str(story.kit.pk))
    page.get_by_label("当事者1").select_option(str(story.shop.pk))
    page.get_by_label("当事者2").select_option(str(story.vendor.pk))
    page.get_by_label("試用・試作").check()
    page.get_by_label("合意日").fill(today.isoformat())
    page.get_by_label("根拠 (注文書番号、議事録など)").fill("試用契約書 No.L-2031 (3か月)")
    page.get_by_test_id("ecosystem-submit").click()
    expect(page.get_by_text("ビジネスマッチングを記録しました。")).to_be_visible()
    matching = Matching.objects.get()
    assert (matching.source, matching.status, matching.item, matching.agreed_on) == (
        source,
        MatchingStatus.CONFIRMED,
        story.kit,
        today,
    )
    assert {matching.party_a, matching.party_b} == {story.shop, story.vendor}
    row = page.get_by_test_id(f"matching-{matching.pk}")
    expect(row).to_contain_text("蒲田精密株式会社")
    expect(row).to_contain_text("城南ITソリューションズ株式会社")
    expect(page.get_by_test_id("matching-total")).to_contain_text("1 件")
    screenshot(page, "story-3a-matchings-desktop")

    # The statistics of this fiscal year count it under ラボの利用.
    page.goto(f"{base}/lab/office/")
    page.get_by_test_id("lab-office-stats").click()
    counted = page.get_by_test_id(f"matching-{source}").get_by_test_id("matching-count")
    expect(counted).to_have_text("1")
    expect(page.get_by_test_id("matchings-total")).to_contain_text("1")
    for other in (MatchingSource.EVENT, MatchingSource.VENDOR_DEMO):
        expect(
            page.get_by_test_id(f"matching-{other}").get_by_test_id("matching-count")
        ).to_have_text("0")
    page.get_by_test_id("stats-matchings").scroll_into_view_if_needed()
    screenshot(page, "story-3b-stats-desktop")

    # The same page on the staff's phone.
    sign_in_ward(phone_page, base, story.staff.email)
    phone_page.goto(f"{base}/lab/{story.lab.pk}/stats/")
    expect(
        phone_page.get_by_test_id(f"matching-{source}").get_by_test_id("matching-count")
    ).to_have_text("1")
    _on_phone(phone_page, screenshot, "story-3c-stats-phone")
