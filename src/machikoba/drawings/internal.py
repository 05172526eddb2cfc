"""Caller-trusted drawings services: they check no user's rights, because their caller
already proved the right some other way (a one-time link, a signed token). Only other
services import them; views and API handlers never do (``lint-imports`` enforces it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from machikoba.companies.models import Company
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError
from machikoba.drawings.choices import DocumentAction
from machikoba.drawings.error_codes import DrawingsErrorCode
from machikoba.drawings.models import Grant, NdaAcceptance, NdaText
from machikoba.drawings.services import document_event_record


def nda_accept_by_link(
    *, company: Company, nda: NdaText, via: str, ip_address: str | None = None
) -> NdaAcceptance:
    """A shop without an account accepts ``nda`` on the page its one-time link opened
    (the link is the credential; the network service checked it). Recorded like any
    acceptance, with no person but the link named in the drawings' access log."""
    latest = nda.company.nda_texts.order_by("-version").first()
    if latest is None or latest.pk != nda.pk:
        raise ApplicationError(
            DrawingsErrorCode.NDA_OUTDATED,
            _("新しい版の秘密保持条項があります。最新の条項を読んでから同意してください。"),
        )
    acceptance, created = NdaAcceptance.objects.get_or_create(
        nda=nda, company=company, defaults={"accepted_by": None, "ip_address": ip_address}
    )
    if created:
        for grant in Grant.objects.filter(document__company=nda.company, grantee=company):
            document_event_record(
                document=grant.document,
                action=DocumentAction.NDA_ACCEPT,
                ip_address=ip_address,
                detail=f"NDA v{nda.version} ({via})"[:300],
            )
        audit_record(actor=None, verb="nda.accept", target=acceptance, company=company)
    return acceptance
