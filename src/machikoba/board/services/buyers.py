"""Buyer registration: a company outside the network that posts requests.

Anyone signed in may register a buyer, so registrations are limited (issue 15, finding
2): one a day per person and ``BUYER_REGISTRATIONS_PER_IP`` a day per client address,
counted from the audit log. Buyers never count as a source of the network's price
statistics, and the quotes on a buyer's RFQs count only once the buyer has been on the
platform for ``network.planning.prices.ESTABLISHED_DAYS`` (see there).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.error_codes import BoardErrorCode
from machikoba.companies.choices import CompanyKind
from machikoba.companies.services import company_create
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company

BUYER_REGISTRATION_VERB = "company.register_buyer"
BUYER_REGISTRATION_WINDOW = dt.timedelta(days=1)
BUYER_REGISTRATIONS_PER_PERSON = 1
BUYER_REGISTRATIONS_PER_IP = 3


def _require_registration_allowed(actor: User, ip_address: str | None) -> None:
    recent = AuditEvent.objects.filter(
        verb=BUYER_REGISTRATION_VERB,
        occurred_at__gte=timezone.now() - BUYER_REGISTRATION_WINDOW,
    )
    by_person = recent.filter(actor=actor).count() >= BUYER_REGISTRATIONS_PER_PERSON
    by_address = (
        ip_address is not None
        and recent.filter(ip_address=ip_address).count() >= BUYER_REGISTRATIONS_PER_IP
    )
    if by_person or by_address:
        raise ApplicationError(
            BoardErrorCode.BUYER_REGISTRATION_LIMIT,
            _("発注企業の登録が多すぎます。明日以降にもう一度お試しください。"),
        )


@transaction.atomic
def buyer_register(
    *,
    actor: User,
    name: str,
    prefecture: str = "",
    municipality: str = "",
    ip_address: str | None = None,
    **profile: Any,
) -> Company:
    """A person registers the company they buy for, becoming its owner. Buyers post
    requests; they are not listed in the directory and do not see the board. Limited per
    person and per client address (see the module's docstring)."""
    if not actor.is_authenticated:
        raise PermissionRefused(BoardErrorCode.NOT_SIGNED_IN, _("ログインしてください。"))
    _require_registration_allowed(actor, ip_address)
    company = company_create(
        actor=None,
        name=name,
        owner=actor,
        prefecture=prefecture,
        municipality=municipality,
        kind=CompanyKind.BUYER,
        **profile,
    )
    audit_record(
        actor=actor,
        verb=BUYER_REGISTRATION_VERB,
        target=company,
        company=company,
        ip_address=ip_address,
    )
    return company
