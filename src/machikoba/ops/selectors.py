"""Reads of the platform admins' operations pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from machikoba.core.access import VIEW
from machikoba.core.models import AuditEvent

if TYPE_CHECKING:
    from machikoba.accounts.models import User

PAGE_SIZE = 50
# A CSV export holds at most this many events (newest first); narrow the filters for more.
EXPORT_LIMIT = 100_000


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(*, user: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read, filtered, newest first. Every filter is optional:
    ``actor`` (part of the actor's e-mail as recorded), ``company`` (part of the company's
    name), ``company_id``, ``verb``, ``target_type`` (a ContentType id), ``target_id``,
    ``date_from`` / ``date_to`` (local days, both included)."""
    events = AuditEvent.objects.for_user(user, VIEW).select_related("company", "target_type")
    if filters.get("actor"):
        events = events.filter(actor_label__icontains=filters["actor"])
    if filters.get("company_id"):
        events = events.filter(company_id=filters["company_id"])
    if filters.get("company"):
        events = events.filter(company__name__icontains=filters["company"])
    if filters.get("verb"):
        events = events.filter(verb=filters["verb"])
    if filters.get("target_type"):
        events = events.filter(target_type_id=filters["target_type"])
    if filters.get("target_id"):
        events = events.filter(target_id=filters["target_id"])
    if filters.get("date_from"):
        events = events.filter(occurred_at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        next_day = filters["date_to"] + dt.timedelta(days=1)
        events = events.filter(occurred_at__lt=_day_start(next_day))
    return events.order_by("-occurred_at", "-id")


def audit_page(events: QuerySet[AuditEvent], number: int) -> tuple[list[AuditEvent], bool]:
    """One page of ``events`` and whether another follows. No COUNT: the trail grows by
    the million, and "older" / "newer" is all a reader needs."""
    offset = (number - 1) * PAGE_SIZE
    rows = list(events[offset : offset + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def audit_export_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    """The rows of the CSV export (``EXPORT_LIMIT`` at most), read in chunks."""
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        target_type = event.target_type
        yield [
            timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
            event.actor_label,
            event.actor_id or "",
            event.verb,
            event.verb_label,
            f"{target_type.app_label}.{target_type.model}" if target_type else "",
            event.target_id,
            event.target_repr,
            event.company.name if event.company else "",
            event.company_id or "",
            event.ip_address or "",
            _json(event.before),
            _json(event.after),
        ]


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
