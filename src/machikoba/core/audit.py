"""Writing audit events. Services call ``audit_record`` inside their transaction.

The trail is read by the company's owners and by every platform admin (``core.access.
audit_event_scope``; the admin shows ``before`` / ``after`` too), so an event never carries
a confidential value: the target is named by its ``__str__``, which for the confidential
models names the object without prices, quantities or text (docs/admin-access.md), and a
payload key in ``CONFIDENTIAL_KEYS`` keeps its name, to say that it changed, but not its
value.
"""

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

# Payload keys whose values stay with the parties: money, terms and anything written by
# one company to another (or for itself). Their value in ``before`` / ``after`` is
# replaced by ``WITHHELD``; the key stays, so the trail still says what changed. (A bare
# "reason" is not here: the guest links record a refusal's machine reason under it.)
CONFIDENTIAL_KEYS = frozenset(
    {
        "amount",
        "answer",
        "body",
        "budget",
        "comment",
        "conditions",
        "detail",
        "margin",
        "message",
        "note",
        "price",
        "prices",
        "quantity_breaks",
        "question",
        "response",
        "spec",
        "start_override_reason",
        "subtotal",
        "tax",
        "terms",
        "text",
        "total",
        "unit_price",
    }
)
WITHHELD = "[withheld]"


def withhold_confidential(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """``payload`` with the value of every confidential key replaced by ``WITHHELD``."""
    if payload is None:
        return None
    return {key: WITHHELD if key in CONFIDENTIAL_KEYS else value for key, value in payload.items()}


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of ``fields`` of ``obj`` for ``before`` / ``after``."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, dict | list):
            # A JSON field's value is JSON already; kept as it is, two snapshots compare
            # equal whatever order the database returned its keys in (PostgreSQL's jsonb
            # sorts them).
            pass
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
        before=withhold_confidential(before),
        after=withhold_confidential(after),
        ip_address=ip_address,
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:200]
    event.full_clean()
    event.save()
    return event


def admin_view_record(
    *,
    actor: User,
    target_model: type[models.Model],
    obj: models.Model | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """A platform admin opened the admin's list (``obj`` None) or change page of a model
    holding company or personal data (``core.admin.AdminViewsAudited``). The event belongs
    to the company the object is of, so its owners see it in their trail too."""
    company: Any = None
    if obj is not None:
        company = obj if obj._meta.label == "companies.Company" else getattr(obj, "company", None)
    return audit_record(
        actor=actor,
        verb="admin.view",
        target=obj,
        company=company,
        after={"model": target_model._meta.label, "page": "change" if obj is not None else "list"},
        ip_address=ip_address,
    )
