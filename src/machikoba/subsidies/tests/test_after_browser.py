"""After the 交付決定, on a 390 x 844 phone: the company files the 実績報告 (one expense with
its receipt and payment proof, the outcome survey) and submits it; the officer sees the
amount recomputed from the actual expense (¥600,000 at 3/4 = ¥450,000, below the decided
¥500,000), confirms it and records the payment; the first 事業化状況報告 then stands
requested, and the company answers it. Every page passes the phone rules and axe-core."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyKind
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import (
    CompanyFactory,
    give_totp,
    jpeg_bytes,
)
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import make_after
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.subsidies.choices import ApplicationStatus, ValueAddedKind, ValueAddedStatus
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ValueAddedReport

pytestmark = pytest.mark.browser


def checked(page, where):
    page.wait_for_load_state("networkidle")
    phone_checks(page, where)
    axe_check(page, where)


@pytest.fixture
def granted(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    application = make_after(status=ApplicationStatus.GRANTED, title="日報の電子化")
    company = application.company
    company.name = "大森精機製作所"
    company.save()
    owner = make_applicant(company, name="大森 一郎")
    officer = make_officer(name="区職員 山口")
    give_totp(officer)
    receipt = tmp_path / "領収書.jpg"
    receipt.write_bytes(jpeg_bytes())
    transfer = tmp_path / "振込記録.jpg"
    transfer.write_bytes(jpeg_bytes(color=(200, 200, 200)))
    return application, owner, officer, receipt, transfer


def test_report_confirm_pay_and_first_business_report(phone_page, live_server, granted, screenshot):
    page, base = phone_page, live_server.url
    application, owner, officer, receipt, transfer = granted
    steps_url = f"{base}/subsidies/applications/{application.pk}/grant/"
    today = timezone.localdate()

    # --- the company files the 実績報告 ----------------------------------------------------
    sign_in(page, base, owner.email)
    page.goto(steps_url)
    expect(page.get_by_test_id("grant-status-label")).to_have_text("交付決定")
    expect(page.get_by_test_id("amount-decided")).to_have_text("500,000円")
    checked(page, "grant steps (granted, company)")
    screenshot(page, "after-01-grant-steps-company")
    page.get_by_test_id("report-open").click()

    expect(page.get_by_test_id("actual-expenses-empty")).to_be_visible()
    checked(page, "report (empty)")
    form = page.get_by_test_id("expense-add-form")
    form.get_by_label("経費区分").select_option(label="ソフトウェア購入費・クラウド利用費")
    form.get_by_label("何に使ったか").fill("日報アプリ 1年分とタブレット設定")
    form.get_by_label("支払先").fill("クラウド日報株式会社")
    form.get_by_label("金額 (税抜・円)").fill("600000")
    form.get_by_label("支払日").fill((today - dt.timedelta(days=7)).isoformat())
    form.get_by_label("領収書・請求書 (PDF・写真)").set_input_files(str(receipt))
    form.get_by_label("支払の証憑 (振込記録など。PDF・写真)").set_input_files(str(transfer))
    page.get_by_test_id("expense-add").click()

    expect(page.get_by_test_id("actual-expense")).to_have_count(1)
    expect(page.get_by_test_id("proof-receipt")).to_have_text("領収書.jpg")
    expect(page.get_by_test_id("proof-payment")).to_have_text("振込記録.jpg")
    expect(page.get_by_test_id("proof-missing")).to_have_count(0)
    expect(page.get_by_test_id("report-total")).to_have_text("600,000円")
    checked(page, "report (one expense)")
    screenshot(page, "after-02-report-expense")

    survey = page.get_by_test_id("report-form")
    survey.get_by_label("事業が終わった日").fill((today - dt.timedelta(days=3)).isoformat())
    for name in ("felt_efficiency", "felt_productivity"):
        survey.locator(f"input[name={name}][value=yes]").check()
    survey.locator("input[name=felt_cost_reduction][value=no]").check()
    survey.get_by_label("導入後の実績値").fill("3")
    screenshot(page, "after-03-report-survey")
    page.get_by_test_id("report-submit").click()

    expect(page).to_have_url(steps_url)
    expect(page.get_by_test_id("grant-status-label")).to_have_text("実績報告済み")
    expect(page.get_by_test_id("report-summary")).to_be_visible()
    checked(page, "grant steps (reported, company)")

    # --- the officer confirms the amount and records the payment ---------------------------
    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(steps_url)
    expect(page.get_by_test_id("inspection-amount")).to_have_text("450,000円")
    expect(page.get_by_test_id("breakdown-eligible")).to_have_text("600,000円")
    checked(page, "inspection")
    screenshot(page, "after-04-inspection")
    page.get_by_test_id("inspection-accept").click()
    expect(page.get_by_test_id("amount-confirmed")).to_have_text("450,000円")
    expect(page.get_by_test_id("grant-status-label")).to_have_text("額の確定")

    payment = page.get_by_test_id("payment")
    payment.get_by_label("支払日").fill(today.isoformat())
    payment.get_by_label("支出命令番号など").fill("支出-0042")
    checked(page, "payment form")
    page.get_by_test_id("payment-submit").click()
    expect(page.get_by_test_id("amount-paid")).to_have_text("450,000円")
    reports = page.get_by_test_id("business-report")
    expect(reports).to_have_count(5)
    expect(reports.nth(0)).to_have_attribute("data-status", "requested")
    expect(reports.nth(1)).to_have_attribute("data-status", "scheduled")
    checked(page, "grant steps (paid, office)")
    screenshot(page, "after-05-paid-office")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.PAID
    assert application.confirmed_amount == 450_000
    first = ValueAddedReport.objects.get(application=application, year_index=1)
    assert first.status == ValueAddedStatus.REQUESTED

    # --- the company sees the first 事業化状況報告 requested and answers it --------------------
    sign_in(page, base, owner.email)
    page.goto(steps_url)
    expect(page.get_by_test_id("grant-next")).to_contain_text("1年目の事業化状況報告")
    page.get_by_test_id("business-report-open").first.click()
    expect(page.get_by_test_id("value-added-hint")).to_contain_text("120,000,000円")
    checked(page, "value added report")
    screenshot(page, "after-06-business-report")
    answer = page.get_by_test_id("value-added-form")
    answer.get_by_label("売上高 (円)").fill("130000000")
    answer.get_by_label("外部購入費用 (円)").fill("72000000")
    answer.get_by_label("従業員数 (人)").fill("12")
    page.get_by_test_id("value-added-submit").click()
    expect(page.get_by_test_id("value-added-result")).to_contain_text("58,000,000円")
    checked(page, "value added answered")
    screenshot(page, "after-07-business-report-answered")
    first.refresh_from_db()
    assert first.status == ValueAddedStatus.SUBMITTED
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.PAID


def test_office_sends_the_survey_and_sees_overdue_reports(
    phone_page, live_server, transactional_db, screenshot
):
    page, base = phone_page, live_server.url
    officer = make_officer(name="区職員 山口")
    give_totp(officer)
    paid = make_after(status=ApplicationStatus.PAID)
    last_year = fiscal_year(timezone.localdate()) - 1
    ValueAddedReport.objects.create(
        company=paid.company,
        municipality=paid.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=paid,
        year_index=1,
        fiscal_year=last_year,
        status=ValueAddedStatus.REQUESTED,
        requested_at=timezone.now() - dt.timedelta(days=200),
        due_on=timezone.localdate() - dt.timedelta(days=12),
    )
    for name in ("蒲田製作所", "羽田プレス工業"):
        CompanyFactory(name=name, kind=CompanyKind.SHOP)

    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}/subsidies/office/value-added/?fiscal_year={last_year}")
    expect(page.get_by_test_id("value-added-overdue")).to_have_text("(12 日超過)")
    checked(page, "office value added (overdue)")
    page.get_by_label("対象の年度").select_option(str(last_year))
    page.get_by_test_id("survey-send-submit").click()
    expect(page.locator("[role=status]").first).to_contain_text("年次調査を 2 社に送りました")
    expect(page.get_by_test_id("value-added-row")).to_have_count(2)
    checked(page, "office value added (survey sent)")
    screenshot(page, "after-08-office-value-added")
    page.get_by_test_id("survey-send-submit").click()
    expect(page.locator("[role=status]").first).to_contain_text("新しく送る企業はありませんでした")
    assert (
        ValueAddedReport.objects.filter(kind=ValueAddedKind.SURVEY, fiscal_year=last_year).count()
        == 2
    )
