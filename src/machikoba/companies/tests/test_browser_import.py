"""An officer imports the ward's company list in the browser, with a real task worker:
a file with errors gives the error report, the corrected file is imported."""

import re
import time
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from machikoba.companies import importing
from machikoba.companies.models import Company
from machikoba.companies.validators import corporate_number_with_check_digit
from machikoba.core.testing.factories import (
    TEST_PASSWORD,
    CompanyFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)
from machikoba.core.testing.processes import start_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]

HEADER = ["会社名", "フリガナ", "法人番号", "郵便番号", "所在地", "従業員数", "創業年", "備考"]
FINISHED_TIMEOUT_MS = 90_000


def number(i: int) -> str:
    return corporate_number_with_check_digit(f"{820000000000 + i:012d}")


def rows(count: int) -> list[list]:
    return [HEADER] + [
        [
            f"大田{i}精工株式会社",
            f"オオタ{i}セイコウ",
            number(i),
            "144-0051",
            f"西蒲田{i % 9 + 1}-{i % 20 + 1}",
            i % 50 + 1,
            1950 + i % 60,
            f"NC旋盤 {i % 7 + 1}台",
        ]
        for i in range(1, count + 1)
    ]


def save_xlsx(path, data) -> str:
    workbook = openpyxl.Workbook()
    for row in data:
        workbook.active.append(row)
    workbook.save(path)
    return str(path)


def totp_in_this_period() -> str:
    """A TOTP code that stays valid until the server checks it: allauth accepts only the
    current 30-second period, so near its end wait for the next one."""
    remaining = 30 - time.time() % 30
    if remaining < 5:
        time.sleep(remaining + 0.2)
    return totp_now()


def sign_in_officer(page, base_url, officer):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(officer.email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.get_by_label("コード").fill(totp_in_this_period())
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"区の概況$"))


@pytest.fixture
def officer(transactional_db):
    user = WardRoleFactory(user__name="区職員 山口").user
    give_totp(user)
    return user


def test_officer_imports_a_list_reads_the_error_report_and_imports_the_fix(
    page, live_server, officer, screenshot, settings, tmp_path
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media  # the live server and the worker share the files
    CompanyFactory(name="既存精工株式会社", corporate_number=number(7), employees=3)
    companies_before = Company.objects.count()
    bad = rows(300)
    bad[3][2] = "9" + number(3)[1:]  # line 4: wrong check digit
    bad[120][5] = "十数名"  # line 121: not a number
    bad[250][3] = "000-0000"  # line 251: no such postal code
    bad_file = save_xlsx(tmp_path / "企業一覧_2026.xlsx", bad)
    good_file = save_xlsx(tmp_path / "企業一覧_2026_修正.xlsx", rows(600))

    worker = start_worker({"MEDIA_ROOT": str(media)})
    try:
        sign_in_officer(page, live_server.url, officer)
        page.goto(f"{live_server.url}/ward/companies/import/")
        expect(page.get_by_role("heading", level=1)).to_have_text("企業リストの取り込み")
        # An officer of one ward is not asked which ward's list it is: it is shown.
        expect(page.get_by_test_id("import-ward")).to_contain_text("大田区")
        expect(page.locator("select[name=ward]")).to_have_count(0)
        page.get_by_label("企業の一覧ファイル").set_input_files(bad_file)
        page.get_by_role("button", name="アップロードして確認する").click()

        # Mapping and preview: the columns were recognised from the header row.
        expect(page.get_by_role("heading", level=1)).to_have_text("企業一覧_2026.xlsx")
        expect(page.locator("#id_map-name")).to_have_value("0")
        expect(page.locator("#id_map-employees")).to_have_value("5")
        expect(page.locator("#id_map-pr_text")).to_have_value("")
        preview = page.get_by_test_id("import-preview")
        expect(preview.locator("tbody > tr > th")).to_have_count(10)  # one per data row
        expect(preview).not_to_contain_text("NC旋盤 1台")
        # The preview runs the import's checks: line 4 is refused, line 8 would update.
        expect(preview.get_by_test_id("preview-problems")).to_have_count(1)
        expect(preview.get_by_test_id("preview-problems")).to_contain_text("チェックデジット")
        expect(preview.locator("tbody > tr", has_text=number(7))).to_contain_text("更新")
        # Choosing a column updates the preview in place (HTMX).
        page.locator("#id_map-pr_text").select_option(label="備考 (H列)")
        expect(preview.locator("thead")).to_contain_text("PR・得意なこと")
        expect(preview).to_contain_text("NC旋盤 1台")
        screenshot(page, "import-mapping")

        page.get_by_role("button", name="取り込む").click()
        report = page.get_by_test_id("error-report")
        expect(report).to_be_visible(timeout=FINISHED_TIMEOUT_MS)
        expect(page.get_by_role("alert")).to_contain_text("3 件のエラーがあります")
        lines = report.locator("tbody tr")
        expect(lines).to_have_count(3)
        expect(lines.nth(0)).to_contain_text("4")
        expect(lines.nth(0)).to_contain_text("法人番号")
        expect(lines.nth(1)).to_contain_text("121")
        expect(lines.nth(1)).to_contain_text("従業員数")
        expect(lines.nth(2)).to_contain_text("251")
        expect(lines.nth(2)).to_contain_text("郵便番号")
        assert Company.objects.count() == companies_before  # nothing stored
        screenshot(page, "import-error-report")

        # The corrected file: 599 new companies, and the one already registered updated.
        page.get_by_role("link", name="直したファイルをアップロードする").click()
        page.get_by_label("企業の一覧ファイル").set_input_files(good_file)
        page.get_by_role("button", name="アップロードして確認する").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("企業一覧_2026_修正.xlsx")
        page.get_by_role("button", name="取り込む").click()
        expect(page.get_by_test_id("import-progress")).to_be_visible()
        # The bar polls every second; picture it once the worker has moved it on.
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=import-progress]')"
            " || document.querySelector('#import-progress progress:not([value])')"
            " || document.querySelector('#import-progress progress').value > 0",
            timeout=FINISHED_TIMEOUT_MS,
        )
        screenshot(page, "import-progress")
        result = page.get_by_test_id("import-counts")
        expect(result).to_have_text("作成 599 社・更新 1 社", timeout=FINISHED_TIMEOUT_MS)
        screenshot(page, "import-done")
        assert Company.objects.count() == companies_before + 599
        assert Company.objects.get(corporate_number=number(7)).employees == 8

        page.get_by_role("link", name="企業を探す画面で確かめる").click()
        expect(page.get_by_test_id("result-count")).to_contain_text("600社")
        page.goto(f"{live_server.url}/ward/companies/import/")
        expect(page.get_by_role("table")).to_contain_text("企業一覧_2026_修正.xlsx")
        screenshot(page, "import-upload-with-history")
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        print(output)  # shown by pytest when the test fails


def test_error_report_fits_a_phone(
    phone_page, live_server, officer, screenshot, settings, tmp_path
):
    """A failed job (run in-process here) read on a 390 px screen."""
    settings.MEDIA_ROOT = tmp_path
    data = rows(30)
    data[5][2] = "1234"
    data[12][5] = "abc"
    data[20][3] = "000-0000"
    path = Path(save_xlsx(tmp_path / "list.xlsx", data))
    name = "大田区_ものづくり企業一覧_令和8年度_最新版.xlsx"
    job = importing.import_job_create(
        actor=officer, upload=SimpleUploadedFile(name, path.read_bytes())
    )
    mapping = importing.suggest_mapping(job.header)
    importing.import_job_start(actor=officer, job=job, mapping=mapping)
    importing.import_job_run(job_id=job.pk)

    sign_in_officer(phone_page, live_server.url, officer)
    phone_page.goto(f"{live_server.url}/ward/companies/import/{job.pk}/")
    expect(phone_page.get_by_test_id("error-report").locator("tbody tr")).to_have_count(3)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "import-error-report-phone")
