"""Flows a person clicks through, in headless Chromium against a live server."""

import re

import pytest
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    TEST_PASSWORD,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)

pytestmark = pytest.mark.browser


def sign_in(page, base_url, email, password=TEST_PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.locator("main").get_by_role("button", name="ログイン").click()


@pytest.fixture
def owner_of_two(transactional_db):
    membership = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社", name_en="Kamata Precision Co., Ltd."),
        role=CompanyRole.OWNER,
        user__name="高橋 一郎",
    )
    MembershipFactory(
        user=membership.user,
        company=CompanyFactory(name="六郷鍍金工業株式会社"),
        role=CompanyRole.STAFF,
    )
    return membership.user


def test_officer_signs_in_with_a_totp_code(page, live_server, transactional_db, screenshot):
    officer = WardRoleFactory(user__name="区職員 山口").user
    give_totp(officer)
    CompanyFactory.create_batch(3)
    sign_in(page, live_server.url, officer.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    screenshot(page, "officer-mfa-code")
    page.get_by_label("コード").fill("000000")
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page.locator(".form-error, .alert-error").first).to_be_visible()
    page.get_by_label("コード").fill(totp_now())
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("大田区の概況")
    expect(page.get_by_test_id("company-total")).to_have_text("3")
    screenshot(page, "officer-home")


def test_switch_active_company(page, live_server, owner_of_two, screenshot):
    sign_in(page, live_server.url, owner_of_two.email)
    expect(page.get_by_test_id("active-company")).to_have_text("蒲田精機株式会社")
    switch = page.get_by_test_id("company-switch")
    switch.locator("summary").click()
    switch.get_by_role("button", name="六郷鍍金工業株式会社").click()
    expect(page.get_by_test_id("active-company")).to_have_text("六郷鍍金工業株式会社")
    expect(page.get_by_role("status")).to_contain_text(
        "六郷鍍金工業株式会社 の画面に切り替えました"
    )
    screenshot(page, "shop-home-switched")
    # The choice survives navigation.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("active-company")).to_have_text("六郷鍍金工業株式会社")


def test_switch_language_to_english_and_back(page, live_server, owner_of_two, screenshot):
    sign_in(page, live_server.url, owner_of_two.email)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="企業情報")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Company profile")).to_be_visible()
    expect(page.get_by_role("link", name="Home")).to_be_visible()
    screenshot(page, "shop-home-en")
    page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="企業情報")).to_be_visible()


def test_shop_home_on_a_phone(phone_page, live_server, owner_of_two, screenshot):
    sign_in(phone_page, live_server.url, owner_of_two.email)
    expect(phone_page.get_by_test_id("active-company")).to_have_text("蒲田精機株式会社")
    # Nothing may overflow sideways on a 390 px screen.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "shop-home-phone")


def test_wrong_password_then_lockout_in_the_browser(page, live_server, transactional_db, settings):
    user = MembershipFactory().user
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(page, live_server.url, user.email, "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("パスワードが正しくありません")
    sign_in(page, live_server.url, user.email, "not-the-password")
    expect(page.get_by_test_id("lockout")).to_contain_text("ログインを一時的に止めています")


def test_new_officer_is_made_to_set_up_totp_before_anything_else(
    page, live_server, transactional_db, screenshot
):
    officer = WardRoleFactory(user__name="新任 職員").user
    sign_in(page, live_server.url, officer.email)
    # Straight to the second-factor set-up; allauth asks for the password once more.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="確認する").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page.goto(f"{live_server.url}/ward/")
    expect(page).to_have_url(re.compile(r"/totp/activate/"))  # blocked until activated
    expect(page.locator("main img")).to_be_visible()
    # The secret is new on every visit to this page: read it from the page in front of us.
    secret = page.locator("#authenticator_secret").input_value()
    screenshot(page, "officer-totp-setup")
    page.locator("input[name=code]").fill(totp_now(secret))
    page.locator("main").get_by_role("button", name="有効化する").click()
    expect(page).not_to_have_url(re.compile(r"/totp/activate/"))
    page.goto(f"{live_server.url}/ward/")
    expect(page.get_by_role("heading", level=1)).to_have_text("大田区の概況")
