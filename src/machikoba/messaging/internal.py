"""Caller-trusted messaging writes: other apps' services call these having decided who
the parties are (they have checked the actor). Views never import this module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.core.errors import full_clean_or_raise, invalid_input
from machikoba.messaging.error_codes import MessagingErrorCode
from machikoba.messaging.models import Thread, ThreadParticipant

if TYPE_CHECKING:
    from machikoba.companies.models import Company


def _is_local_path(path: str) -> bool:
    return path == "" or (path.startswith("/") and not path.startswith("//"))


@transaction.atomic
def thread_open(
    *,
    key: str,
    title: str,
    companies: list[Company],
    subject_path: str = "",
    job: Any = None,  # a network.Job (network is a layer above messaging) or None
) -> Thread:
    """The thread for ``key``, created on first use; every company in ``companies`` is (again)
    a current participant afterwards. Idempotent: calling it twice changes nothing.

    Called by the services of other apps, which decide who the parties are (they have
    checked the actor). Key conventions: ``job:<job>:partner:<company>`` (the job owner and
    one partner — a price told to one partner never reaches another),
    ``request:<request>:shop:<company>``, ``team:<team>``. The title and link are set when
    the thread is created and kept afterwards."""
    key = key.strip()
    title = title.strip()[:200]
    errors = {}
    if not key:
        errors["key"] = _("スレッドのキーがありません。")
    if not title:
        errors["title"] = _("スレッドの件名を入力してください。")
    if not _is_local_path(subject_path):
        errors["subject_path"] = _("リンク先には、このサイトのページを指定してください。")
    if not companies:
        errors["companies"] = _("参加する企業を指定してください。")
    if errors:
        raise invalid_input(MessagingErrorCode.THREAD_INVALID, **errors)
    thread = Thread.objects.filter(subject_key=key).first()
    if thread is None:
        thread = Thread(title=title, subject_key=key, subject_path=subject_path, job=job)
        full_clean_or_raise(thread, code=MessagingErrorCode.THREAD_INVALID, exclude=["subject_key"])
        thread, _created = Thread.objects.get_or_create(
            subject_key=key,
            defaults={"title": title, "subject_path": subject_path, "job": job},
        )
    for company in {c.pk: c for c in companies}.values():
        participant, created = ThreadParticipant.objects.get_or_create(
            thread=thread, company=company
        )
        if not created and participant.removed_at is not None:
            participant.removed_at = None
            participant.save(update_fields=["removed_at"])
    return thread
