"""Answer without an account, on a phone: the owner sends an RFQ to a shop nobody has
signed up for, prints its one-time link (FAX); the shop opens the link on a phone, reads
the RFQ and a watermarked drawing, quotes, and asks for its company's account, which is
confirmed through the ward's address for the company (or an officer's approval); the
owner sees the quote in the comparison."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Membership
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.tests.test_browser_import import sign_in_officer
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    give_totp,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.drawings.tests.factories import make_document
from machikoba.network import services
from machikoba.network.tests.factories import deadline, make_job

pytestmark = pytest.mark.browser

CLAIM = re.compile(r"http://[^/\s]+/claim/[A-Za-z0-9_-]{43}/")


def test_an_rfq_answered_on_a_phone_through_a_one_time_link(
    phone_page, live_server, transactional_db, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    settings.MACHIKOBA_SITE_URL = live_server.url
    owner = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社"), role=CompanyRole.OWNER
    )
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Nobody has signed up for it; the ward's ledger holds its address.
    shop = CompanyFactory(name="六郷研削所", contact_email="office@rokugo.example.jp")
    job = make_job(owner.user, owner.company, documents=[make_document(owner.company)])
    rfq = services.rfq_send(
        actor=owner.user,
        job=job,
        steps=[job.steps.get(position=4)],
        recipients=[shop],
        deadline=deadline(),
        message="研削代 0.2 mm、外径 φ20 h6 に仕上げてください。",
    )
    page = phone_page
    base = live_server.url
    rfq_url = f"{base}{reverse('network:rfq_detail', args=[rfq.pk])}"

    sign_in(page, base, owner.user.email)
    page.goto(rfq_url)
    row = page.get_by_test_id(f"guest-row-{shop.pk}")
    expect(row).to_contain_text("未送付")
    expect(row.get_by_role("button", name="FAX 用 PDF を印刷")).to_be_visible()
    # The print link as the PDF carries it (its token exists only in that PDF).
    _link, token = services.guest_link_issue(
        actor=owner.user, recipient=rfq.recipients.get(), channel="print"
    )
    page.reload()
    expect(page.get_by_test_id(f"guest-row-{shop.pk}")).to_contain_text("送付済み")

    # The shop, not signed in, opens the link on its phone.
    page.context.clear_cookies()
    page.goto(f"{base}/r/{token}/")
    guest = page.get_by_test_id("guest-rfq")
    expect(guest).to_contain_text("段付きシャフト")
    expect(guest).to_contain_text("円筒研削")
    expect(page.get_by_test_id("guest-sender")).to_contain_text("蒲田精機株式会社")
    drawing = page.get_by_test_id("guest-document").locator("img").first
    expect(drawing).to_be_visible()
    drawing.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=drawing.element_handle()
    )
    assert page.get_by_role("link", name="ダウンロード").count() == 0
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "guest-link-rfq-phone")

    page.get_by_label("金額 (円・税抜)").fill("64000")
    page.get_by_label("納期 (受注からの日数)").fill("7")
    page.get_by_label("条件").fill("材料支給、研削代 0.2 mm 以内")
    page.get_by_role("button", name="見積を提出").click()
    thanks = page.get_by_test_id("guest-thanks")
    expect(thanks).to_contain_text("回答を受け付けました")
    expect(page.get_by_test_id("guest-answer")).to_contain_text("64,000円")
    expect(page.get_by_test_id("guest-rfq")).to_have_count(0)
    screenshot(page, "guest-link-thanks-phone")

    # Asking for the account: the confirmation goes to the ward's address, never to one
    # typed here, and the page shows it masked.
    page.get_by_label("氏名").fill("六郷 太郎")
    page.get_by_role("button", name="区に申し込む").click()
    expect(page.get_by_test_id("guest-account-sent-to")).to_contain_text("o***@rokugo.example.jp")
    screenshot(page, "guest-link-account-requested-phone")
    assert not Membership.objects.filter(company=shop).exists()
    run_queued_tasks("deliver_email")
    (claim_url,) = [
        url
        for m in mail.outbox
        if m.to == ["office@rokugo.example.jp"]
        for url in CLAIM.findall(m.body)
    ]
    page.goto(claim_url)
    page.get_by_label("氏名").fill("六郷 太郎")
    page.get_by_label("パスワード").fill("kensaku-2041!")
    page.get_by_role("button", name="アカウントを作成").click()
    expect(page.get_by_test_id("claim-done")).to_contain_text("アカウントを作成しました")
    membership = Membership.objects.get(company=shop)
    assert membership.role == CompanyRole.OWNER
    assert membership.user.email == "office@rokugo.example.jp"

    # The link is used up: opening it again shows the thanks, never the RFQ.
    page.goto(f"{base}/r/{token}/")
    expect(page.get_by_test_id("guest-thanks")).to_be_visible()
    expect(page.get_by_test_id("guest-rfq")).to_have_count(0)

    # The owner compares.
    sign_in(page, base, owner.user.email)
    page.goto(rfq_url)
    comparison = page.get_by_test_id("comparison")
    expect(comparison).to_contain_text("六郷研削所")
    expect(comparison).to_contain_text("64,000円")
    expect(page.get_by_test_id(f"guest-row-{shop.pk}")).to_contain_text("回答済み")


def test_without_a_ward_address_an_officer_approves_on_a_phone(
    phone_page, live_server, transactional_db, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    settings.MACHIKOBA_SITE_URL = live_server.url
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社"), role=CompanyRole.OWNER
    )
    officer = WardRoleFactory(user__name="区職員 山口").user
    give_totp(officer)
    shop = CompanyFactory(name="六郷研削所")  # no address in the ward's ledger
    job = make_job(owner.user, owner.company)
    rfq = services.rfq_send(
        actor=owner.user,
        job=job,
        steps=[job.steps.get(position=4)],
        recipients=[shop],
        deadline=deadline(),
    )
    link, token = services.guest_link_issue(
        actor=owner.user, recipient=rfq.recipients.get(), channel="print"
    )
    services.guest_decline(link=link, reason="研削盤が埋まっている")
    page = phone_page
    base = live_server.url

    page.goto(f"{base}/r/{token}/")
    page.get_by_label("氏名").fill("六郷 太郎")
    page.get_by_label("メールアドレス").fill("taro@rokugo.example.jp")
    page.get_by_label("電話番号").fill("03-3700-0000")
    page.get_by_role("button", name="区に申し込む").click()
    expect(page.get_by_test_id("guest-account-awaiting")).to_be_visible()
    claim = CompanyClaim.objects.get(company=shop)
    assert claim.status == "awaiting_officer"
    assert not Membership.objects.filter(company=shop).exists()

    sign_in_officer(page, base, officer)
    page.get_by_role("link", name="企業アカウントの申請").click()
    card = page.get_by_test_id(f"claim-{claim.pk}")
    expect(card).to_contain_text("六郷研削所")
    expect(card).to_contain_text("03-3700-0000")
    expect(card).to_contain_text("蒲田精機株式会社")  # whose link started it
    approve = page.get_by_test_id(f"claim-approve-{claim.pk}")
    assert approve.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "ward-claim-queue-phone")
    approve.click()
    expect(page.get_by_test_id("claim-queue-empty")).to_be_visible()
    screenshot(page, "ward-claim-queue-approved-phone")

    run_queued_tasks("deliver_email")
    (claim_url,) = [
        url
        for m in mail.outbox
        if m.to == ["taro@rokugo.example.jp"]
        for url in CLAIM.findall(m.body)
    ]
    page.context.clear_cookies()
    page.goto(claim_url)
    page.get_by_label("氏名").fill("六郷 太郎")
    page.get_by_label("パスワード").fill("kensaku-2041!")
    page.get_by_role("button", name="アカウントを作成").click()
    expect(page.get_by_test_id("claim-done")).to_be_visible()
    assert Membership.objects.get(company=shop).user.email == "taro@rokugo.example.jp"
