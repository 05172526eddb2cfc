"""Permission matrix for the company-list import and the directory export (officers only)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.companies import importing
from machikoba.companies.models_io import ImportJob
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)

# The ward's own work: officers only; every other signed-in person is refused. An officer
# of another ward (墨田区) uploads and exports their own ward's list, and does not find
# the 大田区 officer's jobs.
OFFICERS = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OFFICERS_POST = expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: DONE})
WARD_JOB = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404})
WARD_JOB_POST = expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 404})
NOT_FOUND = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 404, OTHER_WARD_OFFICER: 404})


def _csv():
    return SimpleUploadedFile(
        "list.csv", "企業名,法人番号\r\n矩形工業株式会社,\r\n".encode("utf-8-sig")
    )


def _job_url(name):
    """A fresh uploaded job for each actor (one actor's POST starts it)."""

    def url(world):
        job = importing.import_job_create(actor=world.users[OFFICER], upload=_csv())
        return reverse(f"companies:{name}", kwargs={"job_pk": job.pk})

    return url


MATRIX = [
    Case("companies:import_upload", lambda w: reverse("companies:import_upload"), OFFICERS),
    Case(
        "companies:import_upload",
        lambda w: reverse("companies:import_upload"),
        OFFICERS_POST,
        method="POST",
        data=lambda w: {"file": _csv()},
        effect=lambda w: ImportJob.objects.count(),
        note="upload",
    ),
    Case("companies:import_detail", _job_url("import_detail"), WARD_JOB),
    Case(
        "companies:import_detail",
        lambda w: reverse("companies:import_detail", kwargs={"job_pk": 987_654}),
        NOT_FOUND,
        note="unknown id",
    ),
    Case(
        "companies:import_detail",
        _job_url("import_detail"),
        WARD_JOB_POST,
        method="POST",
        data=lambda w: {"map-name": "0", "map-corporate_number": "1"},
        effect=lambda w: ImportJob.objects.values_list("status", "mapping"),
        note="start",
    ),
    Case("companies:import_progress", _job_url("import_progress"), WARD_JOB),
    Case(
        "companies:directory_export",
        lambda w: reverse("companies:directory_export", kwargs={"file_format": "csv"}),
        OFFICERS,
    ),
    Case(
        "companies:directory_export",
        lambda w: reverse("companies:directory_export", kwargs={"file_format": "xlsx"}),
        OFFICERS,
        note="xlsx",
    ),
    Case(
        "companies:directory_export",
        lambda w: reverse("companies:directory_export", kwargs={"file_format": "pdf"}),
        NOT_FOUND,
        note="unknown format",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)
