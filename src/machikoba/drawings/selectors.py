from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import MEMBER_ROLES, VIEW, AccessQuerySet, company_ids_for
from machikoba.drawings.access import active_grants
from machikoba.drawings.models import Document, DocumentEvent, Grant, NdaAcceptance, NdaText

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class GrantRow(TypedDict):
    nda_accepted: bool


def documents_of(*, user: User, company: Company) -> AccessQuerySet[Document]:
    """The active company's own documents."""
    return (
        Document.objects.for_user(user, VIEW).filter(company=company).prefetch_related("revisions")
    )


def documents_shared_with(*, user: User, company: Company) -> AccessQuerySet[Document]:
    """Documents other companies shared with ``company`` (NDA accepted, grant active)."""
    return (
        Document.objects.for_user(user, VIEW)
        .exclude(company=company)
        .filter(grants__grantee=company)
        .distinct()
        .select_related("company")
    )


def owners_awaiting_nda(*, user: User, company: Company | None) -> list[NdaText]:
    """The current NDA of each owner that shared something with ``company`` and whose
    NDA it has not accepted yet: until it does, it sees only the owner's name."""
    if company is None or company.pk not in company_ids_for(user, MEMBER_ROLES):
        return []
    owners = (
        Grant.objects.filter(grantee=company)
        .filter(active_grants())
        .values_list("document__company", flat=True)
        .distinct()
    )
    pending = []
    for owner_id in owners:
        latest = (
            NdaText.objects.filter(company_id=owner_id)
            .select_related("company")
            .order_by("-version")
            .first()
        )
        if latest and not NdaAcceptance.objects.filter(nda=latest, company=company).exists():
            pending.append(latest)
    return pending


def document_events(*, user: User, document: Document) -> AccessQuerySet[DocumentEvent]:
    return DocumentEvent.objects.for_user(user, VIEW).filter(document=document)


def grants_of(
    *, user: User, document: Document
) -> AccessQuerySet[WithAnnotations[Grant, GrantRow]]:
    return (
        Grant.objects.for_user(user, VIEW)
        .filter(document=document)
        .select_related("grantee", "revision")
        .annotate(
            nda_accepted=Exists(
                NdaAcceptance.objects.filter(
                    company=OuterRef("grantee"), nda__company=document.company
                )
            )
        )
    )
