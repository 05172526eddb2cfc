"""Messages in a real browser at phone size: the owner writes to a partner about a job,
with a drawing attached; the partner sees the unread badge, reads the thread and opens
the attachment in the watermarked viewer."""

import re

import pytest
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.drawings.tests.factories import png_bytes
from machikoba.network.models import Step
from machikoba.network.tests.factories import make_job

pytestmark = pytest.mark.browser


def test_a_message_with_an_attachment_reaches_the_partner(
    phone_page, live_server, transactional_db, tmp_path, settings, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    page, base = phone_page, live_server.url
    owner_company = CompanyFactory(name="蒲田精機株式会社")
    partner_company = CompanyFactory(name="大森熱処理株式会社")
    owner = MembershipFactory(
        company=owner_company, role=CompanyRole.OWNER, user__name="高橋 一郎"
    ).user
    partner = MembershipFactory(
        company=partner_company, role=CompanyRole.OWNER, user__name="丸山 次郎"
    ).user
    job = make_job(owner, owner_company)
    Step.objects.filter(job=job, position=2).update(performer=partner_company)
    drawing = tmp_path / "TK-2041.png"
    drawing.write_bytes(png_bytes(800, 600))

    sign_in(page, base, owner.email)
    page.goto(f"{base}/jobs/{job.pk}/messages/{partner_company.pk}/")
    expect(page.get_by_test_id("thread-title")).to_have_text("TK-2041 段付きシャフト")
    expect(page.get_by_test_id("participants")).to_contain_text("大森熱処理株式会社")
    page.get_by_label("メッセージ", exact=True).fill(
        "焼入れの硬さは HRC 50〜55 でお願いします。\n図面を添付します。"
    )
    page.get_by_label("添付ファイル (任意)").set_input_files(str(drawing))
    page.get_by_role("button", name="送信する").click()
    expect(page.get_by_role("status")).to_contain_text("メッセージを送りました")
    expect(page.get_by_test_id("message")).to_have_count(1)
    expect(page.get_by_test_id("unread-messages")).to_have_count(0)  # not news to the sender

    sign_in(page, base, partner.email)
    badge = page.get_by_test_id("unread-messages")
    expect(badge).to_have_text("1")
    page.get_by_role("banner").get_by_text("メニュー").click()  # the phone's menu
    page.get_by_test_id("messages-link").click()
    page.get_by_role("link", name=re.compile("TK-2041 段付きシャフト")).click()
    message = page.get_by_test_id("message")
    expect(message).to_contain_text("蒲田精機株式会社")
    expect(message).to_contain_text("高橋 一郎")
    expect(message).to_contain_text("HRC 50〜55")
    expect(page.get_by_test_id("unread-divider")).to_be_visible()
    expect(page.get_by_test_id("attachment-link")).to_have_text("TK-2041.png")
    screenshot(page, "messaging-thread-phone")
    expect(page.get_by_test_id("unread-messages")).to_have_count(0)  # read by opening it
    page.get_by_test_id("attachment-link").click()
    expect(page).to_have_url(re.compile(r"/drawings/\d+/rev/1/$"))
