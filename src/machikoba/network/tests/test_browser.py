"""The 仲間まわし story in a real browser: a job with four steps, an RFQ to two heat
treaters, two quotes, the comparison and the award, the order accepted, and the first
handoffs recorded by each party."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.network.models import Job, Order, Step

pytestmark = pytest.mark.browser


def shop(name):
    return MembershipFactory(company=CompanyFactory(name=name), role=CompanyRole.OWNER).user


def test_a_job_routed_through_two_quotes_an_award_and_the_first_handoffs(
    page, live_server, transactional_db, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    owner = shop("蒲田精機株式会社")
    heat = shop("大森熱処理株式会社")
    rival = shop("羽田熱錬工業株式会社")
    shop("六郷鍍金工業株式会社")
    today = timezone.localdate()
    base = live_server.url

    sign_in(page, base, owner.email)
    page.get_by_role("link", name="案件", exact=True).click()
    page.get_by_role("link", name="案件を登録").click()
    page.get_by_label("品名").fill("段付きシャフト")
    page.get_by_label("図番").fill("TK-2041")
    page.get_by_label("数量").fill("50")
    page.get_by_label("納期").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("status")).to_contain_text("案件を登録しました")

    route = [
        ("NC旋盤加工", True, 0, 3),
        ("焼入れ・焼戻し", False, 4, 8),
        ("硬質クロムめっき", False, 9, 14),
        ("円筒研削", False, 15, 20),
    ]
    for label, in_house, start, end in route:
        page.get_by_role("link", name="工程を追加").click()
        page.locator("#id_process").select_option(label=label)
        if in_house:
            page.get_by_label("社内で行う").check()
        page.get_by_label("開始予定日").fill((today + dt.timedelta(days=start)).isoformat())
        page.get_by_label("完了予定日").fill((today + dt.timedelta(days=end)).isoformat())
        page.get_by_role("button", name="追加する").click()
        expect(page.get_by_role("status")).to_contain_text("工程を追加しました")
    expect(page.get_by_test_id("route").locator("tbody tr")).to_have_count(4)
    job = Job.objects.get()

    # Ask the two heat treaters.
    page.get_by_role("link", name="見積を依頼").click()
    page.get_by_label(re.compile("焼入れ・焼戻し")).check()
    page.get_by_label("大森熱処理株式会社").check()
    page.get_by_label("羽田熱錬工業株式会社").check()
    page.get_by_role("button", name="見積依頼を送る").click()
    expect(page.get_by_role("status")).to_contain_text("見積依頼を送りました")
    rfq_url = page.url

    for user, price, days in ((heat, "118000", "6"), (rival, "135000", "4")):
        sign_in(page, base, user.email)
        page.get_by_role("link", name="やること").first.click()
        page.get_by_test_id("rfqs-to-answer").get_by_role("link", name="段付きシャフト").click()
        page.get_by_label("金額 (円・税抜)").fill(price)
        page.get_by_label("納期 (受注からの日数)").fill(days)
        page.get_by_role("button", name="見積を提出").click()
        expect(page.get_by_role("status")).to_contain_text("見積を提出しました")
        expect(page.get_by_test_id("my-status")).to_contain_text("見積提出済み")

    # The owner compares and awards.
    sign_in(page, base, owner.email)
    page.goto(rfq_url)
    comparison = page.get_by_test_id("comparison")
    expect(comparison).to_contain_text("118,000円")
    expect(comparison).to_contain_text("135,000円")
    screenshot(page, "network-comparison")
    # The award starts from the chosen column, preselected, each choice with its price.
    page.get_by_role("link", name="この会社に決める 大森熱処理株式会社").click()
    expect(page.get_by_label("大森熱処理株式会社", exact=False)).to_be_checked()
    expect(page.get_by_role("main")).to_contain_text("118,000円 ・ 納期 6 日")
    page.get_by_role("button", name="注文書を発行する").click()
    expect(page.get_by_role("status")).to_contain_text("注文書を発行しました")
    expect(page.get_by_test_id("order-document")).to_contain_text("大森熱処理株式会社")
    order = Order.objects.get()

    # The heat treater accepts the order.
    sign_in(page, base, heat.email)
    page.goto(f"{base}/orders/{order.pk}/")
    page.get_by_role("button", name=re.compile("この注文を請ける")).click()
    expect(page.get_by_role("status")).to_contain_text("注文を請けました")

    # The owner turns the shaft in-house and ships it to the heat treater.
    sign_in(page, base, owner.email)
    page.goto(f"{base}/jobs/{job.pk}/")
    first = page.get_by_test_id("step-1")
    first.get_by_role("button", name="開始").click()
    first.get_by_role("button", name="加工完了").click()
    first.get_by_role("link", name="出荷").click()
    expect(page.get_by_role("main")).to_contain_text("送り先: 大森熱処理株式会社")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_test_id("step-1").get_by_test_id("step-status")).to_contain_text("出荷済み")

    # The heat treater receives, and starts its own step.
    sign_in(page, base, heat.email)
    page.get_by_role("link", name="やること").first.click()
    page.get_by_test_id("to-receive").get_by_role("link").click()
    page.get_by_label("良品数").fill("50")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_role("status")).to_contain_text("受け入れを記録しました")
    page.get_by_test_id("step-2").get_by_role("button", name="開始").click()
    expect(page.get_by_test_id("step-2").get_by_test_id("step-status")).to_contain_text("加工中")
    assert page.get_by_test_id("step-3").count() == 0  # other partners' steps stay hidden

    sign_in(page, base, owner.email)
    page.goto(f"{base}/jobs/{job.pk}/")
    expect(page.get_by_test_id("gantt")).to_be_visible()
    screenshot(page, "network-job-gantt")
    assert Step.objects.get(job=job, position=2).status == "in_progress"


def test_the_traveler_qr_page_records_a_handoff_in_one_tap_on_a_phone(
    phone_page, live_server, transactional_db, settings, tmp_path, screenshot
):
    from machikoba.core.testing.matrix import World
    from machikoba.network import services
    from machikoba.network.tests.test_permissions import _order

    settings.MEDIA_ROOT = tmp_path
    world = World.build()
    order = _order(world)
    owner, heat = world.users["member"], world.users["other_company"]
    services.order_accept(actor=heat, order=order)
    first = Step.objects.get(job=order.job, position=1)
    for call in (services.step_start, services.step_finish):
        call(actor=owner, step=first)
    services.step_ship(actor=owner, step=first, quantity=50)

    # The heat treater's worker scans the tag that came with the parts.
    sign_in(phone_page, live_server.url, heat.email)
    phone_page.goto(f"{live_server.url}/t/{first.pk}/")
    expect(phone_page.get_by_test_id("handoff-status")).to_have_text("出荷済み")
    button = phone_page.get_by_role("button", name=re.compile("50 個を受け入れる"))
    box = button.bounding_box()
    assert box["width"] > 300  # a thumb-sized target
    assert box["height"] >= 56
    screenshot(phone_page, "network-handoff-phone")
    button.click()
    expect(phone_page.get_by_role("status")).to_contain_text("記録しました")
    expect(phone_page.get_by_test_id("handoff-status")).to_have_text("受け入れ済み")
    first.refresh_from_db()
    assert (first.status, first.good_quantity) == ("received", 50)
