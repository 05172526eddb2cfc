"""The KPI dashboard in a browser, on a desktop and on a phone (390 × 844):

- an officer of 大田区 signs in (with the TOTP step), opens the dashboard, sees M1.KSI
  (DX取組率: 3 of 4 answers, 75 %) with its bullet chart drawn by ECharts, clicks it and
  finds the companies behind the figure in the drill-down, with the trend chart drawn;
- the metro viewer picks 大田区 and 墨田区 on the comparison page and reads them side by
  side (a table on the desktop, a card per ward on the phone), never a company's name;
- on a phone, the officer sets the ward's own target (a bad year first: the message, and
  nothing saved) and publishes the ward's public page, which a visitor then reads.

Every page passes the phone rules and axe on the phone, makes no request outside the
server (ECharts is self-hosted), breaks no rule of the Content-Security-Policy and has no
script error, and is saved as a screenshot for review. The survey is this fiscal year's;
its answers were submitted now, so any day works."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2 as pdfium
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.accounts.choices import WardRole
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.core.testing.browser import sign_in_ward
from machikoba.core.testing.factories import (
    OTA,
    SUMIDA,
    CompanyFactory,
    WardRoleFactory,
    give_totp,
    ward,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.kpi.choices import DxEngagement, ResponseStatus, RoundStatus
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import Publication, SurveyResponse, SurveyRound, Target
from machikoba.kpi.services import definitions_install

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OTA_ANSWERS = (
    ("蒲田DX精機株式会社", DxEngagement.DONE),
    ("大森検討工業株式会社", DxEngagement.CONSIDERING),
    ("羽田デジタル製作所", DxEngagement.DONE),
    ("下丸子まだ鍍金", DxEngagement.NOT_YET),
)
SUMIDA_ANSWERS = (
    ("向島プレス株式会社", DxEngagement.DONE),
    ("押上板金工業", DxEngagement.NOT_YET),
    ("両国ばね製作所", DxEngagement.CONSIDERING),
)


def survey(code: str, answers) -> list:
    """This year's DX survey of the ward ``code``, sent, with one submitted answer per
    company."""
    municipality = ward(code)
    year = this_fiscal_year()
    round_ = SurveyRound.objects.create(
        municipality=municipality,
        fiscal_year=year,
        status=RoundStatus.OPEN,
        due_on=fiscal_year_bounds(year)[0] + dt.timedelta(days=90),
        sent_at=timezone.now(),
    )
    companies = []
    for name, engagement in answers:
        company = CompanyFactory(name=name, ward=municipality)
        SurveyResponse.objects.create(
            round=round_,
            company=company,
            status=ResponseStatus.SUBMITTED,
            dx_engagement=engagement,
            requested_at=timezone.now(),
            submitted_at=timezone.now(),
        )
        companies.append(company)
    return companies


def watch_requests(page, base: str) -> list[str]:
    """What the page did wrong, collected as it runs: a request outside the server,
    a Content-Security-Policy refusal (console or report), a script error. None allowed."""
    problems: list[str] = []

    def request(request) -> None:
        url = request.url
        if not (url.startswith(base) or url.startswith(("data:", "blob:"))):
            problems.append(f"outside: {url}")
        if "/csp-report/" in url:
            problems.append(f"csp report: {request.post_data}")

    def console(message) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"console: {message.text}")

    page.on("request", request)
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    return problems


def charts_drawn(page, selector: str) -> None:
    """Every chart container of ``selector`` holds the canvas ECharts drew."""
    containers = page.locator(selector)
    expect(containers.first).to_be_visible()
    count = containers.count()
    assert count > 0
    expect(page.locator(f"{selector} canvas")).to_have_count(count)


def checked(page, screenshot, name: str, *, phone: bool) -> None:
    page.wait_for_load_state("networkidle")
    if phone:
        phone_checks(page, name)
        axe_check(page, name)
    screenshot(page, name)


def officer_drills_down(page, base: str, screenshot, *, phone: bool) -> None:
    definitions_install()
    companies = survey(OTA, OTA_ANSWERS)
    officer = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(OTA)).user
    give_totp(officer)
    problems = watch_requests(page, base)
    suffix = "phone" if phone else "desktop"

    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}/kpi/")
    expect(page.get_by_role("heading", name="KPIダッシュボード", level=1)).to_be_visible()
    expect(page.get_by_test_id("kpi-scope")).to_contain_text("大田区")
    expect(page.get_by_test_id("as-of")).to_contain_text("までの累計")
    tile = page.get_by_test_id("kpi-M1.KSI")
    expect(tile.get_by_test_id("value")).to_have_text("75.0")
    expect(tile.get_by_test_id("light")).to_contain_text("順調")
    expect(tile.get_by_test_id("bullet-text")).to_contain_text("目標に対して 125%")
    charts_drawn(page, "[data-kpi-bullet]")
    # A figure without a value says why, in words.
    expect(page.get_by_test_id("kpi-M1.KGI").get_by_test_id("reason")).not_to_be_empty()
    checked(page, screenshot, f"kpi-dashboard-officer-{suffix}", phone=phone)

    tile.get_by_role("link", name="DXに「取組済み」または「検討中」の町工場の割合").click()
    expect(page.get_by_test_id("kpi-indicator")).to_be_visible()
    expect(page.get_by_test_id("numerator")).to_have_text("3")
    expect(page.get_by_test_id("denominator")).to_have_text("4")
    rows = page.get_by_test_id("drill-rows")
    for company in companies:
        expect(rows.get_by_role("link", name=company.name)).to_be_visible()
    expect(page.get_by_test_id("drill-row")).to_have_count(4)
    charts_drawn(page, "[data-kpi-trend]")
    charts_drawn(page, "[data-kpi-bullet]")
    expect(page.get_by_test_id(f"trend-{this_fiscal_year()}")).to_contain_text("75.0")
    checked(page, screenshot, f"kpi-indicator-officer-{suffix}", phone=phone)

    with page.expect_download() as download:
        page.get_by_test_id("drill-csv").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert all(company.name in content for company in companies)

    # Back on the dashboard, the annual report for the council: a PDF in Japanese with the
    # figure, and never a company's name.
    page.goto(f"{base}/kpi/")
    with page.expect_download() as report:
        page.get_by_test_id("report-pdf").click()
    pdf = pdfium.PdfDocument(report.value.path())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert report.value.suggested_filename.endswith(".pdf")
    assert "KPI年次報告" in text
    assert "75.0" in text
    assert not any(company.name in text for company in companies)
    assert problems == []


def metro_compares(page, base: str, screenshot, *, phone: bool) -> None:
    definitions_install()
    companies = survey(OTA, OTA_ANSWERS) + survey(SUMIDA, SUMIDA_ANSWERS)
    viewer = WardRoleFactory(role=WardRole.METRO_VIEWER).user
    problems = watch_requests(page, base)
    suffix = "phone" if phone else "desktop"

    sign_in_ward(page, base, viewer.email)
    page.goto(f"{base}/kpi/")
    expect(page.get_by_test_id("kpi-scope")).to_contain_text("全区の合計")
    page.get_by_test_id("compare-link").click()
    expect(page.get_by_role("heading", name="区を並べて比べる", level=1)).to_be_visible()
    form = page.get_by_test_id("compare-form")
    ticked = form.locator("input[name=ward]:checked").evaluate_all("els => els.map(e => e.id)")
    assert len(ticked) == 2  # the first two wards by default
    for box in ticked:
        form.locator(f"#{box}").uncheck()
    form.get_by_label("大田区").check()
    form.get_by_label("墨田区").check()
    form.get_by_label("指標").select_option("M1.KSI")
    checked(page, screenshot, f"kpi-compare-form-{suffix}", phone=phone)
    form.get_by_role("button", name="比べる").click()
    expect(page).to_have_url(re.compile(r"indicator=M1\.KSI"))
    if phone:
        cards = page.get_by_test_id("compare-card")
        expect(cards).to_have_count(3)
        # The wards in code order: 墨田区 (131075) before 大田区 (131113).
        expect(cards.nth(0)).to_contain_text("墨田区")
        expect(cards.nth(0).get_by_test_id("cell-value")).to_have_text("66.7")
        expect(cards.nth(1)).to_contain_text("大田区")
        expect(cards.nth(1).get_by_test_id("cell-value")).to_have_text("75.0")
        expect(cards.nth(2)).to_contain_text("全区の合計")
        expect(page.get_by_test_id("compare-table")).to_be_hidden()
    else:
        table = page.get_by_test_id("compare-table")
        expect(table.get_by_test_id("compare-column")).to_have_text(
            ["墨田区", "大田区", "全区の合計"]
        )
        expect(table.get_by_test_id("compare-cell")).to_have_count(3)
        expect(table.get_by_test_id("compare-cell").nth(0)).to_contain_text("66.7")
        expect(table.get_by_test_id("compare-cell").nth(1)).to_contain_text("75.0")
        expect(table.get_by_test_id("compare-cell").nth(2)).to_contain_text("71.4")
        expect(page.get_by_test_id("compare-cards")).to_be_hidden()
    checked(page, screenshot, f"kpi-compare-metro-{suffix}", phone=phone)
    text = page.content()
    assert not any(company.name in text for company in companies)
    assert problems == []


def test_an_officer_drills_from_the_ksi_to_its_companies(page, live_server, screenshot):
    officer_drills_down(page, live_server.url, screenshot, phone=False)


def test_an_officer_drills_down_on_a_phone(phone_page, live_server, screenshot):
    officer_drills_down(phone_page, live_server.url, screenshot, phone=True)


def test_the_metro_viewer_compares_two_wards(page, live_server, screenshot):
    metro_compares(page, live_server.url, screenshot, phone=False)


def test_the_metro_viewer_compares_on_a_phone(phone_page, live_server, screenshot):
    metro_compares(phone_page, live_server.url, screenshot, phone=True)


def test_an_officer_sets_a_target_and_publishes_on_a_phone(phone_page, live_server, screenshot):
    page, base = phone_page, live_server.url
    definitions_install()
    survey(OTA, OTA_ANSWERS)
    officer = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(OTA)).user
    give_totp(officer)
    problems = watch_requests(page, base)

    sign_in_ward(page, base, officer.email, totp=True)
    page.goto(f"{base}/kpi/targets/")
    expect(page.get_by_role("heading", name="大田区の目標", level=1)).to_be_visible()
    checked(page, screenshot, "kpi-targets-phone", phone=True)
    card = page.get_by_test_id("target-M1.KSI")
    card.locator("summary").click()
    card.get_by_label("目標値").fill("65")
    card.get_by_label("目標年度").fill("2020")
    card.get_by_label("基準値").fill("42")
    card.get_by_label("基準年度").fill("2023")
    card.get_by_role("button", name="M1.KSI の目標を保存する").click()
    card = page.get_by_test_id("target-M1.KSI")
    expect(card.get_by_test_id("target-errors")).to_be_visible()
    expect(card).to_contain_text("目標年度は基準年度より後にしてください。")
    assert not Target.objects.exists()
    checked(page, screenshot, "kpi-targets-refused-phone", phone=True)
    card.get_by_label("目標年度").fill("2030")  # the form stayed open with the message
    card.get_by_role("button", name="M1.KSI の目標を保存する").click()
    expect(page.get_by_role("status")).to_contain_text("M1.KSI の区の目標を保存しました。")
    expect(page.get_by_test_id("target-M1.KSI").get_by_test_id("own-target")).to_be_visible()
    assert Target.objects.get().target_year == 2030

    box = page.get_by_test_id("publication")
    box.get_by_label("この区のKPIを公開ページで公開する").check()
    box.get_by_label("公開ページの紹介文").fill("大田区のものづくりDXの歩みです。")
    box.get_by_role("button", name="公開ページの設定を保存する").click()
    expect(page.get_by_test_id("publication-on")).to_be_visible()
    assert Publication.objects.get().enabled

    page.context.clear_cookies()
    page.goto(f"{base}/kpi/public/{OTA}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("大田区")
    expect(page.get_by_test_id("public-introduction")).to_have_text(
        "大田区のものづくりDXの歩みです。"
    )
    expect(page.get_by_test_id("public-M3.P1").get_by_test_id("value")).to_have_text("0")
    checked(page, screenshot, "kpi-public-phone", phone=True)
    assert problems == []
