"""The whole DX subsidy in one story, in a real browser at 390 x 844, every step by the
person whose step it is: a DX道場 graduate applies for stage 1 in under 25 actions (the dojo
bonus is verified from the records, nobody claims it); the officer checks the application
and assigns two reviewers; each declares no conflict and scores; the officer confirms the
selection the platform proposed within the budget; the company files its 交付申請 and
receives the 交付決定; it files the 実績報告 with a receipt and a payment proof; the officer
confirms the amount and records the payment; and the first 事業化状況報告 is requested and
waits on the company's home page."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.models import Notification
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    give_totp,
    jpeg_bytes,
)
from machikoba.core.testing.factories_subsidies import make_officer, make_paper_call, make_reviewer
from machikoba.core.testing.factories_subsidies_apply import make_dojo_graduate
from machikoba.core.testing.phone import phone_checks
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies.choices import (
    ApplicationStatus,
    BonusClaimStatus,
    ValueAddedStatus,
)
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment
from machikoba.subsidies.tests.test_apply_browser import MAX_ACTIONS, file_stage_one

pytestmark = pytest.mark.browser


def _as(page, base, user):
    if user.memberships.exists():
        sign_in(page, base, user.email)
    else:
        sign_in_ward(page, base, user.email)


def _score(page, base, reviewer, assignment, values):
    _as(page, base, reviewer)
    page.goto(f"{base}{reverse('subsidies:review_home')}")
    page.get_by_test_id(f"open-review-{assignment.pk}").click()
    expect(page.get_by_test_id("application-body")).to_have_count(0)  # not before the COI
    page.get_by_test_id("coi-clear").click()
    fields = page.locator("input[name^='score_']")
    for index, value in enumerate(values):
        fields.nth(index).fill(str(value))
    page.get_by_test_id("scores-submit").click()
    expect(page.get_by_test_id("my-total")).to_contain_text(f"{sum(values)} / 50")
    phone_checks(page, f"scored by {reviewer.name}")


@pytest.fixture
def story(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call = make_paper_call(name="DX導入補助金 第1回")
    company = CompanyFactory(name="蒲田精機株式会社", employees=12)
    owner = MembershipFactory(company=company, role="owner", user__name="蒲田 太郎").user
    make_dojo_graduate(company, owner)
    officer = make_officer(name="大田区 山口")
    give_totp(officer)
    reviewers = [make_reviewer(name="審査 一郎"), make_reviewer(name="審査 二郎")]
    receipt = tmp_path / "領収書.jpg"
    receipt.write_bytes(jpeg_bytes())
    transfer = tmp_path / "振込記録.jpg"
    transfer.write_bytes(jpeg_bytes(color=(200, 200, 200)))
    return call, company, owner, officer, reviewers, receipt, transfer


def test_from_application_to_the_first_business_report(story, phone_page, live_server, screenshot):
    call, _company, owner, officer, reviewers, receipt, transfer = story
    page, base = phone_page, live_server.url
    today = timezone.localdate()

    # --- the graduate applies on a phone ---------------------------------------------------
    sign_in(page, base, owner.email)
    application, actions = file_stage_one(page, base, screenshot)
    assert actions < MAX_ACTIONS, actions
    assert application.status == ApplicationStatus.SUBMITTED
    steps_url = f"{base}{reverse('subsidies:grant_steps', args=[application.pk])}"

    # --- the officer checks it and assigns two reviewers -----------------------------------
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}{reverse('subsidies:screening_application', args=[application.pk])}")
    page.get_by_test_id("eligibility-pass").click()
    expect(page.get_by_test_id("screening-status")).to_have_text("審査中")
    dojo = call.bonus_criteria.get(kind="dojo_graduate")
    expect(page.get_by_test_id(f"bonus-{dojo.pk}").get_by_test_id("bonus-status")).to_have_text(
        "確認済み"
    )
    for reviewer in reviewers:
        page.locator(f"#reviewer-{reviewer.pk}").check()
        page.get_by_test_id("assign-submit").click()
        expect(
            page.locator("[data-testid^='assignment-']").filter(has_text=reviewer.name)
        ).to_have_count(1)
    screenshot(page, "story-1-officer-assigned")
    claim = BonusClaim.objects.get(application=application, criterion=dojo)
    assert (claim.status, claim.automatic) == (BonusClaimStatus.VERIFIED, True)

    # --- two reviewers, each on their own, score it ----------------------------------------
    for reviewer, values in zip(reviewers, ([9, 8, 8, 7, 8], [8, 8, 7, 7, 7]), strict=True):
        assignment = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
        _score(page, base, reviewer, assignment, values)
    screenshot(page, "story-2-reviewer-scored")

    # --- the officer confirms the selection within budget ----------------------------------
    sign_in_ward(page, base, officer.email, totp=True)
    stage = application.stage
    page.goto(f"{base}{reverse('subsidies:screening_stage', args=[stage.pk])}")
    expect(page.get_by_test_id("rank-1").get_by_test_id("rank-total")).to_have_text("43.5")
    page.get_by_test_id("selection-confirm").click()
    expect(page.get_by_test_id("selection-confirmed")).to_be_visible()
    screenshot(page, "story-3-selection-confirmed")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED

    # --- 交付申請, then 交付決定 -----------------------------------------------------------
    _as(page, base, owner)
    page.goto(steps_url)
    request = page.get_by_test_id("grant-request")
    request.locator("input[type=checkbox]").check()
    page.get_by_test_id("grant-request-submit").click()
    expect(page.get_by_test_id("grant-status-label")).to_have_text("交付申請済み")
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(steps_url)
    page.get_by_test_id("grant-decide-submit").click()
    expect(page.get_by_test_id("grant-status-label")).to_have_text("交付決定")
    expect(page.get_by_test_id("amount-decided")).to_have_text("300,000円")
    run_queued_tasks("notification")
    assert Notification.objects.filter(user=owner, kind="subsidy_granted").exists()

    # --- the 実績報告 with a receipt and a payment proof ---------------------------------------
    _as(page, base, owner)
    page.goto(steps_url)
    page.get_by_test_id("report-open").click()
    form = page.get_by_test_id("expense-add-form")
    form.get_by_label("経費区分").select_option(label="ソフトウェア購入費・クラウド利用費")
    form.get_by_label("何に使ったか").fill("日報アプリ 1年分")
    form.get_by_label("支払先").fill("城南ソフト株式会社")
    form.get_by_label("金額 (税抜・円)").fill("380000")
    form.get_by_label("支払日").fill(today.isoformat())
    form.get_by_label("領収書・請求書 (PDF・写真)").set_input_files(str(receipt))
    form.get_by_label("支払の証憑 (振込記録など。PDF・写真)").set_input_files(str(transfer))
    page.get_by_test_id("expense-add").click()
    expect(page.get_by_test_id("actual-expense")).to_have_count(1)
    survey = page.get_by_test_id("report-form")
    survey.get_by_label("事業が終わった日").fill(today.isoformat())
    for name in ("felt_efficiency", "felt_productivity", "felt_cost_reduction"):
        survey.locator(f"input[name={name}][value=yes]").check()
    survey.get_by_label("導入後の実績値").fill("180")
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("grant-status-label")).to_have_text("実績報告済み")

    # --- 確定検査, 額の確定 and payment -----------------------------------------------------
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(steps_url)
    # ¥380,000 at 3/4 = ¥285,000: below the decided ¥300,000, so it stands.
    expect(page.get_by_test_id("inspection-amount")).to_have_text("285,000円")
    page.get_by_test_id("inspection-accept").click()
    expect(page.get_by_test_id("amount-confirmed")).to_have_text("285,000円")
    payment = page.get_by_test_id("payment")
    payment.get_by_label("支払日").fill(today.isoformat())
    page.get_by_test_id("payment-submit").click()
    expect(page.get_by_test_id("amount-paid")).to_have_text("285,000円")
    screenshot(page, "story-4-paid")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.PAID
    assert (application.decided_amount, application.confirmed_amount) == (300_000, 285_000)
    first = ValueAddedReport.objects.get(application=application, year_index=1)
    assert first.status == ValueAddedStatus.REQUESTED
    assert first.due_on > today

    # --- the owner's home asks for the first 事業化状況報告 -----------------------------------
    _as(page, base, owner)
    page.goto(f"{base}/")
    expect(page.get_by_test_id("home-value-added")).to_contain_text("事業化状況報告 (1年目)")
    phone_checks(page, "owner home with the business report")
    screenshot(page, "story-5-owner-home")
    run_queued_tasks("notification")
    kinds = set(Notification.objects.filter(user=owner).values_list("kind", flat=True))
    assert {
        "subsidy_selected",
        "subsidy_granted",
        "subsidy_amount_confirmed",
        "subsidy_paid",
        "business_report_requested",
    } <= kinds
    assert not Application.objects.exclude(pk=application.pk).exists()
