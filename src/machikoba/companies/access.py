"""Who sees which company data (see ``core.access`` for how scopes are used).

Profiles are the cluster's shop window: every signed-in user may view them, and
anonymous visitors too when the ward publishes the directory. Memberships and other
rows owned through a ``company`` field use ``TenantPolicy`` in the models."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from machikoba.accounts.choices import WardRole
from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    EVERYTHING,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    OWNER_ROLES,
    SUPPORT,
    VIEW,
    TenantPolicy,
    company_ids_for,
    municipality_ids_for,
)


def officer_ward_ids(user) -> list[int]:
    """The municipalities whose support office ``user`` works in (as an officer)."""
    return municipality_ids_for(user, WardRole.OFFICER)


def directory_is_public() -> bool:
    """Whether anonymous visitors see the reduced public directory (a ward's choice)."""
    return settings.MACHIKOBA_DIRECTORY_PUBLIC


VERIFIED = Q(verified_at__isnull=False)


def directory_anonymous_scope(action: str) -> Q:
    """Visitors read verified profiles only when the ward publishes the directory."""
    return VERIFIED if action == VIEW and directory_is_public() else NOTHING


def profile_part_anonymous_scope(action: str) -> Q:
    """The public parts of those profiles, on the same terms."""
    if action == VIEW and directory_is_public():
        return Q(company__verified_at__isnull=False)
    return NOTHING


def _visible_companies(user, prefix: str = "") -> Q:
    """Companies ``user`` sees (``prefix`` "company__" for rows owned by one): a company
    that signed up itself is seen by the network once it is verified; before that by its
    own people and its ward's officers only."""
    return (
        Q(**{f"{prefix}verified_at__isnull": False})
        | Q(**{f"{prefix}pk__in": company_ids_for(user, MEMBER_ROLES, VIEW)})
        | Q(**{f"{prefix}ward__in": officer_ward_ids(user)})
    )


def company_scope(user, action: str) -> Q:
    """Every signed-in user views every profile; the company's owners and staff change
    it; owners manage its members; the officers of its ward support it (what the ward
    holds about it: ledger address, the ward's confirmation, claims); nobody deletes a
    company here."""
    if action == VIEW:
        return _visible_companies(user)
    if action == SUPPORT:
        return Q(ward__in=officer_ward_ids(user))
    roles = {CHANGE: EDITOR_ROLES, MANAGE: OWNER_ROLES}.get(action, ())
    if not roles:
        return NOTHING
    return Q(pk__in=company_ids_for(user, roles))


_owned_by_company = TenantPolicy()


def public_profile_scope(user, action: str) -> Q:
    """Parts of a profile shown in the directory (capabilities, equipment,
    certifications, photos): visible like the company itself, edited by its owners and
    staff."""
    if action == VIEW:
        return _visible_companies(user, "company__")
    return _owned_by_company.scope(user, action)


def reference_scope(user, action: str) -> Q:
    """Ward-wide reference data (taxonomies): read by all, changed in the admin."""
    if action == VIEW or user.is_staff:
        return EVERYTHING
    return NOTHING


def reference_anonymous_scope(action: str) -> Q:
    return EVERYTHING if action == VIEW else NOTHING


def import_job_scope(user, action: str) -> Q:
    """Importing the company list is the ward's work: the officers of a ward see and start
    its imports (a colleague may finish what another began); nobody else sees any, not
    the officers of another ward."""
    if action in (VIEW, CHANGE):
        return Q(ward__in=officer_ward_ids(user))
    return NOTHING


def company_claim_scope(user, action: str) -> Q:
    """Requests for a company's first account are its ward's work: the officers of the
    company's ward see and decide them; nobody else sees any (not the company, not
    platform admins, not another ward's officers). A company outside every registered
    ward is no officer's: its requests wait for a platform admin to place it in a ward."""
    if action in (VIEW, CHANGE):
        mine = Q(requester=user) if action == VIEW else NOTHING
        return Q(company__ward__in=officer_ward_ids(user)) | mine
    return NOTHING


def join_policy_scope(user, action: str) -> Q:
    """A ward's choice of verification methods: public to read (the join page says what
    is offered); set by platform admins in the admin."""
    if action == VIEW or user.is_staff:
        return EVERYTHING
    return NOTHING


def company_ward_change_scope(user, action: str) -> Q:
    """A company's ward history: read by the officers of the wards it left or joined and
    by the company's owners and staff; written only by ``services_wards``."""
    if action != VIEW:
        return NOTHING
    wards = officer_ward_ids(user)
    return (
        Q(previous__in=wards)
        | Q(ward__in=wards)
        | Q(company__in=company_ids_for(user, EDITOR_ROLES, VIEW))
    )


def invitation_scope(user, action: str) -> Q:
    """Invitations into a company are its owners' business: they see, issue and revoke
    them; nobody else sees one, not the company's staff, not the ward. The invited person
    holds the token instead, which the invite page reads without a scope; nobody deletes
    one (it is revoked, and kept)."""
    if action in (VIEW, CHANGE, MANAGE):
        return Q(company__in=company_ids_for(user, OWNER_ROLES, action))
    return NOTHING
