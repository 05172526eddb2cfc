"""Who sees which document: the owning company, and companies holding an active
grant whose owner's current NDA they have accepted. Nobody else — not ward officers,
not platform admins (they have the admin, which does not show document content)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from machikoba.core.access import CHANGE, DELETE, MANAGE, NOTHING, VIEW, company_ids_for

ALL_ROLES = ("owner", "staff", "floor_worker")
EDITOR_ROLES = ("owner", "staff")


def active_grants() -> Q:
    now = timezone.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def usable_grants(company_ids) -> QuerySet:
    """Active grants to ``company_ids`` whose owner's latest NDA the grantee accepted
    (or whose owner has no NDA text)."""
    from machikoba.drawings.models import Grant, NdaAcceptance, NdaText

    latest_nda = (
        NdaText.objects.filter(company=OuterRef("document__company"))
        .order_by("-version")
        .values("pk")[:1]
    )
    return (
        Grant.objects.filter(grantee__in=company_ids)
        .filter(active_grants())
        .annotate(latest_nda=Subquery(latest_nda))
        .filter(
            Q(latest_nda__isnull=True)
            | Exists(
                NdaAcceptance.objects.filter(
                    nda=OuterRef("latest_nda"), company=OuterRef("grantee")
                )
            )
        )
    )


def granted_to(company_ids) -> tuple[set[int], dict[int, int]]:
    """What usable grants open to ``company_ids``: the ids of documents shared whole, and
    {revision id: document id} for revisions shared alone.

    Read eagerly, in one query: a company holds tens or hundreds of grants, and plain id
    lists keep every scope that uses them simple to plan and cheap to build."""
    whole: set[int] = set()
    single: dict[int, int] = {}
    if not company_ids:
        return whole, single
    for document_id, revision_id in usable_grants(company_ids).values_list(
        "document_id", "revision_id"
    ):
        if revision_id is None:
            whole.add(document_id)
        else:
            single[revision_id] = document_id
    return whole, single


def document_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = company_ids_for(user, ALL_ROLES)
        whole, single = granted_to(mine)
        return Q(company__in=mine) | Q(pk__in=sorted(whole | set(single.values())))
    if action in (CHANGE, MANAGE):
        return Q(company__in=company_ids_for(user, EDITOR_ROLES))
    if action == DELETE:
        return Q(company__in=company_ids_for(user, ("owner",)))
    return NOTHING


def revision_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = company_ids_for(user, ALL_ROLES)
        whole, single = granted_to(mine)
        return (
            Q(document__company__in=mine) | Q(document__in=sorted(whole)) | Q(pk__in=sorted(single))
        )
    if action in (CHANGE, MANAGE):
        return Q(document__company__in=company_ids_for(user, EDITOR_ROLES))
    return NOTHING


def grant_for(user, revision):
    """The usable grant through which a (non-owner) user sees ``revision``, or None."""
    mine = company_ids_for(user, ALL_ROLES)
    return (
        usable_grants(mine)
        .filter(document=revision.document_id)
        .filter(Q(revision__isnull=True) | Q(revision=revision))
        .order_by("-can_download", "-created_at")
        .select_related("grantee")
        .first()
    )


def is_owner_member(user, document) -> bool:
    return document.company_id in company_ids_for(user, ALL_ROLES)
