"""Issue 5's whole story in the demo ward, in a real browser: the owner's shop creates a
job of four steps (旋削 in-house → 焼入れ → 硬質クロムめっき → 研削), takes the suggested
heat treaters, two of them quote, it awards from the comparison, the order is issued
(PDF) and accepted, each party moves its step, the handoffs are recorded through the
traveler tag's page at phone size, the Gantt shows the progress and the job closes."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.demo import DEMO_PASSWORD
from machikoba.core.testing import browser
from machikoba.core.testing import demo_ward as demo
from machikoba.network.models import Job, Step

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo_ward(transactional_db, settings, tmp_path):
    demo.demo_ward(settings, tmp_path)


def sign_in(page, base, email):
    browser.sign_in(page, base, email, DEMO_PASSWORD)


def quote(page, base, email, price, days):
    sign_in(page, base, email)
    page.get_by_role("link", name="やること").first.click()
    page.get_by_test_id("rfqs-to-answer").get_by_role("link", name="フランジ軸").click()
    page.get_by_label("金額 (円・税抜)").fill(price)
    page.get_by_label("納期 (受注からの日数)").fill(days)
    page.get_by_role("button", name="見積を提出").click()
    expect(page.get_by_role("status")).to_contain_text("見積を提出しました")


def award_and_accept(page, base, rfq_url, winner_name, winner_email):
    sign_in(page, base, "owner@example.com")
    page.goto(rfq_url)
    page.get_by_role("link", name=f"この会社に決める {winner_name}").click()
    expect(page.get_by_label(winner_name, exact=False)).to_be_checked()
    page.get_by_role("button", name="注文書を発行する").click()
    expect(page.get_by_role("status")).to_contain_text("注文書を発行しました")
    order_url = page.url
    sign_in(page, base, winner_email)
    page.goto(order_url)
    page.get_by_role("button", name=re.compile("この注文を請ける")).click()
    expect(page.get_by_role("status")).to_contain_text("注文を請けました")
    return order_url


def ask_one_shop(page, base, job, position, shop_name):
    sign_in(page, base, "owner@example.com")
    page.goto(f"{base}/jobs/{job.pk}/")
    page.get_by_role("link", name="見積を依頼").click()
    step = Step.objects.get(job=job, position=position)
    page.get_by_label(re.compile(rf"\b{position}\. ")).check()
    page.get_by_label(shop_name, exact=True).check()
    page.get_by_role("button", name="見積依頼を送る").click()
    expect(page.get_by_role("status")).to_contain_text("見積依頼を送りました")
    assert step.rfqs.count() == 1
    return page.url


def handoff(page, base, email, step, taps):
    """At phone size: open the traveler tag's page and record each next action in one tap."""
    sign_in(page, base, email)
    page.set_viewport_size(PHONE)
    for label in taps:
        page.goto(f"{base}/t/{step.pk}/")
        page.get_by_role("button", name=re.compile(label)).click()
        expect(page.get_by_role("status")).to_contain_text("記録しました")
    page.set_viewport_size(DESKTOP)


def test_the_whole_story_in_the_demo_ward(page, live_server, demo_ward, screenshot):
    base = live_server.url
    today = timezone.localdate()
    sign_in(page, base, "owner@example.com")

    # 1. The job and its route.
    page.goto(f"{base}/jobs/new/")
    page.get_by_label("品名").fill("フランジ軸")
    page.get_by_label("図番").fill("TK-2026-021")
    page.get_by_label("数量").fill("30")
    page.get_by_label("納期").fill((today + dt.timedelta(days=28)).isoformat())
    page.get_by_label(re.compile("段付きシャフト")).check()  # the demo drawing
    page.get_by_role("button", name="登録する").click()
    route = [
        ("NC旋盤加工", True, 0, 2, None),
        ("焼入れ・焼戻し", False, 3, 6, "HRC 50〜55"),
        ("硬質クロムめっき", False, 7, 10, None),
        ("円筒研削", False, 11, 14, None),
    ]
    for label, in_house, start, end, hardness in route:
        page.get_by_role("link", name="工程を追加").click()
        page.locator("#id_process").select_option(label=label)
        if in_house:
            page.get_by_label("社内で行う").check()
        if hardness:
            page.get_by_label("硬さ").fill(hardness)
        page.get_by_label("開始予定日").fill((today + dt.timedelta(days=start)).isoformat())
        page.get_by_label("完了予定日").fill((today + dt.timedelta(days=end)).isoformat())
        page.get_by_role("button", name="追加する").click()
        expect(page.get_by_role("status")).to_contain_text("工程を追加しました")
    job = Job.objects.get(part_name="フランジ軸")
    expect(page.get_by_test_id("step-2").get_by_test_id("spec-items")).to_contain_text(
        "硬さ HRC 50〜55"
    )

    # 2. Suggestions for the heat treatment: take the two demo heat treaters.
    page.get_by_test_id("step-2").get_by_role("link", name=re.compile("依頼先の候補")).click()
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("焼入れ・焼戻し対応")
    expect(suggestions).to_contain_text(" km")
    for box in suggestions.get_by_role("checkbox").all():
        box.uncheck()
    for name in ("有限会社山本熱処理工業", "石川熱処理工業株式会社"):
        suggestions.locator("li", has_text=name).get_by_role("checkbox").check()
    page.get_by_role("button", name="選んだ企業に見積を依頼").click()
    page.get_by_role("button", name="見積依頼を送る").click()
    expect(page.get_by_role("status")).to_contain_text("見積依頼を送りました")
    heat_rfq = page.url

    # 3. Two quotes, the comparison, the award, the order (PDF) accepted.
    quote(page, base, "heat@example.com", "54000", "3")
    quote(page, base, "heat2@example.com", "58000", "2")
    sign_in(page, base, "owner@example.com")
    page.goto(heat_rfq)
    expect(page.get_by_test_id("comparison")).to_contain_text("54,000円")
    expect(page.get_by_test_id("comparison")).to_contain_text("58,000円")
    screenshot(page, "story-comparison")
    order_url = award_and_accept(page, base, heat_rfq, "有限会社山本熱処理工業", "heat@example.com")
    pdf = page.request.get(order_url + "order.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The plater and the grinder, one shop each.
    for position, name, email, price in (
        (3, "中村鍍金工業株式会社", "plating@example.com", "39000"),
        (4, "有限会社小林研削工業", "grinding@example.com", "45000"),
    ):
        rfq_url = ask_one_shop(page, base, job, position, name)
        quote(page, base, email, price, "3")
        award_and_accept(page, base, rfq_url, name, email)
    assert [s.status for s in job.steps.order_by("position")] == [
        "planned",
        "ordered",
        "ordered",
        "ordered",
    ]

    # 4. Each party moves its step; every handoff goes through the traveler's page.
    steps = list(job.steps.order_by("position"))
    handoff(page, base, "worker@example.com", steps[0], ["開始する", "加工完了", "出荷する"])
    handoff(page, base, "heat@example.com", steps[0], ["受け入れる"])
    handoff(page, base, "heat@example.com", steps[1], ["開始する", "加工完了", "出荷する"])
    handoff(page, base, "plating@example.com", steps[1], ["受け入れる"])
    sign_in(page, base, "plating@example.com")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/t/{steps[1].pk}/")
    screenshot(page, "story-handoff-phone")
    page.set_viewport_size(DESKTOP)
    handoff(page, base, "plating@example.com", steps[2], ["開始する", "加工完了", "出荷する"])
    handoff(page, base, "grinding@example.com", steps[2], ["受け入れる"])
    handoff(page, base, "grinding@example.com", steps[3], ["開始する", "加工完了", "出荷する"])
    handoff(page, base, "owner@example.com", steps[3], ["受け入れる"])

    # 5. The Gantt shows it all done; the job closes.
    page.goto(f"{base}/jobs/{job.pk}/")
    for position in range(1, 5):
        expect(
            page.get_by_test_id(f"step-{position}").get_by_test_id("step-status")
        ).to_contain_text("受け入れ済み")
    expect(page.get_by_test_id("job-history")).to_contain_text("工程の受け入れ")
    screenshot(page, "story-job-gantt")
    page.get_by_role("button", name="案件を完了にする").click()
    expect(page.get_by_role("status")).to_contain_text("案件を完了にしました")
    job.refresh_from_db()
    assert job.status == "closed"
    assert set(job.steps.values_list("status", flat=True)) == {"closed"}
