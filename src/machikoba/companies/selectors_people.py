"""Reads for the people of a company: the owners' page (who has access, since when, the
invitations still open) and the page an invite link opens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyRole
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_people import Invitation, InvitationState
from machikoba.core.access import MANAGE, OWNER_ROLES, VIEW
from machikoba.core.errors import ApplicationError

INVITE_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
ROLE_ORDER = {role: index for index, role in enumerate(CompanyRole.values)}


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation an invite link names, in whatever state (the page says why a used,
    expired or revoked one no longer works), or None for a link that names none. The
    secret is the credential here, so no user's scope applies; an invitation into a
    company that has been deactivated names none."""
    if len(token or "") != INVITE_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.select_related("company", "invited_by", "used_by")
        .filter(token_hash=invitation_token_hash(token), company__is_active=True)
        .first()
    )


def invitation_refusal(invitation: Invitation) -> ApplicationError | None:
    """Why ``invitation`` can no longer be used (the page shows it, the services raise
    it), or None while it can."""
    state = invitation.state()
    if state == InvitationState.USED:
        return ApplicationError(
            CompaniesErrorCode.INVITATION_USED,
            _(
                "この招待はすでに使われています。招待は一度しか使えません。"
                "参加するには、経営者に新しい招待を頼んでください。"
            ),
            status_code=410,
        )
    if state == InvitationState.REVOKED:
        return ApplicationError(
            CompaniesErrorCode.INVITATION_REVOKED,
            _("この招待は経営者が取り消しました。参加するには、経営者に確かめてください。"),
            status_code=410,
        )
    if state == InvitationState.EXPIRED:
        return ApplicationError(
            CompaniesErrorCode.INVITATION_EXPIRED,
            _(
                "この招待は有効期限が切れています。"
                "参加するには、経営者に新しい招待を頼んでください。"
            ),
            status_code=410,
        )
    return None


@dataclass(frozen=True)
class Person:
    """One row of the people page."""

    membership: Membership
    is_you: bool
    # The only owner: neither removed nor given another role (the page says why).
    is_last_owner: bool


@dataclass(frozen=True)
class PeoplePage:
    company: Company
    people: list[Person]
    invitations: list[Invitation]
    owners: int

    @property
    def transfer_candidates(self) -> list[Membership]:
        return [p.membership for p in self.people if p.membership.role not in OWNER_ROLES]


def people_page(*, user: User, company: Company) -> PeoplePage:
    """Who has access to ``company`` (owners first, then by when they joined) and the
    invitations nobody has used yet, for its owners; empty for anyone else."""
    memberships = sorted(
        Membership.objects.for_user(user, MANAGE)
        .filter(company=company)
        .select_related("user")
        .order_by("created_at", "pk"),
        key=lambda m: ROLE_ORDER.get(m.role, len(ROLE_ORDER)),
    )
    owners = sum(1 for m in memberships if m.role in OWNER_ROLES and m.user.is_active)
    people = [
        Person(
            membership=m,
            is_you=m.user_id == user.pk,
            is_last_owner=m.role in OWNER_ROLES and m.user.is_active and owners == 1,
        )
        for m in memberships
    ]
    invitations = list(
        Invitation.objects.for_user(user, VIEW)
        .filter(
            company=company,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("expires_at", "pk")
    )
    return PeoplePage(company=company, people=people, invitations=invitations, owners=owners)


def owners_only_page(*, user: User, company_id: int) -> dict[str, Any] | None:
    """What a company's own staff or floor worker is told on a page only owners may open:
    the company and who its owners are; None for anyone who does not work there."""
    mine = Membership.objects.for_user(user, VIEW).filter(company_id=company_id)
    if not mine.filter(user=user).exists():
        return None
    owners = mine.filter(role__in=OWNER_ROLES).select_related("user").order_by("created_at", "pk")
    return {
        "company": Company.objects.for_user(user, VIEW).get(pk=company_id),
        "owners": list(owners),
    }


@dataclass(frozen=True)
class InvitePage:
    """What the page an invite link opens says to the person holding it."""

    invitation: Invitation
    refusal: ApplicationError | None
    # The person signed in is already in the company (or joined through this very link).
    already_member: bool
    joined_through_it: bool


def invite_page(*, user: User | AnonymousUser | None, token: str) -> InvitePage | None:
    invitation = invitation_for_token(token)
    if invitation is None:
        return None
    person = user if isinstance(user, User) else None
    already_member = bool(
        person is not None
        and Membership.objects.for_user(person, VIEW)
        .filter(company=invitation.company, user=person)
        .exists()
    )
    return InvitePage(
        invitation=invitation,
        refusal=invitation_refusal(invitation),
        already_member=already_member,
        joined_through_it=person is not None and invitation.used_by_id == person.pk,
    )
