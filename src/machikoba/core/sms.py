"""Text messages (SMS) to a phone number: the verification codes of joining.

Sending an SMS needs a gateway outside this machine (the ward's contract), so the platform
ships two stand-ins and one setting: ``MACHIKOBA_SMS_BACKEND`` = ``"file"`` writes each
message to ``var/sms/`` (development, the demo), ``"locmem"`` keeps them in ``outbox``
(tests). A production ward plugs its gateway in here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str
    sent_at: dt.datetime


outbox: list[TextMessage] = []


def send_sms(to: str, body: str) -> None:
    message = TextMessage(to=to, body=body, sent_at=timezone.now())
    backend = settings.MACHIKOBA_SMS_BACKEND
    if backend == "locmem":
        outbox.append(message)
        return
    if backend != "file":
        raise ValueError(f"unknown MACHIKOBA_SMS_BACKEND {backend!r}")
    folder = settings.VAR_DIR / "sms"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = message.sent_at.strftime("%Y%m%d-%H%M%S-%f")
    (folder / f"{stamp}.txt").write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
