"""The ward officer sets up a call on a phone (390 x 844) in a real browser: signs in with
TOTP, creates a call (a slip in the dates first, refused on the form), adds a stage,
sets its expense categories and a required attachment, and sees the call's dashboard
with the stage's card, its budget bar and the reviewers' section; then the rubric page,
the applications list and the home page. Every page passes the phone rules (nothing wider
than the screen, 44 px tap targets) and axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in_ward
from machikoba.core.testing.factories import give_totp
from machikoba.core.testing.factories_subsidies import make_application, make_officer
from machikoba.core.testing.factories_subsidies_office import future_dates, local_input
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.models import Call, ExpenseCategory, Stage

pytestmark = pytest.mark.browser


def _checked(page, where):
    phone_checks(page, where)
    axe_check(page, where)


def test_an_officer_sets_up_a_call_on_a_phone(phone_page, live_server, screenshot):
    page, base = phone_page, live_server.url
    officer = make_officer(name="区 職員")
    give_totp(officer)
    sign_in_ward(page, base, officer.email, totp=True)

    page.goto(f"{base}{reverse('subsidies:office_home')}")
    expect(page.get_by_test_id("no-calls")).to_be_visible()
    _checked(page, "office home (empty)")
    page.get_by_test_id("call-create").click()

    dates = future_dates()
    page.locator("#id_name").fill("DX導入補助金 (令和の公募)")
    page.locator("#id_budget").fill("65,000,000")
    page.locator("#id_opens_at").fill(local_input(dates["opens_at"]))
    page.locator("#id_closes_at").fill(local_input(dates["closes_at"]))
    page.locator("#id_screening_on").fill(dates["screening_on"].isoformat())
    # A slip first: the decision before the screening, refused on the form.
    page.locator("#id_decision_on").fill((dates["screening_on"] - dt.timedelta(days=1)).isoformat())
    page.get_by_test_id("call-save").click()
    expect(page.locator(".form-error")).to_contain_text("採択決定日は、審査日以降にしてください。")
    assert not Call.objects.exists()
    _checked(page, "call form with an error")
    screenshot(page, "subsidies-office-call-form-error-phone")
    page.locator("#id_decision_on").fill(dates["decision_on"].isoformat())
    page.get_by_test_id("call-save").click()

    call = Call.objects.get()
    expect(page).to_have_url(re.compile(reverse("subsidies:office_stage_create", args=[call.pk])))
    _checked(page, "stage form")
    page.locator("#id_name").fill("はじめの一歩")
    page.locator("#id_rate_numerator").fill("3")
    page.locator("#id_rate_denominator").fill("4")
    page.locator("#id_cap").fill("500,000")
    page.locator("#id_min_project_cost").fill("100,000")
    page.locator("#id_budget").fill("15,000,000")
    page.get_by_test_id("stage-save").click()

    stage = Stage.objects.get(call=call)
    assert (stage.rate_numerator, stage.rate_denominator, stage.cap) == (3, 4, 500_000)
    expect(page).to_have_url(re.compile(reverse("subsidies:office_rules", args=[stage.pk])))
    expect(page.get_by_test_id("no-categories")).to_be_visible()
    _checked(page, "rules (empty)")
    for code, name, share, quotes in (
        ("software", "ソフトウェア購入費・クラウド利用費", "", "1"),
        ("devices", "機器購入費 (タブレット・センサー等)", "50", "2"),
    ):
        add = page.get_by_test_id("category-add")
        add.locator("summary").click()
        page.locator("#id_category-code").fill(code)
        page.locator("#id_category-name").fill(name)
        page.locator("#id_category-max_share_percent").fill(share)
        page.locator("#id_category-quotes_required").fill(quotes)
        page.get_by_test_id("category-save").click()
        expect(page.get_by_test_id(f"category-{code}")).to_contain_text(name)
    expect(page.get_by_test_id("category-devices")).to_contain_text("2 社 (相見積)")
    expect(page.get_by_test_id("category-devices")).to_contain_text("50%")
    page.get_by_test_id("attachment-add").locator("summary").click()
    page.locator("#id_attachment-name").fill("直近1期分の決算書")
    page.get_by_test_id("attachment-save").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("直近1期分の決算書")
    assert list(
        ExpenseCategory.objects.filter(stage=stage).values_list("code", "quotes_required")
    ) == [("software", 1), ("devices", 2)]
    _checked(page, "rules")
    screenshot(page, "subsidies-office-rules-phone")

    # A company applies (between page loads): the dashboard counts it.
    make_application(stage, status=ApplicationStatus.SUBMITTED, requested_amount=300_000)
    make_application(
        stage, status=ApplicationStatus.GRANTED, requested_amount=500_000, decided_amount=480_000
    )
    page.get_by_test_id("back-to-call").click()
    expect(page.get_by_test_id("call-dashboard")).to_be_visible()
    card = page.get_by_test_id("stage-1")
    expect(card).to_contain_text("ステージ1 はじめの一歩")
    expect(card.get_by_test_id("figure-filed")).to_have_text("2 件")
    expect(card.get_by_test_id("figure-requested")).to_have_text("800,000円")
    expect(card.get_by_test_id("figure-decided")).to_have_text("480,000円")
    expect(card.get_by_test_id("budget-remaining")).to_have_text("14,520,000円")
    expect(page.get_by_test_id("call-total").get_by_test_id("budget-remaining")).to_have_text(
        "64,520,000円"
    )
    expect(page.get_by_test_id("rules-locked")).to_contain_text("提出された申請が 2 件")
    _checked(page, "call dashboard")
    screenshot(page, "subsidies-office-call-phone")

    page.get_by_test_id("rubric-link").click()
    expect(page.get_by_test_id("call-rubric")).to_be_visible()
    _checked(page, "rubric")
    page.goto(f"{base}{reverse('subsidies:office_applications', args=[call.pk])}")
    expect(page.get_by_test_id("application-count")).to_have_text("2 件")
    _checked(page, "applications")
    screenshot(page, "subsidies-office-applications-phone")
    page.goto(f"{base}{reverse('subsidies:office_home')}")
    expect(page.get_by_test_id(f"call-{call.pk}").get_by_test_id("call-status")).to_contain_text(
        "申請 2 件"
    )
    _checked(page, "office home")
    screenshot(page, "subsidies-office-home-phone")
    assert timezone.now() < call.opens_at  # the window is still to come
