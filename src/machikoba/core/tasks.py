from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django_tasks import task

from machikoba.core.mail import payload_to_message
from machikoba.core.notifications import deliver, deliver_to_users


@task(queue_name="mail")
def deliver_email(payload: dict[str, Any]) -> int:
    """Send one queued message through the real delivery backend; returns messages sent."""
    connection = get_connection(settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND)
    return payload_to_message(payload, connection).send()


@task(queue_name="mail")
def deliver_notification(
    company_id: int, kind: str, params: dict[str, str], path: str, roles: list[str]
) -> int:
    """Store and e-mail one notice to the company's people (see core.notifications)."""
    return deliver(company_id, kind, params, path, roles)


@task(queue_name="mail")
def deliver_user_notification(
    user_ids: list[int], kind: str, params: dict[str, str], path: str
) -> int:
    """Store and e-mail one notice to each of these people (see core.notifications)."""
    return deliver_to_users(user_ids, kind, params, path)
