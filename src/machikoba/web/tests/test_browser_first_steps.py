"""A new shop's first steps on a phone (390 x 844): its home shows the profile checklist;
the owner follows it to write the PR text and add a process, sees the meter go up, looks
at the profile as partners see it and opens the 現品票 help. Every page passes the phone
rules and axe-core."""

import re

import pytest
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import ProcessCategory
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.phone import axe_check, phone_checks

pytestmark = pytest.mark.browser


def _checks(page, where):
    phone_checks(page, where)
    axe_check(page, where)


def test_a_new_shop_follows_its_first_steps_on_a_phone(phone_page, live_server, screenshot):
    page, base = phone_page, live_server.url
    company = CompanyFactory(name="新井精工", name_kana="アライセイコウ")
    owner = MembershipFactory(company=company, role=CompanyRole.OWNER).user

    sign_in(page, base, owner.email)
    first_steps = page.get_by_test_id("first-steps")
    expect(first_steps).to_be_visible()
    expect(first_steps.get_by_test_id("profile-percent")).to_have_text("0 %")
    _checks(page, "home, new shop")
    screenshot(page, "first-steps-home-new")

    # The PR text: the checklist opens the profile form at that field.
    first_steps.get_by_role("link", name=re.compile("PR・得意なこと")).click()
    expect(page).to_have_url(re.compile(r"/edit/#id_pr_text$"))
    _checks(page, "profile form")
    page.get_by_label("PR・得意なこと").fill(
        "φ3〜φ120 の小物旋削と、試作 1 個からの対応が得意です。"
    )
    page.get_by_role("button", name="保存する").click()
    checklist = page.get_by_test_id("profile-checklist")
    expect(checklist.get_by_test_id("profile-percent")).to_have_text("17 %")
    expect(checklist.get_by_test_id("checklist-pr_text")).to_have_attribute("data-done", "true")
    _checks(page, "company page, own")
    screenshot(page, "first-steps-company-page")

    # A process with its material and size, from the company page's checklist.
    checklist.get_by_role("link", name=re.compile("工程と対応材料")).click()
    _checks(page, "capability form")
    nc_lathe = ProcessCategory.objects.get(code="cutting.turning.nc_lathe")
    page.locator("#id_process").select_option(value=str(nc_lathe.pk))
    page.get_by_label("SUS304", exact=True).check()
    page.get_by_label("最大長さ (mm)").fill("120")
    page.get_by_role("button", name="保存する").click()
    expect(checklist.get_by_test_id("profile-percent")).to_have_text("50 %")
    expect(checklist.get_by_test_id("checklist-processes")).to_have_attribute("data-done", "true")
    expect(checklist.get_by_test_id("checklist-envelope")).to_have_attribute("data-done", "true")

    # Home: the meter went up, the remaining items still link to their forms.
    page.goto(f"{base}/")
    expect(first_steps.get_by_test_id("profile-percent")).to_have_text("50 %")
    expect(first_steps.get_by_test_id("profile-count")).to_contain_text("6 項目中 3 項目")
    expect(page.get_by_test_id("board-matches")).to_be_visible()
    _checks(page, "home, half done")
    screenshot(page, "first-steps-home-half")

    # What partners see: no editing, no checklist, the profile as written.
    first_steps.get_by_test_id("preview-link").click()
    expect(page.get_by_test_id("partner-preview")).to_be_visible()
    expect(page.get_by_text("小物旋削")).to_be_visible()
    expect(page.get_by_role("link", name="企業情報を編集")).to_have_count(0)
    expect(page.get_by_role("link", name="工程を追加")).to_have_count(0)
    expect(page.get_by_test_id("profile-checklist")).to_have_count(0)
    _checks(page, "partner preview")
    screenshot(page, "first-steps-partner-preview")

    # The 現品票 help, from the home's first steps.
    page.goto(f"{base}/")
    first_steps.get_by_role("link", name="現品票で品物を受け渡すには").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("現品票で品物を受け渡すには")
    expect(page.get_by_test_id("help-step")).to_have_count(5)
    _checks(page, "traveler help")
    screenshot(page, "help-traveler")

    page.goto(f"{base}/")
    first_steps.get_by_role("link", name="見積依頼に答えるには").click()
    expect(page.get_by_test_id("help-step")).to_have_count(4)
    _checks(page, "rfq help")
    screenshot(page, "help-rfq")
