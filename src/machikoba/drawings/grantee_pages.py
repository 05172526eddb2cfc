"""Preview pages seen by a grantee company with nobody signed in: the shop that holds a
one-time RFQ link (``network``). The same rules as the viewer: only through the given
grants, only while they are usable (active, the owner's NDA accepted), never a destroyed
document, the latest revision a whole-document grant opens, the watermark burned in,
and a line in the document's log for each viewing. No download exists on this path."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.stored_files import read_small
from machikoba.drawings.access import usable_grants
from machikoba.drawings.choices import DocumentAction
from machikoba.drawings.models import DocumentEvent, PreviewPage, Revision
from machikoba.drawings.watermark import watermark_lines, watermark_stored_page


def _usable(grantee, grant_ids) -> list:
    return list(
        usable_grants([grantee.pk])
        .filter(pk__in=list(grant_ids), document__destroyed_at__isnull=True)
        .select_related("document", "revision")
        .order_by("document__title", "document_id")
    )


def _revision_of(grant) -> Revision | None:
    if grant.revision_id is not None:
        return grant.revision
    return grant.document.revisions.order_by("-number").first()


def grantee_documents(*, grantee, grant_ids) -> list[dict]:
    """What ``grant_ids`` (grants made to ``grantee``) show now: one row per document
    with the revision shown and its page numbers."""
    rows, seen = [], set()
    for grant in _usable(grantee, grant_ids):
        if grant.document_id in seen:
            continue
        revision = _revision_of(grant)
        if revision is None:
            continue
        seen.add(grant.document_id)
        pages = list(PreviewPage.objects.filter(revision=revision).values_list("number", flat=True))
        rows.append({"document": grant.document, "revision": revision, "pages": pages})
    return rows


def grantee_view_record(*, grantee, rows: list[dict], via: str, ip_address=None) -> None:
    """Log, on each document's access log, that ``grantee`` looked at it through ``via``."""
    for row in rows:
        DocumentEvent.objects.create(
            document=row["document"],
            revision=row["revision"],
            action=DocumentAction.VIEW,
            actor=None,
            actor_label=via[:254],
            actor_company_name=grantee.name[:200],
            ip_address=ip_address,
            detail=f"rev.{row['revision'].label}",
        )


def grantee_page_png(
    *, grantee, grant_ids, document_pk: int, page: int, viewer: str, zoom: bool = False
) -> bytes | None:
    """Page ``page`` of a document that ``grant_ids`` open to ``grantee``, watermarked with
    the company, ``viewer`` and the time; None when those grants do not open it."""
    grant = next((g for g in _usable(grantee, grant_ids) if g.document_id == document_pk), None)
    revision = _revision_of(grant) if grant is not None else None
    if revision is None:
        return None
    preview = PreviewPage.objects.filter(revision=revision, number=page).first()
    if preview is None:
        return None
    field = preview.zoom if zoom else preview.screen
    lines = watermark_lines(
        company=grantee.name, user=viewer or _("回答用リンク"), when=timezone.now()
    )
    return watermark_stored_page(field.name, lambda: read_small(field), lines=lines)
