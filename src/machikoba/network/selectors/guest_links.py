"""Reads for one-time links (回答用リンク): the owner's list of them per RFQ, and the
pure helpers that hash a token, date a link and name whom the shop may call."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.companies.models import Membership
from machikoba.core.access import VIEW
from machikoba.drawings.grantee_pages import grantee_documents
from machikoba.drawings.models import NdaText
from machikoba.network.choices import RecipientStatus, RfqStatus
from machikoba.network.models import GuestLink, Quote, Rfq, RfqRecipient

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def guest_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def company_has_account(company: Company) -> bool:
    """Someone can sign in for ``company``: it has an active member. (A system question,
    asked for any company an RFQ goes to, so not through a person's scope.)"""

    return Membership.objects.filter(company=company, user__is_active=True).exists()


def guest_link_expiry(rfq: Rfq) -> dt.datetime:
    """The RFQ's deadline, but at most ``MACHIKOBA_GUEST_LINK_DAYS`` from now."""
    cap = timezone.now() + dt.timedelta(days=settings.MACHIKOBA_GUEST_LINK_DAYS)
    return min(rfq.deadline, cap)


def guest_link_url(token: str) -> str:
    return settings.MACHIKOBA_SITE_URL.rstrip("/") + reverse("network:guest_rfq", args=[token])


def guest_viewer_label(link: GuestLink) -> str:
    """How a link holder is named in view records and on watermarks."""
    return f"{_('回答用リンク')} {link.email or _('FAX')}"


def guest_contact(rfq: Rfq) -> str:
    """Who at the owner the shop can call about the RFQ: its sender and company."""
    sender = rfq.created_by
    parts = [rfq.job.company.name]
    if sender is not None:
        parts.append(" ".join(p for p in (sender.get_full_name(), sender.email) if p))
    return " ・ ".join(p for p in parts if p)


def guest_link_rows(*, user: User, rfq: Rfq) -> list[dict[str, Any]]:
    """The RFQ's recipients that have nobody to sign in, each with its current one-time
    link and a status: not sent, sent (until …), answered or expired. Empty for anyone
    but the owner's owners and staff (the links' scope)."""

    recipients = list(
        RfqRecipient.objects.for_user(user, VIEW).filter(rfq=rfq).select_related("company")
    )
    with_account = set(
        Membership.objects.filter(
            company__in=[r.company_id for r in recipients], user__is_active=True
        ).values_list("company_id", flat=True)
    )
    links: dict[int, GuestLink] = {}
    for active in (
        GuestLink.objects.for_user(user, VIEW)
        .filter(recipient__rfq=rfq, revoked_at__isnull=True)
        .order_by("created_at")
    ):
        links[active.recipient_id] = active
    rows = []
    now = timezone.now()
    for recipient in recipients:
        if recipient.company_id in with_account and recipient.pk not in links:
            continue
        link = links.get(recipient.pk)
        if link is None:
            state = "not_sent"
        elif link.used_at is not None:
            state = "answered"
        elif link.expires_at <= now:
            state = "expired"
        else:
            state = "sent"
        rows.append(
            {
                "recipient": recipient,
                "link": link,
                "state": state,
                "can_issue": recipient.company_id not in with_account
                and recipient.status == RecipientStatus.INVITED
                and rfq.status == RfqStatus.OPEN
                and rfq.deadline > now,
            }
        )
    return rows


def guest_quote(recipient: RfqRecipient) -> Quote | None:
    """The quote sent through a link (the holder's thanks page shows it back)."""
    return Quote.objects.filter(recipient=recipient).first()


def guest_account_route(link: GuestLink) -> str:
    """How the holder of an answered link may ask for its company's first account:
    ``"email"`` (the ward holds an address: the confirmation goes there), ``"officer"``
    (a ward officer decides) or ``""`` (the company has an account already). The
    address itself is never shown."""
    company = link.recipient.company
    if company_has_account(company):
        return ""
    return "email" if company.contact_email else "officer"


def guest_rfq_view(link: GuestLink) -> dict[str, Any]:
    """What an unanswered link's page shows: the RFQ, its steps, the drawings granted to
    the company and not hidden behind the sender's NDA (then the NDA to accept), and
    whom to contact."""

    recipient = link.recipient
    rfq = recipient.rfq
    grant_ids = list(recipient.grants.values_list("pk", flat=True))
    documents = grantee_documents(grantee=recipient.company, grant_ids=grant_ids)
    active_grants = recipient.grants.filter(revoked_at__isnull=True).count()
    nda = None
    if active_grants > len(documents):
        nda = NdaText.objects.filter(company=rfq.job.company).order_by("-version").first()
    return {
        "rfq": rfq,
        "recipient": recipient,
        "steps": rfq.steps.select_related("process").order_by("position"),
        "documents": documents,
        "documents_hidden": active_grants > len(documents),
        "nda": nda,
        "contact": rfq.created_by,
    }
