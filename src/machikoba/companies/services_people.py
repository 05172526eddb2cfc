"""Writes for the people of a company (会社のメンバー): inviting by e-mail or by a QR code
on the owner's phone, accepting an invitation, changing a role, removing a person and
handing over ownership.

Only the company's owners invite, change roles, remove and hand over (a platform admin
works in the admin); there is always at least one owner; every change is audited and told
to the person it concerns.

An invite link carries a one-time secret (``secrets.token_urlsafe``); only its hash is
stored, so the link exists only in the e-mail or on the owner's screen. The secret is the
credential: whoever holds it joins with the role the owner chose, signed in with any
address (a floor worker often has no company address). Removing a person deletes the
membership, so their access ends with their next request (the access layer reads
memberships afresh on each one); their records stay attributed to them, since those name
the user, not the membership.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyRole
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_people import Invitation, InvitationChannel
from machikoba.companies.selectors_people import (
    invitation_for_token,
    invitation_refusal,
    invitation_token_hash,
)
from machikoba.companies.services import _membership_create
from machikoba.core.access import MANAGE, OWNER_ROLES, can, forget_cached_roles
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_datetime
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.mail import QueuedEmailBackend
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.notifications import KINDS, notify_company

# How long an invitation works: a mailed one a week; one shown as a QR code on the
# owner's phone only while the two stand together.
EMAIL_INVITATION_LIFETIME = dt.timedelta(days=7)
QR_INVITATION_LIFETIME = dt.timedelta(minutes=30)
# Open invitations one company may have at once (a typo'd address is revoked, not piled).
OPEN_INVITATIONS_PER_COMPANY = 30


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its link: the only moment the secret exists outside a mail."""

    invitation: Invitation
    token: str
    url: str


def invitation_url(token: str) -> str:
    return settings.MACHIKOBA_SITE_URL.rstrip("/") + reverse(
        "companies:invite_accept", args=[token]
    )


def _require_owner(actor: User, company: Company, message: str) -> None:
    if not can(actor, MANAGE, company):
        raise PermissionRefused(CompaniesErrorCode.NOT_COMPANY_OWNER, message)


def _lock(company: Company) -> Company:
    """The company row is the lock for every change of its people: two owners removing
    each other at once are served one after the other, and the second finds the rule."""
    return Company.objects.select_for_update().get(pk=company.pk)


def _role_label(role: str) -> str:
    return str(CompanyRole(role).label)


def _other_active_owners(membership: Membership) -> int:
    return (
        Membership.objects.filter(
            company_id=membership.company_id, role__in=OWNER_ROLES, user__is_active=True
        )
        .exclude(pk=membership.pk)
        .count()
    )


def _refuse_last_owner(membership: Membership, message: str) -> None:
    if membership.role in OWNER_ROLES and _other_active_owners(membership) == 0:
        raise ApplicationError(
            CompaniesErrorCode.LAST_OWNER,
            message % {"person": membership.user.get_full_name()},
        )


def _notify_person(*, user: User, kind: str, params: dict[str, str], path: str = "") -> None:
    """One person hears of a change to their own place in a company: an in-app notice and
    the same text by e-mail (after commit), as they chose for ``kind``. The company-wide
    notices (``core.notifications.notify_company``) reach current members only, and a
    removed person is no longer one."""
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    _label, subject, body = KINDS[kind]
    with translation.override(settings.LANGUAGE_CODE):
        title = (str(subject) % params)[:200]
        text = str(body) % params
    if preference is None or preference.in_app:
        Notification.objects.create(user=user, kind=kind, title=title, body=text, url=path)
    if user.email and (preference is None or preference.email):
        link = settings.MACHIKOBA_SITE_URL.rstrip("/") + path if path else ""
        EmailMessage(
            subject=f"[machikoba] {title}",
            body=f"{text}\n\n{link}\n" if link else f"{text}\n",
            to=[user.email],
            connection=QueuedEmailBackend(),
        ).send()


# --- invitations ----------------------------------------------------------------------


def _send_invitation_mail(issued: IssuedInvitation, *, inviter: User) -> None:
    invitation = issued.invitation
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[machikoba] %(company)s からメンバーへの招待") % {
            "company": invitation.company.name
        }
        body = _(
            "%(inviter)s さんから、machikoba (町工場のネットワーク) の %(company)s に"
            "「%(role)s」として参加するよう招待されました。\n\n"
            "下のリンクを開き、アカウントを作るかログインしてから「参加する」を押してください。"
            "どのメールアドレスのアカウントでも参加できます。\n\n"
            "%(url)s\n\n"
            "このリンクは %(expires)s まで有効で、一度だけ使えます。\n"
            "お心当たりがなければ、このメールは破棄してください。\n"
        ) % {
            "inviter": inviter.get_full_name(),
            "company": invitation.company.name,
            "role": _role_label(invitation.role),
            "url": issued.url,
            "expires": format_datetime(invitation.expires_at),
        }
    EmailMessage(
        subject=subject, body=body, to=[invitation.email], connection=QueuedEmailBackend()
    ).send()


@transaction.atomic
def invitation_create(
    *, actor: User, company: Company, role: str, channel: str, email: str = ""
) -> IssuedInvitation:
    """An owner invites a person with ``role``: by e-mail to ``email`` (the link is mailed
    after commit, valid for a week) or as a QR code the owner shows on their phone (valid
    for 30 minutes). Staff and floor workers may not invite."""
    _require_owner(actor, company, _("メンバーを招待できるのは、この企業の経営者だけです。"))
    company = _lock(company)
    if role not in CompanyRole.values:
        raise invalid_input(CompaniesErrorCode.INVITATION_INVALID, role=_("役割を選んでください。"))
    if channel not in InvitationChannel.values:
        raise invalid_input(
            CompaniesErrorCode.INVITATION_INVALID, channel=_("招待の方法を選んでください。")
        )
    email = email.strip().lower() if channel == InvitationChannel.EMAIL else ""
    if channel == InvitationChannel.EMAIL:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid_input(
                CompaniesErrorCode.INVITATION_INVALID,
                email=_("招待する人のメールアドレスを正しく入力してください。"),
            ) from None
        if Membership.objects.filter(company=company, user__email__iexact=email).exists():
            message = _("%(email)s の人は、すでにこの企業のメンバーです。") % {"email": email}
            raise ApplicationError(
                CompaniesErrorCode.MEMBERSHIP_EXISTS, message, fields={"email": [message]}
            )
    now = timezone.now()
    open_invitations = Invitation.objects.filter(
        company=company, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    if open_invitations >= OPEN_INVITATIONS_PER_COMPANY:
        raise ApplicationError(
            CompaniesErrorCode.INVITATION_TOO_MANY,
            _(
                "使われていない招待が %(count)s 件あります。"
                "いらない招待を取り消してから、もう一度招待してください。"
            )
            % {"count": open_invitations},
        )
    token = secrets.token_urlsafe(32)
    lifetime = (
        EMAIL_INVITATION_LIFETIME if channel == InvitationChannel.EMAIL else QR_INVITATION_LIFETIME
    )
    invitation = Invitation(
        company=company,
        role=role,
        channel=channel,
        email=email,
        invited_by=actor,
        token_hash=invitation_token_hash(token),
        expires_at=now + lifetime,
    )
    full_clean_or_raise(invitation, code=CompaniesErrorCode.INVITATION_INVALID)
    invitation.save()
    audit_record(
        actor=actor,
        verb="invitation.create",
        target=invitation,
        company=company,
        after={
            "role": role,
            "channel": channel,
            "email": email,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    issued = IssuedInvitation(invitation=invitation, token=token, url=invitation_url(token))
    if channel == InvitationChannel.EMAIL:
        _send_invitation_mail(issued, inviter=actor)
    return issued


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """An owner takes back an invitation nobody has used yet: its link stops working."""
    _require_owner(actor, invitation.company, _("招待を取り消せるのは、この企業の経営者だけです。"))
    _lock(invitation.company)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    refusal = invitation_refusal(invitation)
    if refusal is not None:
        raise refusal
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="invitation.revoke",
        target=invitation,
        company=invitation.company,
        before={"role": invitation.role, "email": invitation.email},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, token: str, ip_address: str | None = None) -> Membership:
    """The signed-in ``actor`` holding an invite link joins the company with the role the
    owner chose. An expired, revoked or used link is refused with the reason, and a member
    of the company is told so; nothing changes then. The company's owners are told who
    joined."""
    found = invitation_for_token(token)
    if found is None:
        raise ApplicationError(
            CompaniesErrorCode.INVITATION_INVALID,
            _("この招待のリンクは正しくありません。届いたリンクをもう一度確かめてください。"),
            status_code=404,
        )
    company = _lock(found.company)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    refusal = invitation_refusal(invitation)
    if refusal is not None:
        raise refusal
    if Membership.objects.filter(company=company, user=actor).exists():
        raise ApplicationError(
            CompaniesErrorCode.MEMBERSHIP_EXISTS,
            _("あなたはすでに %(company)s のメンバーです。") % {"company": company.name},
        )
    membership = _membership_create(actor=actor, company=company, user=actor, role=invitation.role)
    invitation.used_at = timezone.now()
    invitation.used_by = actor
    invitation.save(update_fields=["used_at", "used_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="invitation.accept",
        target=invitation,
        company=company,
        after={"user": actor.email, "role": invitation.role},
        ip_address=ip_address,
    )
    notify_company(
        company=company,
        kind="member_joined",
        params={
            "person": actor.get_full_name(),
            "company": company.name,
            "role": _role_label(invitation.role),
        },
        path=reverse("companies:people", args=[company.pk]),
        roles=OWNER_ROLES,
    )
    return membership


# --- the people ------------------------------------------------------------------------


def _lock_membership(membership: Membership) -> Membership:
    _lock(membership.company)
    return (
        Membership.objects.select_for_update()
        .select_related("user", "company")
        .get(pk=membership.pk)
    )


def _forget(membership: Membership, actor: User) -> None:
    forget_cached_roles(membership.user)
    if membership.user_id == actor.pk:
        forget_cached_roles(actor)  # the request's own user object, when it was theirs


@transaction.atomic
def member_role_change(*, actor: User, membership: Membership, role: str) -> Membership:
    """An owner gives a member another company role; the last owner keeps theirs. The
    person is told."""
    _require_owner(actor, membership.company, _("役割を変えられるのは、この企業の経営者だけです。"))
    membership = _lock_membership(membership)
    if role not in CompanyRole.values:
        raise invalid_input(CompaniesErrorCode.MEMBERSHIP_INVALID, role=_("役割を選んでください。"))
    if role == membership.role:
        raise ApplicationError(
            CompaniesErrorCode.ROLE_UNCHANGED,
            _("%(person)s の役割は、すでに「%(role)s」です。")
            % {"person": membership.user.get_full_name(), "role": _role_label(role)},
        )
    _refuse_last_owner(
        membership,
        _(
            "%(person)s はこの企業のただ一人の経営者なので、役割を変えられません。"
            "先にほかのメンバーに経営者の権限を渡してください。"
        ),
    )
    before = membership.role
    membership.role = role
    full_clean_or_raise(membership, code=CompaniesErrorCode.MEMBERSHIP_INVALID)
    membership.save(update_fields=["role", "updated_at"])
    _forget(membership, actor)
    company = membership.company
    audit_record(
        actor=actor,
        verb="membership.update",
        target=membership,
        company=company,
        before={"user": membership.user.email, "role": before},
        after={"user": membership.user.email, "role": role},
    )
    if membership.user_id != actor.pk:
        _notify_person(
            user=membership.user,
            kind="member_role_changed",
            params={
                "actor": actor.get_full_name(),
                "company": company.name,
                "before": _role_label(before),
                "after": _role_label(role),
            },
            path=reverse("companies:detail", args=[company.pk]),
        )
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    """An owner removes a person from the company: the membership is deleted, so their
    access ends at once; what they recorded stays theirs. The last owner stays. The person
    is told."""
    _require_owner(actor, membership.company, _("メンバーを外せるのは、この企業の経営者だけです。"))
    membership = _lock_membership(membership)
    _refuse_last_owner(
        membership,
        _(
            "%(person)s はこの企業のただ一人の経営者なので、外せません。"
            "先にほかのメンバーに経営者の権限を渡してください。"
        ),
    )
    company, person = membership.company, membership.user
    audit_record(
        actor=actor,
        verb="membership.delete",
        target=membership,
        company=company,
        before={"user": person.email, "role": membership.role},
    )
    membership.delete()
    _forget(membership, actor)
    if person.pk != actor.pk:
        _notify_person(
            user=person,
            kind="member_removed",
            params={"actor": actor.get_full_name(), "company": company.name},
        )


@transaction.atomic
def ownership_transfer(
    *, actor: User, company: Company, to: Membership, step_down: bool = False
) -> Membership:
    """An owner makes another member an owner too; with ``step_down`` the owner then
    becomes staff. Either way the company keeps at least one owner. The new owner is
    told."""
    _require_owner(actor, company, _("経営者の権限を渡せるのは、この企業の経営者だけです。"))
    target = _lock_membership(to)
    problem = ""
    if target.company_id != company.pk:
        problem = _("この企業のメンバーを選んでください。")
    elif target.user_id == actor.pk:
        problem = _("ほかのメンバーを選んでください。")
    elif target.role in OWNER_ROLES:
        problem = _("%(person)s はすでに経営者です。") % {"person": target.user.get_full_name()}
    elif not target.user.is_active:
        problem = _("%(person)s のアカウントは利用が停止されているため、経営者にできません。") % {
            "person": target.user.get_full_name()
        }
    if problem:
        raise ApplicationError(
            CompaniesErrorCode.OWNERSHIP_TRANSFER_INVALID, problem, fields={"to": [problem]}
        )
    before = target.role
    target.role = CompanyRole.OWNER
    target.save(update_fields=["role", "updated_at"])
    forget_cached_roles(target.user)
    audit_record(
        actor=actor,
        verb="membership.update",
        target=target,
        company=company,
        before={"user": target.user.email, "role": before},
        after={"user": target.user.email, "role": CompanyRole.OWNER},
    )
    if step_down:
        own = Membership.objects.select_for_update().get(company=company, user=actor)
        own.role = CompanyRole.STAFF
        own.save(update_fields=["role", "updated_at"])
        forget_cached_roles(actor)
        audit_record(
            actor=actor,
            verb="membership.update",
            target=own,
            company=company,
            before={"user": actor.email, "role": CompanyRole.OWNER},
            after={"user": actor.email, "role": CompanyRole.STAFF},
        )
    audit_record(
        actor=actor,
        verb="ownership.transfer",
        target=target,
        company=company,
        after={"to": target.user.email, "step_down": step_down},
    )
    _notify_person(
        user=target.user,
        kind="ownership_transferred",
        params={"actor": actor.get_full_name(), "company": company.name},
        path=reverse("companies:people", args=[company.pk]),
    )
    return target
