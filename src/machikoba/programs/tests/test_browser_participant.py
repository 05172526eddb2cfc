"""The participant's side on a 390 x 844 phone: the owner of a 大田区 shop finds the DX道場
from the list of courses, applies and is accepted at once; at the venue they open the
session's check-in link (the QR code on the instructor's screen) and tap 「出席を記録する」;
the instructor's session screen shows the QR code and takes the roll for another
participant. Every page passes the phone rules and axe-core."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import TEST_PASSWORD
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
    make_instructor,
    make_owner,
    session_now,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.programs.models import Application, Attendance

pytestmark = pytest.mark.browser


def checked(page, where):
    page.wait_for_load_state("networkidle")
    phone_checks(page, where)
    axe_check(page, where)


def sign_in_without_company(page, base_url, email):
    """Instructors have no company: the sign-in lands on a page without the company
    switch."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def dojo(transactional_db):
    program = ProgramFactory(name="DX道場", description="町工場の経営者のための5回の講座です。")
    cohort = CohortFactory(program=program, name="第1期", capacity=5)
    first = session_now(cohort, starts_in_minutes=10)  # check-in opened 20 minutes ago
    first.title = "DXとは何か"
    first.save()
    session_now(cohort, starts_in_minutes=60 * 24 * 7, number=2)
    instructor = make_instructor(cohort, name="講師 佐藤")
    classmate = ApplicationFactory(cohort=cohort, participant__name="受講 花子")
    return cohort, first, instructor, classmate


def test_an_owner_applies_checks_in_and_the_instructor_takes_the_roll(
    dojo, phone_page, live_server, screenshot
):
    cohort, session, instructor, classmate = dojo
    company, owner = make_owner(name="大森 一郎")
    page, base = phone_page, live_server.url

    # The owner finds the course from their programmes page and applies.
    sign_in(page, base, owner.email)
    page.goto(f"{base}{reverse('programs:mine')}")
    checked(page, "my programmes (empty)")
    page.get_by_test_id("programs-list-link").click()
    expect(page.get_by_test_id("programs-list")).to_be_visible()
    card = page.get_by_test_id(f"cohort-card-{cohort.pk}")
    expect(card.get_by_test_id("seats-left")).to_contain_text("残り 4 席")
    checked(page, "programmes list")
    screenshot(page, "programs-list-phone")
    card.get_by_test_id("cohort-link").click()
    expect(page.get_by_test_id("cohort-page")).to_be_visible()
    checked(page, "cohort page")
    screenshot(page, "programs-cohort-phone")
    page.get_by_label("受講の目的 (任意)").fill("見積に時間がかかるので、何から始めるか知りたい")
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-page")).to_be_visible()
    expect(page.get_by_test_id("application-status")).to_have_text("受講決定")
    expect(page.get_by_test_id("next-session")).to_contain_text("DXとは何か")
    checked(page, "application page")
    screenshot(page, "programs-application-phone")
    application = Application.objects.get(cohort=cohort, company=company)
    assert application.status == "accepted"

    # At the venue: the QR code opens the check-in page; one tap records 出席.
    page.goto(f"{base}{reverse('programs:checkin', args=[session.checkin_code])}")
    expect(page.get_by_test_id("checkin-session")).to_contain_text("DXとは何か")
    checked(page, "check-in page")
    screenshot(page, "programs-checkin-phone")
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-status")).to_have_text("出席")
    checked(page, "checked in")
    screenshot(page, "programs-checkin-done-phone")
    attendance = Attendance.objects.get(session=session, application=application)
    assert (attendance.status, attendance.method) == ("present", "qr")

    # The instructor's screen: the QR code large, and the roll.
    sign_in_without_company(page, base, instructor.email)
    page.goto(f"{base}{reverse('programs:session', args=[session.pk])}")
    expect(page.get_by_test_id("session-qr")).to_be_visible()
    box = page.get_by_test_id("session-qr").bounding_box()
    assert box["width"] >= 240
    expect(page.get_by_test_id("checkin-open")).to_contain_text("いま受付中です")
    expect(
        page.get_by_test_id(f"roll-{application.pk}").get_by_test_id("roll-status")
    ).to_contain_text("出席")
    checked(page, "session screen")
    row = page.get_by_test_id(f"roll-{classmate.pk}")
    expect(row.get_by_test_id("roll-status")).to_have_text("未記録")
    row.get_by_label("メモ (欠席の理由など・任意)").fill("電車の遅れ")
    row.get_by_test_id(f"roll-{classmate.pk}-late").click()
    row = page.get_by_test_id(f"roll-{classmate.pk}")
    expect(row.get_by_test_id("roll-status")).to_contain_text("遅刻")
    expect(row.get_by_test_id("roll-status")).to_contain_text("電車の遅れ")
    expect(page.get_by_test_id("roll-summary")).to_contain_text("出席 1 ・ 遅刻 1")
    checked(page, "session screen after roll-call")
    screenshot(page, "programs-session-phone")
    recorded = Attendance.objects.get(session=session, application=classmate)
    assert (recorded.status, recorded.method, recorded.note) == ("late", "roll_call", "電車の遅れ")
