"""Background work of the companies app (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.companies.importing import import_job_run
from machikoba.companies.reminders import stale_profile_reminders


@task(queue_name="default")
def run_import_job(job_id: int) -> None:
    """Validate and store one company-list import (see ``importing.import_job_run``)."""
    import_job_run(job_id=job_id)


@task()
def remind_stale_profiles() -> int:
    """Queued by the scheduler (daily): ask the owners of profiles unchanged for a year to
    look them over, once a year each."""
    return stale_profile_reminders()
