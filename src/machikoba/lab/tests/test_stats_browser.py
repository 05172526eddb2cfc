"""The statistics page in a browser: lab staff on a phone (390 x 844: the chart and the
tables as cards, nothing wider than the screen, tap targets, axe) and on a desktop (the
year picker, the chart's bars drawn, the CSV download). Screenshots are saved for review
under var/test-artifacts/screens/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.core.testing.browser import sign_in_ward
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
    open_day,
)
from machikoba.core.testing.factories_lab_stats import (
    at,
    desk_visitor,
    enter,
    held_event,
    matching,
    member,
    register,
    training_record,
    used_booking,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import (
    BookingStatus,
    EventKind,
    FollowUpAnswer,
    ItemKind,
    MatchingSource,
    RegistrationStatus,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FY = fiscal_year(timezone.localdate()) - 1
FIRST, _LAST = fiscal_year_bounds(FY)


def _busy_year(lab):
    """A year with a different number of visits each month, items, a training, events and
    matchings."""
    vendor = make_vendor(name="蒲田ITソリューションズ")
    cobot = make_item(lab, name="協働ロボット CRX-10iA")
    printer = make_item(lab, kind=ItemKind.PRINTER_3D, name="3Dプリンター Form 3")
    kit = make_item(lab, kind=ItemKind.IOT_KIT, name="稼働監視IoTキット", exhibitor=vendor)
    safety = make_training(lab, [cobot])
    people = [member() for _ in range(6)]
    for month in range(12):
        month_start = (FIRST + dt.timedelta(days=31 * month)).replace(day=1)
        day = open_day(lab, 1, after=month_start)
        for n in range(1 + (month * 5) % 9):
            enter(lab, at(day, 9 + n % 8), user=people[n % len(people)])
        used_booking(cobot, people[month % 6], at(day, 10), hours=3)
        used_booking(printer, people[(month + 1) % 6], at(day, 13), hours=2)
        used_booking(kit, people[(month + 2) % 6], at(day, 15), status=BookingStatus.NO_SHOW)
        training_record(safety, people[month % 6], day)
    enter(lab, at(open_day(lab, 3, after=FIRST), 11), visitor=desk_visitor(lab))
    seminar = held_event(lab, at(open_day(lab, 10, after=FIRST), 14), title="IoTで稼働を見える化")
    for n, person in enumerate(people):
        register(
            seminar,
            person,
            status=RegistrationStatus.ATTENDED if n < 4 else RegistrationStatus.REGISTERED,
            rating=4 + n % 2 if n < 4 else None,
        )
    held_event(
        lab,
        at(open_day(lab, 40, after=FIRST), 14),
        title="町工場×ITベンダー 交流会",
        kind=EventKind.EXCHANGE,
    )
    matching(
        lab,
        open_day(lab, 12, after=FIRST),
        source=MatchingSource.EVENT,
        answer=FollowUpAnswer.YES,
    )
    matching(lab, open_day(lab, 30, after=FIRST), source=MatchingSource.VENDOR_DEMO)


def test_lab_staff_read_the_statistics_on_a_phone(phone_page, live_server, screenshot):
    lab = make_lab()
    _busy_year(lab)
    staff = make_lab_staff()
    page = phone_page
    sign_in_ward(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/lab/{lab.pk}/stats/?year={FY}")
    expect(page.get_by_role("heading", name="ラボの利用統計")).to_be_visible()
    expect(page.get_by_test_id("summary-visits")).to_contain_text("延べ利用者数")
    # The chart's bars got their lengths from page.js (no inline style in the markup).
    bar = page.get_by_test_id("chart-month").first.locator("[data-width]").first
    expect(bar).to_have_attribute("style", re.compile(r"width: [0-9.]+%"))
    # Under 640 px a table row is a card (a grid of its figures), each under its column name.
    first_month = page.get_by_test_id(f"visits-{FIRST:%Y-%m}")
    expect(first_month).to_have_css("display", "grid")
    expect(first_month.locator("td").first).to_have_attribute("data-label", "入館 (延べ)")
    phone_checks(page, "lab stats")
    axe_check(page, "lab stats")
    screenshot(page, "lab_stats_phone")


def test_lab_staff_pick_a_year_and_download_the_csv(page, live_server, screenshot):
    lab = make_lab()
    _busy_year(lab)
    staff = make_lab_staff()
    sign_in_ward(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/lab/{lab.pk}/stats/")
    expect(page.get_by_test_id("stats-period")).to_contain_text(f"{FY + 1}年度")
    page.get_by_label("年度", exact=True).select_option(str(FY))
    page.get_by_role("button", name="表示する").click()
    expect(page.get_by_test_id("stats-period")).to_contain_text(f"{FY}年度")
    expect(page.get_by_test_id("stats-events")).to_contain_text("IoTで稼働を見える化")
    expect(page.get_by_test_id("stats-items")).to_contain_text("出展: 蒲田ITソリューションズ")
    axe_check(page, "lab stats desktop")
    screenshot(page, "lab_stats_desktop")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "■ 月別の利用" in content
    assert "延べ利用者数" in content
