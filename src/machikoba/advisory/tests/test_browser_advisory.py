"""伴走型アドバイザー派遣 on a phone (390 × 844): the advisor signs in, opens the
engagement from their home and logs a visit through the form; the owner signs in and taps
「確認しました」; the officer's hours page shows the signed-off hours and the amount. Every
page passes the phone rules and axe; screenshots of the engagement page are saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.accounts.choices import WardRole
from machikoba.advisory.models import Visit
from machikoba.advisory.tests.conftest import make_advisor
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import (
    TEST_PASSWORD,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)
from machikoba.core.testing.factories_programs import make_engagement
from machikoba.core.testing.phone import axe_check, phone_checks

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]


def _checked(page, screenshot=None, name=""):
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    if screenshot is not None:
        screenshot(page, name)


def _sign_in_plain(page, base, email):
    """Sign in a person with no company (the advisor): the home has no company header."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_visit_logged_on_a_phone_is_signed_off_and_paid(
    phone_page, live_server, transactional_db, screenshot
):
    base = live_server.url
    company = CompanyFactory(name="蒲田精機株式会社")
    owner = MembershipFactory(company=company, role=CompanyRole.OWNER, user__name="蒲田 太郎")
    advisor = make_advisor("城南 花子", hourly_fee=8000)
    officer = WardRoleFactory(role=WardRole.OFFICER, user__name="大田 職員").user
    give_totp(officer)
    engagement = make_engagement(company, [advisor], started_days_ago=30)
    day = timezone.localdate() - dt.timedelta(days=1)
    page = phone_page

    # The advisor: home → the engagement → 「訪問を記録する」 → the form.
    _sign_in_plain(page, base, advisor.user.email)
    page.goto(f"{base}/advisory/")
    expect(page.get_by_test_id("advisor-home")).to_be_visible()
    _checked(page, screenshot, "advisory-advisor-home-phone")
    page.get_by_test_id(f"open-engagement-{engagement.pk}").click()
    expect(page.get_by_test_id("engagement")).to_be_visible()
    expect(page.get_by_test_id("no-visits")).to_be_visible()
    _checked(page, screenshot, "advisory-engagement-advisor-phone")
    page.get_by_test_id("log-visit").click()
    page.get_by_label("訪問した日").fill(day.isoformat())
    page.get_by_label("開始の時刻").fill("10:00")
    page.get_by_label("終了の時刻").fill("11:30")
    page.get_by_label("実施内容").fill("見積の流れを聞き取り、時間のかかる手順を洗い出した。")
    page.get_by_label("次回までの宿題・次のステップ").fill("過去の見積を10件用意")
    _checked(page, screenshot, "advisory-visit-form-phone")
    page.get_by_test_id("advisory-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("訪問を記録しました")
    visit = Visit.objects.get(engagement=engagement)
    assert visit.minutes == 90
    expect(page.get_by_test_id(f"visit-{visit.pk}")).to_contain_text("確認待ち")
    _checked(page, screenshot, "advisory-engagement-after-visit-phone")

    # The owner: the company's page → 「確認しました」.
    sign_in(page, base, owner.user.email)
    page.goto(f"{base}/advisory/company/")
    expect(page.get_by_test_id(f"awaiting-{visit.pk}")).to_be_visible()
    _checked(page, screenshot, "advisory-company-phone")
    page.get_by_test_id(f"sign-off-{visit.pk}").click()
    expect(page.locator(".alert-success")).to_contain_text("訪問記録を確認しました")
    visit.refresh_from_db()
    assert visit.signed_off_by == owner.user
    page.goto(f"{base}/advisory/engagements/{engagement.pk}/")
    expect(page.get_by_test_id(f"visit-{visit.pk}")).to_contain_text("確認済み")
    _checked(page, screenshot, "advisory-engagement-owner-phone")

    # The officer: the hours of the visit's month, signed off and paid.
    sign_in_officer(page, base, officer.email)
    page.goto(f"{base}/office/advisory/hours/?month={day:%Y-%m}")
    row = page.get_by_test_id(f"hours-{advisor.pk}")
    expect(row.get_by_test_id("hours-signed")).to_have_text("90 分")
    expect(row.get_by_test_id("hours-amount")).to_have_text("12,000円")
    expect(page.get_by_test_id("hours-total")).to_have_text("12,000円")
    _checked(page, screenshot, "advisory-office-hours-phone")
    page.goto(f"{base}/office/advisory/")
    expect(page.get_by_test_id(f"office-engagement-{engagement.pk}")).to_be_visible()
    _checked(page, screenshot, "advisory-office-phone")


def sign_in_officer(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.get_by_label("コード").fill(totp_now())
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
