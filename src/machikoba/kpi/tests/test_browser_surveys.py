"""The yearly company survey on a phone (390 × 844): the ward's officer creates this year's
round and sends it to the two registered companies; the owner of one opens the request,
finds last year's answer already filled in, types employees = 0 (refused, with the
reason), corrects it and sees the resulting 付加価値額; the officer then sees the
response rate go from 0 % to 50 %. Every page passes the phone rules and axe;
screenshots are saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    give_totp,
    ward,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.kpi.choices import DxEngagement, ResponseStatus
from machikoba.kpi.models import SurveyResponse, SurveyRound

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]


def _checked(page, screenshot, name):
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    screenshot(page, name)


def _last_years_answer(company):
    """The company answered last year's survey in 墨田区 (where it was before moving)."""
    last = SurveyRound.objects.create(
        municipality=ward(SUMIDA),
        fiscal_year=fiscal_year(timezone.localdate()) - 1,
        status="closed",
        due_on=timezone.localdate() - dt.timedelta(days=200),
        sent_at=timezone.now() - dt.timedelta(days=260),
    )
    SurveyResponse.objects.create(
        round=last,
        company=company,
        status=ResponseStatus.SUBMITTED,
        dx_engagement=DxEngagement.CONSIDERING,
        dx_stage=1,
        dx_needed=True,
        expected_support=["training"],
        sales=84_000_000,
        external_costs=51_000_000,
        employees=11,
        requested_at=timezone.now() - dt.timedelta(days=260),
        submitted_at=timezone.now() - dt.timedelta(days=250),
    )


def test_the_owner_answers_on_a_phone_and_the_rate_goes_up(
    phone_page, live_server, transactional_db, screenshot
):
    base = live_server.url
    company = CompanyFactory(name="蒲田精機株式会社", employees=11)
    owner = MembershipFactory(company=company, role=CompanyRole.OWNER, user__name="蒲田 太郎")
    CompanyFactory(name="糀谷工業株式会社")
    _last_years_answer(company)
    officer = WardRoleFactory(role=WardRole.OFFICER, user__name="大田 職員").user
    give_totp(officer)
    page = phone_page

    # The officer creates this year's round and sends it.
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}/kpi/surveys/")
    expect(page.get_by_test_id("no-rounds")).to_be_visible()
    _checked(page, screenshot, "kpi-survey-rounds-empty-phone")
    page.get_by_label("企業へのお知らせ").fill("区内企業の実態を知るための調査です。")
    page.get_by_test_id("round-create-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("企業調査を作りました")
    expect(page.get_by_test_id("round-send")).to_contain_text("2 社")
    page.get_by_test_id("round-send-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("2 社に送りました")
    expect(page.get_by_test_id("rate-value")).to_have_text("0.0%")
    _checked(page, screenshot, "kpi-survey-round-sent-phone")
    survey = SurveyRound.objects.get(municipality=ward())
    response = SurveyResponse.objects.get(round=survey, company=company)

    # The owner: the list → the request, filled in from last year.
    sign_in(page, base, owner.user.email)
    page.goto(f"{base}/kpi/my-surveys/")
    expect(page.get_by_test_id(f"my-survey-{response.pk}")).to_contain_text("回答待ち")
    _checked(page, screenshot, "kpi-my-surveys-phone")
    page.get_by_test_id(f"open-my-survey-{response.pk}").click()
    expect(page.get_by_test_id("prefill-note")).to_contain_text("昨年")
    expect(page.get_by_label("売上高 (円)")).to_have_value("84,000,000")
    expect(page.get_by_label("段階1: メール・表計算など一部をデジタル化")).to_be_checked()
    _checked(page, screenshot, "kpi-my-survey-form-phone")

    page.get_by_label("取り組んでいる (取組済み)").check()
    page.get_by_label("段階2: 業務ごとにソフトやクラウドを導入").check()
    page.get_by_label("売上高 (円)").fill("96,000,000")
    page.get_by_label("外部購入費用 (円)").fill("54,000,000")
    page.get_by_label("従業員数 (人)").fill("0")
    page.get_by_test_id("survey-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_employees_error")).to_contain_text("従業員数は1以上")
    response.refresh_from_db()
    assert response.status == ResponseStatus.REQUESTED
    _checked(page, screenshot, "kpi-my-survey-refused-phone")

    page.get_by_label("従業員数 (人)").fill("12")
    page.get_by_test_id("survey-submit").click()
    expect(page.locator(".alert-success").first).to_contain_text("ご回答ありがとうございました")
    expect(page.get_by_test_id("result-value-added")).to_have_text("42,000,000円")
    expect(page.get_by_test_id("result-productivity")).to_have_text("3,500,000円")
    _checked(page, screenshot, "kpi-my-survey-answered-phone")
    response.refresh_from_db()
    assert (response.sales, response.employees, response.dx_stage) == (96_000_000, 12, 2)
    assert company.dx_assessments.get().stage == 2

    # The officer sees the rate go up.
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}/kpi/surveys/{survey.pk}/")
    expect(page.get_by_test_id("rate-value")).to_have_text("50.0%")
    expect(page.get_by_test_id("rate-counts")).to_have_text("回答 1 社 / 送付 2 社")
    row = page.get_by_test_id(f"response-{company.pk}")
    expect(row.get_by_test_id("response-status")).to_have_text("回答済み")
    expect(row).to_contain_text("42,000,000円")
    _checked(page, screenshot, "kpi-survey-round-answered-phone")
    page.goto(f"{base}/kpi/surveys/")
    expect(
        page.get_by_test_id(f"round-row-{survey.pk}").get_by_test_id("round-rate")
    ).to_contain_text("50.0%")
    _checked(page, screenshot, "kpi-survey-rounds-phone")
