"""The demo's network story on a 390 x 844 phone, walked from each person's home by the
visible buttons only (no typed URL after signing in): the owner awards the heat treatment,
the heat treater accepts the order, the owner finishes and ships the turning, the heat
treater receives the parts and starts. On every page on the way: nothing wider than the
screen, body text >= 16 px, tap targets >= 44 px (``core/testing/phone.py``) and no
serious or critical axe-core violation."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from machikoba.board.models import Request
from machikoba.board.tests.factories import admit, quoted_team
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.network.choices import StepStatus
from machikoba.network.models import Job, Order
from machikoba.web.tests.test_browser_csp import demo_ward, sign_in

pytestmark = pytest.mark.browser

__all__ = ["demo_ward"]

User = get_user_model()


def checked(page, where):
    """The page as it stands passes the phone and accessibility checks."""
    page.wait_for_load_state("networkidle")
    phone_checks(page, where)
    axe_check(page, where)


def menu(page, name):
    """Open the phone's menu and follow one of its links."""
    page.get_by_role("banner").get_by_text("メニュー").click()
    page.get_by_role("banner").get_by_role("link", name=name, exact=True).click()


def test_the_network_story_by_its_buttons_on_a_phone(
    demo_ward, phone_page, live_server, screenshot
):
    page, base = phone_page, live_server.url
    job = Job.objects.get(drawing_number="TK-2026-014")
    winner = "heat@example.com"
    winner_company = job.rfqs.get().recipients.get(company__memberships__user__email=winner).company

    # The owner: home → 今やること → the RFQ with a quote → award that shop.
    sign_in(page, base, "owner@example.com")
    checked(page, "owner home")
    screenshot(page, "story-phone-owner-home")
    page.get_by_test_id("todo-decide").click()
    checked(page, "RFQ comparison")
    page.get_by_role("link", name=f"この会社に決める {winner_company.name}").first.click()
    checked(page, "award form")
    page.get_by_role("button", name="注文書を発行する").click()
    expect(page.get_by_role("status")).to_contain_text("注文書を発行しました")
    checked(page, "order page (owner)")
    order = Order.objects.get(job=job)

    # The heat treater: home → 今やること → 請ける注文 → accept.
    sign_in(page, base, winner)
    checked(page, "partner home")
    screenshot(page, "story-phone-partner-home")
    page.get_by_test_id("todo-accept").click()
    if "/orders/" not in page.url:  # several orders: the list, then this one
        page.get_by_role("link", name=order.number).first.click()
    checked(page, "order page (supplier)")
    page.get_by_role("button", name="この注文を請ける (注文請書)").click()
    expect(page.get_by_role("status")).to_contain_text("注文を請けました")

    # The owner: 案件 → the job → finish and ship the turning (it ships to the winner).
    sign_in(page, base, "owner@example.com")
    menu(page, "案件")
    checked(page, "jobs list")
    page.get_by_role("link", name="段付きシャフト").first.click()
    checked(page, "job page")
    screenshot(page, "story-phone-job")
    page.get_by_test_id("route").get_by_role("button", name="加工完了").first.click()
    expect(page.get_by_role("status")).to_contain_text("加工完了を記録しました")
    page.get_by_test_id("route").get_by_role("link", name="出荷").first.click()
    checked(page, "ship form")
    expect(page.get_by_role("main")).to_contain_text(winner_company.name)
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_role("status")).to_contain_text("出荷を記録しました")
    assert job.steps.get(position=1).status == StepStatus.SHIPPED

    # The heat treater: home → 受け入れる品物 → receive → 開始.
    sign_in(page, base, winner)
    page.get_by_test_id("todo-receive").click()
    if "/receive/" not in page.url:
        page.get_by_role("link", name="受け入れ").first.click()
    checked(page, "receive form")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_role("status")).to_contain_text("受け入れを記録しました")
    assert job.steps.get(position=1).status == StepStatus.RECEIVED
    checked(page, "job page (partner)")
    page.get_by_test_id("route").get_by_role("button", name="開始").first.click()
    expect(page.get_by_role("status")).to_contain_text("開始しました")
    assert job.steps.get(position=2).status == StepStatus.IN_PROGRESS
    checked(page, "job page (partner, started)")


def test_the_floor_workers_story_by_its_buttons_on_a_phone(
    demo_ward, phone_page, live_server, screenshot
):
    """The worker finishes the turning from the home's to-do list; with the heat treatment
    not yet awarded there is nobody to ship to, and the tag's page says so instead of
    offering a shipment to nobody."""
    page, base = phone_page, live_server.url
    job = Job.objects.get(drawing_number="TK-2026-014")
    sign_in(page, base, "worker@example.com")
    checked(page, "worker home")
    screenshot(page, "story-phone-worker-home")
    page.get_by_test_id("todo-finish").click()
    if "/jobs/" not in page.url:  # several steps in progress: the list, then this one
        checked(page, "my work")
        page.get_by_test_id("to-do").get_by_role(
            "link", name=re.compile("^段付きシャフト — ")
        ).first.click()
    checked(page, "job page (worker)")
    page.get_by_test_id("route").get_by_role("button", name="加工完了").first.click()
    expect(page.get_by_role("status")).to_contain_text("加工完了を記録しました")
    assert job.steps.get(position=1).status == StepStatus.DONE
    expect(page.get_by_test_id("route").get_by_role("link", name="出荷")).to_have_count(0)
    # The traveler tag's QR code (read by the phone's camera, so here the one address
    # visited directly) opens the handoff page: it says why nothing ships.
    page.goto(f"{base}/t/{job.steps.get(position=1).pk}/")
    checked(page, "tag page")
    expect(page.get_by_test_id("handoff-waiting")).to_contain_text("出荷できません")
    expect(page.get_by_test_id("handoff-action")).to_have_count(0)


def test_the_buyers_story_by_its_buttons_on_a_phone(demo_ward, phone_page, live_server, screenshot):
    """The buyer from outside the ward decides its open-board request: home → 今やること
    → the request with one team's quote → 「このチームに決める」 → the 注文書; the team's lead
    then finds the order on its own home and accepts it, and its job shows the members'
    steps as ordered, with their dates."""
    page, base = phone_page, live_server.url
    request = Request.objects.get(drawing_number="KH-5520")
    lead = Job.objects.get(drawing_number="TK-2026-014").company  # owner@'s first shop
    shops = {
        position: User.objects.get(email=email).memberships.get().company
        for position, email in (
            (2, "heat@example.com"),
            (3, "plating@example.com"),
            (4, "grinding@example.com"),
        )
    }
    admit(request, lead)
    team = quoted_team(request, lead, {1: lead, **shops})

    # The buyer: home → 今やること → the request → this team → issue the order.
    sign_in(page, base, "buyer@example.com")
    checked(page, "buyer home")
    screenshot(page, "story-phone-buyer-home")
    page.get_by_test_id("todo-board_decide").click()
    checked(page, "request page (buyer)")
    expect(page.get_by_role("main")).to_contain_text(lead.name)
    expect(page.get_by_test_id("team-quote")).to_contain_text("420,000円")
    screenshot(page, "story-phone-buyer-request")
    page.get_by_role("link", name=f"このチームに決める {lead.name}").click()
    checked(page, "award form")
    expect(page.get_by_label(f"{lead.name} のチーム", exact=False)).to_be_checked()
    page.get_by_role("button", name="注文書を発行する").click()
    expect(page.get_by_role("status")).to_contain_text("注文書を発行しました")
    checked(page, "order page (buyer)")
    team.refresh_from_db()
    expect(page.get_by_role("main")).to_contain_text(team.buyer_order.number)

    # The lead: home → 今やること 請ける注文 → accept; the job shows the members' orders.
    sign_in(page, base, "owner@example.com")
    page.get_by_test_id("todo-accept").click()
    if "/orders/" not in page.url:  # several orders: the list, then this one
        page.get_by_role("link", name=team.buyer_order.number).first.click()
    checked(page, "order page (lead)")
    page.get_by_role("button", name="この注文を請ける (注文請書)").click()
    expect(page.get_by_role("status")).to_contain_text("注文を請けました")
    menu(page, "案件")
    page.get_by_role("link", name=request.part_name).first.click()
    checked(page, "job page (lead)")
    screenshot(page, "story-phone-lead-job")
    route = page.get_by_test_id("route")
    for shop in shops.values():
        expect(route).to_contain_text(shop.name)
    expect(route).not_to_contain_text("見積依頼中")
    expect(page.get_by_role("main")).not_to_contain_text("予定日なし")
    expect(page.get_by_role("main")).to_contain_text(request.company.name)  # 発注元
