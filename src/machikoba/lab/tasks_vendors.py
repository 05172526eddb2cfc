"""Background work of the lab's vendors (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.lab.services.trials import trials_end_due


@task()
def end_due_trials() -> int:
    """Queued by the scheduler (daily; hourly does no harm): end every software trial
    whose last day has passed, and tell the shop."""
    return trials_end_due()
