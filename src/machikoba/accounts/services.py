"""Writes for users and ward roles."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.error_codes import AccountsErrorCode
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.accounts.rules import is_platform_admin
from machikoba.core.access import forget_cached_roles
from machikoba.core.audit import audit_record
from machikoba.core.errors import PermissionRefused, full_clean_or_raise

if TYPE_CHECKING:
    from machikoba.wards.models import Municipality, MunicipalityGroup


def _require_admin(actor: User | None) -> None:
    # ``actor=None`` is the system itself (seed data, management commands).
    if actor is not None and not is_platform_admin(actor):
        raise PermissionRefused(
            AccountsErrorCode.NOT_PLATFORM_ADMIN,
            _("区の役割を変更できるのはプラットフォーム管理者だけです。"),
        )


@transaction.atomic
def ward_role_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    valid_until: dt.date | None = None,
    municipality: Municipality | None = None,
    group: MunicipalityGroup | None = None,
) -> WardRoleAssignment:
    """Grant ``role`` for ``municipality`` or for every member of ``group`` (exactly one;
    only a metro viewer may name neither: the whole platform)."""
    _require_admin(actor)
    assignment = WardRoleAssignment(
        user=user,
        role=role,
        valid_until=valid_until,
        municipality=municipality,
        group=group,
        granted_by=actor,
    )
    full_clean_or_raise(
        assignment,
        code=AccountsErrorCode.WARD_ROLE_INVALID,
        duplicate_code=AccountsErrorCode.WARD_ROLE_EXISTS,
        duplicate_message=_("この人にはすでにこの役割があります。"),
    )
    assignment.save()
    forget_cached_roles(user)
    audit_record(
        actor=actor,
        verb="ward_role.grant",
        target=assignment,
        after={
            "user": user.email,
            "role": role,
            "valid_until": str(valid_until or ""),
            "municipality": municipality.code if municipality else "",
            "group": group.name if group else "",
        },
    )
    return assignment


@transaction.atomic
def ward_role_revoke(*, actor: User | None, assignment: WardRoleAssignment) -> None:
    _require_admin(actor)
    before = {"user": assignment.user.email, "role": assignment.role}
    audit_record(actor=actor, verb="ward_role.revoke", target=assignment, before=before)
    assignment.delete()
    forget_cached_roles(assignment.user)


@transaction.atomic
def ward_role_update(
    *, actor: User | None, assignment: WardRoleAssignment, valid_until: dt.date | None
) -> WardRoleAssignment:
    """Change how long a ward role lasts (the role itself is revoked and granted anew)."""
    _require_admin(actor)
    before = str(assignment.valid_until or "")
    assignment.valid_until = valid_until
    full_clean_or_raise(assignment, code=AccountsErrorCode.WARD_ROLE_INVALID)
    assignment.save(update_fields=["valid_until"])
    forget_cached_roles(assignment.user)
    audit_record(
        actor=actor,
        verb="ward_role.update",
        target=assignment,
        before={"valid_until": before},
        after={"valid_until": str(valid_until or "")},
    )
    return assignment
