"""Who a user is, as ``rules`` predicates. Access scopes and views build on these."""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.utils import timezone

from machikoba.accounts.choices import MFA_REQUIRED_WARD_ROLES, WardRole


def ward_roles_of(user) -> frozenset[str]:
    """The ward roles in force for ``user`` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = user.__dict__.get("_machikoba_ward_roles")
    if cached is None:
        from django.db.models import Q

        from machikoba.accounts.models import WardRoleAssignment

        today = timezone.localdate()
        cached = frozenset(
            WardRoleAssignment.objects.filter(user=user)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .values_list("role", flat=True)
        )
        user.__dict__["_machikoba_ward_roles"] = cached
    return cached


def has_any_ward_role(user, roles: Iterable[str]) -> bool:
    return bool(ward_roles_of(user) & set(roles))


def forget_cached_roles(user) -> None:
    user.__dict__.pop("_machikoba_ward_roles", None)
    user.__dict__.pop("_machikoba_company_roles", None)


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def is_ward_officer(user) -> bool:
    return WardRole.OFFICER in ward_roles_of(user)


@rules.predicate
def is_advisor(user) -> bool:
    return WardRole.ADVISOR in ward_roles_of(user)


@rules.predicate
def is_reviewer(user) -> bool:
    return WardRole.REVIEWER in ward_roles_of(user)


@rules.predicate
def is_lab_staff(user) -> bool:
    return WardRole.LAB_STAFF in ward_roles_of(user)


@rules.predicate
def has_company(user) -> bool:
    from machikoba.core.access import company_ids_for

    if not (user and user.is_authenticated):
        return False
    return bool(company_ids_for(user, ("owner", "staff", "floor_worker")))


@rules.predicate
def must_use_mfa(user) -> bool:
    return is_platform_admin(user) or has_any_ward_role(user, MFA_REQUIRED_WARD_ROLES)


rules.add_perm("web.view_officer_home", is_ward_officer)
rules.add_perm("web.view_shop_home", has_company)
rules.add_perm("web.use_admin_site", is_platform_admin)
