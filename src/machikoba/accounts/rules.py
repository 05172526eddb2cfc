"""Who a user is, as ``rules`` predicates. Access scopes and views build on these; the roles
themselves are read in ``core.access`` (``ward_roles_of``, ``company_ids_for``)."""

from __future__ import annotations

import rules

from machikoba.accounts.choices import MFA_REQUIRED_WARD_ROLES, WardRole
from machikoba.core.access import (
    MEMBER_ROLES,
    VIEW,
    company_ids_for,
    has_any_ward_role,
    ward_roles_of,
)


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
def is_instructor(user) -> bool:
    return WardRole.INSTRUCTOR in ward_roles_of(user)


@rules.predicate
def is_metro_viewer(user) -> bool:
    return WardRole.METRO_VIEWER in ward_roles_of(user)


@rules.predicate
def has_company(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    # Reading: a deactivated company's people still open its pages in the grace period.
    return bool(company_ids_for(user, MEMBER_ROLES, VIEW))


@rules.predicate
def must_use_mfa(user) -> bool:
    return is_platform_admin(user) or has_any_ward_role(user, MFA_REQUIRED_WARD_ROLES)


rules.add_perm("web.view_officer_home", is_ward_officer)
rules.add_perm("web.view_metro_home", is_metro_viewer)
rules.add_perm("web.view_shop_home", has_company)
rules.add_perm("web.use_admin_site", is_platform_admin)
