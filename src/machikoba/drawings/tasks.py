"""Background work for drawings: previews are rendered off the request path."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from machikoba.core.stored_files import delete_quietly, local_path
from machikoba.core.task_recovery import TaskInterrupted, current_task_id, stop_requested
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
    with a reason instead of leaving it pending; a worker that stops (or dies) mid-way
    leaves it pending, and the task runs again: the pages of the cut-short run are
    discarded and the preview is built once (core/task_recovery.py)."""
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
            _discard_pages(revision)  # what a run cut short had stored
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
    except Exception as error:
        if _worker_stopping():
            # The signal that stops the worker also killed the renderer: not the file's
            # fault. Back to pending; the task is queued again and starts over.
            _discard(revision, stored, PreviewStatus.PENDING, "")
            raise TaskInterrupted(f"preview of revision {revision.pk}") from error
        if isinstance(error, PreviewError):
            _discard(revision, stored, PreviewStatus.FAILED, error.message)
        else:  # a crash must not leave the revision pending
            logger.exception("preview of revision %s crashed", revision.pk)
            _discard(
                revision,
                stored,
                PreviewStatus.FAILED,
                _("プレビューの作成中に予期しないエラーが起きました。"),
            )
        return "failed"
    Revision.objects.filter(pk=revision.pk).update(preview_status=PreviewStatus.READY)
    return "ready"


def _worker_stopping() -> bool:
    # Inside the worker, give the stop signal a moment: it reaches the renderer (same
    # process group) and the worker at once, and the renderer's death may be seen first.
    return stop_requested(grace=0.5 if current_task_id() else 0.0)


def _discard_pages(revision: Revision) -> None:
    for page in PreviewPage.objects.filter(revision=revision):
        delete_quietly(page.screen)
        delete_quietly(page.zoom)
    PreviewPage.objects.filter(revision=revision).delete()


def _discard(revision: Revision, stored_files, status: str, reason) -> None:
    _discard_pages(revision)
    for field_file in stored_files:
        delete_quietly(field_file)
    Revision.objects.filter(pk=revision.pk).update(
        preview_status=status, preview_error=str(reason)[:500], preview_pages_done=0
    )


@task()
def purge_due_documents() -> int:
    """The scheduled retention purge: destroy documents whose period has ended."""
    return len(documents_purge_due())
