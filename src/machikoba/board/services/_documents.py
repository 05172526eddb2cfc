"""The buyer's drawings go with the work: shared with a company when it is admitted or its
team wins, revoked as soon as it leaves the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from machikoba.board.models import Request
from machikoba.drawings.services import grant_create, grant_end

if TYPE_CHECKING:
    from django.db.models import Manager

    from machikoba.accounts.models import User
    from machikoba.companies.models import Company
    from machikoba.drawings.models import Grant


def _share_documents(actor: User, request: Request, company: Company) -> list[Grant]:
    return [
        grant_create(actor=actor, document=document, grantee=company, can_download=False)
        for document in request.documents.filter(destroyed_at__isnull=True)
    ]


def _revoke(actor: User, grants: Manager[Grant]) -> None:
    """The drawings go with the work: a company leaving it loses them at once."""
    for grant in grants.filter(revoked_at__isnull=True).select_related("grantee", "document"):
        grant_end(grant=grant, actor=actor, reason=_("引き合いの取引から外れたため"))
