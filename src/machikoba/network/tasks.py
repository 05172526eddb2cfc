"""Scheduled work for the network."""

from django_tasks import task

from machikoba.network.services import steps_notify_late


@task()
def notify_late_steps() -> int:
    """Queued by the scheduler: tell owners and performers about late steps, once each."""

    return steps_notify_late()
