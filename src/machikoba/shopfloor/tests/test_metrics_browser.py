"""The metrics pages in a real browser, at 390 x 844 and on a desktop (and the board on a
1920 px wall screen): phone and accessibility checks on each page, and the board
changing state live while it is open, when the collector's writer stores a new state
(``ingest.write_batch``, as every source does)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.clock import working_day
from machikoba.core.testing.factories_floor import (
    approved_entry,
    floor,
    floor_machines,
    in_house_step,
    make_reason,
)
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.shopfloor.models_metrics import Shift
from machikoba.telemetry.events import Batch, StateEvent
from machikoba.telemetry.ingest import write_batch

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]

# The board polls every 5 s: a change shows within two polls.
LIVE_TIMEOUT_MS = 15_000


def checks(page, where: str) -> None:
    phone_checks(page, where)
    axe_check(page, where)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def shop(transactional_db):
    """A lathe shop with two monitored NC lathes, two shifts (前半, 後半), a planned
    reason, state rows on the five working days before today, the last two hours of
    today, and approved 日報 (one on a manual lathe that has no monitoring)."""
    people = floor()
    equipment = floor_machines(people.shop)
    Shift.objects.create(company=people.shop, name="前半", start=dt.time(8), end=dt.time(12))
    Shift.objects.create(company=people.shop, name="後半", start=dt.time(13), end=dt.time(17))
    make_reason(people.shop, code="MAINT", label="定期保全", planned=True)
    make_reason(people.shop, code="material", label="材料待ち")
    lathes = [
        make_machine(
            people.shop,
            equipment=equipment["nc"],
            unit=unit,
            name=f"NC旋盤 {unit}号機",
            ideal_cycle_seconds=Decimal("35"),
        )
        for unit in (1, 2)
    ]
    step = in_house_step(people.owner, people.shop)
    for back in range(1, 6):
        day = working_day(-back)
        for number, lathe in enumerate(lathes):
            make_intervals(
                lathe,
                at(day, 7, 30),
                [
                    ("setup", 40 + 10 * number),
                    ("producing", 150 + 20 * back, "", 200),
                    ("idle", 25, "material"),
                    ("alarm", 10 * back, "A1203"),
                    ("unplanned_stop", 30, "MAINT"),
                    ("producing", 200, "", 280),
                    ("offline", 15),
                    None,
                ],
                boot=f"day{back}",
            )
        for start, end, good in (
            (at(day, 8, 10), at(day, 11, 50), 250),
            (at(day, 12, 50), at(day, 15, 55), 280),
        ):
            approved_entry(
                people.shop,
                people.worker,
                step,
                day=day,
                equipment=equipment["nc"],
                unit=1,
                minutes=int((end - start).total_seconds() // 60),
                good=good,
                defect=4 + back,
                started_at=start,
                ended_at=end,
            )
    approved_entry(
        people.shop,
        people.worker,
        step,
        day=working_day(-1),
        equipment=equipment["manual"],
        minutes=240,
        stop_minutes=20,
        stop_reason=make_reason(people.shop, code="tool", label="工具交換"),
    )
    now = timezone.now()
    for number, lathe in enumerate(lathes):
        make_intervals(
            lathe,
            now - dt.timedelta(minutes=120),
            [("producing", 90, "", 150), ("idle", 20, "material") if number else ("producing", 20)],
            boot="today",
        )
    return people, lathes


def test_the_board_changes_state_live_on_a_phone(phone_page, live_server, shop, screenshot):
    people, (first, _second) = shop
    page = phone_page
    sign_in(page, live_server.url, people.worker.email)
    page.goto(f"{live_server.url}/floor/board/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ショップボード")
    card = page.locator(f'[data-testid=board-card][data-machine="{first.pk}"]')
    expect(card).to_have_attribute("data-state", "producing")
    expect(card.get_by_test_id("card-state")).to_have_text("生産中")
    checks(page, "board (phone)")
    screenshot(page, "floor-board-phone")

    # The first lathe raises an alarm while the page is open.
    write_batch(
        Batch(
            events=[
                StateEvent(
                    machine_id=first.pk,
                    boot="today",
                    seq=100,
                    at=timezone.now(),
                    state="alarm",
                    reason="A1203",
                )
            ]
        )
    )
    expect(card).to_have_attribute("data-state", "alarm", timeout=LIVE_TIMEOUT_MS)
    expect(card.get_by_test_id("card-state")).to_have_text("異常 (アラーム)")
    expect(card.get_by_test_id("card-reason")).to_have_text("コード A1203")
    checks(page, "board after the alarm (phone)")
    screenshot(page, "floor-board-phone-alarm")


def test_the_board_on_a_desktop_and_on_the_wall(page, live_server, shop, screenshot):
    people, (first, second) = shop
    sign_in(page, live_server.url, people.owner.email)
    page.goto(f"{live_server.url}/floor/board/")
    expect(page.get_by_test_id("board-card")).to_have_count(2)
    second_card = page.locator(f'[data-testid=board-card][data-machine="{second.pk}"]')
    expect(second_card.get_by_test_id("card-reason")).to_have_text("材料待ち")
    axe_check(page, "board (desktop)")
    screenshot(page, "floor-board-desktop")
    # The owner follows a card to the machine's day.
    page.get_by_role("link", name="NC旋盤 1号機 の今日のタイムライン").click()
    expect(page.get_by_test_id("day-heading")).to_contain_text("NC旋盤 1号機")

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/floor/board/")
    page.get_by_test_id("wall-link").click()
    expect(page.get_by_test_id("wall")).to_be_visible()
    expect(page.get_by_test_id("site-menu")).to_have_count(0)
    cards = page.get_by_test_id("board-card")
    expect(cards).to_have_count(2)
    # Large on the wall: the state is written in display type.
    state_size = cards.first.get_by_test_id("card-state").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert state_size >= 40
    # The wall page polls too.
    write_batch(
        Batch(
            events=[
                StateEvent(
                    machine_id=first.pk,
                    boot="today",
                    seq=101,
                    at=timezone.now(),
                    state="setup",
                )
            ]
        )
    )
    expect(cards.first).to_have_attribute("data-state", "setup", timeout=LIVE_TIMEOUT_MS)
    axe_check(page, "board (wall)")
    screenshot(page, "floor-board-wall")


def test_a_machine_day_on_a_phone_and_a_desktop(phone_page, page, live_server, shop, screenshot):
    people, (first, _second) = shop
    day = working_day(-2)  # never touched by today's rows
    url = f"{live_server.url}/floor/machines/{first.pk}/day/?date={day:%Y-%m-%d}"
    for current, where in ((phone_page, "phone"), (page, "desktop")):
        sign_in(current, live_server.url, people.owner.email)
        current.goto(url)
        expect(current.get_by_test_id("day-heading")).to_contain_text("NC旋盤 1号機")
        expect(current.get_by_test_id("band")).to_have_count(7)
        rows = current.get_by_test_id("shift-figures").get_by_test_id("figure-row")
        expect(rows).to_have_count(3)  # 前半, 後半 and the day
        expect(rows.first.get_by_test_id("basis")).to_contain_text("日報")
        expect(current.get_by_test_id("stop-row").first).to_be_visible()
        current.get_by_test_id("band-table").locator("summary").click()
        expect(current.get_by_test_id("band-row")).to_have_count(7)
        if where == "phone":
            checks(current, "machine day (phone)")
        else:
            axe_check(current, "machine day (desktop)")
        screenshot(current, f"floor-machine-day-{where}")


def test_the_metrics_page_on_a_phone_and_a_desktop(phone_page, page, live_server, shop, screenshot):
    people, _lathes = shop
    for current, where in ((phone_page, "phone"), (page, "desktop")):
        sign_in(current, live_server.url, people.owner.email)
        current.goto(f"{live_server.url}/floor/metrics/")
        expect(current.get_by_role("heading", level=1)).to_have_text("稼働率・OEE")
        machines = current.get_by_test_id("machine-figures").get_by_test_id("figure-row")
        expect(machines).to_have_count(3)  # two lathes and the manual lathe from its 日報
        expect(machines.nth(2)).to_contain_text("日報から")
        expect(current.get_by_test_id("pareto-row").first).to_be_visible()
        expect(current.get_by_test_id("pareto-cumulative").last).to_have_text("100.0%")
        expect(current.get_by_test_id("trend-row")).to_have_count(30)
        if where == "phone":
            checks(current, "metrics (phone)")
        else:
            axe_check(current, "metrics (desktop)")
        screenshot(current, f"floor-metrics-{where}")
        # A period that cannot be read: a message, the default period, no error page.
        current.goto(f"{live_server.url}/floor/metrics/?from=2&to=1")
        expect(current.get_by_test_id("period-problem")).to_contain_text("日付として読めません")


def test_the_shifts_page_on_a_phone(phone_page, live_server, shop, screenshot):
    people, _lathes = shop
    page = phone_page
    sign_in(page, live_server.url, people.owner.email)
    page.goto(f"{live_server.url}/floor/shifts/")
    expect(page.get_by_test_id("shift")).to_have_count(2)
    checks(page, "shifts (phone)")
    page.get_by_label("シフト名").fill("夜勤")
    page.get_by_label("開始時刻").fill("16:00")
    page.get_by_label("終了時刻").fill("06:00")
    page.get_by_role("button", name="追加する").click()
    expect(page.locator(".form-error")).to_contain_text("後半")
    assert Shift.objects.filter(company=people.shop).count() == 2
    page.get_by_label("開始時刻").fill("22:00")
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_test_id("shift")).to_have_count(3)
    checks(page, "shifts after adding (phone)")
    screenshot(page, "floor-shifts-phone")
