"""Background work of the entry log (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.lab.services.visits import entries_auto_close


@task()
def auto_check_out() -> int:
    """Queued by the scheduler (every 15 minutes): record ``left`` (method auto), at the
    closing time, for everyone still in the lab after it closed."""
    return entries_auto_close()
