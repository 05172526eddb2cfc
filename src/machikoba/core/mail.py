"""E-mail leaves the request: messages are queued after commit and sent by the task worker.

Django's ``EMAIL_BACKEND`` points here; ``EMAIL_DELIVERY_BACKEND`` names the real
backend the worker uses (SMTP in production, console in the demo).
"""

from __future__ import annotations

from collections.abc import Sequence
from email.mime.base import MIMEBase
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from machikoba.core.queueing import enqueue_on_commit


def message_to_payload(message: EmailMessage) -> dict[str, Any]:
    alternatives = [
        [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
    ]
    if any(isinstance(a, MIMEBase) for a in message.attachments):
        raise ValueError("MIME attachments cannot be queued; attach (name, content, type)")
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": alternatives,
        "content_subtype": message.content_subtype,
    }


def payload_to_message(
    payload: dict[str, Any], connection: BaseEmailBackend
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
        connection=connection,
    )
    message.content_subtype = payload.get("content_subtype", "plain")
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        payloads = [message_to_payload(m) for m in email_messages]
        for payload in payloads:
            # Enqueued only once the surrounding transaction commits, so a rolled-back
            # request never sends mail.
            enqueue_on_commit("machikoba.core.tasks.deliver_email", payload)
        return len(payloads)
