"""Background work of the companies app (run by ``manage.py db_worker``)."""

from django.utils import timezone
from django_tasks import task

from machikoba.companies.importing import import_job_run
from machikoba.companies.models_io import ImportJob, ImportStatus
from machikoba.companies.reminders import stale_profile_reminders
from machikoba.core.task_recovery import is_retry


@task(queue_name="default")
def run_import_job(job_id: int) -> None:
    """Validate and store one company-list import (see ``importing.import_job_run``).

    Run again after its worker died (``task_recovery``), a job caught validating or
    importing starts over: the rows and the DONE status commit in one transaction, so
    nothing of the cut-short run was stored, and nothing is stored twice. A job that
    finished is left alone (the claim in ``import_job_run`` skips it)."""
    if is_retry():
        ImportJob.objects.filter(
            pk=job_id, status__in=(ImportStatus.VALIDATING, ImportStatus.IMPORTING)
        ).update(status=ImportStatus.QUEUED, processed_rows=0, updated_at=timezone.now())
    import_job_run(job_id=job_id)


@task()
def remind_stale_profiles() -> int:
    """Queued by the scheduler (daily): ask the owners of profiles unchanged for a year to
    look them over, once a year each (the reminder and its date commit together, so a
    run again after a dead worker reminds nobody twice)."""
    return stale_profile_reminders()
