"""Opening and downloading a revision, the one way for the page and the API. Opening it
in the viewer is logged and answers who may download. Downloading: its owners get the
original, streamed; a partner whose grant allows downloads gets a copy watermarked with
who they are and when (PDF, or the image as PNG); anything else is refused and the refusal
is logged on the document. Every download is logged."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import VIEW
from machikoba.core.views import client_ip, content_disposition
from machikoba.drawings import services
from machikoba.drawings.access import grant_for, is_owner_member
from machikoba.drawings.choices import DocumentAction
from machikoba.drawings.models import PreviewPage, Revision
from machikoba.drawings.watermark import watermark_lines, watermark_pdf, watermark_png

WATERMARKABLE = ("pdf", "png", "jpeg")


def watermark_lines_for(request: Any) -> list[str]:
    """The watermark's lines for the person asking: their company, their name, now."""
    company = getattr(request, "active_company", None) or None
    return watermark_lines(
        company=company.name if company else "",
        user=request.user.get_full_name(),
        when=timezone.now(),
    )


def log_download(request: Any, revision: Revision, name: str) -> None:
    services.document_event_record(
        document=revision.document,
        revision=revision,
        action=DocumentAction.DOWNLOAD,
        actor=request.user,
        ip_address=client_ip(request),
        detail=name,
    )


def _as_png(data: bytes) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGB").save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class OpenedRevision:
    owner: bool
    can_download: bool
    pages: Any  # the revision's preview pages, read through the access layer


def viewer_open(request: Any, revision: Revision) -> OpenedRevision:
    """Open ``revision`` (fetched through the access layer) in the viewer: the view is
    logged on the document; the pages and whether the person may download."""
    owner = is_owner_member(request.user, revision.document)
    grant = None if owner else grant_for(request.user, revision)
    services.document_event_record(
        document=revision.document,
        revision=revision,
        action=DocumentAction.VIEW,
        actor=request.user,
        ip_address=client_ip(request),
        detail=f"rev.{revision.label}",
    )
    return OpenedRevision(
        owner=owner,
        can_download=owner or (grant is not None and grant.can_download),
        pages=PreviewPage.objects.for_user(request.user, VIEW).filter(revision=revision),
    )


def download_response(request: Any, revision: Revision) -> HttpResponseBase:
    """The answer to ``request`` for ``revision``, which the caller already fetched through
    the access layer (a revision the person may see)."""
    document = revision.document
    if is_owner_member(request.user, document):
        log_download(request, revision, revision.original_name)
        # The original, streamed from storage (drawings run to hundreds of megabytes).
        original = FileResponse(
            revision.file.storage.open(str(revision.file.name), "rb"),
            as_attachment=True,
            filename=revision.original_name,
            content_type=revision.mime,
        )
        original["Cache-Control"] = "private, no-store"
        return original
    grant = grant_for(request.user, revision)
    if grant is None or not grant.can_download or revision.file_kind not in WATERMARKABLE:
        services.document_event_record(
            document=document,
            revision=revision,
            action=DocumentAction.DENIED,
            actor=request.user,
            ip_address=client_ip(request),
            detail=_("ダウンロード"),
        )
        raise PermissionDenied
    lines = watermark_lines_for(request)
    stem = revision.original_name.rsplit(".", 1)[0]
    with revision.file.storage.open(str(revision.file.name), "rb") as handle:
        if revision.file_kind == "pdf":
            content = watermark_pdf(handle, lines=lines)
            mime, name = "application/pdf", f"{stem}_watermarked.pdf"
        else:
            content = watermark_png(_as_png(handle.read()), lines=lines)
            mime, name = "image/png", f"{stem}_watermarked.png"
    log_download(request, revision, name)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response
