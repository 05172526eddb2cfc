"""The joint-order story in a real browser: a buyer posts a request needing four
processes; three shops raise hands; a lead is admitted, forms a team, sets the split and
sends one quote; the buyer awards; the job appears with performers and orders; after the
job closes, ratings are exchanged and appear on the profiles."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.board import services
from machikoba.board.models import Request, Team
from machikoba.board.tests.factories import make_buyer, make_shop, owner_of
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import make_capability
from machikoba.network import services as network
from machikoba.network.models import Order
from machikoba.network.tests.factories import process

pytestmark = pytest.mark.browser

ROUTE = [
    ("NC旋盤加工", "cutting.turning.nc_lathe"),
    ("焼入れ・焼戻し", "heat_treatment.quench_temper"),
    ("硬質クロムめっき", "surface.plating.hard_chrome"),
    ("円筒研削", "grinding.cylindrical"),
]


def test_a_buyer_request_answered_by_a_team(
    page, live_server, transactional_db, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    today = timezone.localdate()
    buyer = make_buyer("川崎油圧機器株式会社")
    lead = make_shop("蒲田精機株式会社")
    heat = make_shop("大森熱処理株式会社")
    plating = make_shop("六郷鍍金工業株式会社")
    grinding = make_shop("糀谷研削所")
    for shop, (_label, code) in zip((lead, heat, plating, grinding), ROUTE, strict=True):
        make_capability(shop, process(code))

    # The buyer posts the request with its four processes.
    sign_in(page, base, owner_of(buyer).email)
    page.goto(f"{base}/board/")
    page.get_by_role("link", name="引き合いを出す").click()
    page.get_by_label("品名").fill("油圧シリンダ用ロッド")
    page.get_by_label("図番").fill("KH-5520")
    page.locator("#id_quantity").fill("40")
    page.locator("#id_due_date").fill((today + dt.timedelta(days=45)).isoformat())
    page.get_by_label("回答期限").fill((today + dt.timedelta(days=7)).isoformat())
    page.get_by_label("詳しい内容").fill("φ40 h6、全長 320、めっき厚 20µm。")
    for slot, (label, _code) in enumerate(ROUTE, start=1):
        page.locator(f"#id_process_{slot}").select_option(label=label)
    page.get_by_role("button", name="引き合いを出す").click()
    expect(page.get_by_role("status")).to_contain_text("引き合いを出しました")
    request = Request.objects.get()
    assert request.processes.count() == 4

    # Three shops see it on their board (by their capabilities) and raise hands.
    for shop, position in ((heat, 2), (plating, 3), (grinding, 4)):
        sign_in(page, base, owner_of(shop).email)
        page.goto(f"{base}/board/")
        expect(page.get_by_test_id("board-requests")).to_contain_text("油圧シリンダ用ロッド")
        if shop == heat:
            screenshot(page, "board-open-requests")
        page.get_by_role("link", name="油圧シリンダ用ロッド").click()
        expect(page.get_by_test_id("poster-hidden")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("川崎油圧機器")
        page.get_by_test_id(f"process-{position}").get_by_role("link", name="手を挙げる").click()
        page.get_by_label("参考納期 (日数)").fill("5")
        page.get_by_label("コメント").fill("この工程を担当できます。")
        page.get_by_role("button", name="手を挙げる").click()
        expect(page.get_by_role("status")).to_contain_text("手を挙げました")

    # The lead accepts the NDA; the buyer admits it.
    sign_in(page, base, owner_of(lead).email)
    page.goto(f"{base}/board/requests/{request.pk}/")
    page.get_by_role("button", name="同意して閲覧を申請").click()
    expect(page.get_by_test_id("admission-status")).to_contain_text("承認を待っています")
    sign_in(page, base, owner_of(buyer).email)
    page.goto(f"{base}/board/requests/{request.pk}/")
    expect(page.get_by_test_id("processes")).to_contain_text("大森熱処理株式会社")
    page.get_by_test_id("admissions").get_by_role("button", name="承認する").click()
    expect(page.get_by_role("status")).to_contain_text("承認しました")

    # The lead forms the team from the hands, assigns, sets its margin.
    sign_in(page, base, owner_of(lead).email)
    page.goto(f"{base}/board/requests/{request.pk}/")
    expect(page.get_by_test_id("poster")).to_contain_text("川崎油圧機器株式会社")
    page.get_by_role("button", name="幹事としてチームを作る").click()
    expect(page.get_by_role("status")).to_contain_text("チームを作りました")
    for _ in range(3):
        page.get_by_test_id("hands-to-invite").get_by_role("button", name="誘う").first.click()
        expect(page.get_by_role("status")).to_contain_text("招待しました")
    team = Team.objects.get()
    members = {m.company_id: m for m in team.members.all()}
    for shop in (heat, plating, grinding):
        services.member_answer(actor=owner_of(shop), member=members[shop.pk], join=True)
    page.reload()
    for slot, shop in zip(
        request.processes.order_by("position"), (lead, heat, plating, grinding), strict=True
    ):
        page.locator(f"#assign-{slot.pk}").select_option(label=shop.name)
    page.get_by_role("button", name="割り当てを保存").click()
    expect(page.get_by_role("status")).to_contain_text("担当を保存しました")
    # Each member quotes its part to the lead (the heat treater on its own screen).
    for shop, price in ((plating, 84_000), (grinding, 91_000)):
        services.member_quote(
            actor=owner_of(shop),
            member=members[shop.pk],
            price=price,
            delivery_date=today + dt.timedelta(days=35),
        )
    lead_quote = page.locator("section").filter(has_text="自社の担当分の金額")
    lead_quote.get_by_label("担当工程の金額 (円・税抜)").fill("128000")
    lead_quote.get_by_role("button", name="見積を出す").click()
    expect(page.get_by_role("status")).to_contain_text("幹事企業に見積を出しました")
    sign_in(page, base, owner_of(heat).email)
    page.goto(f"{base}/board/teams/{team.pk}/")
    page.get_by_label("担当工程の金額 (円・税抜)").fill("61000")
    page.get_by_label("担当工程の完了日").fill((today + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="見積を出す").click()
    expect(page.get_by_role("status")).to_contain_text("幹事企業に見積を出しました")
    split = page.get_by_test_id("team-split")
    expect(split).to_contain_text("61,000円")
    expect(split).not_to_contain_text("84,000円")  # another member's line stays private
    expect(split).to_contain_text("非公開")

    sign_in(page, base, owner_of(lead).email)
    page.goto(f"{base}/board/teams/{team.pk}/")
    page.get_by_label("幹事の取りまとめ費 (円・税抜)").fill("30000")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_test_id("team-total")).to_have_text("394,000円")
    screenshot(page, "board-team-split")
    page.get_by_label("納期 (受注からの日数)").fill("40")
    page.get_by_test_id("team-quote-form").get_by_role("button", name="見積を出す").click()
    expect(page.get_by_role("status")).to_contain_text("発注企業にチームの見積を送りました")

    # The buyer sees one quote and awards it.
    sign_in(page, base, owner_of(buyer).email)
    page.goto(f"{base}/board/requests/{request.pk}/")
    expect(page.get_by_test_id("team-quote")).to_contain_text("394,000円")
    expect(page.locator("main")).not_to_contain_text("61,000円")
    # The award starts from the team's card, the team already chosen.
    page.get_by_role("link", name="このチームに決める 蒲田精機株式会社").click()
    expect(page.get_by_label("蒲田精機株式会社 のチーム", exact=False)).to_be_checked()
    page.get_by_role("button", name="注文書を発行する").click()
    expect(page.get_by_role("status")).to_contain_text("注文書を発行しました")

    # The lead's job has the route and performers; each member has its order.
    team.refresh_from_db()
    job = team.job
    sign_in(page, base, owner_of(lead).email)
    page.goto(f"{base}/jobs/{job.pk}/")
    route = page.get_by_test_id("route")
    for shop in (heat, plating, grinding):
        expect(route).to_contain_text(shop.name)
    screenshot(page, "board-awarded-job")
    orders = Order.objects.filter(job=job, buyer=lead)
    assert {(o.supplier_id, o.price) for o in orders} == {
        (heat.pk, 61_000),
        (plating.pk, 84_000),
        (grinding.pk, 91_000),
    }

    # The work runs (recorded through the services here; the handoff screens have their
    # own browser test), the job closes, and the lead rates the heat treater.
    for order in orders:
        network.order_accept(actor=owner_of(order.supplier), order=order)
    steps = list(job.steps.order_by("position"))
    doers = [owner_of(lead), owner_of(heat), owner_of(plating), owner_of(grinding)]
    receivers = [*doers[1:], owner_of(lead)]
    for step, doer, receiver in zip(steps, doers, receivers, strict=True):
        network.step_start(actor=doer, step=step)
        network.step_finish(actor=doer, step=step)
        network.step_ship(actor=doer, step=step, quantity=40)
        network.step_receive(actor=receiver, step=step, good_quantity=40, defect_quantity=0)
    network.job_close(actor=owner_of(lead), job=job)
    page.goto(f"{base}/jobs/{job.pk}/")
    form = page.get_by_test_id("rating-form").filter(has_text="大森熱処理株式会社")
    for group in ("品質", "納期", "やりとり"):
        form.get_by_role("group", name=group).get_by_label("5").check()
    form.get_by_role("button", name="評価を送る").click()
    expect(page.get_by_test_id("ratings")).to_contain_text("大森熱処理株式会社")
    # The heat treater rates the lead back; both profiles show it.
    sign_in(page, base, owner_of(heat).email)
    page.goto(f"{base}/jobs/{job.pk}/")
    form = page.get_by_test_id("rating-form").filter(has_text="蒲田精機株式会社")
    for group in ("仕様のわかりやすさ", "支払いの確実さ"):
        form.get_by_role("group", name=group).get_by_label("4").check()
    form.get_by_role("button", name="評価を送る").click()
    page.goto(f"{base}/companies/{heat.pk}/")
    expect(page.get_by_test_id("reliability")).to_contain_text("5.0")
    page.goto(f"{base}/companies/{lead.pk}/")
    expect(page.get_by_test_id("reliability")).to_contain_text("4.0")
