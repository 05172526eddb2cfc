"""Screening on a phone (390 × 844). Two reviewers each declare no conflict of interest
and score the dojo graduate's application through the rubric form (one first slips: a
score above the maximum is refused with a message, nothing saved), and the officer,
signed in with TOTP, reads the ranking and the proposal within budget (one application
skipped, the remainder shown) and confirms it. The owner of a company claims a bonus
point with its evidence. Every page passes the phone rules and axe;
screenshots are saved for review."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import (
    CompanyFactory,
    give_totp,
)
from machikoba.core.testing.factories_subsidies import (
    make_applicant,
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_screening import (
    assign,
    bonus,
    in_screening,
    scored,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus, BonusKind
from machikoba.subsidies.models import Application, BonusCriterion
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment, Selection

pytestmark = pytest.mark.browser


def _checked(page, screenshot, name):
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    screenshot(page, f"screening_{name}")


def _review(page, base, assignment, scores, screenshot, label):
    page.goto(f"{base}{reverse('subsidies:review_home')}")
    expect(page.get_by_test_id(f"review-row-{assignment.pk}")).to_contain_text("蒲田精機株式会社")
    _checked(page, screenshot, f"{label}_home")
    page.get_by_test_id(f"open-review-{assignment.pk}").click()
    expect(page.get_by_test_id("coi-facts")).to_contain_text("1010401012345")
    expect(page.get_by_test_id("application-body")).to_have_count(0)
    _checked(page, screenshot, f"{label}_coi")
    page.get_by_test_id("coi-clear").click()
    expect(page.get_by_test_id("application-body")).to_be_visible()
    fields = page.locator("input[name^='score_']")
    expect(fields).to_have_count(len(scores))
    for index, value in enumerate(scores):
        fields.nth(index).fill(str(value))
    _checked(page, screenshot, f"{label}_scoring")
    page.get_by_test_id("scores-submit").click()
    expect(page.get_by_test_id("my-total")).to_contain_text(f"{sum(scores)} / 50")
    _checked(page, screenshot, f"{label}_submitted")


def test_two_reviewers_score_and_the_officer_confirms_within_budget(
    phone_page, live_server, transactional_db, screenshot
):
    page, base = phone_page, live_server.url
    call = make_paper_call()
    stage = call.stages.get(number=1)
    stage.budget = 800_000
    stage.save()
    graduate = CompanyFactory(
        name="蒲田精機株式会社",
        representative_name="蒲田 太郎",
        representative_title="代表取締役",
        corporate_number="1010401012345",
    )
    make_applicant(graduate)
    mine = in_screening(stage, graduate, requested=450_000, title="日報の電子化")
    bonus(mine, BonusKind.DOJO_GRADUATE)  # verified from the records at eligibility
    # Two others already scored: one too large for what is left, one that fits.
    big = in_screening(stage, requested=400_000, title="在庫のクラウド管理")
    scored(big, [7] * 5)
    scored(big, [7] * 5)
    small = in_screening(stage, requested=200_000, title="勤怠のクラウド化")
    scored(small, [6] * 5)
    first = make_reviewer(name="審査 一郎")
    second = make_reviewer(name="審査 二郎")
    one = assign(mine, first)
    two = assign(mine, second)
    officer = make_officer(name="大田 職員")
    give_totp(officer)

    # The first reviewer slips (11 of 10), is told, and submits.
    sign_in_ward(page, base, first.email)
    page.goto(f"{base}{reverse('subsidies:review_assignment', args=[one.pk])}")
    page.get_by_test_id("coi-clear").click()
    fields = page.locator("input[name^='score_']")
    fields.nth(0).fill("11")
    page.get_by_test_id("scores-save").click()
    expect(page.locator(".form-error").first).to_contain_text("0 から 10 まで")
    _checked(page, screenshot, "reviewer1_refused")
    assert not one.scores.exists()
    page.goto(f"{base}{reverse('subsidies:review_home')}")
    # Back to the form from the home (status 審査中 now).
    page.get_by_test_id(f"open-review-{one.pk}").click()
    fields = page.locator("input[name^='score_']")
    for index, value in enumerate([9, 8, 8, 7, 8]):  # 40
        fields.nth(index).fill(str(value))
    page.get_by_test_id("scores-submit").click()
    expect(page.get_by_test_id("my-total")).to_contain_text("40 / 50")

    sign_in_ward(page, base, second.email)
    _review(page, base, two, [8, 8, 7, 7, 7], screenshot, "reviewer2")  # 37
    assert ReviewerAssignment.objects.filter(status=AssignmentStatus.SUBMITTED).count() == 5

    # The officer: mine 38.5 + 5 = 43.5 first, big 35.0 second (400,000 does not fit what
    # is left of 800,000 after 450,000), small 30.0 third (fits): remainder 150,000.
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}{reverse('subsidies:screening_stage', args=[stage.pk])}")
    expect(page.get_by_test_id("rank-1")).to_contain_text("蒲田精機株式会社")
    expect(page.get_by_test_id("rank-1").get_by_test_id("rank-total")).to_have_text("43.5")
    expect(page.get_by_test_id("rank-2").get_by_test_id("rank-proposal")).to_contain_text("見送り")
    expect(page.get_by_test_id("proposal-total")).to_have_text("650,000円")
    expect(page.get_by_test_id("proposal-remainder")).to_have_text("150,000円")
    expect(page.get_by_test_id("ranking-rule")).to_contain_text("同点のときは提出の早い順")
    _checked(page, screenshot, "officer_stage")
    page.get_by_test_id("selection-confirm").click()
    expect(page.get_by_test_id("selection-confirmed")).to_be_visible()
    expect(page.get_by_test_id("selection-total")).to_have_text("650,000円")
    _checked(page, screenshot, "officer_confirmed")

    selection = Selection.objects.get(stage=stage)
    assert selection.edited is False
    assert set(selection.selected_ids) == {mine.pk, small.pk}
    statuses = dict(Application.objects.filter(stage=stage).values_list("title", "status"))
    assert statuses == {
        "日報の電子化": ApplicationStatus.SELECTED,
        "勤怠のクラウド化": ApplicationStatus.SELECTED,
        "在庫のクラウド管理": ApplicationStatus.NOT_SELECTED,
    }
    page.goto(f"{base}{reverse('subsidies:screening_application', args=[mine.pk])}")
    expect(page.get_by_test_id("screening-total")).to_have_text("43.5")
    _checked(page, screenshot, "officer_application")


def test_an_owner_claims_a_bonus_with_evidence_on_a_phone(
    phone_page, live_server, transactional_db, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page, base = phone_page, live_server.url
    stage = make_paper_call().stages.get(number=1)
    company = CompanyFactory(name="蒲田精機株式会社")
    owner = make_applicant(company)
    application = in_screening(stage, company, status=ApplicationStatus.SUBMITTED, title="日報")
    evidence = tmp_path / "賃上げ表明書.pdf"
    evidence.write_bytes(pdf_bytes(1))

    sign_in(page, base, owner.email)
    page.goto(f"{base}{reverse('subsidies:bonus_claim', args=[application.pk])}")
    _checked(page, screenshot, "bonus_form")
    page.get_by_label("賃上げの表明 (+3 点)").check()
    page.get_by_label("根拠資料").set_input_files(str(evidence))
    page.get_by_label("説明 (任意)").fill("給与支給総額を年率2%増やします")
    page.get_by_test_id("bonus-submit").click()
    wage = BonusCriterion.objects.get(call=stage.call, name="賃上げの表明")
    expect(page.get_by_test_id(f"bonus-row-{wage.pk}")).to_contain_text("確認待ち")
    expect(page.get_by_test_id(f"bonus-row-{wage.pk}")).to_contain_text("賃上げ表明書.pdf")
    _checked(page, screenshot, "bonus_claimed")
    claim = BonusClaim.objects.get(application=application)
    assert claim.evidence_note == "給与支給総額を年率2%増やします"
