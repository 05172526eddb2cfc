"""Who sees which document: the owning company, and companies holding an active
grant whose owner's current NDA they have accepted (a deactivated company's people: only
its own documents, read-only, during its grace period; ``core.access.company_usable``).
Nobody else — not ward officers,
not platform admins (they have the admin, which does not show document content)."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from machikoba.core.access import (
    CHANGE,
    DELETE,
    EDITOR_ROLES,
    EVERYTHING,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    OWNER_ROLES,
    VIEW,
    company_ids_for,
)

# Models are read through the app registry: models.py imports this module.


def active_grants() -> Q:
    now = timezone.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def usable_grants(company_ids) -> QuerySet:
    """Active grants to ``company_ids`` (active companies among them) whose owner's latest
    NDA the grantee accepted (or whose owner has no NDA text)."""
    # no mutate: the app registry ignores a model name's case (equivalent mutants)
    grant = apps.get_model("drawings", "Grant")  # pragma: no mutate
    nda_acceptance = apps.get_model("drawings", "NdaAcceptance")  # pragma: no mutate
    nda_text = apps.get_model("drawings", "NdaText")  # pragma: no mutate
    latest_nda = (
        nda_text.objects.filter(company=OuterRef("document__company"))
        .order_by("-version")
        .values("pk")[:1]
    )
    return (
        # A deactivated grantee uses no grant: its people keep reading their own
        # documents for the grace period, not what others shared with it.
        grant.objects.filter(grantee__in=company_ids, grantee__is_active=True)
        .filter(active_grants())
        .annotate(latest_nda=Subquery(latest_nda))
        .filter(
            Q(latest_nda__isnull=True)
            | Exists(
                nda_acceptance.objects.filter(
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
    """Members of the owning company see their documents; another company sees one
    only through an active grant and after accepting the owner's current NDA.
    Ward officers and platform admins get nothing here."""
    if action == VIEW:
        mine = company_ids_for(user, MEMBER_ROLES, VIEW)
        whole, single = granted_to(mine)
        return Q(company__in=mine) | Q(pk__in=sorted(whole | set(single.values())))
    if action in (CHANGE, MANAGE):
        return Q(company__in=company_ids_for(user, EDITOR_ROLES))
    if action == DELETE:
        return Q(company__in=company_ids_for(user, OWNER_ROLES))
    return NOTHING


def revision_scope(user, action: str) -> Q:
    if action == VIEW:
        mine = company_ids_for(user, MEMBER_ROLES, VIEW)
        whole, single = granted_to(mine)
        return (
            Q(document__company__in=mine) | Q(document__in=sorted(whole)) | Q(pk__in=sorted(single))
        )
    if action in (CHANGE, MANAGE):
        return Q(document__company__in=company_ids_for(user, EDITOR_ROLES))
    return NOTHING


def preview_page_scope(user, action: str) -> Q:
    """A preview page is visible exactly when its revision is."""
    # no mutate: the app registry ignores a model name's case (equivalent mutants)
    revision = apps.get_model("drawings", "Revision")  # pragma: no mutate
    return Q(revision__in=revision.objects.for_user(user, action).values("pk"))


def nda_text_scope(user, action: str) -> Q:
    """Every signed-in company may read NDA texts (it must, to accept one); only the
    owner's owners and staff write new versions (through the service)."""
    if action == VIEW:
        return EVERYTHING
    return Q(company__in=company_ids_for(user, EDITOR_ROLES))


def nda_acceptance_scope(user, action: str) -> Q:
    """Both sides see an acceptance: the accepting company and the NDA's owner."""
    if action != VIEW:
        return NOTHING
    mine = company_ids_for(user, MEMBER_ROLES, VIEW)
    return Q(company__in=mine) | Q(nda__company__in=mine)


def grant_scope(user, action: str) -> Q:
    """The owner sees and manages its grants; the grantee sees grants made to it."""
    editors = company_ids_for(user, EDITOR_ROLES)
    if action == VIEW:
        mine = company_ids_for(user, MEMBER_ROLES, VIEW)
        return Q(document__company__in=mine) | Q(grantee__in=mine)
    return Q(document__company__in=editors)


def document_event_scope(user, action: str) -> Q:
    """The document owner's owners and staff read its access log."""
    if action != VIEW:
        return NOTHING
    return Q(document__company__in=company_ids_for(user, EDITOR_ROLES, VIEW))


def destruction_certificate_scope(user, action: str) -> Q:
    """The owning company's owners and staff read (and download) its certificates."""
    if action != VIEW:
        return NOTHING
    return Q(document__company__in=company_ids_for(user, EDITOR_ROLES, VIEW))


def grant_for(user, revision):
    """The usable grant through which a (non-owner) user sees ``revision``, or None."""
    mine = company_ids_for(user, MEMBER_ROLES, VIEW)
    return (
        usable_grants(mine)
        .filter(document=revision.document_id)
        .filter(Q(revision__isnull=True) | Q(revision=revision))
        .order_by("-can_download", "-created_at")
        .select_related("grantee")  # pragma: no mutate (saves a query, nothing else)
        .first()
    )


def is_owner_member(user, document) -> bool:
    return document.company_id in company_ids_for(user, MEMBER_ROLES, VIEW)
