"""Scheduled work for messages."""

from django_tasks import task

from machikoba.messaging.services import message_digests_send


@task()
def send_message_digests() -> int:
    """Queued by the scheduler: one e-mail per person about their unread messages."""

    return message_digests_send()
