"""An import whose worker died is run again from the start, and stores its rows once."""

import pytest

from machikoba.companies import importing
from machikoba.companies.models import Company
from machikoba.companies.models_io import ImportJob
from machikoba.companies.tasks import run_import_job
from machikoba.companies.tests.test_import_export import (
    HEADER,
    create_job,
    csv_bytes,
    good_row,
    media,  # noqa: F401 - the fixture
    officer,  # noqa: F401 - the fixture
)
from machikoba.core.task_recovery import running_task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cut_short_in", ["validating", "importing"])
def test_an_import_left_running_by_a_dead_worker_imports_once(officer, cut_short_in):  # noqa: F811
    job = create_job(officer, "list.csv", csv_bytes([HEADER, good_row(1), good_row(2)]))
    importing.import_job_start(
        actor=officer, job=job, mapping=importing.suggest_mapping(job.header)
    )
    before = Company.objects.count()
    # The first worker claimed the job and was killed (the rows' transaction rolled back).
    ImportJob.objects.filter(pk=job.pk).update(status=cut_short_in, processed_rows=1)
    with running_task("import-1", 1):  # not a retry: a second delivery is skipped
        run_import_job.call(job.pk)
    assert ImportJob.objects.get(pk=job.pk).status == cut_short_in
    with running_task("import-1", 2):
        run_import_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 2)
    assert Company.objects.count() == before + 2
    with running_task("import-1", 3):  # and once more: nothing imported twice
        run_import_job.call(job.pk)
    assert Company.objects.count() == before + 2
