"""Writing audit events. Services call ``audit_record`` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from machikoba.core.models import AuditEvent

# Recorded when no person acted: demo data, imports, scheduled jobs.
SYSTEM_ACTOR_LABEL = "system"


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of ``fields`` of ``obj`` for ``before`` / ``after``."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        data[name] = value
    return data


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model | None = None,
    company=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor=actor if signed_in else None,
        actor_label=(actor.email if signed_in else SYSTEM_ACTOR_LABEL),
        company=company,
        verb=verb,
        before=before,
        after=after,
        ip_address=ip_address,
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:200]
    event.full_clean()
    event.save()
    return event
