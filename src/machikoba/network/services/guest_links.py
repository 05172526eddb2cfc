"""One-time links (回答用リンク) for shops without an account: issue, resolve, and
answer through them; after answering, the holder may ask the ward for its company's first
account (never get one from the link itself: docs/guest-links.md). The token is never
stored, only its hash."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from machikoba.companies.internal import company_claim_request
from machikoba.companies.models import Company
from machikoba.companies.models_claims import CompanyClaim
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_datetime
from machikoba.core.errors import (
    ApplicationError,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.mail import QueuedEmailBackend
from machikoba.drawings.internal import nda_accept_by_link
from machikoba.drawings.models import NdaText
from machikoba.network.choices import (
    GuestLinkChannel,
    RfqStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import (
    GuestLink,
    Quote,
    RfqRecipient,
)
from machikoba.network.selectors import (
    company_has_account,
    guest_contact,
    guest_link_expiry,
    guest_link_url,
    guest_token_hash,
    guest_viewer_label,
)
from machikoba.network.services._guards import (
    _lock_answerable,
    _require_job_editor,
)
from machikoba.network.services.rfqs import (
    _check_decline,
    _check_quote,
    _decline_write,
    _quote_write,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User


GUEST_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@transaction.atomic
def guest_link_issue(
    *, actor: User, recipient: RfqRecipient, channel: str, email: str = ""
) -> tuple[GuestLink, str]:
    """A fresh one-time link for a recipient that has nobody to sign in: returns the link
    and its token, which is never stored (only its hash) and so is shown or printed now,
    once. Any earlier link of the recipient stops working. An e-mail link is sent after
    commit through the queued e-mail backend."""
    from django.core.validators import validate_email

    rfq = recipient.rfq
    _require_job_editor(actor, rfq.job)
    recipient = _lock_answerable(recipient)
    if company_has_account(recipient.company):
        raise ApplicationError(
            NetworkErrorCode.GUEST_LINK_HAS_ACCOUNT,
            _("この企業にはアカウントがあります。回答用リンクではなく、通常の通知で届きます。"),
        )
    email = email.strip()
    if channel not in GuestLinkChannel.values:
        raise invalid_input(
            NetworkErrorCode.GUEST_LINK_INVALID_CHANNEL, channel=_("送り方を選んでください。")
        )
    if channel == GuestLinkChannel.EMAIL:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid_input(
                NetworkErrorCode.GUEST_LINK_INVALID_EMAIL,
                email=_("メールアドレスを正しく入力してください。"),
            ) from None
        _check_email_limits(company=rfq.job.company, email=email)
    else:
        email = ""
    now = timezone.now()
    GuestLink.objects.filter(recipient=recipient, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    token = secrets.token_urlsafe(32)
    link = GuestLink(
        recipient=recipient,
        token_hash=guest_token_hash(token),
        channel=channel,
        email=email,
        expires_at=guest_link_expiry(recipient.rfq),
        created_by=actor,
    )
    full_clean_or_raise(link, code=NetworkErrorCode.GUEST_LINK_INVALID)
    link.save()
    audit_record(
        actor=actor,
        verb="guest_link.issue",
        target=link,
        company=rfq.job.company,
        after={"channel": channel, "email": email, "expires_at": link.expires_at.isoformat()},
    )
    if channel == GuestLinkChannel.EMAIL:
        _guest_link_mail(link, token)
    return link, token


def _check_email_limits(*, company: Company, email: str) -> None:
    """The link form sends mail to an address the sender types: at most
    ``MACHIKOBA_GUEST_LINK_EMAILS_PER_COMPANY_DAY`` links from one company and
    ``MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY`` to one address in 24 hours."""
    # The sender's row is the lock: two links sent at once count each other.
    Company.objects.select_for_update().only("pk").get(pk=company.pk)
    sent = GuestLink.objects.filter(
        channel=GuestLinkChannel.EMAIL, created_at__gte=timezone.now() - dt.timedelta(hours=24)
    )
    if (
        sent.filter(recipient__rfq__job__company=company).count()
        >= settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_COMPANY_DAY
    ):
        raise ApplicationError(
            NetworkErrorCode.GUEST_LINK_COMPANY_LIMIT,
            _(
                "回答用リンクのメールは、1 日に %(limit)s 通までです。"
                "明日以降に送るか、FAX 用 PDF を印刷してください。"
            )
            % {"limit": settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_COMPANY_DAY},
            status_code=429,
        )
    if (
        sent.filter(email__iexact=email).count()
        >= settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY
    ):
        raise ApplicationError(
            NetworkErrorCode.GUEST_LINK_ADDRESS_LIMIT,
            _(
                "このメールアドレスには、今日はもう回答用リンクを送れません"
                " (1 日 %(limit)s 通まで)。"
                "明日以降に送るか、FAX 用 PDF を印刷してください。"
            )
            % {"limit": settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY},
            status_code=429,
        )


def _guest_link_mail(link: GuestLink, token: str) -> None:
    """Queued explicitly (not through whatever ``EMAIL_BACKEND`` is): the message leaves
    only if the link is committed, and is delivered by the worker."""
    from django.core.mail import EmailMessage

    rfq = link.recipient.rfq
    job = rfq.job
    sender = rfq.created_by
    # The shop reads Japanese; the owner's own UI language does not matter here.
    with translation.override("ja"):
        # A fixed subject: nothing the sender typed (company or part name) goes in it.
        subject = _("[machikoba] 見積依頼が届いています")
        body = _(
            "%(company)s 御中\n\n"
            "%(buyer)s から「%(part)s」の見積依頼が届きました。\n"
            "アカウントがなくても、下のリンクをスマートフォンやパソコンで開くと、"
            "依頼の内容と図面 (閲覧のみ) を確認し、見積を出すか辞退できます。\n\n"
            "%(url)s\n\n"
            "このリンクは %(expires)s まで有効で、%(company)s 様専用です。"
            "他の方に転送しないでください。回答後は使えなくなります。\n"
            "お問い合わせ: %(contact)s\n"
        ) % {
            "company": link.recipient.company.name,
            "buyer": job.company.name,
            "part": job.part_name,
            "url": guest_link_url(token),
            "expires": format_datetime(link.expires_at),
            "contact": guest_contact(rfq),
        }
    EmailMessage(
        subject=subject,
        body=body,
        to=[link.email],
        reply_to=[sender.email] if sender is not None and sender.email else [],
        connection=QueuedEmailBackend(),
    ).send()


class GuestLinkRefused(ApplicationError):
    """A link that cannot be used. ``link`` is set only when the token was genuine (expired,
    replaced, closed): the page may then name the sender, never anything else."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        link: GuestLink | None = None,
        status_code: int = 410,
    ) -> None:
        super().__init__(code, message, status_code=status_code)
        self.link = link


def _refuse(
    code: str, reason: str, *, link: GuestLink | None = None, ip_address: str | None = None
) -> GuestLinkRefused:
    with transaction.atomic():
        audit_record(
            actor=None,
            verb="guest_link.refused",
            target=link,
            company=link.recipient.rfq.job.company if link is not None else None,
            after={"reason": reason},
            ip_address=ip_address,
        )
    messages = {
        "guest_link_invalid": _("このリンクは使えません。"),
        "guest_link_expired": _("このリンクは有効期限が切れています。"),
        "guest_link_revoked": _("このリンクは新しいリンクに置き換えられたため、使えません。"),
        "guest_link_closed": _("この見積依頼は締め切られました。"),
    }
    status = 404 if link is None else 410
    return GuestLinkRefused(code, messages[code], link=link, status_code=status)


def guest_link_resolve(
    *, token: str, ip_address: str | None = None, record_open: bool = False
) -> GuestLink:
    """The link a token opens, or ``GuestLinkRefused``: unknown or tampered (404, and
    nothing about any RFQ), expired, replaced, or its RFQ closed before it was answered
    (410). Every refusal is logged with the address it came from; with ``record_open``
    the opening is logged and counted too."""
    link = None
    if GUEST_TOKEN_PATTERN.fullmatch(token or ""):
        link = (
            GuestLink.objects.select_related(
                "recipient__company", "recipient__rfq__job__company", "recipient__rfq__created_by"
            )
            .filter(token_hash=guest_token_hash(token))
            .first()
        )
    if link is None:
        raise _refuse(NetworkErrorCode.GUEST_LINK_INVALID, "unknown", ip_address=ip_address)
    if link.revoked_at is not None:
        raise _refuse(
            NetworkErrorCode.GUEST_LINK_REVOKED, "revoked", link=link, ip_address=ip_address
        )
    if link.is_expired:
        raise _refuse(
            NetworkErrorCode.GUEST_LINK_EXPIRED, "expired", link=link, ip_address=ip_address
        )
    rfq = link.recipient.rfq
    if link.used_at is None and (rfq.status != RfqStatus.OPEN or rfq.deadline <= timezone.now()):
        raise _refuse(
            NetworkErrorCode.GUEST_LINK_CLOSED, "rfq_closed", link=link, ip_address=ip_address
        )
    if record_open:
        now = timezone.now()
        with transaction.atomic():
            GuestLink.objects.filter(pk=link.pk).update(
                open_count=F("open_count") + 1, last_opened_at=now
            )
            audit_record(
                actor=None,
                verb="guest_link.open",
                target=link,
                company=rfq.job.company,
                ip_address=ip_address,
            )
        link.refresh_from_db(fields=["open_count", "last_opened_at"])
    return link


def _lock_link(link: GuestLink) -> GuestLink:
    locked = GuestLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is not None or locked.is_expired:
        raise ApplicationError(
            NetworkErrorCode.GUEST_LINK_EXPIRED, _("このリンクはもう使えません。")
        )
    return locked


def _answer_by_link(link: GuestLink) -> tuple[GuestLink, RfqRecipient]:
    locked = _lock_link(link)
    if locked.used_at is not None:
        raise ApplicationError(
            NetworkErrorCode.RFQ_ALREADY_ANSWERED, _("このリンクからは、すでに回答しています。")
        )
    return locked, _lock_answerable(locked.recipient)


def _mark_used(link: GuestLink) -> None:
    link.used_at = timezone.now()
    link.save(update_fields=["used_at", "updated_at"])


@transaction.atomic
def guest_quote_submit(
    *,
    link: GuestLink,
    price: int,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str = "",
    quantity_breaks: list[dict[str, Any]] | None = None,
    ip_address: str | None = None,
) -> Quote:
    """The holder of a recipient's one-time link quotes; the link is then used up."""
    _check_quote(price=price, lead_time_days=lead_time_days, valid_until=valid_until)
    link, recipient = _answer_by_link(link)
    quote = _quote_write(
        actor=None,
        recipient=recipient,
        price=price,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        conditions=conditions,
        quantity_breaks=quantity_breaks,
        audit_extra={"guest_link": link.pk},
        ip_address=ip_address,
    )
    _mark_used(link)
    return quote


@transaction.atomic
def guest_decline(*, link: GuestLink, reason: str, ip_address: str | None = None) -> RfqRecipient:
    """The holder of a recipient's one-time link declines; the link is then used up."""
    _check_decline(reason)
    link, recipient = _answer_by_link(link)
    recipient = _decline_write(
        actor=None,
        recipient=recipient,
        reason=reason,
        audit_extra={"guest_link": link.pk},
        ip_address=ip_address,
    )
    _mark_used(link)
    return recipient


@transaction.atomic
def guest_account_request(
    *,
    link: GuestLink,
    name: str,
    email: str = "",
    phone: str = "",
    note: str = "",
    ip_address: str | None = None,
) -> CompanyClaim:
    """After answering, the link holder asks for its company's first account. The link
    proves nothing about who holds it (its issuer chose where it went), so this only
    starts the ward's claim (``companies.internal.company_claim_request``): a secret goes
    to the address the ward holds for the company, or an officer decides. Nothing the
    holder can see here ever creates an account."""
    link = _lock_link(link)
    if link.used_at is None:
        raise ApplicationError(
            NetworkErrorCode.GUEST_CLAIM_TOO_EARLY, _("先に見積か辞退を送ってください。")
        )
    rfq = link.recipient.rfq
    return company_claim_request(
        company=link.recipient.company,
        name=name,
        email=email,
        phone=phone,
        note=note,
        # Who issued the link, so that the ward sees whose link started the claim.
        origin=_("回答用リンク (%(buyer)s の見積依頼 #%(rfq)s、%(via)s)")
        % {"buyer": rfq.job.company.name, "rfq": rfq.pk, "via": link.get_channel_display()},
        ip_address=ip_address,
    )


@transaction.atomic
def guest_nda_accept(
    *, link: GuestLink, nda_id: int | None, agreed: bool, ip_address: str | None = None
) -> None:
    """The link holder accepts the sender's current NDA (``nda_id``, as shown), so that the
    drawings shared with its company show. Refused unless ``agreed`` and the NDA is the
    sender's."""
    nda = (
        NdaText.objects.filter(pk=nda_id, company=link.recipient.rfq.job.company).first()
        if nda_id is not None
        else None
    )
    if nda is None or not agreed:
        raise ApplicationError(
            NetworkErrorCode.NDA_NOT_ACCEPTED,
            _("図面を見るには、秘密保持の条項に同意してください。"),
        )
    nda_accept_by_link(
        company=link.recipient.company,
        nda=nda,
        via=guest_viewer_label(link),
        ip_address=ip_address,
    )
