"""Inviting a floor worker on a phone (issue 18, item 3): the owner opens the people page
from their home and shows a QR code for a floor worker; on the worker's own phone (a
second browser context) the invite link leads through sign-up with a personal address
and the e-mail confirmation back to the invitation, and the worker joins; the owner's
people page then lists them. Every page passes the phone rules and axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Membership
from machikoba.companies.models_people import Invitation
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.phone import PHONE, axe_check, phone_checks
from machikoba.core.testing.processes import run_queued_tasks

pytestmark = pytest.mark.browser

WORKER_EMAIL = "kenta.yamada.private@example.net"
WORKER_PASSWORD = "senban-2041-kenta!"
CONFIRM = re.compile(r"http://[^/\s]+/accounts/confirm-email/[^/\s]+/")


def _checked(page, screenshot, name):
    phone_checks(page, name)
    axe_check(page, name)
    screenshot(page, name)


def test_a_floor_worker_joins_through_a_qr_code_on_the_owners_phone(
    phone_page, chromium, live_server, transactional_db, settings, screenshot
):
    settings.MACHIKOBA_SITE_URL = live_server.url
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    company = CompanyFactory(name="蒲田精機株式会社")
    owner = MembershipFactory(company=company, role=CompanyRole.OWNER, user__name="蒲田 一郎")
    base = live_server.url

    # The owner, on their phone: home → the people page → a QR code for a floor worker.
    page = phone_page
    sign_in(page, base, owner.user.email)
    page.get_by_test_id("manage-people").click()
    expect(page.get_by_test_id("people")).to_be_visible()
    expect(page.get_by_test_id("last-owner")).to_be_visible()
    expect(page.get_by_test_id("no-invitations")).to_be_visible()
    _checked(page, screenshot, "people-owner-phone")
    page.get_by_test_id("people-invite").click()
    expect(page.get_by_label("現場作業者")).to_be_checked()
    _checked(page, screenshot, "people-invite-phone")
    page.get_by_test_id("invite-show-qr").click()
    expect(page.get_by_test_id("invite-qr")).to_be_visible()
    expect(page.get_by_test_id("invite-qr-role")).to_contain_text("「現場作業者」として招待")
    qr_box = page.get_by_test_id("invite-qr").bounding_box()
    assert qr_box is not None
    assert qr_box["width"] >= 200
    assert qr_box["x"] + qr_box["width"] <= PHONE["width"]
    invite_url = page.get_by_test_id("invite-url").input_value()
    assert invite_url.startswith(f"{base}/invite/")
    _checked(page, screenshot, "people-invite-qr-phone")

    # The worker's own phone: another browser, nobody signed in.
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    context.set_default_timeout(15_000)
    try:
        worker = context.new_page()
        worker.goto(invite_url)
        expect(worker.get_by_test_id("invite-company")).to_have_text("蒲田精機株式会社")
        expect(worker.get_by_test_id("invite-role")).to_have_text("現場作業者")
        _checked(worker, screenshot, "people-invite-visitor-phone")
        worker.get_by_test_id("invite-signup").click()
        worker.wait_for_url(re.compile(r"/accounts/signup/"))
        _checked(worker, screenshot, "people-signup-phone")
        worker.get_by_label("メールアドレス").fill(WORKER_EMAIL)
        worker.locator("input[name=password1]").fill(WORKER_PASSWORD)
        worker.locator("input[name=password2]").fill(WORKER_PASSWORD)
        worker.locator("main").locator("button[type=submit]").click()
        worker.wait_for_url(re.compile(r"/accounts/confirm-email/"))
        _checked(worker, screenshot, "people-verification-sent-phone")
        # Not a member yet: nothing is joined before the e-mail is confirmed.
        assert not Membership.objects.filter(company=company, user__email=WORKER_EMAIL).exists()

        run_queued_tasks("deliver_email")
        (link,) = [
            url for m in mail.outbox if m.to == [WORKER_EMAIL] for url in CONFIRM.findall(m.body)
        ]
        worker.goto(link)
        _checked(worker, screenshot, "people-confirm-email-phone")
        worker.locator("main").locator("button[type=submit]").click()
        # Confirming signs them in and brings them back to the invitation.
        worker.wait_for_url(invite_url)
        expect(worker.get_by_test_id("invite-join")).to_be_visible()
        _checked(worker, screenshot, "people-invite-join-phone")
        worker.get_by_test_id("invite-join").click()
        expect(worker.get_by_test_id("active-company")).to_have_text("蒲田精機株式会社")
        expect(worker.get_by_role("status").first).to_contain_text(
            "蒲田精機株式会社 に「現場作業者」として参加しました。"
        )
        _checked(worker, screenshot, "people-joined-home-phone")
    finally:
        context.close()

    membership = Membership.objects.get(company=company, user__email=WORKER_EMAIL)
    assert membership.role == CompanyRole.FLOOR_WORKER
    assert Invitation.objects.get().used_by == membership.user

    # The owner's people page lists them; the QR invitation is no longer open.
    page.get_by_test_id("invite-done").click()
    person = page.get_by_test_id(f"person-{membership.pk}")
    expect(person).to_contain_text(WORKER_EMAIL)
    expect(person.get_by_test_id("person-role")).to_have_text("現場作業者")
    expect(page.get_by_test_id("no-invitations")).to_be_visible()
    expect(page.get_by_test_id("last-owner")).to_be_visible()
    _checked(page, screenshot, "people-owner-after-join-phone")


def test_an_owner_changes_a_role_removes_a_person_and_hands_over_on_a_phone(
    phone_page, live_server, transactional_db, settings, screenshot
):
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    company = CompanyFactory(name="蒲田精機株式会社")
    owner = MembershipFactory(company=company, role=CompanyRole.OWNER, user__name="蒲田 一郎")
    staff = MembershipFactory(company=company, role=CompanyRole.STAFF, user__name="大森 花子")
    lathe = MembershipFactory(
        company=company, role=CompanyRole.FLOOR_WORKER, user__name="六郷 健太"
    )
    mill = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER, user__name="糀谷 次郎")
    base = live_server.url
    page = phone_page

    # A floor worker who tries to invite is told that only owners may, and by whom.
    sign_in(page, base, mill.user.email)
    page.goto(f"{base}/companies/{company.pk}/people/invite/")
    expect(page.get_by_test_id("owners-only")).to_contain_text("経営者だけができます")
    expect(page.get_by_test_id("owners-only")).to_contain_text("蒲田 一郎")
    _checked(page, screenshot, "people-owners-only-phone")

    # The owner reaches the people page from the company's own page.
    sign_in(page, base, owner.user.email)
    page.goto(f"{base}/companies/{company.pk}/")
    page.get_by_test_id("manage-people").click()
    expect(page.get_by_test_id("people")).to_be_visible()

    # 六郷 becomes staff; he is told.
    page.get_by_test_id(f"person-{lathe.pk}").get_by_role("link", name="役割を変える").click()
    _checked(page, screenshot, "people-role-phone")
    page.get_by_label("事務・技術スタッフ").check()
    page.locator("main").get_by_role("button", name="役割を変える").click()
    expect(page.get_by_role("status").first).to_contain_text("六郷 健太 の役割を変えました。")
    expect(page.get_by_test_id(f"person-{lathe.pk}").get_by_test_id("person-role")).to_have_text(
        "事務・技術スタッフ"
    )

    # 大森 leaves the company: her access ends, her page row goes.
    page.get_by_test_id(f"person-{staff.pk}").get_by_role("link", name="メンバーから外す").click()
    expect(page.get_by_test_id("remove-form")).to_contain_text("大森 花子 の名前のまま残ります")
    _checked(page, screenshot, "people-remove-phone")
    page.get_by_test_id("remove-confirm").click()
    expect(page.get_by_role("status").first).to_contain_text("大森 花子 をメンバーから外しました。")
    expect(page.get_by_test_id(f"person-{staff.pk}")).to_have_count(0)
    assert not Membership.objects.filter(pk=staff.pk).exists()

    # Handing over to 六郷, the owner becoming staff: the people page is no longer theirs.
    page.get_by_test_id("people-transfer").click()
    _checked(page, screenshot, "people-transfer-phone")
    page.get_by_label("六郷 健太 (事務・技術スタッフ)").check()
    page.get_by_label("渡したあと、自分は「事務・技術スタッフ」になる").check()
    page.locator("main").get_by_role("button", name="経営者の権限を渡す").click()
    expect(page.get_by_test_id("active-company")).to_have_text("蒲田精機株式会社")
    expect(page.get_by_role("status").first).to_contain_text("経営者の権限を渡しました。")
    expect(page.get_by_test_id("manage-people")).to_have_count(0)
    assert Membership.objects.get(pk=lathe.pk).role == CompanyRole.OWNER
    assert Membership.objects.get(pk=owner.pk).role == CompanyRole.STAFF
    _checked(page, screenshot, "people-after-transfer-home-phone")
