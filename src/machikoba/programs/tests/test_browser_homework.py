"""Issue 19's homework and graduation on a 390 x 844 phone: the owner fills in the 課題の棚卸し
(and sees the priority matrix drawn) and the ROI estimate (and sees the yearly saving and
the payback); an officer runs graduation for a cohort whose rule is met; the owner
downloads the certificate and its verification page shows it. Every page passes the
phone rules and axe-core."""

import re
import time
from pathlib import Path

import pypdfium2
import pytest
from playwright.sync_api import expect

from machikoba.accounts.choices import WardRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import TEST_PASSWORD, WardRoleFactory, give_totp, totp_now
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    attend_sessions,
    make_finished_cohort,
    make_instructor,
    make_owner,
    make_plan,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.programs.models import Graduation

pytestmark = pytest.mark.browser

ITEMS = [
    ("受注・見積", "見積の作成に1件2時間かかり、回答が遅れて失注している", "5", "2"),
    ("生産管理", "工程表がホワイトボードだけで、進み具合が事務所から見えない", "4", "4"),
    ("品質", "検査記録が紙で、過去の不良を探せない", "3", "1"),
    ("設備", "古いNC機のプログラムが担当者のUSBにしかない", "2", "5"),
]


def checked(page, where):
    page.wait_for_load_state("networkidle")
    phone_checks(page, where)
    axe_check(page, where)


def sign_in_officer(page, base_url, officer):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(officer.email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    remaining = 30 - time.time() % 30
    if remaining < 5:  # allauth accepts only the current 30-second period
        time.sleep(remaining + 0.2)
    page.get_by_label("コード").fill(totp_now())
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


@pytest.fixture
def dojo(transactional_db):
    """A dojo cohort whose five sessions are over: the owner attended all five and the
    instructor accepted the DX plan."""
    cohort = make_finished_cohort(sessions=5, program__name="DX道場")
    make_instructor(cohort, name="講師 佐藤")
    company, owner = make_owner(name="大森 一郎")
    company.name = "大森精機製作所"
    company.save()
    application = ApplicationFactory(cohort=cohort, company=company, participant=owner)
    attend_sessions(application, 5)
    make_plan(application, status="accepted")
    officer = WardRoleFactory(role=WardRole.OFFICER, user__name="区職員 山口").user
    give_totp(officer)
    return application, owner, officer


def test_owner_fills_homework_officer_graduates_owner_gets_certificate(
    phone_page, live_server, dojo, screenshot
):
    page, base = phone_page, live_server.url
    application, owner, officer = dojo

    # --- the owner writes the worksheet and sees the matrix drawn -----------------------
    sign_in(page, base, owner.email)
    page.goto(f"{base}/programs/applications/{application.pk}/worksheet/")
    expect(page.get_by_test_id("worksheet-empty")).to_be_visible()
    checked(page, "worksheet (empty)")
    for area, problem, impact, effort in ITEMS:
        form = page.get_by_test_id("worksheet-form")
        form.get_by_label("分野").select_option(label=area)
        form.get_by_label("困っていること").fill(problem)
        form.locator(f"input[name=impact][value='{impact}']").check()
        form.locator(f"input[name=effort][value='{effort}']").check()
        form.get_by_test_id("worksheet-add").click()
        expect(page.locator(".alert-success, [role=status]").first).to_be_visible()
    matrix = page.get_by_test_id("priority-matrix")
    expect(matrix).to_be_visible()
    expect(matrix.get_by_test_id("matrix-dot")).to_have_count(4)
    assert matrix.bounding_box()["width"] <= 390
    items = page.get_by_test_id("worksheet-item")
    expect(items).to_have_count(4)
    # Priority order: すぐやる first (impact 5 / effort 2, then 3 / 1), 後回し last.
    expect(items.nth(0)).to_contain_text("見積の作成")
    expect(items.nth(0).get_by_test_id("item-quadrant")).to_have_text("すぐやる")
    expect(items.nth(3).get_by_test_id("item-quadrant")).to_have_text("後回し")
    checked(page, "worksheet")
    screenshot(page, "homework-worksheet-matrix")
    matrix.screenshot(path=str(_screens() / "homework-priority-matrix-only.png"))

    # --- the ROI estimate ------------------------------------------------------------------
    page.get_by_test_id("tab-roi").click()
    checked(page, "roi (empty)")
    form = page.get_by_test_id("roi-form")
    form.get_by_label("導入するもの").fill("クラウド型の生産管理システム")
    form.get_by_label("導入費用 (円・税抜)").fill("1200000")
    form.get_by_label("年間の運用費 (円)").fill("60000")
    form.get_by_label("年間に減る作業時間 (時間)").fill("120")
    form.get_by_label("時間あたりの人件費 (円)").fill("2500")
    form.get_by_label("その他の年間の削減額 (円)").fill("50000")
    page.get_by_test_id("roi-save").click()
    # 120 h × 2,500 + 50,000 − 60,000 = 290,000; ceil(1,200,000 × 12 / 290,000) = 50
    expect(page.get_by_test_id("roi-yearly-saving")).to_have_text("290,000円")
    expect(page.get_by_test_id("roi-payback")).to_have_text("50 か月")
    checked(page, "roi")
    screenshot(page, "homework-roi")

    # --- the officer runs graduation -----------------------------------------------------
    sign_in_officer(page, base, officer)
    page.goto(f"{base}/office/cohorts/{application.cohort.pk}/graduation/")
    expect(page.get_by_test_id("candidate-meeting")).to_have_count(1)
    checked(page, "graduation preview")
    page.get_by_test_id("graduation-run").click()
    expect(page.get_by_test_id("graduate")).to_have_count(1)
    graduation = Graduation.objects.get(application=application)
    expect(page.get_by_test_id("certificate-code")).to_have_text(graduation.certificate_code)
    checked(page, "graduation done")
    screenshot(page, "homework-graduation")
    page.get_by_test_id("graduation-run").click()  # again: nothing new
    expect(page.get_by_test_id("graduate")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("新たに修了した人はいません")
    assert Graduation.objects.count() == 1

    # --- the owner downloads the certificate; the verification page shows it -------------
    sign_in(page, base, owner.email)
    response = page.request.get(f"{base}/programs/graduations/{graduation.pk}/certificate.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pypdfium2.PdfDocument(response.body())[0].get_textpage().get_text_range()
    assert graduation.certificate_code in text
    assert "大森 一郎" in text
    page.context.clear_cookies()  # anyone may verify, signed in or not
    page.goto(f"{base}/verify/certificates/{graduation.certificate_code}/")
    expect(page.get_by_test_id("certificate-valid")).to_be_visible()
    expect(page.get_by_test_id("verify-participant")).to_have_text("大森 一郎")
    expect(page.get_by_test_id("verify-code")).to_have_text(graduation.certificate_code)
    checked(page, "verify")
    screenshot(page, "homework-certificate-verify")
    page.goto(f"{base}/verify/certificates/0000-0000-0000-0000/")
    expect(page.get_by_test_id("certificate-unknown")).to_contain_text("見つかりません")


def _screens():
    target = Path(__file__).resolve().parents[4] / "var" / "test-artifacts" / "screens"
    target.mkdir(parents=True, exist_ok=True)
    return target
