"""The 日報 on a phone (390 x 844), in a real browser: a floor worker files an entry from
a traveler tag's QR code in at most five taps; the owner sends a report back and, once
it is fixed, approves it. Every page passes the phone checks and axe."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from machikoba.core.notifications import KINDS
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories_floor import (
    floor,
    floor_machines,
    in_house_step,
    partner_step,
    seeded_reasons,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.labels_reports import NOTIFICATION_KINDS
from machikoba.shopfloor.models_reports import DailyReport, ReportEntry
from machikoba.shopfloor.services_reports import EntryFields

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]

SHOTS = Path(__file__).resolve().parents[4] / "var" / "test-artifacts" / "screens"


@pytest.fixture(autouse=True)
def _labels(monkeypatch):
    for kind, texts in NOTIFICATION_KINDS.items():
        monkeypatch.setitem(KINDS, kind, texts)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def shot(page, name: str) -> None:
    """A review screenshot (full page), where the suite keeps them for reviewers."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def check(page, name: str) -> None:
    phone_checks(page, name)
    axe_check(page, name)
    shot(page, name)


class Taps:
    """Counts what a person taps on the phone."""

    def __init__(self) -> None:
        self.count = 0

    def tap(self, locator) -> None:
        self.count += 1
        locator.click()


def test_a_worker_files_a_report_from_the_traveler_tag_in_five_taps(
    phone_page, live_server, transactional_db
):
    people = floor()
    floor_machines(people.shop)
    seeded_reasons(people.shop)
    step, _order = partner_step(
        customer=people.customer,
        customer_owner=people.customer_owner,
        shop=people.shop,
        shop_owner=people.owner,
    )
    page = phone_page
    base = live_server.url
    sign_in(page, base, people.worker.email)

    # The QR code on the traveler tag opens the step's handoff page.
    page.goto(f"{base}/t/{step.pk}/")
    expect(page.get_by_test_id("handoff")).to_be_visible()
    check(page, "01-handoff-with-report-link")

    taps = Taps()
    taps.tap(page.get_by_test_id("handoff-report"))  # 1: 日報に記録
    expect(page.get_by_test_id("entry-step")).to_contain_text("研削前シャフト")
    check(page, "02-entry-form")
    minutes = page.get_by_label("作業時間 (分)")
    taps.tap(minutes)  # 2
    minutes.fill("95")
    good = page.get_by_label("良品数")
    taps.tap(good)  # 3
    good.fill("30")
    taps.tap(page.get_by_test_id("entry-save"))  # 4: 記録する
    expect(page.get_by_role("status")).to_contain_text("作業を記録しました")
    entry = ReportEntry.objects.get()
    assert (entry.step_id, entry.minutes, entry.good) == (step.pk, 95, 30)
    expect(page.get_by_test_id(f"entry-{entry.pk}")).to_contain_text("95 分")
    check(page, "03-today-with-entry")

    taps.tap(page.get_by_test_id("report-submit"))  # 5: 提出
    expect(page.get_by_test_id("submitted-note")).to_be_visible()
    assert DailyReport.objects.get().status == ReportStatus.SUBMITTED
    assert taps.count <= 5
    check(page, "04-today-submitted")


def test_the_owner_sends_a_report_back_and_approves_it_when_fixed(
    phone_page, live_server, transactional_db
):
    people = floor()
    machines = floor_machines(people.shop)
    reasons = seeded_reasons(people.shop)
    step = in_house_step(people.owner, people.shop)
    services.entry_record(
        actor=people.worker,
        company=people.shop,
        step=step,
        idempotency_key=uuid.uuid4(),
        fields=EntryFields(
            minutes=120,
            equipment=machines["nc"],
            unit=1,
            good=18,
            defect=2,
            defect_reason=reasons["defect:dimension"],
            stop_minutes=15,
            stop_reason=reasons["stop:setup"],
            notes="2本目で外径が0.02大きかった",
        ),
    )
    report = services.report_submit(actor=people.worker, report=DailyReport.objects.get())
    page = phone_page
    base = live_server.url

    sign_in(page, base, people.owner.email)
    page.goto(f"{base}/floor/reports/review/")
    card = page.get_by_test_id(f"review-card-{report.pk}")
    expect(card).to_contain_text("佐藤 健")
    expect(card).to_contain_text("寸法不良")
    check(page, "05-review-waiting")
    card.get_by_test_id("report-return").locator("summary").click()
    card.get_by_label("差し戻す理由").fill("不良の本数を現品票と合わせてください")
    check(page, "06-review-return-open")
    card.get_by_test_id("report-return-send").click()
    expect(page.get_by_role("status")).to_contain_text("差し戻しました")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    # The worker reads why, fixes the entry and submits again.
    sign_in(page, base, people.worker.email)
    page.goto(f"{base}/floor/reports/today/")
    expect(page.get_by_test_id("review-note")).to_contain_text("不良の本数を現品票と合わせて")
    check(page, "07-today-returned")
    page.get_by_test_id("entry-edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("作業を直す")
    check(page, "08-entry-edit")
    page.get_by_label("不良数").fill("3")
    page.get_by_label("良品数").fill("17")
    page.get_by_test_id("entry-save").click()
    expect(page.get_by_role("status")).to_contain_text("作業を保存しました")
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("submitted-note")).to_be_visible()

    sign_in(page, base, people.owner.email)
    page.goto(f"{base}/floor/reports/review/")
    card = page.get_by_test_id(f"review-card-{report.pk}")
    expect(card).to_contain_text("不良 3")
    card.get_by_test_id("report-approve").click()
    expect(page.get_by_role("status")).to_contain_text("承認しました")
    expect(page.get_by_test_id("none-waiting")).to_be_visible()
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (ReportStatus.APPROVED, people.owner)
    check(page, "09-review-after-approval")
    page.goto(f"{base}/floor/reports/{report.pk}/")
    expect(page.get_by_test_id("report-status")).to_have_text("承認済み")
    check(page, "10-report-approved")


def test_the_owners_pages_on_a_phone(phone_page, live_server, transactional_db):
    """Reasons, hourly rates and the actual cost per job, on a phone."""
    people = floor()
    machines = floor_machines(people.shop)
    seeded_reasons(people.shop)
    step, _order = partner_step(
        customer=people.customer,
        customer_owner=people.customer_owner,
        shop=people.shop,
        shop_owner=people.owner,
    )
    services.entry_record(
        actor=people.worker,
        company=people.shop,
        step=step,
        idempotency_key=uuid.uuid4(),
        fields=EntryFields(minutes=300, equipment=machines["nc"], unit=2, good=30),
    )
    report = services.report_submit(actor=people.worker, report=DailyReport.objects.get())
    services.report_approve(actor=people.owner, report=report)
    page = phone_page
    base = live_server.url
    sign_in(page, base, people.owner.email)

    page.goto(f"{base}/floor/reasons/")
    expect(page.get_by_test_id("reasons-stop")).to_contain_text("昼休み")
    check(page, "11-reasons")
    page.get_by_label("名前").fill("クーラント補充")
    page.get_by_label("コード").fill("coolant")
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_role("status")).to_contain_text("理由を追加しました")
    expect(page.get_by_test_id("reasons-stop")).to_contain_text("クーラント補充")

    page.goto(f"{base}/floor/costs/")
    expect(page.get_by_test_id("rates-missing")).to_be_visible()
    page.get_by_role("link", name="時間単価を設定する").click()
    check(page, "12-cost-rates")
    page.get_by_label(re.compile("人の時間単価")).fill("3000")
    page.get_by_label(re.compile("機械の時間単価")).fill("1500")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_role("status")).to_contain_text("時間単価を保存しました")
    row = page.get_by_test_id(f"cost-{step.job_id}")
    expect(row.get_by_test_id("cost-total")).to_contain_text("22,500円")
    expect(row.get_by_test_id("cost-revenue")).to_contain_text("54,000円")
    expect(row.get_by_test_id("cost-margin")).to_contain_text("31,500円")
    check(page, "13-job-costs")

    page.goto(f"{base}/floor/reports/mine/")
    check(page, "14-my-reports-owner")

    # The owner's own day: nothing recorded yet, the steps to pick from the list.
    page.goto(f"{base}/floor/reports/today/")
    expect(page.get_by_test_id("no-entries")).to_be_visible()
    check(page, "15-today-empty")
    page.get_by_test_id(f"step-{step.pk}").get_by_test_id("step-record").click()
    expect(page.get_by_label("工程")).to_have_value(str(step.pk))
    check(page, "16-entry-new-from-list")
