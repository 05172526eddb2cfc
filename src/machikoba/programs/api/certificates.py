"""Checking a graduation certificate by its printed code, as the public page does
(``/verify/certificates/<code>/``, the QR code on the certificate): open to anyone, no
session or token needed. The code (64 random bits) is the credential; the answer states
only what the certificate states (programme, cohort, participant, day, ward, code), never
the company or any figure. Lookups count against the same per-address limit as the page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Schema
from pydantic import Field

from machikoba.apitokens.error_codes import ApiTokensErrorCode
from machikoba.core.errors import ApplicationError
from machikoba.core.views import client_ip
from machikoba.programs.api._router import router
from machikoba.programs.selectors import graduates as graduate_selectors

# The page's limit and counter (``views_homework.certificate_verify``): page and API
# together, per client address and minute.
VERIFY_PER_MINUTE = 30
VERIFY_KEY = "programs:certificate_verify:{address}"

CertificateCode = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        description="the number printed on the certificate (ABCD-1234-EF56-7890; case, dashes"
        " and spaces do not matter)",
    ),
]


class ProgramsCertificateCheckOut(Schema):
    """What the public page shows of a certificate, and nothing more."""

    code: str = Field(description="the certificate's number as printed")
    program: str
    cohort: str
    participant: str = Field(description="who graduated")
    graduated_on: dt.date
    ward: str = Field(description="the ward that ran the programme")


def _too_many_lookups(request) -> bool:
    key = VERIFY_KEY.format(address=client_ip(request) or "unknown")
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > VERIFY_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=60)
        return False


@router.get(
    "/certificates/{code}",
    response=ProgramsCertificateCheckOut,
    auth=None,
    summary="Check a graduation certificate by its printed number (anyone)",
)
def programs_certificate_verify(request, code: CertificateCode):
    if _too_many_lookups(request):
        raise ApplicationError(
            ApiTokensErrorCode.RATE_LIMITED,
            _("確認の回数が多すぎます。1分ほど待ってから、もう一度開いてください。"),
            status_code=429,
        )
    found = graduate_selectors.certificate_lookup(code)
    if found is None:
        raise Http404
    return ProgramsCertificateCheckOut(
        code=found.code,
        program=found.program,
        cohort=found.cohort,
        participant=found.participant,
        graduated_on=found.graduated_on,
        ward=found.ward,
    )
