"""The one access layer: every read of company-owned data starts here.

Each access-controlled model declares an ``access_policy`` (an ``AccessPolicy``
instance) and uses ``AccessManager``. ``Model.objects.for_user(user, action)``
returns only the rows that user may act on; anything not granted is denied.
Views and API handlers fetch single objects with ``get_for_user_or_404`` so a
foreign id is indistinguishable from a missing one.

Each app's scope functions (``<model>_scope(user, action) -> Q``) live in its
``access`` module; a model points at its function with ``ScopedPolicy(access.x_scope)``,
or declares ``TenantPolicy`` for rows owned through a ``company`` field. Company and
ward roles are read here, through the app registry, so that every layer above may
ask; ``machikoba.accounts.rules`` turns them into ``rules`` predicates.

A deactivated company (``Company.is_active`` off, ``deactivated_at`` set by
``companies.services.company_deactivate``) is decided here too (``company_usable``): its
people may only read its records, for ``MACHIKOBA_DEACTIVATED_READ_DAYS`` after the
deactivation, and after that nothing. ``company_ids_for`` and ``has_role`` are strict by
default (active companies only); a read passes ``VIEW``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from machikoba.core.errors import PermissionRefused

if TYPE_CHECKING:
    # django-stubs resolves these aliases to settings.AUTH_USER_MODEL (accounts.User, a
    # layer above core, which core may not import) and to it or AnonymousUser.
    from django.contrib.auth.models import _AnyUser as AnyUser
    from django.contrib.auth.models import _User as User

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
MANAGE = "manage"
# The ward's support office acting on what it holds about a company or person of its
# ward (the ledger address, the ward's confirmation, account claims, programmes): the
# officers of that municipality, never those of another ward.
SUPPORT = "support"
ACTIONS = (VIEW, CHANGE, DELETE, MANAGE, SUPPORT)

NOTHING = Q(pk__in=[])
EVERYTHING = Q()

# Company roles (the values of ``companies.choices.CompanyRole``), named once for every app.
OWNER = "owner"
STAFF = "staff"
FLOOR_WORKER = "floor_worker"
MEMBER_ROLES: tuple[str, ...] = (OWNER, STAFF, FLOOR_WORKER)  # anyone who works there
EDITOR_ROLES: tuple[str, ...] = (OWNER, STAFF)  # may change the company's records
OWNER_ROLES: tuple[str, ...] = (OWNER,)

# Ward roles (values of ``accounts.choices.WardRole``) the access layer itself names.
WARD_OFFICER = "officer"
METRO_VIEWER = "metro_viewer"  # the one role whose grant may name no municipality
ADVISOR = "advisor"  # sees only the companies of its engagements (advisory.access)
INSTRUCTOR = "instructor"  # sees only its cohorts (programs.access)
REVIEWER = "reviewer"  # sees only the subsidy applications assigned to it (subsidies.access)
LAB_STAFF = "lab_staff"  # runs the DX Lab of the wards it serves (lab.access)


_M = TypeVar("_M", bound=models.Model)


def _is_signed_in(user: AnyUser | None) -> TypeGuard[User]:
    return bool(user is not None and user.is_authenticated and user.is_active)


class AccessPolicy:
    """Deny by default. Subclasses return a ``Q`` per (user, action)."""

    def scope(self, user: Any, action: str) -> Q:
        return NOTHING

    def anonymous_scope(self, action: str) -> Q:
        return NOTHING


class TenantPolicy(AccessPolicy):
    """Rows owned by one company (``company_field``) through its memberships.

    ``view`` for any member, ``change`` for owner and staff, ``delete`` and
    ``manage`` for owners. Ward roles named in ``ward_view_roles`` may view.
    """

    company_field = "company"
    view_roles: tuple[str, ...] = MEMBER_ROLES
    change_roles: tuple[str, ...] = EDITOR_ROLES
    delete_roles: tuple[str, ...] = OWNER_ROLES
    manage_roles: tuple[str, ...] = OWNER_ROLES
    ward_view_roles: tuple[str, ...] = ()

    def __init__(self, **overrides: Any) -> None:
        for key, value in overrides.items():
            if not hasattr(self, key):
                raise TypeError(f"unknown policy option {key}")
            setattr(self, key, value)

    def roles_for(self, action: str) -> tuple[str, ...]:
        return {
            VIEW: self.view_roles,
            CHANGE: self.change_roles,
            DELETE: self.delete_roles,
            MANAGE: self.manage_roles,
        }.get(action, ())  # pragma: no mutate (None or () alike: no roles)

    def scope(self, user: User, action: str) -> Q:
        roles = self.roles_for(action)
        q = NOTHING
        if roles:
            company_ids = company_ids_for(user, roles, action)
            q = Q(**{f"{self.company_field}__in": company_ids})
        ward_roles = self.ward_view_roles if action == VIEW else ()
        if ward_roles and has_any_ward_role(user, ward_roles):
            q = EVERYTHING
        return q


# A scope's user is Any: each app's scope names the signed-in ``accounts.User`` it gets.
Scope = Callable[[Any, str], Q]
AnonymousScope = Callable[[str], Q]


class ScopedPolicy(AccessPolicy):
    """A policy made of scope functions from the app's ``access`` module:
    ``access_policy = ScopedPolicy(access.job_scope)``. ``anonymous`` answers for visitors
    who are not signed in (default: nothing).

    The access module reads models through ``apps.get_model`` (or lazy querysets), so
    ``models.py`` imports it at the top and no import cycle arises."""

    def __init__(self, scope: Scope, anonymous: AnonymousScope | None = None) -> None:
        self.scope_function = scope
        self.anonymous_function = anonymous

    def scope(self, user: Any, action: str) -> Q:
        return self.scope_function(user, action)

    def anonymous_scope(self, action: str) -> Q:
        if self.anonymous_function is None:
            return NOTHING
        return self.anonymous_function(action)

    def __repr__(self) -> str:
        return f"ScopedPolicy({self.scope_function.__module__}.{self.scope_function.__name__})"


def nobody_scope(user: User, action: str) -> Q:
    """Rows nobody reads through the UI (bookkeeping of the platform itself)."""
    return NOTHING


def own_rows_scope(user: User, action: str) -> Q:
    """Rows that belong to one person (a ``user`` field): only that person sees and
    changes them."""
    return Q(user=user)


def audit_event_scope(user: User, action: str) -> Q:
    """Owners read their company's trail; platform admins read everything. Events with no
    company (ward-level actions) are visible to platform admins only. Nobody changes one."""
    if action != VIEW:
        return NOTHING
    if user.is_staff:
        return EVERYTHING
    return Q(company__in=company_ids_for(user, OWNER_ROLES))


def ward_roles_of(user: AnyUser | None) -> frozenset[str]:
    """The ward roles in force for ``user`` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = user.__dict__.get("_machikoba_ward_roles")
    if cached is None:
        # no mutate: the app registry ignores a model name's case (equivalent mutants)
        assignment = apps.get_model("accounts", "WardRoleAssignment")  # pragma: no mutate
        today = timezone.localdate()
        # A grant serves the municipality or group it names; only a metro viewer's may
        # name neither (the whole platform).
        cached = frozenset(
            assignment.objects.filter(user=user)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .filter(Q(municipality__isnull=False) | Q(group__isnull=False) | Q(role=METRO_VIEWER))
            .values_list("role", flat=True)
        )
        user.__dict__["_machikoba_ward_roles"] = cached
    return cached


def has_any_ward_role(user: AnyUser | None, roles: Iterable[str]) -> bool:
    return bool(ward_roles_of(user) & set(roles))


def municipality_ids_for(user: AnyUser | None, role: str) -> list[int]:
    """The municipalities (ids) ``user`` serves in the ward role ``role``: those its grants
    name, and every member of a group a grant names (a programme several wards run
    together). Every ward-owned record (programmes, subsidies, the lab, KPIs) is scoped
    with it: ``Q(municipality__in=municipality_ids_for(user, WARD_OFFICER))``, or declare
    ``WardPolicy`` on the model. Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cache: dict[str, list[int]] = user.__dict__.setdefault("_machikoba_ward_scopes", {})
    if role not in cache and role not in ward_roles_of(user):
        cache[role] = []  # no grant of this role in force: nothing to ask the database
    if role not in cache:
        assignment = apps.get_model("accounts", "WardRoleAssignment")  # pragma: no mutate
        municipality = apps.get_model("wards", "Municipality")  # pragma: no mutate
        grants = assignment.objects.filter(user=user, role=role).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
        )
        whole_platform = (
            role == METRO_VIEWER
            and grants.filter(municipality__isnull=True, group__isnull=True).exists()
        )
        served = municipality.objects.all()
        if not whole_platform:
            served = served.filter(
                Q(pk__in=grants.values("municipality_id")) | Q(group__in=grants.values("group_id"))
            )
        cache[role] = sorted(served.values_list("pk", flat=True))
    return cache[role]


class WardPolicy(AccessPolicy):
    """Rows owned by one municipality (``ward_field``): the ward roles named for an action
    act on the rows of the municipalities they serve (``municipality_ids_for``); nobody
    else. A metro viewer is never named here: it reads aggregates through selectors,
    not rows. Company people reach a ward's rows about them through the app's own scope
    (``ScopedPolicy``) instead.

        access_policy = WardPolicy(view_roles=("officer", "advisor"), change_roles=("officer",))
    """

    ward_field = "municipality"
    view_roles: tuple[str, ...] = ()
    change_roles: tuple[str, ...] = ()
    delete_roles: tuple[str, ...] = ()
    manage_roles: tuple[str, ...] = ()

    def __init__(self, **overrides: Any) -> None:
        for key, value in overrides.items():
            if not hasattr(self, key):
                raise TypeError(f"unknown policy option {key}")
            setattr(self, key, value)

    def scope(self, user: User, action: str) -> Q:
        roles = {
            VIEW: self.view_roles,
            CHANGE: self.change_roles,
            DELETE: self.delete_roles,
            MANAGE: self.manage_roles,
        }.get(action, ())  # pragma: no mutate (None or () alike: no roles)
        ids = {pk for role in roles for pk in municipality_ids_for(user, role)}
        return Q(**{f"{self.ward_field}__in": sorted(ids)}) if ids else NOTHING


def confine_to(user: User, *, company_id: int | None = None, ward_grant: Any = None) -> None:
    """Narrow ``user`` (this request's object only, nothing is saved) to one company of
    theirs or to one of their ward-role grants: what an API token acts in. The caches the
    scopes read are filled with that one membership or that one grant, so every
    ``for_user`` scope sees no other company, no other role and no other ward; platform
    admin powers are never carried by a token."""
    forget_cached_roles(user)
    user.is_staff = False
    user.is_superuser = False
    membership = apps.get_model("companies", "Membership")  # pragma: no mutate
    user.__dict__["_machikoba_company_roles"] = (
        list(
            membership.objects.filter(user=user, company_id=company_id).values_list(
                "company_id", "role", "company__is_active", "company__deactivated_at"
            )
        )
        if company_id is not None
        else []
    )
    if ward_grant is None:
        user.__dict__["_machikoba_ward_roles"] = frozenset()
        user.__dict__["_machikoba_ward_scopes"] = {}
        return
    municipality = apps.get_model("wards", "Municipality")  # pragma: no mutate
    role = ward_grant.role
    if ward_grant.municipality_id is None and ward_grant.group_id is None:
        served = municipality.objects.all() if role == METRO_VIEWER else municipality.objects.none()
    else:
        named = Q(pk__in=[])
        if ward_grant.municipality_id is not None:
            named |= Q(pk=ward_grant.municipality_id)
        if ward_grant.group_id is not None:
            named |= Q(group=ward_grant.group_id)
        served = municipality.objects.filter(named)
    user.__dict__["_machikoba_ward_roles"] = frozenset({role})
    user.__dict__["_machikoba_ward_scopes"] = {role: sorted(served.values_list("pk", flat=True))}


def forget_cached_roles(user: User) -> None:
    """Drop the per-request caches of ``user``'s ward and company roles (after a change)."""
    user.__dict__.pop("_machikoba_ward_roles", None)
    user.__dict__.pop("_machikoba_ward_scopes", None)
    user.__dict__.pop("_machikoba_company_roles", None)


def deactivation_grace() -> dt.timedelta:
    """How long the people of a deactivated company may still read (and download) its own
    records: ``MACHIKOBA_DEACTIVATED_READ_DAYS`` after ``Company.deactivated_at``."""
    return dt.timedelta(days=settings.MACHIKOBA_DEACTIVATED_READ_DAYS)


def company_usable(
    is_active: bool, deactivated_at: dt.datetime | None, action: str, now: dt.datetime
) -> bool:
    """Whether a company's people act for it in ``action``: an active company for
    everything; a deactivated one only to ``VIEW``, and only during the grace period after
    its deactivation (a company deactivated with no date recorded: never)."""
    if is_active:
        return True
    if action != VIEW or deactivated_at is None:
        return False
    return now - deactivated_at < deactivation_grace()


def usable_companies_q(action: str, prefix: str = "") -> Q:
    """``company_usable`` as a filter on companies (``prefix``: the path to the company,
    e.g. ``"company__"``), for scopes that join memberships in a subquery."""
    q = Q(**{f"{prefix}is_active": True})
    if action == VIEW:
        cutoff = timezone.now() - deactivation_grace()
        q |= Q(**{f"{prefix}deactivated_at__gt": cutoff})
    return q


def company_ids_for(user: User, roles: tuple[str, ...], action: str = CHANGE) -> list[int]:
    """Ids of the companies where ``user`` holds one of ``roles`` and may act for
    ``action``: active companies, and for ``VIEW`` also those deactivated less than the
    grace period ago (``company_usable``). The default is the strict one: a caller that
    only reads passes ``VIEW``. The memberships are cached per user object."""
    cache: list[tuple[int, str, bool, dt.datetime | None]] | None = user.__dict__.setdefault(
        "_machikoba_company_roles", None
    )
    if cache is None:
        # no mutate: the app registry ignores a model name's case (equivalent mutants)
        membership = apps.get_model("companies", "Membership")  # pragma: no mutate
        cache = list(
            membership.objects.filter(user=user).values_list(
                "company_id", "role", "company__is_active", "company__deactivated_at"
            )
        )
        user.__dict__["_machikoba_company_roles"] = cache
    now = timezone.now()
    return sorted(
        {
            company_id
            for company_id, role, is_active, deactivated_at in cache
            if role in roles and company_usable(is_active, deactivated_at, action, now)
        }
    )


def member_company_ids(user: User) -> list[int]:
    """The companies whose records the user may read, in any company role (a deactivated
    company's during its grace period too). For reading only: to act, use
    ``editor_company_ids`` or ``has_role``."""
    return company_ids_for(user, MEMBER_ROLES, VIEW)


def editor_company_ids(user: User) -> list[int]:
    """The companies where the user may change things (owners and staff of an active
    company)."""
    return company_ids_for(user, EDITOR_ROLES)


class AccessQuerySet(models.QuerySet[_M]):
    def for_user(self, user: AnyUser | None, action: str = VIEW) -> AccessQuerySet[_M]:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        policy = getattr(self.model, "access_policy", None)
        if not isinstance(policy, AccessPolicy):
            raise ImproperlyConfigured(f"{self.model.__name__} declares no access_policy")
        q = policy.scope(user, action) if _is_signed_in(user) else policy.anonymous_scope(action)
        if q == NOTHING:
            return self.none()
        return self.filter(q)


_AccessManagerBase = models.Manager.from_queryset(AccessQuerySet)


class AccessManager(_AccessManagerBase[_M]):
    """Default manager of every access-controlled model."""


def _access_queryset(model: type[_M]) -> AccessQuerySet[_M]:
    queryset = model._default_manager.all()
    if not isinstance(queryset, AccessQuerySet):
        raise ImproperlyConfigured(f"{model.__name__} does not use AccessManager")
    return queryset


def get_for_user_or_404(
    source: type[_M] | AccessQuerySet[_M],
    actor: AnyUser | None,
    action: str = VIEW,
    /,
    **lookup: Any,
) -> _M:
    """Fetch one object ``actor`` may act on (``lookup`` may itself filter on ``user=``).

    A row the actor cannot even see is a 404 (its existence is not disclosed);
    a row they can see but not act on is a 403.
    """
    queryset = _access_queryset(source) if isinstance(source, type) else source
    try:
        return queryset.for_user(actor, action).get(**lookup)
    except ObjectDoesNotExist:
        if action != VIEW and queryset.for_user(actor, VIEW).filter(**lookup).exists():
            raise PermissionDenied from None
        raise Http404 from None


def can(user: AnyUser | None, action: str, obj: models.Model) -> bool:
    """Object-level check through the same scopes the lists use."""
    # obj._meta.model, not type(obj): the object may be a lazy proxy (request.active_company).
    return _access_queryset(obj._meta.model).for_user(user, action).filter(pk=obj.pk).exists()


def allowed(user: AnyUser | None, permission: str, obj: Any = None) -> bool:
    """A role permission declared with ``rules.add_perm`` (e.g. ``web.view_officer_home``).

    Checked against rules' own permission set, so Django superusers get no implicit
    pass: a platform admin is not a ward officer.
    """
    import rules

    return bool(rules.has_perm(permission, user, obj))


def has_role(
    user: User, company: models.Model | None, roles: tuple[str, ...], action: str = CHANGE
) -> bool:
    """Whether ``user`` holds one of ``roles`` in ``company`` (None: no company, no role)
    and may act for it in ``action`` (``company_ids_for``: by default only in an active
    company; a page that only reads passes ``VIEW``)."""
    return company is not None and company.pk in company_ids_for(user, roles, action)


def require_role(
    user: User,
    company: models.Model | None,
    roles: tuple[str, ...],
    code: str,
    message: Any,
) -> None:
    """Refuse (``PermissionRefused`` with ``code``) unless ``user`` holds one of ``roles``
    in ``company``: the one way a service checks "owner or staff of that company"."""
    if not has_role(user, company, roles):
        raise PermissionRefused(code, message)


def require(user: AnyUser | None, action: str, obj: models.Model) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def access_controlled_models() -> list[type[models.Model]]:
    return [
        m for m in apps.get_models() if isinstance(getattr(m, "access_policy", None), AccessPolicy)
    ]
