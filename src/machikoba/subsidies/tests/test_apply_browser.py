"""A dojo graduate applies for stage 1 on a 390 x 844 phone, pressing only what the pages
show, in fewer than 25 actions: the draft starts from the company's profile and the dojo's
homework, each step saves on 「保存して次へ」, the expense step suggests the investment cost
and shows the live breakdown, and the application is submitted with its 受付番号. Every
page passes the phone rules (no horizontal overflow, 44 px targets) and axe-core."""

import pytest
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_subsidies import make_officer, make_paper_call
from machikoba.core.testing.factories_subsidies_apply import (
    make_dojo_graduate,
    make_ready_application,
    pdf_bytes,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.models import Application
from machikoba.subsidies.services.applications import application_submit
from machikoba.subsidies.services.internal import application_transition

pytestmark = pytest.mark.browser

MAX_ACTIONS = 25


class Counter:
    """Counts what the owner does: a tap, a field typed into, a file chosen."""

    def __init__(self, page):
        self.page = page
        self.actions = 0

    def tap(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, locator, value: str):
        self.actions += 1
        locator.fill(value)

    def choose_file(self, locator, name: str):
        self.actions += 1
        locator.set_input_files(
            files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}]
        )


def checked(page, screenshot, name: str):
    page.wait_for_load_state("networkidle")
    screenshot(page, f"apply-{name}")
    phone_checks(page, name)
    axe_check(page, name)


@pytest.fixture
def graduate(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call = make_paper_call(name="DX導入補助金 第1回")
    company = CompanyFactory(name="蒲田精機株式会社", employees=12)
    owner = MembershipFactory(company=company, role="owner", user__name="蒲田 太郎").user
    make_dojo_graduate(company, owner)
    return call, company, owner


def file_stage_one(page, base, screenshot):
    """From the calls page to the submitted application, as the signed-in owner of a dojo
    graduate (its homework pre-fills the plan) does it, counting each action. Returns the
    application and the number of actions."""
    owner_does = Counter(page)

    # The calls (the home page's link leads here): the dojo's bonus is noted.
    owner_does.actions += 1
    page.goto(f"{base}/subsidies/")
    expect(page.get_by_test_id("dojo-bonus")).to_be_visible()
    stage = page.get_by_test_id("stage-card-1")
    expect(stage.get_by_test_id("stage-rate")).to_have_text("補助率 3/4・上限 50万円")
    checked(page, screenshot, "1-calls")
    owner_does.tap(stage.get_by_test_id("stage-apply"))

    # ① 会社と代表者: the profile is shown; the employees are pre-filled.
    expect(page.get_by_test_id("wizard-title")).to_have_text("会社と代表者")
    expect(page.get_by_label("従業員数")).to_have_value("12")
    checked(page, screenshot, "2-company")
    owner_does.fill(page.get_by_label("直近の売上高 (円)"), "120000000")
    owner_does.fill(page.get_by_label("直近の外部購入費用 (円)"), "70000000")
    owner_does.tap(page.get_by_test_id("wizard-next"))

    # ② 計画: the worksheet's 「すぐやる」 problems and the ROI's tool are already there.
    expect(page.get_by_test_id("wizard-title")).to_have_text("計画")
    expect(page.get_by_label("解決したい課題")).to_contain_text("手書きの日報の集計")
    expect(page.get_by_label("導入するツール・取組")).to_have_value(
        "クラウドの日報アプリとタブレット3台"
    )
    checked(page, screenshot, "3-plan")
    owner_does.fill(page.get_by_label("今の値"), "400")
    owner_does.fill(page.get_by_label("導入後の目標値"), "200")
    owner_does.tap(page.get_by_test_id("wizard-next"))

    # ③ 経費: the investment cost is suggested; the breakdown follows the typing.
    expect(page.get_by_test_id("wizard-title")).to_have_text("経費")
    expect(page.get_by_test_id("roi-prefill")).to_be_visible()
    expect(page.get_by_label("金額 (税抜・円)")).to_have_value("400000")
    checked(page, screenshot, "4-expenses")
    owner_does.fill(page.get_by_label("発注先"), "城南ソフト株式会社")
    amount = page.get_by_label("金額 (税抜・円)")
    amount.fill("900000")  # a look at the cap while typing (not counted: undone below)
    expect(page.get_by_test_id("breakdown-subsidy")).to_have_text("500,000円")
    expect(page.get_by_test_id("breakdown-warning")).to_have_text(
        "補助の上限に達しています。補助金は上限の 50万円 です。"
    )
    screenshot(page, "apply-4b-live-breakdown")
    amount.fill("400000")
    expect(page.get_by_test_id("breakdown-subsidy")).to_have_text("300,000円")
    owner_does.choose_file(page.get_by_label("見積書", exact=True), "見積書_城南ソフト.pdf")
    owner_does.tap(page.get_by_test_id("wizard-next"))

    # ④ 書類: the one attachment the stage asks for.
    expect(page.get_by_test_id("wizard-title")).to_have_text("書類")
    checked(page, screenshot, "5-documents")
    owner_does.choose_file(page.get_by_label("直近1期分の決算書 (または確定申告書)"), "決算書.pdf")
    owner_does.tap(page.get_by_test_id("wizard-next"))

    # ⑤ 確認して提出: nothing left to fix; the body shows what goes in.
    expect(page.get_by_test_id("wizard-title")).to_have_text("確認して提出")
    expect(page.get_by_test_id("submit-ready")).to_be_visible()
    expect(page.get_by_test_id("application-body")).to_contain_text("見積書_城南ソフト.pdf")
    checked(page, screenshot, "6-confirm")
    owner_does.tap(page.get_by_test_id("wizard-submit"))

    expect(page.get_by_test_id("application-status")).to_have_text("提出済み (受付)")
    application = Application.objects.get(
        reference=page.get_by_test_id("body-reference").inner_text()
    )
    return application, owner_does.actions


def test_a_dojo_graduate_applies_for_stage_one_on_a_phone_in_under_25_actions(
    graduate, phone_page, live_server, screenshot
):
    _call, company, owner = graduate
    page, base = phone_page, live_server.url
    sign_in(page, base, owner.email)
    application, actions = file_stage_one(page, base, screenshot)
    assert application.company == company
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.requested_amount == 300_000
    expect(page.get_by_test_id("body-reference")).to_have_text(application.reference)
    checked(page, screenshot, "7-submitted")
    assert actions < MAX_ACTIONS, actions

    page.goto(f"{base}/subsidies/applications/")
    expect(page.get_by_test_id(f"my-application-{application.pk}")).to_contain_text(
        "区が要件を確認しています"
    )
    checked(page, screenshot, "8-mine")


def test_a_returned_application_is_corrected_and_the_resubmission_shows_what_changed(
    transactional_db, settings, tmp_path, phone_page, live_server, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    call = make_paper_call()
    company = CompanyFactory(name="蒲田精機株式会社")
    owner = MembershipFactory(company=company, role="owner").user
    application = make_ready_application(
        call.stages.get(number=1), company, lines=[("software", 400_000)], filed_by=owner
    )
    application_submit(actor=owner, application=application)
    application.refresh_from_db()
    application_transition(
        application=application,
        to=ApplicationStatus.RETURNED,
        actor=make_officer(),
        comment="見積の金額が見積書と合っていません。直してください。",
    )
    page, base = phone_page, live_server.url
    sign_in(page, base, owner.email)

    page.goto(f"{base}/subsidies/applications/{application.pk}/")
    expect(page.get_by_test_id("application-status")).to_have_text("差戻し (修正して再提出)")
    expect(page.get_by_test_id("body-history")).to_contain_text(
        "見積の金額が見積書と合っていません"
    )
    checked(page, screenshot, "r1-returned")

    page.goto(f"{base}/subsidies/applications/{application.pk}/step/3/")
    line = page.get_by_test_id("expense-line")
    line.locator("summary").click()
    line.get_by_label("金額 (税抜・円)").fill("380000")
    line.get_by_role("button", name="直した内容を保存する").click()
    expect(page.get_by_test_id("expense-line")).to_contain_text("380,000円")
    page.goto(f"{base}/subsidies/applications/{application.pk}/")
    page.get_by_test_id("detail-submit").click()

    expect(page.get_by_test_id("application-status")).to_have_text("提出済み (受付)")
    diff = page.get_by_test_id("body-diff")
    expect(diff).to_contain_text("第1版 → 第2版")
    expect(diff.get_by_test_id("diff-line-removed")).to_contain_text("400,000円")
    expect(diff.get_by_test_id("diff-line-added")).to_contain_text("380,000円")
    checked(page, screenshot, "r2-resubmitted")
