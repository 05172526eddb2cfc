"""Caller-trusted drawings services: they check no user's rights, because their caller
already proved the right some other way (a one-time link, a signed token). Only other
services import them; views and API handlers never do (``lint-imports`` enforces it)."""

from __future__ import annotations

from machikoba.companies.models import Company
from machikoba.drawings.models import NdaAcceptance, NdaText
from machikoba.drawings.services import _nda_acceptance_record


def nda_accept_by_link(
    *, company: Company, nda: NdaText, via: str, ip_address: str | None = None
) -> NdaAcceptance:
    """A shop without an account accepts ``nda`` on the page its one-time link opened
    (the link is the credential; the network service checked it). Recorded like any
    acceptance, with no person but the link named in the drawings' access log."""
    return _nda_acceptance_record(
        nda=nda,
        company=company,
        actor=None,
        ip_address=ip_address,
        detail=f"NDA v{nda.version} ({via})"[:300],
    )
