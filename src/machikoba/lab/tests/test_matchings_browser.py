"""On a phone (390 × 844): lab staff record a matching from a vendor's demo, and it shows in
the list with its three-month follow-up date; the party's owner opens it. The consortium's
pages (partners, projects, a referral) pass the phone rules and axe too; screenshots of
each are saved for review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.fiscal import add_months
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import TEST_PASSWORD, CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import (
    make_bank,
    make_item,
    make_lab,
    make_lab_staff,
    make_vendor,
)
from machikoba.core.testing.factories_lab_ecosystem import (
    add_participant,
    make_partner,
    make_project,
    make_referral,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import ItemKind, MatchingStatus
from machikoba.lab.models_ecosystem import Matching

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]


def _checked(page, screenshot, name):
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    screenshot(page, name)


def _sign_in_partner(page, base, email):
    """A bank's person: the header has no shop's company switch to wait for."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_staff_record_a_matching_on_a_phone_and_it_shows_with_its_follow_up_date(
    phone_page, live_server, transactional_db, screenshot
):
    base = live_server.url
    lab = make_lab()
    vendor = make_vendor("城南ITソリューションズ株式会社")
    item = make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=vendor, name="生産管理クラウド")
    shop = CompanyFactory(name="蒲田精密工業株式会社")
    owner = MembershipFactory(company=shop, role=CompanyRole.OWNER, user__name="蒲田 太郎").user
    staff = make_lab_staff()
    bank = make_bank("城南信用金庫")
    make_partner(name="東京テスト工科大学")
    project = make_project(title="段取り替えIoT見える化PBL")
    add_participant(project, company=shop, role="課題の提供")
    referral = make_referral(shop, bank)
    agreed = timezone.localdate() - dt.timedelta(days=2)
    page = phone_page

    sign_in_ward(page, base, staff.email)
    page.goto(f"{base}/lab/matchings/")
    expect(page.get_by_test_id("matchings-page")).to_be_visible()
    _checked(page, screenshot, "lab-matchings-empty-phone")

    page.get_by_test_id("matching-record").click()
    page.get_by_label("ベンダーのデモ・試用").check()
    page.get_by_label("機器・展示品 (それ以外のきっかけのとき)").select_option(str(item.pk))
    page.get_by_label("当事者1").select_option(str(shop.pk))
    page.get_by_label("当事者2").select_option(str(vendor.pk))
    page.get_by_label("購入・導入").check()
    page.get_by_label("合意日").fill(agreed.isoformat())
    page.get_by_label("根拠 (注文書番号、議事録など)").fill("注文書 No.2025-031 (年間ライセンス)")
    _checked(page, screenshot, "lab-matching-form-phone")
    page.get_by_test_id("ecosystem-submit").click()

    expect(page.get_by_text("ビジネスマッチングを記録しました。")).to_be_visible()
    matching = Matching.objects.get()
    assert matching.status == MatchingStatus.CONFIRMED
    row = page.get_by_test_id(f"matching-{matching.pk}")
    expect(row).to_contain_text("蒲田精密工業株式会社")
    expect(row).to_contain_text("生産管理クラウド")
    due = add_months(agreed, 3)
    expect(page.get_by_test_id(f"follow-up-due-{matching.pk}")).to_have_text(
        due.strftime("%Y/%m/%d")
    )
    expect(page.get_by_test_id("matching-total")).to_contain_text("1 件")
    _checked(page, screenshot, "lab-matchings-list-phone")

    # The office's consortium pages.
    page.goto(f"{base}/lab/consortium/partners/")
    expect(page.get_by_test_id("partners-page")).to_contain_text("城南信用金庫")
    _checked(page, screenshot, "lab-partners-phone")
    page.goto(f"{base}/lab/consortium/projects/{project.pk}/")
    expect(page.get_by_test_id("project-page")).to_contain_text("蒲田精密工業株式会社")
    _checked(page, screenshot, "lab-project-phone")

    # The party's owner opens the matching from the list.
    sign_in(page, base, owner.email)
    page.goto(f"{base}/lab/matchings/")
    page.get_by_test_id(f"matching-{matching.pk}").get_by_role("link").click()
    expect(page.get_by_test_id("matching-status")).to_have_text("成立")
    _checked(page, screenshot, "lab-matching-party-phone")
    page.goto(f"{base}/lab/referrals/{referral.pk}/")
    expect(page.get_by_test_id("referral-status")).to_have_text("紹介済み")
    _checked(page, screenshot, "lab-referral-company-phone")

    # The bank records its outcome (its people start at the referrals addressed to it).
    _sign_in_partner(page, base, bank.memberships.get().user.email)
    expect(page).to_have_url(f"{base}/lab/referrals/")
    expect(page.get_by_test_id(f"referral-{referral.pk}")).to_be_visible()
    _checked(page, screenshot, "lab-referrals-bank-phone")
    page.get_by_test_id(f"referral-{referral.pk}").get_by_role("link").click()
    page.get_by_label("融資実行").check()
    page.get_by_label("融資額 (円)").fill("2500000")
    _checked(page, screenshot, "lab-referral-bank-phone")
    page.get_by_role("button", name="結果を記録する").click()
    expect(page.get_by_test_id("referral-approved")).to_contain_text("2,500,000")
