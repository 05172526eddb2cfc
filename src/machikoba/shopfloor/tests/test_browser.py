"""The demo shop's owner plans the week's turning in a real browser, with a real task
worker: the progress shows, the machine Gantt appears, a drag onto another job's time
is flagged as a conflict by the validator, and dragging it back clears it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Equipment
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.processes import start_worker
from machikoba.shopfloor.demo import seed_week
from machikoba.shopfloor.models import PlannedOperation, ScheduleRun

pytestmark = [pytest.mark.browser, pytest.mark.worker]

FINISHED_TIMEOUT_MS = 90_000


def demo_shop():
    """The demo owner's lathe shop (the machines of seed_demo) and its week of work."""
    shop = CompanyFactory(name="有限会社高橋精機製作所")
    owner = MembershipFactory(company=shop, role=CompanyRole.OWNER, user__name="高橋 一郎").user
    for kind, maker, model_name, count in (
        ("NC旋盤", "オークマ", "LB3000 EX II", 2),
        ("NC旋盤", "森精機", "NLX2500", 1),
        ("汎用旋盤", "ワシノ", "LEO-80A", 1),
    ):
        Equipment.objects.create(
            company=shop, kind=kind, maker=maker, model_name=model_name, count=count
        )
    customer = CompanyFactory(name="小林研削工業株式会社")
    customer_owner = MembershipFactory(company=customer, role=CompanyRole.OWNER).user
    seed_week(company=shop, owner=owner, customer=customer, customer_owner=customer_owner)
    return shop, owner


def drag(page, bar, onto):
    """Drag ``bar`` by its left end so that it starts where ``onto`` starts (both scrolled
    into the viewport first: the mouse only reaches what is on the screen)."""
    onto.scroll_into_view_if_needed()
    bar.scroll_into_view_if_needed()
    source, target = bar.bounding_box(), onto.bounding_box()
    grab_x, grab_y = source["x"] + 4, source["y"] + source["height"] / 2
    page.mouse.move(grab_x, grab_y)
    page.mouse.down()
    page.mouse.move(grab_x + 20, grab_y + 10, steps=3)
    page.mouse.move(target["x"] + 4, target["y"] + target["height"] / 2, steps=8)
    page.mouse.up()


def test_the_owner_plans_the_week_and_adjusts_it_on_the_gantt(
    page, phone_page, live_server, transactional_db, screenshot
):
    _shop, owner = demo_shop()
    base = live_server.url
    worker = start_worker()
    try:
        sign_in(page, base, owner.email)
        page.get_by_role("link", name="設備の計画").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("設備の計画")
        expect(page.get_by_test_id("no-plan")).to_be_visible()

        page.get_by_label(re.compile("納期を守る")).check()
        page.get_by_label("計画を考える時間").select_option("10")
        page.get_by_role("button", name="計画する").click()
        # The progress section polls until the worker is done, then the page reloads.
        gantt = page.get_by_test_id("gantt")
        expect(gantt).to_be_visible(timeout=FINISHED_TIMEOUT_MS)
        run = ScheduleRun.objects.get()
        assert run.status == "done"
        assert run.tardiness_minutes == 0

        rows = page.get_by_test_id("gantt-row")
        expect(rows).to_have_count(4)
        expect(rows.nth(0)).to_contain_text("NC旋盤 LB3000 EX II #1")
        expect(rows.nth(3)).to_contain_text("汎用旋盤 LEO-80A")
        expect(page.get_by_test_id("late-count")).to_have_text("なし")
        expect(page.get_by_test_id("conflicts")).to_have_count(0)
        shown = page.get_by_test_id("gantt-bar").count()
        outside = PlannedOperation.objects.filter(run=run).count() - shown
        assert shown >= 8  # the week's work is on the screen; the rest is counted below
        if outside:
            expect(page.get_by_test_id("outside-count")).to_contain_text(str(outside))
        expect(gantt).to_contain_text("研削前シャフト")  # the job turned for the partner
        screenshot(page, "schedule-gantt")

        # Drag the first job on NC lathe #1 onto the start of the first one on #2.
        first_row_bar = rows.nth(0).get_by_test_id("gantt-bar").first
        second_row_bar = rows.nth(1).get_by_test_id("gantt-bar").first
        moved_id = first_row_bar.get_attribute("data-operation")
        home = timezone.localtime(PlannedOperation.objects.get(pk=moved_id).start)
        drag(page, first_row_bar, second_row_bar)
        conflicts = page.get_by_test_id("conflicts")
        expect(conflicts).to_be_visible()
        expect(conflicts).to_contain_text("重なっています")
        expect(page.locator('[data-conflict="true"]')).to_have_count(2)
        moved = PlannedOperation.objects.get(pk=moved_id)
        assert moved.moved
        assert moved.unit == 2
        screenshot(page, "schedule-conflict")

        # Undo the last drag (issue 16, item 12): the bar goes back, the conflict goes.
        undo = page.get_by_test_id("gantt-undo")
        expect(undo).to_be_visible()
        undo.click()
        expect(page.get_by_test_id("conflicts")).to_have_count(0)
        expect(undo).to_be_hidden()
        back = PlannedOperation.objects.get(pk=moved_id)
        assert back.unit == 1
        assert timezone.localtime(back.start) == home
        # The hour scale and whole machine names
        expect(page.get_by_test_id("gantt-hour").first).to_be_visible()
        expect(page.get_by_test_id("gantt-machine").nth(1)).to_have_text("NC旋盤 LB3000 EX II #2")
        screenshot(page, "schedule-undone")

        # Drag it again, for the keyboard path below.
        drag(
            page,
            rows.nth(0).get_by_test_id("gantt-bar").first,
            rows.nth(1).get_by_test_id("gantt-bar").first,
        )
        expect(page.get_by_test_id("conflicts")).to_be_visible()

        # The keyboard path: the table of operations links each one to its form (on the
        # Gantt the moved bar may now lie under the other one). Put it back on lathe #1.
        operation_list = page.get_by_test_id("operation-list")
        operation_list.locator("summary").click()
        operation_list.locator(f'a[href="/schedule/operations/{moved_id}/move/"]').click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("NC旋盤加工")
        page.get_by_label("設備").select_option(label="NC旋盤 LB3000 EX II #1")
        page.get_by_label("日付").fill(home.date().isoformat())
        page.get_by_label("開始時刻").fill(home.strftime("%H:%M"))
        page.get_by_role("button", name="動かす").click()
        expect(page.get_by_role("status")).to_contain_text("作業を移動しました")
        # Back where the solver had put it: the plan is consistent again.
        expect(page.get_by_test_id("conflicts")).to_have_count(0)

        sign_in(phone_page, base, owner.email)
        phone_page.goto(f"{base}/schedule/")
        expect(phone_page.get_by_test_id("gantt")).to_be_visible()
        screenshot(phone_page, "schedule-gantt-phone")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
