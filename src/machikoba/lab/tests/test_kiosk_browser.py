"""The entry log in the browser: a shop member shows their personal code on a phone (390 x
844); the kiosk on a tablet (820 x 1180), kept open by the lab's staff, reads it (a scanner
types it into the focused input and Enter) and says 入館しました with the name, the company
and the booking it started; the phone notices its code was used. Then 退館 on the kiosk,
the lab's rotating code read on the phone, and the staff's day view and desk on a phone.
Every page passes the phone rules and axe-core; screenshots are saved for review."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import make_item, make_lab_staff
from machikoba.core.testing.factories_lab_visits import make_booking, make_open_lab
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import BookingStatus, EntryKind
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_visits import EntryEvent
from machikoba.lab.services import entry_codes

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


def checked(page, where):
    page.wait_for_load_state("networkidle")
    phone_checks(page, where)
    axe_check(page, where)


@pytest.fixture
def visit(transactional_db):
    lab = make_open_lab()
    staff = make_lab_staff()
    shop = CompanyFactory(name="蒲田精密株式会社")
    member = MembershipFactory(company=shop, role=CompanyRole.OWNER, user__name="町田 太郎").user
    cobot = make_item(lab, name="協働ロボット CRX-10iA")
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    booking = make_booking(lab, user=member, company=shop, item=cobot, starts_at=start)
    return lab, staff, member, booking


@pytest.fixture
def tablet(chromium):
    context = chromium.new_context(viewport=TABLET, locale="ja-JP")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_member_checks_in_at_the_kiosk_on_a_tablet(
    visit, phone_page, tablet, live_server, screenshot
):
    lab, staff, member, booking = visit
    base = live_server.url

    # The member's phone shows the personal code, counting down and renewing itself.
    sign_in(phone_page, base, member.email)
    phone_page.goto(base + reverse("lab:visits_my_code"))
    panel = phone_page.get_by_test_id("my-code-panel")
    expect(panel.get_by_test_id("my-code-qr")).to_be_visible()
    countdown = phone_page.get_by_test_id("my-code-countdown")
    expect(countdown).to_contain_text("有効期限まで あと")
    first = int(countdown.get_attribute("data-seconds"))
    expect(countdown).not_to_have_attribute("data-seconds", str(first), timeout=5_000)
    checked(phone_page, "my code")
    screenshot(phone_page, "visits-my-code-phone")
    token = panel.get_attribute("data-token")

    # The kiosk on a tablet: the input has the focus; the scanner types the code and Enter.
    sign_in_ward(tablet, base, staff.email)
    tablet.goto(base + reverse("lab:visits_kiosk", args=[lab.pk]))
    code_input = tablet.locator("#id_code")
    expect(code_input).to_be_focused()
    expect(tablet.get_by_test_id("lab-code-qr")).to_be_visible()
    tablet.keyboard.type(token)
    tablet.keyboard.press("Enter")
    result = tablet.get_by_test_id("kiosk-result")
    expect(result.get_by_test_id("kiosk-headline")).to_have_text("入館しました")
    expect(result.get_by_test_id("kiosk-name")).to_have_text("町田 太郎 様")
    expect(result.get_by_test_id("kiosk-company")).to_have_text("蒲田精密株式会社")
    expect(result.get_by_test_id("kiosk-attendance")).to_contain_text(
        "協働ロボット CRX-10iAのご予約"
    )
    # Ready for the next person: an empty input with the focus, reading 入館 again.
    expect(tablet.locator("#id_code")).to_be_focused()
    expect(tablet.locator("#id_code")).to_have_value("")
    expect(tablet.get_by_test_id("kiosk-scan")).to_have_attribute("data-direction", "entered")
    checked(tablet, "kiosk after a scan")
    screenshot(tablet, "visits-kiosk-tablet-entered")
    entered = EntryEvent.objects.get(kind=EntryKind.ENTERED)
    assert (entered.user, entered.booking) == (member, booking)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.IN_USE

    # The phone notices its code was used and shows a new one.
    expect(phone_page.get_by_test_id("my-code-used")).to_contain_text("入館を記録しました")
    new_token = phone_page.get_by_test_id("my-code-panel").get_attribute("data-token")
    assert new_token != token

    # The same (copied) code again is refused.
    tablet.keyboard.type(token)
    tablet.keyboard.press("Enter")
    expect(tablet.get_by_test_id("kiosk-result")).to_have_attribute("data-reason", "code_used")
    screenshot(tablet, "visits-kiosk-tablet-refused")

    # 退館: chosen on the kiosk for the next scan.
    tablet.get_by_test_id("mode-left").click()
    expect(tablet.get_by_test_id("kiosk-scan")).to_have_attribute("data-direction", "left")
    expect(tablet.locator("#id_code")).to_be_focused()
    tablet.keyboard.type(new_token)
    tablet.keyboard.press("Enter")
    expect(tablet.get_by_test_id("kiosk-headline")).to_have_text("退館しました")
    expect(tablet.get_by_test_id("kiosk-scan")).to_have_attribute("data-direction", "entered")


def test_the_phone_reads_the_labs_code_and_staff_pages_fit_a_phone(
    visit, phone_page, live_server, screenshot
):
    lab, staff, member, _booking = visit
    base = live_server.url

    # The visitor's phone reads the kiosk's rotating code and taps 入館する.
    sign_in(phone_page, base, member.email)
    phone_page.goto(
        base + reverse("lab:visits_enter", args=[lab.pk]) + f"?c={entry_codes.lab_code(lab)}"
    )
    expect(phone_page.get_by_test_id("enter-submit")).to_have_text(re.compile("入館する"))
    checked(phone_page, "enter")
    phone_page.get_by_test_id("enter-submit").click()
    expect(phone_page.get_by_test_id("enter-headline")).to_have_text("入館しました")
    checked(phone_page, "enter result")
    screenshot(phone_page, "visits-enter-result-phone")
    phone_page.goto(base + reverse("lab:visits_mine"))
    expect(phone_page.get_by_test_id("my-visit")).to_have_count(1)
    checked(phone_page, "my visits")
    screenshot(phone_page, "visits-mine-phone")

    # The staff on a phone: the day view, the desk and the kiosk fit 390 px.
    sign_in_ward(phone_page, base, staff.email)
    phone_page.goto(base + reverse("lab:visits_day", args=[lab.pk]))
    expect(phone_page.get_by_test_id("inside-person")).to_have_count(1)
    expect(phone_page.get_by_test_id("in-use-booking")).to_contain_text("協働ロボット")
    checked(phone_page, "day view")
    screenshot(phone_page, "visits-day-phone")
    phone_page.goto(base + reverse("lab:visits_desk", args=[lab.pk]))
    phone_page.get_by_label("氏名").fill("見学 一郎")
    phone_page.get_by_label("所属").fill("城南大学")
    phone_page.get_by_role("button", name="受け付ける").click()
    expect(phone_page.get_by_test_id("desk-inside-row")).to_have_count(2)
    checked(phone_page, "desk")
    screenshot(phone_page, "visits-desk-phone")
    phone_page.goto(base + reverse("lab:visits_kiosk", args=[lab.pk]))
    checked(phone_page, "kiosk on a phone")
    screenshot(phone_page, "visits-kiosk-phone")
