"""Background work of the programs app (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.programs.services.follow_up import follow_ups_remind


@task()
def remind_follow_ups() -> int:
    """Queued by the scheduler (hourly): ask each graduate one year on whether they
    invested in DX, and remind every 14 days until they answer (once a day at most)."""
    return follow_ups_remind()
