"""Many wards on one platform: an officer imports their own ward's company list and exports
their own ward's companies (issue 17)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.models import WardRoleAssignment
from machikoba.companies import importing
from machikoba.companies.models import Company
from machikoba.companies.models_io import ImportJob, ImportStatus
from machikoba.companies.models_wards import CompanyWardChange, WardChangeSource
from machikoba.companies.validators import corporate_number_with_check_digit
from machikoba.core.errors import PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    OTA,
    SUMIDA,
    CompanyFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)

KATSUSHIKA = "131229"
HEADER = ["企業名", "法人番号", "郵便番号", "住所", "従業員数"]
SUMIDA_POSTAL = "130-0012"  # 墨田区太平
OTA_POSTAL = "144-0051"  # 大田区西蒲田
KAWASAKI_POSTAL = "210-0001"  # 川崎市川崎区: no registered municipality


def number(i: int) -> str:
    return corporate_number_with_check_digit(f"{830000000000 + i:012d}")


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def upload(data: bytes, name: str = "墨田区企業一覧.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def officer_of(*codes: str):
    user = WardRoleFactory(municipality=ward(codes[0])).user
    for code in codes[1:]:
        WardRoleFactory(user=user, municipality=ward(code))
    give_totp(user)
    return user


def run(officer, data: bytes) -> ImportJob:
    job = importing.import_job_create(actor=officer, upload=upload(data))
    importing.import_job_start(
        actor=officer, job=job, mapping=importing.suggest_mapping(job.header)
    )
    importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def stored_files(media: Path) -> list[Path]:
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sumida_officer(db):
    return officer_of(SUMIDA)


@pytest.fixture
def ota_officer(db):
    return officer_of(OTA)


def sumida_company(**fields) -> Company:
    return CompanyFactory(
        ward=ward(SUMIDA),
        postal_code=SUMIDA_POSTAL,
        municipality="墨田区",
        address_line="太平1-1",
        **fields,
    )


SUMIDA_ROW = ["太平製作所", number(1), SUMIDA_POSTAL, "太平2-3", 8]
NO_POSTAL_ROW = ["郵便番号なし工業", number(2), "", "", 3]
OTA_ROW = ["蒲田精機", number(3), OTA_POSTAL, "西蒲田1-1", 20]


# --- import: rows of the job's ward ------------------------------------------------------


def test_sumida_rows_and_a_row_without_postal_code_become_sumida_companies(sumida_officer):
    job = run(sumida_officer, csv_bytes([HEADER, SUMIDA_ROW, NO_POSTAL_ROW]))

    assert job.ward == ward(SUMIDA)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (2, 0)
    for corporate_number in (number(1), number(2)):
        company = Company.objects.get(corporate_number=corporate_number)
        assert company.ward == ward(SUMIDA)
        assert company.ward_confirmed_at is not None
        assert company.ward_confirmed_at <= timezone.now()
        change = CompanyWardChange.objects.get(company=company, source=WardChangeSource.IMPORT)
        assert change.ward == ward(SUMIDA)
        assert change.changed_by == sumida_officer
    # The row without an address had no ward until the import placed it.
    placed = CompanyWardChange.objects.get(
        company__corporate_number=number(2), source=WardChangeSource.IMPORT
    )
    assert placed.previous is None
    assert AuditEvent.objects.get(verb="import.create").after["ward"] == SUMIDA


def test_a_row_of_another_ward_fails_the_whole_file_and_writes_nothing(sumida_officer):
    job = run(sumida_officer, csv_bytes([HEADER, SUMIDA_ROW, NO_POSTAL_ROW, OTA_ROW]))

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"], e["field"]) for e in job.errors] == [
        (4, "郵便番号", "postal_code")
    ]
    assert (
        job.errors[0]["message"] == "この企業の住所は大田区です。墨田区の一覧には取り込めません。"
    )
    assert Company.objects.count() == 0
    assert CompanyWardChange.objects.count() == 0
    assert not AuditEvent.objects.filter(verb__startswith="company.").exists()


def test_a_row_outside_every_registered_municipality_is_refused(sumida_officer):
    row = ["川崎工業", number(4), KAWASAKI_POSTAL, "本町1-1", 5]
    job = run(sumida_officer, csv_bytes([HEADER, SUMIDA_ROW, row]))

    assert job.status == ImportStatus.FAILED
    [error] = job.errors
    assert (error["row"], error["column"]) == (3, "郵便番号")
    assert error["message"].startswith("この住所は墨田区ではありません")
    assert "神奈川県川崎市川崎区" in error["message"]
    assert Company.objects.count() == 0


def test_an_ota_company_matched_by_corporate_number_cannot_be_updated_by_sumida(
    sumida_officer,
):
    ota = CompanyFactory(name="大田の既存精機", corporate_number=number(5), employees=7)
    assert ota.ward == ward(OTA)
    # No postal code in the row: the company, not the address, is what is refused.
    row = ["", number(5), "", "", 99]
    job = run(sumida_officer, csv_bytes([HEADER, SUMIDA_ROW, row]))

    assert job.status == ImportStatus.FAILED
    [error] = job.errors
    assert (error["row"], error["column"], error["field"]) == (3, "法人番号", "corporate_number")
    assert "大田区の企業です" in error["message"]
    assert "墨田区の一覧からは更新できません" in error["message"]
    ota.refresh_from_db()
    assert ota.employees == 7
    assert ota.ward == ward(OTA)
    assert not Company.objects.filter(corporate_number=number(1)).exists()


def test_an_ota_company_cannot_be_moved_into_sumida_by_giving_a_sumida_postal_code(
    sumida_officer,
):
    ota = CompanyFactory(corporate_number=number(6))
    job = run(sumida_officer, csv_bytes([HEADER, ["", number(6), SUMIDA_POSTAL, "", ""]]))
    assert job.status == ImportStatus.FAILED
    assert "大田区の企業です" in job.errors[0]["message"]
    ota.refresh_from_db()
    assert (ota.ward, ota.postal_code) == (ward(OTA), OTA_POSTAL)


def test_own_companies_are_updated_and_confirmed_once(sumida_officer):
    unconfirmed = sumida_company(corporate_number=number(7), employees=1)
    confirmed = sumida_company(corporate_number=number(8), employees=1)
    Company.objects.filter(pk=confirmed.pk).update(ward_confirmed_at=timezone.now())
    outside = CompanyFactory(corporate_number=number(9), ward=None, postal_code="")
    rows = [
        HEADER,
        ["", number(7), "", "", 2],
        ["", number(8), "", "", 3],
        ["", number(9), "", "", 4],
    ]
    job = run(sumida_officer, csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 3)
    for company in (unconfirmed, confirmed, outside):
        company.refresh_from_db()
        assert company.ward == ward(SUMIDA)
        assert company.ward_confirmed_at is not None
    assert [(c.employees) for c in (unconfirmed, confirmed, outside)] == [2, 3, 4]
    changes = CompanyWardChange.objects.filter(source=WardChangeSource.IMPORT)
    assert {(c.company_id, c.previous_id, c.ward_id) for c in changes} == {
        (unconfirmed.pk, ward(SUMIDA).pk, ward(SUMIDA).pk),  # confirmed now
        (outside.pk, None, ward(SUMIDA).pk),  # placed in the ward
    }  # the company already confirmed in 墨田区 has nothing new to record


def test_the_commit_pass_checks_the_ward_again(sumida_officer, monkeypatch):
    """A company another ward took between the two passes stops the whole import."""
    company = sumida_company(corporate_number=number(10), employees=1)
    job = importing.import_job_create(
        actor=sumida_officer,
        upload=upload(csv_bytes([HEADER, SUMIDA_ROW, ["", number(10), "", "", 2]])),
    )
    validate = importing._validate

    def validate_then_ota_takes_it(*args):
        errors = validate(*args)
        Company.objects.filter(pk=company.pk).update(ward=ward(OTA))
        return errors

    monkeypatch.setattr(importing, "_validate", validate_then_ota_takes_it)
    importing.import_job_start(
        actor=sumida_officer, job=job, mapping=importing.suggest_mapping(HEADER)
    )
    importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "法人番号")]
    assert not Company.objects.filter(corporate_number=number(1)).exists()
    company.refresh_from_db()
    assert company.employees == 1


def test_the_preview_shows_a_row_of_another_ward_as_an_error(sumida_officer, client):
    job = importing.import_job_create(
        actor=sumida_officer, upload=upload(csv_bytes([HEADER, SUMIDA_ROW, OTA_ROW]))
    )
    force_login_with_mfa(client, sumida_officer)
    page = client.get(reverse("companies:import_detail", args=[job.pk]))
    preview = page.context["preview"]
    assert [bool(row.problems) for row in preview] == [False, True]
    assert "この企業の住所は大田区です" in preview[1].problems[0]
    assert 'data-testid="import-ward"' in page.content.decode()


def test_an_officer_who_no_longer_serves_the_jobs_ward_does_not_finish_the_import(db):
    officer = officer_of(SUMIDA, KATSUSHIKA)
    job = importing.import_job_create(actor=officer, upload=upload(csv_bytes([HEADER, SUMIDA_ROW])))
    importing.import_job_start(actor=officer, job=job, mapping=importing.suggest_mapping(HEADER))
    WardRoleAssignment.objects.filter(user=officer, municipality=ward(SUMIDA)).delete()
    importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "墨田区の担当でなくなった" in job.errors[0]["message"]
    assert Company.objects.count() == 0


# --- import: which ward a job is for -----------------------------------------------------


def test_a_single_ward_officer_is_shown_the_ward_not_asked(sumida_officer, client, media):
    force_login_with_mfa(client, sumida_officer)
    page = client.get(reverse("companies:import_upload"))
    html = page.content.decode()
    assert 'data-testid="import-ward"' in html
    assert "墨田区" in html
    assert 'name="ward"' not in html

    response = client.post(
        reverse("companies:import_upload"),
        # A ward in the request is not read from an officer of one ward.
        {"file": upload(csv_bytes([HEADER, SUMIDA_ROW])), "ward": str(ward(OTA).pk)},
    )
    assert response.status_code == 302
    assert ImportJob.objects.get().ward == ward(SUMIDA)


def test_an_officer_of_several_wards_chooses_among_them(db, client):
    officer = officer_of(KATSUSHIKA, SUMIDA)
    force_login_with_mfa(client, officer)
    page = client.get(reverse("companies:import_upload"))
    field = page.context["form"]["ward"]
    assert [label for _value, label in field.field.widget.choices] == ["墨田区", "葛飾区"]
    assert field.initial == ward(SUMIDA).pk  # the first in code order
    assert 'name="ward"' in page.content.decode()

    katsushika_row = ["小菅工業", number(11), "124-0001", "小菅1-1", 4]
    response = client.post(
        reverse("companies:import_upload"),
        {"ward": str(ward(KATSUSHIKA).pk), "file": upload(csv_bytes([HEADER, katsushika_row]))},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.ward == ward(KATSUSHIKA)
    job = run(officer, csv_bytes([HEADER, katsushika_row]))  # by default: 墨田区
    assert job.ward == ward(SUMIDA)
    assert "この企業の住所は葛飾区です" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (
            lambda: str(ward(OTA).pk),
            "大田区の担当ではないため、大田区の企業リストは取り込めません。",
        ),
        (lambda: "987654", "担当する区から選んでください。"),
        (lambda: "墨田区", "担当する区から選んでください。"),
        (lambda: "", "取り込む一覧の区を選んでください。"),
    ],
    ids=["a ward not served", "unknown id", "not an id", "none"],
)
def test_a_ward_the_officer_does_not_serve_is_refused_and_nothing_is_stored(
    db, client, media, choice, message
):
    officer = officer_of(SUMIDA, KATSUSHIKA)
    force_login_with_mfa(client, officer)
    response = client.post(
        reverse("companies:import_upload"),
        {"ward": choice(), "file": upload(csv_bytes([HEADER, SUMIDA_ROW]))},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_ward_error"' in html  # beside the ward select
    assert ImportJob.objects.count() == 0
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(verb__startswith="import.").exists()


def test_the_service_refuses_a_ward_not_served_before_storing_anything(sumida_officer, media):
    with pytest.raises(PermissionRefused) as info:
        importing.import_job_create(
            actor=sumida_officer, upload=upload(csv_bytes([HEADER, OTA_ROW])), ward=ward(OTA)
        )
    assert info.value.code == "import_ward_not_served"
    assert ImportJob.objects.count() == 0
    assert stored_files(media) == []


def test_an_officer_of_another_ward_neither_sees_nor_starts_the_job(
    sumida_officer, ota_officer, client
):
    job = importing.import_job_create(
        actor=sumida_officer, upload=upload(csv_bytes([HEADER, SUMIDA_ROW]))
    )
    force_login_with_mfa(client, ota_officer)
    for url in (
        reverse("companies:import_detail", args=[job.pk]),
        reverse("companies:import_detail", args=[job.pk]) + "?download=errors",
        reverse("companies:import_progress", args=[job.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("companies:import_detail", args=[job.pk]), {"map-name": "0"}
        ).status_code
        == 404
    )
    page = client.get(reverse("companies:import_upload"))
    assert list(page.context["recent_jobs"]) == []
    with pytest.raises(PermissionRefused):
        importing.import_job_start(actor=ota_officer, job=job, mapping={"name": 0})
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


# --- export ----------------------------------------------------------------------------


def _export_rows(client, file_format: str) -> list[list]:
    response = client.get(reverse("companies:directory_export", args=[file_format]))
    assert response.status_code == 200
    if file_format == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_officer_exports_only_the_companies_of_their_ward(sumida_officer, client, file_format):
    sumida_company(name="墨田発条株式会社")
    CompanyFactory(name="大田精機株式会社")
    CompanyFactory(name="所管なし工業", ward=None)
    force_login_with_mfa(client, sumida_officer)

    rows = _export_rows(client, file_format)

    assert rows[0][-1] == "所管の自治体"
    assert [(row[0], row[-1]) for row in rows[1:]] == [("墨田発条株式会社", "墨田区")]


def test_an_officer_of_several_wards_exports_each_with_its_ward(db, client):
    officer = officer_of(SUMIDA, OTA)
    sumida_company(name="墨田発条株式会社", name_kana="スミダハツジョウ")
    CompanyFactory(name="大田精機株式会社", name_kana="オオタセイキ")
    CompanyFactory(name="葛飾化成", ward=ward(KATSUSHIKA))
    force_login_with_mfa(client, officer)
    rows = _export_rows(client, "csv")
    assert [(row[0], row[-1]) for row in rows[1:]] == [
        ("大田精機株式会社", "大田区"),
        ("墨田発条株式会社", "墨田区"),
    ]
