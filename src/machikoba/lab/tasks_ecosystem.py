"""Background work of the consortium and matchings (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.lab.services.matchings import matching_follow_ups_send


@task()
def ask_matching_follow_ups() -> int:
    """Queued by the scheduler (hourly): ask both parties of each standing matching whose
    three months are up, once, whether it led to business. The matchings asked."""
    return matching_follow_ups_send()
