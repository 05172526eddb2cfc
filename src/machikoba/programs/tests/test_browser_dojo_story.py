"""Issue 19's story on a 390 x 844 phone, pressing only what the pages show: an owner finds
the DX道場 from the home page, applies and is accepted, checks in to the first session by
its QR link, fills in the worksheet, the ROI estimate and the DX plan; weeks later the
instructor has taken the roll and accepted the plan; the officer sees the funnel, runs the
graduation from the cohort's page and sees the funnel move; the owner downloads the
certificate from their application and anyone can verify it. Every page passes the phone
rules and axe-core."""

import datetime as dt

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.accounts.choices import WardRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import WardRoleFactory, give_totp
from machikoba.core.testing.factories_programs import (
    CohortFactory,
    ProgramFactory,
    make_instructor,
    make_owner,
    session_now,
)
from machikoba.programs.choices import AttendanceStatus
from machikoba.programs.models import Application, Graduation, Session
from machikoba.programs.services.attendance import attendance_record
from machikoba.programs.services.homework import dx_plan_accept
from machikoba.programs.tests.test_browser_homework import checked, sign_in_officer

pytestmark = pytest.mark.browser


@pytest.fixture
def dojo(transactional_db):
    program = ProgramFactory(name="DX道場", description="町工場の経営者のための5回の講座です。")
    cohort = CohortFactory(program=program, name="第1期", capacity=10)
    first = session_now(cohort, starts_in_minutes=10)  # check-in opened 20 minutes ago
    first.title = "DXとは何か"
    first.save()
    for number in range(2, 6):
        session_now(cohort, starts_in_minutes=60 * 24 * 7 * (number - 1), number=number)
    instructor = make_instructor(cohort, name="講師 佐藤")
    officer = WardRoleFactory(role=WardRole.OFFICER, user__name="区職員 山口").user
    give_totp(officer)
    return cohort, first, instructor, officer


def _funnel(page) -> dict[str, str]:
    return {
        key: page.get_by_test_id(f"funnel-total-{key}").get_by_test_id("funnel-count").inner_text()
        for key in ("applied", "accepted", "attended", "graduated")
    }


def test_an_owner_goes_from_the_home_page_to_a_verified_certificate(
    dojo, phone_page, live_server, screenshot
):
    cohort, first, instructor, officer = dojo
    company, owner = make_owner(name="大森 一郎")
    page, base = phone_page, live_server.url

    # Home → the courses → the cohort → apply: a seat at once.
    sign_in(page, base, owner.email)
    page.get_by_test_id("home-programs-link").click()
    page.get_by_test_id(f"cohort-card-{cohort.pk}").get_by_test_id("cohort-link").click()
    checked(page, "cohort")
    page.get_by_label("受講の目的 (任意)").fill("何から始めればよいか知りたい")
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-status")).to_have_text("受講決定")
    application = Application.objects.get(cohort=cohort, company=company)

    # At the venue, the QR code on the instructor's screen opens the check-in page.
    page.goto(f"{base}{reverse('programs:checkin', args=[first.checkin_code])}")
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-status")).to_have_text("出席")
    checked(page, "checked in")

    # Homework, from the application's page.
    page.goto(f"{base}{reverse('web:home')}")
    page.get_by_test_id("home-application").filter(has_text="DX道場").click()
    page.get_by_role("link", name="課題の棚卸し").click()
    for area, problem, impact, effort in (
        ("受注・見積", "見積の作成に1件2時間かかる", "5", "2"),
        ("設備", "古いNC機のプログラムが担当者のUSBにしかない", "2", "5"),
    ):
        form = page.get_by_test_id("worksheet-form")
        form.get_by_label("分野").select_option(label=area)
        form.get_by_label("困っていること").fill(problem)
        form.locator(f"input[name=impact][value='{impact}']").check()
        form.locator(f"input[name=effort][value='{effort}']").check()
        form.get_by_test_id("worksheet-add").click()
        expect(page.get_by_test_id("worksheet-item").filter(has_text=problem)).to_be_visible()
    expect(page.get_by_test_id("priority-matrix").get_by_test_id("matrix-dot")).to_have_count(2)
    checked(page, "worksheet")

    page.get_by_test_id("tab-roi").click()
    form = page.get_by_test_id("roi-form")
    form.get_by_label("導入するもの").fill("クラウド型の見積システム")
    form.get_by_label("導入費用 (円・税抜)").fill("600000")
    form.get_by_label("年間に減る作業時間 (時間)").fill("200")
    form.get_by_label("時間あたりの人件費 (円)").fill("2500")
    page.get_by_test_id("roi-save").click()
    # 200 h × ¥2,500 = ¥500,000 a year; ceil(600,000 × 12 / 500,000) = 15 months.
    expect(page.get_by_test_id("roi-yearly-saving")).to_have_text("500,000円")
    expect(page.get_by_test_id("roi-payback")).to_have_text("15 か月")
    checked(page, "roi")

    page.get_by_test_id("tab-plan").click()
    form = page.get_by_test_id("plan-form")
    form.get_by_label("3年後のありたい姿").fill("見積を当日中に回答できる工場")
    form.get_by_label("いまの課題").fill("見積がExcelと紙に分かれ、1件2時間かかる")
    form.get_by_label("取り組むこと (ツール・やり方)").fill("クラウドの見積システムを入れる")
    form.get_by_label("進め方とスケジュール").fill("来月選定、3か月後に全件で運用")
    page.get_by_test_id("plan-save-submit").click()  # one tap: saved and submitted
    expect(page.get_by_test_id("plan-status")).to_have_text("提出済み")
    checked(page, "plan submitted")

    # Weeks later: the sessions are over, the instructor took the roll and accepted the plan.
    weeks = dt.timedelta(weeks=5)
    for session in Session.objects.filter(cohort=cohort):
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at - weeks, ends_at=session.ends_at - weeks
        )
    for session in Session.objects.filter(cohort=cohort, number__in=(2, 3, 4)):
        attendance_record(
            actor=instructor,
            session=session,
            application=application,
            status=AttendanceStatus.PRESENT,
        )
    dx_plan_accept(actor=instructor, plan=application.dx_plan, comment="よくできています")
    assert timezone.now() > Session.objects.get(cohort=cohort, number=5).ends_at

    # The officer: the funnel, then the graduation from the cohort's page.
    sign_in_officer(page, base, officer)
    page.get_by_test_id("home-programs-office").click()
    page.get_by_test_id("funnel-link").click()
    assert _funnel(page) == {"applied": "1", "accepted": "1", "attended": "1", "graduated": "0"}
    checked(page, "funnel before")
    page.goto(f"{base}{reverse('programs:office')}")
    page.get_by_test_id(f"cohort-{cohort.pk}").get_by_role("link", name="期を開く").click()
    page.get_by_test_id("graduation-link").click()
    page.get_by_test_id("graduation-run").click()
    expect(page.get_by_test_id("graduate")).to_have_count(1)
    graduation = Graduation.objects.get(application=application)
    page.goto(f"{base}{reverse('programs:funnel')}")
    assert _funnel(page)["graduated"] == "1"
    screenshot(page, "story-funnel-after-graduation")

    # The owner downloads the certificate from the application's page.
    sign_in(page, base, owner.email)
    page.get_by_test_id("home-application").filter(has_text="DX道場").click()
    expect(page.get_by_test_id("graduated")).to_be_visible()
    checked(page, "application graduated")
    with page.expect_download() as download:
        page.get_by_test_id("certificate-download").click()
    pdf = pypdfium2.PdfDocument(download.value.path())
    text = pdf[0].get_textpage().get_text_range()
    assert graduation.certificate_code in text
    assert "大森 一郎" in text

    # Anyone can verify it.
    page.context.clear_cookies()
    page.goto(f"{base}{reverse('programs:certificate_verify', args=[graduation.certificate_code])}")
    expect(page.get_by_test_id("verify-participant")).to_have_text("大森 一郎")
    checked(page, "verify")
