"""The ward officer runs a programme in a real browser, on a phone (390 x 844) and on a
desktop: signs in with TOTP, creates a programme, a cohort and a session through the
forms, and sees the funnel move when a company applies (the application is made between
page loads); then the attendance grid and the overdue list. Every page passes the phone
rules and axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.accounts.choices import WardRole
from machikoba.core.testing.factories import (
    TEST_PASSWORD,
    UserFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)
from machikoba.core.testing.factories_programs import ApplicationFactory, record_attendance
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.programs.models import Cohort, Program, Session

pytestmark = pytest.mark.browser


def _sign_in_officer(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.get_by_label("コード").fill(totp_now())
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


def _checked(page, where):
    """The phone rules on the phone (a desktop's compact table links are not tap targets
    of a phone), axe on both."""
    if page.viewport_size["width"] < 640:
        phone_checks(page, where)
    axe_check(page, where)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _run_a_programme(page, base, screenshot, label):
    officer = WardRoleFactory(role=WardRole.OFFICER, user=UserFactory(name="区 職員")).user
    give_totp(officer)
    WardRoleFactory(role=WardRole.INSTRUCTOR, user=UserFactory(name="講師 花子"))
    _sign_in_officer(page, base, officer.email)

    page.goto(f"{base}{reverse('programs:office')}")
    expect(page.get_by_test_id("no-programs")).to_be_visible()
    _checked(page, "office (empty)")
    page.get_by_test_id("program-create").click()
    _checked(page, "program form")
    page.locator("#id_name").fill(f"大田区 DX道場 {label}")
    page.get_by_label("DX道場 (経営者向け)").check()
    page.get_by_test_id("program-save").click()

    program = Program.objects.get(name=f"大田区 DX道場 {label}")
    expect(page).to_have_url(re.compile(reverse("programs:cohort_create", args=[program.pk])))
    now = timezone.now()
    page.locator("#id_name").fill("第1期")
    page.locator("#id_capacity").fill("2")
    page.locator("#id_applications_open_at").fill(_local(now))
    # A slip first: the window closes before it opens, refused on the form.
    page.locator("#id_applications_close_at").fill(_local(now - dt.timedelta(days=1)))
    page.get_by_test_id("cohort-save").click()
    expect(page.locator(".form-error")).to_contain_text("受付の開始より後")
    _checked(page, "cohort form with an error")
    page.locator("#id_applications_close_at").fill(_local(now + dt.timedelta(days=14)))
    page.get_by_test_id("cohort-save").click()

    cohort = Cohort.objects.get(program=program)
    expect(page.get_by_test_id("cohort-seats")).to_have_text("0 / 2")
    _checked(page, "cohort office (new)")
    page.get_by_test_id("session-create").click()
    starts = (now + dt.timedelta(days=21)).replace(hour=14, minute=0)
    page.locator("#id_title").fill("DXの全体像")
    page.locator("#id_starts_at").fill(_local(starts))
    page.locator("#id_ends_at").fill(_local(starts + dt.timedelta(hours=2)))
    page.locator("#id_place").fill("産業プラザPiO 会議室A")
    page.locator("#id_instructor").select_option(label="講師 花子")
    _checked(page, "session form")
    page.get_by_test_id("session-save").click()
    expect(page.get_by_test_id("session-1")).to_contain_text("第1回 DXの全体像")
    expect(page.get_by_test_id("session-1")).to_contain_text("講師 花子")
    session = Session.objects.get(cohort=cohort)
    assert len(session.checkin_code) >= 20

    # The funnel: nothing yet; a company applies; the funnel moves.
    page.goto(f"{base}{reverse('programs:funnel')}")
    total = page.get_by_test_id("funnel-total")
    expect(
        total.get_by_test_id("funnel-total-applied").get_by_test_id("funnel-count")
    ).to_have_text("0")
    _checked(page, "funnel (empty)")
    application = ApplicationFactory(cohort=cohort, participant=UserFactory(name="蒲田 太郎"))
    ApplicationFactory(cohort=cohort, participant=UserFactory(name="森 次郎"))
    page.reload()
    for step, count in (("applied", "2"), ("accepted", "2"), ("attended", "0")):
        expect(
            total.get_by_test_id(f"funnel-total-{step}").get_by_test_id("funnel-count")
        ).to_have_text(count)
    record_attendance(application, session, "present")
    page.reload()
    expect(
        total.get_by_test_id("funnel-total-attended").get_by_test_id("funnel-count")
    ).to_have_text("1")
    expect(total.get_by_test_id("funnel-total-attended")).to_contain_text("前の段階の 50%")
    _checked(page, "funnel")
    screenshot(page, f"programs-office-funnel-{label}")

    # The attendance grid: a card per participant on the phone, a table on the desktop.
    page.goto(f"{base}{reverse('programs:attendance_grid', args=[cohort.pk])}")
    expect(page.get_by_test_id("attendance-grid")).to_contain_text("蒲田 太郎")
    cards, table = page.get_by_test_id("grid-cards"), page.get_by_test_id("grid-table")
    expect(cards if label == "phone" else table).to_be_visible()
    expect(table if label == "phone" else cards).to_be_hidden()
    _checked(page, "attendance grid")
    screenshot(page, f"programs-office-grid-{label}")

    page.goto(f"{base}{reverse('programs:overdue')}")
    expect(page.get_by_test_id("no-overdue-followups")).to_be_visible()
    _checked(page, "overdue")
    page.goto(f"{base}{reverse('programs:cohort_office', args=[cohort.pk])}")
    expect(page.get_by_test_id("cohort-seats")).to_have_text("2 / 2")
    _checked(page, "cohort office")
    page.goto(f"{base}{reverse('programs:office')}")
    expect(page.get_by_test_id(f"cohort-{cohort.pk}")).to_contain_text("2 / 2")
    _checked(page, "office")
    screenshot(page, f"programs-office-home-{label}")


def test_an_officer_runs_a_programme_on_a_phone(phone_page, live_server, screenshot):
    _run_a_programme(phone_page, live_server.url, screenshot, "phone")


def test_an_officer_runs_a_programme_on_a_desktop(page, live_server, screenshot):
    _run_a_programme(page, live_server.url, screenshot, "desktop")
