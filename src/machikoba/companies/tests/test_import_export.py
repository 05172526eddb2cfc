"""Importing the ward's company list (CSV / Excel) and exporting the directory."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from machikoba.companies import importing
from machikoba.companies.exporting import export_header
from machikoba.companies.models import (
    CertificationKind,
    Company,
    CompanyCertification,
    ProcessCategory,
)
from machikoba.companies.models_io import ImportJob, ImportStatus
from machikoba.companies.services import COMPANY_AUDIT_FIELDS
from machikoba.companies.validators import corporate_number_with_check_digit
from machikoba.core.audit import snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    make_capability,
)

HEADER = ["企業名", "フリガナ", "法人番号", "郵便番号", "住所", "従業員数", "創業年"]


def number(i: int) -> str:
    """A valid 法人番号 (the check digit computed) for test row ``i``."""
    return corporate_number_with_check_digit(f"{810000000000 + i:012d}")


def good_row(i: int) -> list:
    return [
        f"取込精機{i}株式会社",
        f"トリコミセイキ{i}",
        number(i),
        "144-0051",
        "西蒲田1-1",
        i,
        1960,
    ]


def csv_bytes(rows, *, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(db):
    user = WardRoleFactory(user__name="区職員 山口").user
    give_totp(user)
    return user


@pytest.fixture
def officer_client(client, officer):
    force_login_with_mfa(client, officer)
    return client


def stored_files(media: Path) -> list[Path]:
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def create_job(officer, name: str, data: bytes) -> ImportJob:
    return importing.import_job_create(actor=officer, upload=upload(name, data))


def run(officer, job: ImportJob, mapping=None) -> ImportJob:
    importing.import_job_start(
        actor=officer,
        job=job,
        mapping=mapping if mapping is not None else importing.suggest_mapping(job.header),
    )
    importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


# --- the whole flow through the pages ------------------------------------------------


def test_cp932_csv_is_uploaded_mapped_previewed_and_imported(
    officer_client, officer, settings, media, django_capture_on_commit_callbacks
):
    # Run the task in-process when the request commits (the worker is tested in the
    # browser test); the on_commit callback enqueues it.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "mail"],
        }
    }
    rows = [
        ["会社名", "カナ", "法人番号", "〒", "所在地", "従業員", "設立年", "代表者名",
         "ホームページ"],
        ["㈱蒲田①製作所", "カマタセイサクショ", number(1), "1440051",
         "西蒲田1-2-3", "12人", "1965年", "蒲田 太郎", "www.kamata.example.jp"],
        ["六郷鍍金工業", "ロクゴウメッキ", "", "144-0046", "東六郷2-3", "1,200", "", "", ""],
    ]  # fmt: skip
    data = csv_bytes(rows, encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    response = officer_client.post(
        reverse("companies:import_upload"), {"file": upload("企業一覧.csv", data)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("companies:import_detail", args=[job.pk])
    assert job.status == ImportStatus.UPLOADED
    assert job.file_format == "csv"
    assert job.total_rows == 2
    assert job.header[0] == "会社名"
    assert job.file.name.startswith("imports/")
    assert job.file.name.endswith(".csv")
    assert len(stored_files(media)) == 1

    page = officer_client.get(response.headers["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    # Synonyms pre-select the columns; the preview shows rows as they will be imported.
    form = page.context["form"]
    assert form["name"].initial == "0"
    assert form["postal_code"].initial == "3"
    assert form["address_line"].initial == "4"
    assert form["representative_name"].initial == "7"
    assert form["website"].initial == "8"
    assert form["pr_text"].initial == ""
    preview = page.context["preview"]
    assert [row.line for row in preview] == [2, 3]
    fields = [f.name for f in page.context["preview_fields"]]
    first = dict(zip(fields, (value for value, _problem in preview[0].cells), strict=True))
    assert first["name"] == "㈱蒲田①製作所"
    assert first["employees"] == 12
    assert first["founded_year"] == 1965
    assert first["website"] == "https://www.kamata.example.jp"
    assert "㈱蒲田①製作所" in html

    mapping = {f"map-{name}": form[name].initial for name in form.fields}
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("companies:import_detail", args=[job.pk]), mapping)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (2, 0)
    assert job.processed_rows == job.total_rows == 2
    kamata = Company.objects.get(corporate_number=number(1))
    assert kamata.name == "㈱蒲田①製作所"
    assert kamata.employees == 12
    assert kamata.founded_year == 1965
    assert kamata.postal_code == "144-0051"
    assert kamata.municipality == ""  # not mapped, not invented
    assert Company.objects.get(name="六郷鍍金工業").employees == 1200

    page = officer_client.get(reverse("companies:import_detail", args=[job.pk]))
    assert "作成 2 社・更新 0 社" in page.content.decode()
    assert 'hx-trigger="every 1s"' not in page.content.decode()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"import.create", "import.start", "import.done", "company.create"} <= verbs
    done = AuditEvent.objects.get(verb="import.done")
    assert done.actor == officer
    assert done.after == {"created": 2, "updated": 0}
    # Officers may register companies, so the trail names the officer who did.
    assert set(
        AuditEvent.objects.filter(verb="company.create").values_list("actor", flat=True)
    ) == {officer.pk}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings(officer, encoding):
    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1)], encoding=encoding))
    assert job.header == HEADER  # no BOM left on the first header
    job = run(officer, job)
    assert job.status == ImportStatus.DONE, job.errors
    assert Company.objects.get(corporate_number=number(1)).name == "取込精機1株式会社"


def test_excel_bad_row_at_line_3000_is_reported_with_row_and_column_and_stores_nothing(
    officer, media
):
    CompanyFactory(corporate_number=number(10))  # line 11 would update it
    before = Company.objects.count()
    events_before = AuditEvent.objects.filter(verb__startswith="company.").count()
    rows = [HEADER] + [good_row(i) for i in range(1, 3000)]  # lines 2 … 3000
    rows[1499][2] = "2" + number(1499)[1:]  # line 1500: 法人番号 with a wrong check digit
    rows[2999][5] = "abc"  # line 3000: 従業員数
    job = create_job(officer, "ward-list.xlsx", xlsx_bytes(rows))
    assert job.file_format == "xlsx"
    assert job.total_rows == 2999

    job = run(officer, job)

    assert job.status == ImportStatus.FAILED
    assert job.processed_rows == 2999
    assert [(e["row"], e["column"], e["field"]) for e in job.sorted_errors] == [
        (1500, "法人番号", "corporate_number"),
        (3000, "従業員数", "employees"),
    ]
    assert "チェックデジット" in job.sorted_errors[0]["message"]
    assert "abc" in job.sorted_errors[1]["message"]
    assert "整数" in job.sorted_errors[1]["message"]
    assert Company.objects.count() == before
    assert AuditEvent.objects.filter(verb__startswith="company.").count() == events_before
    assert AuditEvent.objects.filter(verb="import.fail", actor=officer).exists()
    # The file stays with its job (for the record); nothing else was written.
    assert len(stored_files(media)) == 1


def test_error_report_page_and_csv_download(officer_client, officer):
    rows = [HEADER, good_row(1), good_row(2), good_row(3)]
    rows[3][3] = "000-0000"  # line 4: a postal code that does not exist
    rows[2][6] = "昭和40年"  # line 3: not a western year
    job = run(officer, create_job(officer, "list.csv", csv_bytes(rows)))
    assert job.status == ImportStatus.FAILED

    page = officer_client.get(reverse("companies:import_detail", args=[job.pk]))
    html = page.content.decode()
    assert 'data-testid="error-report"' in html
    assert "2 件のエラーがあります" in html
    assert html.index("昭和40年") < html.index("000-0000")  # sorted by row
    assert reverse("companies:import_upload") in html  # upload a corrected file

    response = officer_client.get(
        reverse("companies:import_detail", args=[job.pk]) + "?download=errors"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["行", "列", "内容"]
    assert [line[:2] for line in lines[1:]] == [["3", "創業年"], ["4", "郵便番号"]]
    assert "見つかりません" in lines[2][2]


def test_error_report_csv_escapes_a_column_header_written_as_a_formula(officer_client, officer):
    # The column of an error is the uploaded file's own header text.
    evil = '=HYPERLINK("http://evil.example","x")'
    header = [*HEADER[:6], evil, *HEADER[7:]]
    rows = [header, good_row(1)]
    rows[1][6] = "昭和40年"  # an error in the column named by the formula
    mapping = {**importing.suggest_mapping(HEADER), "founded_year": 6}
    job = run(officer, create_job(officer, "list.csv", csv_bytes(rows)), mapping)
    assert job.status == ImportStatus.FAILED
    response = officer_client.get(
        reverse("companies:import_detail", args=[job.pk]) + "?download=errors"
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[1][:2] == ["2", "'" + evil]


def test_service_checks_are_reported_per_row(officer):
    CompanyFactory(corporate_number=number(9))
    rows = [
        [*HEADER, "登録番号", "ウェブサイト"],
        [*good_row(1), "T" + number(2), ""],  # line 2: T-number of another 法人番号
        [*good_row(3), "", "not a url at all"],  # line 3
        [*good_row(4), "", ""],  # line 4: fine
        [*good_row(4), "", ""],  # line 5: same 法人番号 as line 4
        ["", "ナナシ", number(5), "", "", "", "", "", ""],  # line 6: no name
        [*good_row(9), "", ""],  # line 7: updates the existing company: fine
    ]
    rows[6][0] = ""  # an empty cell changes nothing (the name stays)
    job = run(officer, create_job(officer, "list.csv", csv_bytes(rows)))
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, "登録番号"), (3, "ウェブサイト"), (5, "法人番号"), (6, "企業名")}
    duplicate = next(e for e in job.errors if e["row"] == 5)
    assert "4 行目と重複" in duplicate["message"]
    assert Company.objects.count() == 1


def test_rows_matching_a_registered_corporate_number_update_that_company(officer):
    existing = CompanyFactory(
        name="既存精機株式会社", corporate_number=number(1), employees=5, founded_year=1950
    )
    full_width = number(1).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        ["企業名", "法人番号", "従業員数", "創業年"],
        ["", f"{full_width[:4]}-{full_width[4:]}", 30, ""],
        ["新規工業", number(2), 3, 2001],
    ]
    job = run(officer, create_job(officer, "list.xlsx", xlsx_bytes(rows)))
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (1, 1)
    existing.refresh_from_db()
    assert existing.employees == 30
    assert existing.name == "既存精機株式会社"  # empty cells change nothing
    assert existing.founded_year == 1950
    update = AuditEvent.objects.get(verb="company.update", company=existing)
    # company_update lets only a company's editors act; the import writes as the
    # system and the officer is recorded on the job and its events.
    assert update.actor is None
    assert update.after == {"employees": 30}
    assert AuditEvent.objects.get(verb="import.done").actor == officer


def test_a_refusal_in_the_commit_pass_leaves_nothing_behind(officer, monkeypatch):
    """The services have the last word: a row the validation pass let through (here:
    as if it missed a check) stops the whole import, earlier rows included."""
    rows = [HEADER, good_row(1), good_row(2), good_row(3)]
    rows[3][2] = "2" + number(3)[1:]  # line 4: a wrong check digit
    job = create_job(officer, "list.csv", csv_bytes(rows))
    monkeypatch.setattr(importing.checking, "_check", lambda row, existing: None)
    job = run(officer, job)
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "法人番号")]
    assert Company.objects.count() == 0
    assert not AuditEvent.objects.filter(verb__in=["company.create", "import.done"]).exists()


def test_a_company_registered_meanwhile_is_updated_not_duplicated(officer, monkeypatch):
    """Companies are matched again inside the commit transaction."""
    rows = [HEADER, good_row(1), good_row(2)]
    job = create_job(officer, "list.csv", csv_bytes(rows))
    validate = importing._validate

    def validate_then_someone_registers(job, rows, actor, ward_check):
        errors = validate(job, rows, actor, ward_check)
        CompanyFactory(name="割り込み工業", corporate_number=number(2), employees=99)
        return errors

    monkeypatch.setattr(importing, "_validate", validate_then_someone_registers)
    job = run(officer, job)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count) == (1, 1)
    assert Company.objects.get(corporate_number=number(2)).employees == 2


def test_progress_is_committed_every_200_rows(officer, monkeypatch):
    assert importing.PROGRESS_EVERY == 200
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)  # the same logic, five rows
    job = create_job(officer, "list.csv", csv_bytes([HEADER, *[good_row(i) for i in range(5)]]))
    importing.import_job_start(actor=officer, job=job, mapping=importing.suggest_mapping(HEADER))
    with CaptureQueriesContext(connection) as queries:
        importing.import_job_run(job_id=job.pk)
    progress = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "companies_importjob" SET "processed_rows"')
    ]
    assert [sql.split("=")[1].split(",")[0].strip() for sql in progress] == ["2", "4", "5"]
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.processed_rows == 5


def test_progress_partial_polls_while_running_and_stops_when_finished(officer_client, officer):
    job = create_job(officer, "list.csv", csv_bytes([HEADER, *[good_row(i) for i in range(5)]]))
    importing.import_job_start(actor=officer, job=job, mapping=importing.suggest_mapping(HEADER))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, total_rows=3000, processed_rows=1234
    )
    url = reverse("companies:import_progress", args=[job.pk])
    html = officer_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{url}"' in html
    assert '<progress class="mt-4 w-full" max="3000" value="1234"' in html
    assert "1,234 / 3,000 行を確認しました" in html
    detail = officer_client.get(reverse("companies:import_detail", args=[job.pk]))
    assert 'hx-trigger="every 1s"' in detail.content.decode()

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, processed_rows=3000, created_count=2999, updated_count=1
    )
    html = officer_client.get(url).content.decode()
    assert "hx-trigger" not in html
    assert "作成 2,999 社・更新 1 社" in html
    assert reverse("companies:directory") in html


# --- mapping ---------------------------------------------------------------------------


def test_export_headers_and_common_synonyms_are_recognised():
    assert importing.suggest_mapping(export_header()) == {
        "name": 0,
        "name_kana": 1,
        "name_en": 2,
        "corporate_number": 3,
        "invoice_number": 4,
        "postal_code": 5,
        "prefecture": 6,
        "municipality": 7,
        "address_line": 8,
        "employees": 9,
        "founded_year": 10,
        "representative_name": 11,
        "website": 12,
    }
    header = [
        "事業者名", "企業名カナ", "適格請求書発行事業者登録番号", "〒", "所在地", "従業員",
        "創業", "代表者", "URL", "事業内容", "電話番号", "会社名（英語）",
    ]  # fmt: skip
    assert importing.suggest_mapping(header) == {
        "name": 0,
        "name_kana": 1,
        "invoice_number": 2,
        "postal_code": 3,
        "address_line": 4,
        "employees": 5,
        "founded_year": 6,
        "representative_name": 7,
        "website": 8,
        "pr_text": 9,
        "name_en": 11,
    }


def test_a_file_without_a_name_column_asks_for_the_mapping(officer_client, officer):
    rows = [["番号", "電話"], ["1", "03-0000-0000"]]
    job = create_job(officer, "list.csv", csv_bytes(rows))
    url = reverse("companies:import_detail", args=[job.pk])
    page = officer_client.get(url)
    assert "企業名の列が見つかりませんでした" in page.content.decode()

    response = officer_client.post(url, {"map-corporate_number": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "「企業名」に当たる列が選ばれていません" in html
    assert 'id="form-errors"' in html
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_an_html_page_renamed_csv_has_no_name_column(officer_client, officer):
    html = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>\n"
    job = create_job(officer, "companies.csv", html)
    page = officer_client.get(reverse("companies:import_detail", args=[job.pk]))
    assert page.context["name_suggested"] is False
    assert "企業名の列が見つかりませんでした" in page.content.decode()


def test_one_column_for_two_fields_and_unknown_columns_are_refused(officer):
    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1)]))
    with pytest.raises(ApplicationError) as info:
        importing.import_job_start(
            actor=officer, job=job, mapping={"name": 0, "name_kana": 0, "employees": 99}
        )
    assert "企業名" in info.value.fields["name_kana"][0]
    assert "ファイルにない列" in info.value.fields["employees"][0]
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_a_wrong_column_mapping_gives_row_errors_not_a_partial_import(officer):
    """従業員数 mapped onto the company-name column: every row is refused, nothing stored."""
    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1), good_row(2)]))
    job = run(officer, job, mapping={"name": 0, "employees": 1})
    assert job.status == ImportStatus.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {(2, "フリガナ"), (3, "フリガナ")}
    assert Company.objects.count() == 0


def test_preview_follows_a_changed_mapping_with_htmx(officer_client, officer):
    rows = [HEADER, good_row(1)]
    rows[1][5] = "abc"
    job = create_job(officer, "list.csv", csv_bytes(rows))
    url = reverse("companies:import_detail", args=[job.pk])
    response = officer_client.get(
        url,
        {"map-name": "1", "map-employees": "5"},
        headers={"HX-Request": "true", "HX-Target": "import-preview"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="import-preview"')
    assert "<form" not in html
    assert "トリコミセイキ1" in html
    assert "整数" in html  # the bad cell is flagged in the preview
    assert "取込精機1株式会社" not in html  # column 0 is no longer mapped

    # Without a name column the other choices still preview; each row says what is missing.
    html = officer_client.get(
        url, {"map-name": "", "map-employees": "5"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "トリコミセイキ1" not in html
    assert "整数" in html


def test_starting_twice_and_non_officers_are_refused(officer, officer_client):
    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1)]))
    importing.import_job_start(actor=officer, job=job, mapping={"name": 0})
    with pytest.raises(ApplicationError) as info:
        importing.import_job_start(actor=officer, job=job, mapping={"name": 0})
    assert info.value.code == "import_already_started"
    response = officer_client.post(
        reverse("companies:import_detail", args=[job.pk]), {"map-name": "0"}, follow=True
    )
    assert "すでに始まっています" in response.content.decode()
    owner = MembershipFactory().user
    with pytest.raises(PermissionRefused):
        importing.import_job_create(actor=owner, upload=upload("a.csv", csv_bytes([HEADER])))
    assert ImportJob.objects.for_user(owner).count() == 0
    assert ImportJob.objects.for_user(officer).count() == 1
    other_officer = WardRoleFactory().user
    assert ImportJob.objects.for_user(other_officer).count() == 1  # the ward's shared work


# --- files refused before anything is stored --------------------------------------------


def zip_bomb_xlsx() -> bytes:
    """A small zip whose sheet inflates to 101 MB (of zeros)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * 1_000_000
            for _ in range(101):
                member.write(block)
    return out.getvalue()


REFUSED = {
    "over 10 MB": ("big.csv", lambda: b"a" * 10_000_001, "ファイルが大きすぎます"),
    "zip bomb": ("bomb.xlsx", zip_bomb_xlsx, "中身が大きすぎます"),
    "not a zip": ("fake.xlsx", lambda: csv_bytes([HEADER, good_row(1)]), "読み込めませんでした"),
    "zip, not excel": (
        "archive.xlsx",
        lambda: _zip_with("readme.txt", b"hello"),
        "読み込めませんでした",
    ),
    "old xls": ("old.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
    "pdf": ("list.pdf", lambda: b"%PDF-1.7\n", "CSV ファイル (.csv) か Excel ファイル (.xlsx)"),
    "binary csv": ("data.csv", lambda: b"\x00\x01\x02\xff\xfe" * 100, "文字を読み取れません"),
    "empty": ("empty.csv", lambda: b"", "ファイルが空です"),
    "blank lines only": ("blank.csv", lambda: b"\r\n,,\r\n\r\n", "ファイルが空です"),
    "header only": ("header.csv", lambda: csv_bytes([HEADER]), "見出しの行しかありません"),
    "over 20,000 rows": (
        "many.csv",
        lambda: csv_bytes([["企業名"]] + [[f"会社{i}"] for i in range(20_001)]),
        "20,000 行まで",
    ),
}


def _zip_with(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_bad_files_are_refused_and_nothing_is_stored(officer_client, media, case):
    name, make, message = REFUSED[case]
    response = officer_client.post(
        reverse("companies:import_upload"), {"file": upload(name, make())}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_file_error"' in html  # shown beside the file field
    assert ImportJob.objects.count() == 0
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(verb__startswith="import.").exists()


def test_exactly_20000_rows_are_accepted(officer):
    rows = [["企業名"]] + [[f"会社{i}"] for i in range(20_000)]
    job = create_job(officer, "many.csv", csv_bytes(rows))
    assert job.total_rows == 20_000


def test_excel_lines_are_counted_as_excel_shows_them(officer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"] = "企業名"  # the header on line 2, blank line 1 and column A
    sheet["C2"] = "従業員数"
    sheet["B3"], sheet["C3"] = "一番工業", 3
    sheet["B5"], sheet["C5"] = "二番工業", "たくさん"  # line 4 blank
    out = io.BytesIO()
    workbook.save(out)
    job = create_job(officer, "list.xlsx", out.getvalue())
    assert job.header == ["", "企業名", "従業員数"]
    job = run(officer, job)
    assert [(e["row"], e["column"]) for e in job.errors] == [(5, "従業員数")]


# --- export ------------------------------------------------------------------------


@pytest.fixture
def directory(db):
    process = ProcessCategory.objects.get(code="cutting.turning.nc_lathe")
    wire = ProcessCategory.objects.get(code="special.edm.wire")
    iso = CertificationKind.objects.get(code="iso9001")
    first = CompanyFactory(
        name="蒲田精機株式会社",
        name_kana="カマタセイキ",
        name_en="Kamata Precision",
        invoice_number="",
        founded_year=1965,
        representative_name="蒲田 太郎",
        website="https://kamata.example.jp",
        pr_text='=HYPERLINK("http://evil.example")',
    )
    first.invoice_number = "T" + first.corporate_number
    first.save()
    make_capability(first, process)
    make_capability(first, wire)
    CompanyCertification.objects.create(company=first, kind=iso)
    CompanyFactory(name="大森鍍金", name_kana="オオモリメッキ", representative_name="=1+1")
    CompanyFactory(name="休業中工業", is_active=False)
    return first


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export(officer_client, directory):
    response = officer_client.get(reverse("companies:directory_export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == (
        f'attachment; filename="machikoba-directory-{today}.csv"'
    )
    rows = _read_csv(response.content)
    assert rows[0] == [
        "企業名", "企業名カナ", "企業名(英語)", "法人番号", "登録番号", "郵便番号", "都道府県",
        "市区町村", "町名・番地", "従業員数", "創業年", "代表者", "ウェブサイト", "工程", "認証",
        "所管の自治体",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"蒲田精機株式会社", "大森鍍金"}  # active companies only
    kamata = by_name["蒲田精機株式会社"]
    assert kamata[3] == directory.corporate_number
    assert kamata[4] == "T" + directory.corporate_number
    assert kamata[13] == "NC旋盤加工, ワイヤー放電加工（ワイヤーカット）"
    assert kamata[14] == "ISO 9001 (品質マネジメントシステム)"
    # A cell Excel would run as a formula is written as text.
    assert by_name["大森鍍金"][11] == "'=1+1"
    assert AuditEvent.objects.filter(verb="directory.export").count() == 1


def test_xlsx_export(officer_client, directory):
    response = officer_client.get(reverse("companies:directory_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == export_header()
    kamata = next(row for row in rows if row[0] == "蒲田精機株式会社")
    assert kamata[3] == directory.corporate_number  # text, not a number in E notation
    assert (kamata[9], kamata[10]) == (12, 1965)  # numbers stay numbers
    omori = next(row for row in rows if row[0] == "大森鍍金")
    # A text cell, escaped like the CSV (editing the cell in Excel keeps it text).
    assert omori[11] == "'=1+1"


def test_unknown_export_format_is_404(officer_client):
    assert officer_client.get("/ward/companies/export.pdf").status_code == 404


def test_export_query_count_does_not_grow_with_companies(officer_client, directory):
    url = reverse("companies:directory_export", args=["csv"])
    officer_client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        officer_client.get(url)
    for company in CompanyFactory.create_batch(30):
        make_capability(company, ProcessCategory.objects.first())
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(url)
    assert len(_read_csv(response.content)) == 33
    assert len(many) == len(few)
    assert len(many) <= 15


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_export_then_import_changes_nothing(
    officer_client, officer, directory, file_format
):
    CompanyFactory.create_batch(3, founded_year=1980, website="https://example.jp")
    before = {
        c.pk: snapshot(c, COMPANY_AUDIT_FIELDS) for c in Company.objects.filter(is_active=True)
    }
    response = officer_client.get(reverse("companies:directory_export", args=[file_format]))
    job = create_job(officer, f"export.{file_format}", response.content)
    job = run(officer, job)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.errors == []
    assert (job.created_count, job.updated_count) == (0, len(before))
    after = {c.pk: snapshot(c, COMPANY_AUDIT_FIELDS) for c in Company.objects.filter(pk__in=before)}
    assert after == before


# --- the task's own safety ------------------------------------------------------------


def test_a_crash_fails_the_job_and_a_second_delivery_does_nothing(officer, monkeypatch):
    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1)]))
    importing.import_job_start(actor=officer, job=job, mapping=importing.suggest_mapping(HEADER))

    def broken(*args, **kwargs):
        raise RuntimeError("storage went away")

    monkeypatch.setattr(importing, "read_table", broken)
    with pytest.raises(RuntimeError):  # the task result records the traceback
        importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "予期しないエラー" in job.errors[0]["message"]
    assert importing.import_job_run(job_id=job.pk) is None  # no longer queued
    assert Company.objects.count() == 0


def test_an_officer_who_lost_the_role_does_not_finish_the_import(officer):
    from machikoba.accounts.models import WardRoleAssignment

    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1)]))
    importing.import_job_start(actor=officer, job=job, mapping=importing.suggest_mapping(HEADER))
    WardRoleAssignment.objects.filter(user=officer).delete()
    importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "区の担当者でなくなった" in job.errors[0]["message"]
    assert Company.objects.count() == 0
