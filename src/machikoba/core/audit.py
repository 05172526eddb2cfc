"""Writing audit events. Services call ``audit_record`` inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from machikoba.core.models import AuditEvent

if TYPE_CHECKING:
    # django-stubs resolves the alias to settings.AUTH_USER_MODEL (accounts.User, a layer
    # above core).
    from django.contrib.auth.models import _User as User

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
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    company: Any = None,  # a companies.Company (a layer above core) or None
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    person = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=person,
        actor_label=(person.email if person is not None else SYSTEM_ACTOR_LABEL),
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
