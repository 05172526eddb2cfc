"""Scheduled work for the API guard."""

from django_tasks import task

from machikoba.apitokens.internal import idempotency_purge


@task()
def purge_idempotency_records() -> int:
    """Queued by the scheduler: forget the answers of writes older than 24 hours."""
    return idempotency_purge()
