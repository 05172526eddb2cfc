"""Writes for a company's first account (企業アカウントの申請): the ward's officers approve
or reject a request, the ward's ledger address is set, and a mailed secret completes the
account. The request itself comes from a one-time RFQ link and is caller-trusted
(``companies.internal.company_claim_request``). docs/guest-links.md tells the whole flow.

Nothing here ever shows the secret to the person who asked: it leaves only by e-mail, to
the ward's address for the company, or (after an officer's approval) to the requester."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.companies.choices import ClaimStatus, CompanyRole
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company
from machikoba.companies.models_claims import OPEN_CLAIM_STATUSES, CompanyClaim
from machikoba.companies.selectors_claims import company_has_account
from machikoba.companies.services import _membership_create
from machikoba.core.access import CHANGE, SUPPORT, can
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_datetime
from machikoba.core.errors import ApplicationError, PermissionRefused, invalid_input
from machikoba.core.mail import QueuedEmailBackend
from machikoba.core.models import Notification

CLAIM_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


# --- helpers shared with the request (internal) and the pages ------------------------


def claim_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _claim_link_url(token: str) -> str:
    return settings.MACHIKOBA_SITE_URL.rstrip("/") + reverse(
        "companies:claim_account", args=[token]
    )


def _officers(company: Company) -> list[User]:
    """The officers of ``company``'s ward (named directly or through a group); for a
    company outside every registered ward, the platform admins, who place it in one."""
    if company.ward_id is None:
        return list(User.objects.filter(is_active=True, is_staff=True).order_by("pk"))
    today = timezone.localdate()
    officer_ids = (
        WardRoleAssignment.objects.filter(role=WardRole.OFFICER)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(municipality=company.ward_id) | Q(group__municipalities=company.ward_id))
    )
    return list(
        User.objects.filter(is_active=True, pk__in=officer_ids.values("user_id")).order_by("pk")
    )


def ward_label(company: Company) -> str:
    """The company's ward by name in texts to it; the platform's name outside them all."""
    return company.ward.name if company.ward else settings.MACHIKOBA_PLATFORM_NAME


def claim_notify_ward(*, claim: CompanyClaim, title: str, text: str) -> None:
    """The officers of the company's ward get an in-app notice and an e-mail (after
    commit) about a claim; another ward's officers hear nothing of it."""
    path = reverse("companies:claim_queue")
    url = settings.MACHIKOBA_SITE_URL.rstrip("/") + path
    messages = []
    for officer in _officers(claim.company):
        Notification.objects.create(
            user=officer, kind="company_claim", title=title[:200], body=text, url=path
        )
        if officer.email:
            messages.append(
                EmailMessage(
                    subject=f"[machikoba] {title}", body=f"{text}\n\n{url}\n", to=[officer.email]
                )
            )
    if messages:
        QueuedEmailBackend().send_messages(messages)


def claim_secret_issue(*, claim: CompanyClaim, to: str) -> None:
    """A fresh secret for ``claim``, mailed to ``to`` after commit; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    claim.secret_hash = claim_token_hash(token)
    claim.secret_expires_at = timezone.now() + dt.timedelta(
        hours=settings.MACHIKOBA_CLAIM_LINK_HOURS
    )
    claim.sent_to = to
    company = claim.company
    with translation.override("ja"):
        # A fixed subject: nothing a requester typed goes in it.
        subject = _("[machikoba] 企業アカウント作成の確認")
        body = _(
            "%(company)s 御中\n\n"
            "machikoba (%(ward)s の町工場ネットワーク) で、%(company)s のアカウントを作る"
            "申請がありました。\n"
            "お心当たりがあれば、下のリンクを開いて氏名とパスワードを設定してください。"
            "このメールアドレス (%(email)s) でログインできるようになります。\n\n"
            "%(url)s\n\n"
            "このリンクは %(expires)s まで有効で、一度だけ使えます。\n"
            "お心当たりがなければ、このメールは破棄してください。アカウントは作られません。\n"
        ) % {
            "company": company.name,
            "ward": ward_label(company),
            "email": to,
            "url": _claim_link_url(token),
            "expires": format_datetime(claim.secret_expires_at),
        }
    EmailMessage(subject=subject, body=body, to=[to], connection=QueuedEmailBackend()).send()


# --- the ward's ledger address --------------------------------------------------------


@transaction.atomic
def company_contact_email_set(*, actor: User, company: Company, email: str) -> Company:
    """An officer of ``company``'s ward records the address the ward holds for it (empty
    clears it); another ward's officers may not."""
    if not can(actor, SUPPORT, company):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_WARD_OFFICER,
            _("登録メールアドレスを変更できるのは区の担当者だけです。"),
        )
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            message = _("メールアドレスを正しく入力してください。")
            raise ApplicationError(
                CompaniesErrorCode.CONTACT_EMAIL_INVALID, message, fields={"email": [message]}
            ) from None
    company = Company.objects.select_for_update().get(pk=company.pk)
    before = company.contact_email
    company.contact_email = email
    company.save(update_fields=["contact_email", "updated_at"])
    audit_record(
        actor=actor,
        verb="company.contact_email",
        target=company,
        company=company,
        before={"contact_email": before},
        after={"contact_email": email},
    )
    return company


# --- an officer decides ---------------------------------------------------------------


def _lock_pending(actor: User, claim: CompanyClaim) -> CompanyClaim:
    if not can(actor, CHANGE, claim):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_WARD_OFFICER,
            _("申請を判断できるのは区の担当者だけです。"),
        )
    locked = CompanyClaim.objects.select_for_update().select_related("company").get(pk=claim.pk)
    if locked.status != ClaimStatus.AWAITING_OFFICER:
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_NOT_PENDING, _("この申請はすでに判断されています。")
        )
    return locked


def _decide(claim: CompanyClaim, actor: User, status: str, reason: str = "") -> None:
    claim.status = status
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.decision_reason = reason


@transaction.atomic
def company_claim_approve(*, actor: User, claim: CompanyClaim) -> CompanyClaim:
    """An officer who has checked the requester (by phone, at the counter) approves: a
    one-time link to set a password goes to the requester's address."""
    claim = _lock_pending(actor, claim)
    if company_has_account(claim.company):
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_HAS_ACCOUNT, _("この企業のアカウントはすでにあります。")
        )
    if User.objects.filter(email__iexact=claim.requester_email).exists():
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_EMAIL_TAKEN,
            _(
                "申請者のメールアドレスはすでに登録されています。"
                "その方を企業のメンバーとして追加してください。"
            ),
        )
    _decide(claim, actor, ClaimStatus.APPROVED)
    claim_secret_issue(claim=claim, to=claim.requester_email)
    claim.save()
    audit_record(
        actor=actor,
        verb="company_claim.approve",
        target=claim,
        company=claim.company,
        after={"sent_to": claim.sent_to},
    )
    claim_notify_ward(
        claim=claim,
        title=_("企業アカウントの申請を承認: %(company)s") % {"company": claim.company.name},
        text=_("%(officer)s が %(company)s のアカウントの申請を承認しました。")
        % {"officer": actor.get_full_name(), "company": claim.company.name},
    )
    return claim


@transaction.atomic
def company_claim_reject(*, actor: User, claim: CompanyClaim, reason: str) -> CompanyClaim:
    """An officer rejects a request, with a reason kept for the ward (the requester is told
    only that it was not approved)."""
    reason = reason.strip()
    if not reason or len(reason) > 300:
        message = _("見送りの理由を 300 文字以内で入力してください。")
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_INVALID, message, fields={"reason": [message]}
        )
    claim = _lock_pending(actor, claim)
    _decide(claim, actor, ClaimStatus.REJECTED, reason)
    claim.save()
    audit_record(
        actor=actor,
        verb="company_claim.reject",
        target=claim,
        company=claim.company,
        after={"reason": reason},
    )
    claim_notify_ward(
        claim=claim,
        title=_("企業アカウントの申請を見送り: %(company)s") % {"company": claim.company.name},
        text=_("%(officer)s が %(company)s のアカウントの申請を見送りました (理由: %(reason)s)。")
        % {"officer": actor.get_full_name(), "company": claim.company.name, "reason": reason},
    )
    if claim.requester_email:
        with translation.override("ja"):
            EmailMessage(
                subject=_("[machikoba] 企業アカウントの申請について"),
                body=_(
                    "%(company)s のアカウントの申請は、承認されませんでした。\n"
                    "ご不明な点は %(ward)s の担当窓口にお問い合わせください。\n"
                )
                % {"company": claim.company.name, "ward": ward_label(claim.company)},
                to=[claim.requester_email],
                connection=QueuedEmailBackend(),
            ).send()
    return claim


# --- the mailed secret completes the account -----------------------------------------


def claim_for_token(token: str) -> CompanyClaim | None:
    """The claim a mailed link opens while it can still be used, or None (unknown,
    tampered, expired, used, or the company has an account by now)."""
    if len(token or "") != CLAIM_TOKEN_LENGTH:
        return None
    claim = (
        CompanyClaim.objects.select_related("company")
        .filter(
            secret_hash=claim_token_hash(token),
            status__in=(ClaimStatus.EMAIL_SENT, ClaimStatus.APPROVED),
            secret_expires_at__gt=timezone.now(),
        )
        .first()
    )
    if claim is None or company_has_account(claim.company):
        return None
    return claim


def _unusable() -> ApplicationError:
    return ApplicationError(
        CompaniesErrorCode.CLAIM_LINK_UNUSABLE,
        _("このリンクは使えません (期限切れ、使用済み、またはアカウントが作成済みです)。"),
        status_code=404,
    )


@transaction.atomic
def company_claim_complete(
    *, token: str, name: str, password: str, ip_address: str | None = None
) -> User:
    """Whoever opens the mailed link sets a name and password: the company's first owner,
    signing in with the address the link was mailed to (so that address is verified)."""
    from allauth.account.models import EmailAddress

    found = claim_for_token(token)
    if found is None:
        raise _unusable()
    # Two completions at once: the company row is the lock, so only the first finds it empty.
    company = Company.objects.select_for_update().get(pk=found.company_id)
    claim = CompanyClaim.objects.select_for_update().get(pk=found.pk)
    if claim.status not in (ClaimStatus.EMAIL_SENT, ClaimStatus.APPROVED) or company_has_account(
        company
    ):
        raise _unusable()
    email = claim.sent_to.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_EMAIL_TAKEN,
            _(
                "このメールアドレスはすでに登録されています。"
                "ログインして、区の担当窓口にご連絡ください。"
            ),
        )
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("氏名を入力してください。")
    elif len(name) > 100:
        errors["name"] = _("氏名は 100 文字以内で入力してください。")
    else:
        try:
            validate_password(password, User(email=email, name=name))
        except ValidationError as error:
            errors["password"] = " ".join(error.messages)
    if errors:
        raise invalid_input(CompaniesErrorCode.CLAIM_INVALID, **errors)
    user = User.objects.create_user(email, password, name=name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    _membership_create(actor=None, company=company, user=user, role=CompanyRole.OWNER)
    now = timezone.now()
    claim.status = ClaimStatus.COMPLETED
    claim.user = user
    claim.completed_at = now
    claim.secret_hash = ""
    claim.save()
    # Other open requests for the company can no longer lead anywhere.
    CompanyClaim.objects.filter(company=company, status__in=OPEN_CLAIM_STATUSES).exclude(
        pk=claim.pk
    ).update(status=ClaimStatus.EXPIRED, secret_hash="", updated_at=now)
    audit_record(
        actor=None,
        verb="company_claim.complete",
        target=claim,
        company=company,
        after={"user": email},
        ip_address=ip_address,
    )
    claim_notify_ward(
        claim=claim,
        title=_("企業アカウントが作成されました: %(company)s") % {"company": company.name},
        text=_("%(company)s の最初のアカウント (%(email)s、経営者) が作成されました。")
        % {"company": company.name, "email": email},
    )
    return user
