"""Background work for drawings: previews are rendered off the request path."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from machikoba.core.stored_files import delete_quietly, local_path
from machikoba.drawings.choices import PreviewStatus
from machikoba.drawings.models import PreviewPage, Revision
from machikoba.drawings.previews import PreviewError, step_metadata
from machikoba.drawings.render_process import render_pages
from machikoba.drawings.services import documents_purge_due

logger = logging.getLogger(__name__)


@task()
def build_previews(revision_id: int) -> str:
    """Render a revision's pages one at a time; each page is stored as soon as it is
    ready so the viewer shows progress. A crash marks the revision "preview failed"
    with a reason instead of leaving it pending."""
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None or revision.preview_status in (PreviewStatus.READY, PreviewStatus.NONE):
        return "skipped"
    Revision.objects.filter(pk=revision.pk).update(
        preview_status=PreviewStatus.PROCESSING, preview_pages_done=0, preview_error=""
    )
    stored = []
    try:
        with local_path(revision.file) as path:
            if revision.file_kind == "step":
                Revision.objects.filter(pk=revision.pk).update(
                    preview_status=PreviewStatus.NONE, metadata=step_metadata(path)
                )
                return "metadata"
            PreviewPage.objects.filter(revision=revision).delete()
            pages = render_pages(
                path,
                revision.file_kind,
                seconds=settings.MACHIKOBA_DRAWING_RENDER_SECONDS,
                memory_bytes=settings.MACHIKOBA_DRAWING_RENDER_MEMORY_MB * 2**20,
            )
            for page in pages:
                preview = PreviewPage(
                    revision=revision, number=page.number, width=page.width, height=page.height
                )
                preview.screen.save("screen.png", ContentFile(page.screen_png), save=False)
                stored.append(preview.screen)
                preview.zoom.save("zoom.png", ContentFile(page.zoom_png), save=False)
                stored.append(preview.zoom)
                with transaction.atomic():
                    preview.save()
                    Revision.objects.filter(pk=revision.pk).update(preview_pages_done=page.number)
    except PreviewError as error:
        _fail(revision, error.message, stored)
        return "failed"
    except Exception:  # a crash must not leave the revision pending
        logger.exception("preview of revision %s crashed", revision.pk)
        _fail(revision, _("プレビューの作成中に予期しないエラーが起きました。"), stored)
        return "failed"
    Revision.objects.filter(pk=revision.pk).update(preview_status=PreviewStatus.READY)
    return "ready"


def _fail(revision, reason: str, stored_files) -> None:
    PreviewPage.objects.filter(revision=revision).delete()
    for field_file in stored_files:
        delete_quietly(field_file)
    Revision.objects.filter(pk=revision.pk).update(
        preview_status=PreviewStatus.FAILED, preview_error=str(reason)[:500], preview_pages_done=0
    )


@task()
def purge_due_documents() -> int:
    """The scheduled retention purge: destroy documents whose period has ended."""
    return len(documents_purge_due())
