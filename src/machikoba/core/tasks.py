"""Background delivery of e-mail and notices; each runs once even when its worker dies
and the task runs again (``task_recovery.effect_once``: the effect and its record commit
together)."""

from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.utils import DNS_NAME
from django_tasks import task

from machikoba.core.mail import payload_to_message
from machikoba.core.notifications import deliver, deliver_to_users
from machikoba.core.task_recovery import current_task_id, effect_once


@task(queue_name="mail")
def deliver_email(payload: dict[str, Any]) -> int:
    """Send one queued message through the real delivery backend; returns messages sent.

    Sent once per queued message: the send is recorded in the same transaction, so a run
    after a dead worker finds it done. (Only a worker killed between the mail server's
    "accepted" and that commit, milliseconds, sends it again, with the same Message-ID,
    which mail clients show once.)"""
    with effect_once("sent") as first:
        if not first:
            return 0
        connection = get_connection(settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND)
        message = payload_to_message(payload, connection)
        task_id = current_task_id()
        if task_id and not any(key.lower() == "message-id" for key in message.extra_headers):
            message.extra_headers["Message-ID"] = f"<machikoba.{task_id}@{DNS_NAME}>"
        return message.send()


@task(queue_name="mail")
def deliver_notification(
    company_id: int, kind: str, params: dict[str, str], path: str, roles: list[str]
) -> int:
    """Store and e-mail one notice to the company's people (see core.notifications),
    once: the notices and the record of the delivery commit together."""
    with effect_once("delivered") as first:
        return deliver(company_id, kind, params, path, roles) if first else 0


@task(queue_name="mail")
def deliver_user_notification(
    user_ids: list[int], kind: str, params: dict[str, str], path: str
) -> int:
    """Store and e-mail one notice to each of these people (see core.notifications), once."""
    with effect_once("delivered") as first:
        return deliver_to_users(user_ids, kind, params, path) if first else 0
