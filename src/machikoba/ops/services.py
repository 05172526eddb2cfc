"""Writes of the operations pages: only the record that a platform admin read the trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from machikoba.core.audit import audit_record
from machikoba.core.models import AuditEvent

if TYPE_CHECKING:
    from machikoba.accounts.models import User


@transaction.atomic
def audit_trail_read(
    *, actor: User, page: str, filters: dict[str, Any], ip_address: str | None
) -> AuditEvent:
    """A platform admin opened (``page`` "list") or exported (``page`` "export") the whole
    trail: recorded like the admin's own pages of company data (``admin.view``), with the
    filters they used."""
    return audit_record(
        actor=actor,
        verb="admin.view",
        after={
            "model": AuditEvent._meta.label,
            "page": page,
            "filters": {key: str(value) for key, value in filters.items()},
        },
        ip_address=ip_address,
    )
