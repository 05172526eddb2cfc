"""A preview cut short by its worker stopping or dying is built again, once; it is never
left "preview failed" for a cause that was not the file's."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.core import task_recovery
from machikoba.core.task_recovery import TaskInterrupted, running_task
from machikoba.core.testing.matrix import MEMBER
from machikoba.drawings import services
from machikoba.drawings import tasks as drawing_tasks
from machikoba.drawings.models import PreviewPage, Revision
from machikoba.drawings.previews import PreviewError
from machikoba.drawings.tests.samples import pdf_bytes

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _no_stop():
    task_recovery.reset_stop()
    yield
    task_recovery.reset_stop()


def _files(root, folder="previews"):
    return sorted(p for p in root.rglob("*") if p.is_file() and folder in p.parts)


def _revision(world, pages=2) -> Revision:
    document = services.document_create(
        actor=world.users[MEMBER],
        company=world.company,
        title="フランジ",
        drawing_number="F-200",
        kind="drawing",
        upload=SimpleUploadedFile("flange.pdf", pdf_bytes(pages=pages)),
        change_note="初版",
    )
    return document.revisions.get()


def test_a_stop_signal_mid_preview_leaves_it_pending_and_the_next_run_builds_it(
    world, media, monkeypatch
):
    revision = _revision(world, pages=2)
    real_render = drawing_tasks.render_pages

    def render_then_die(path, kind, **limits):
        pages = real_render(path, kind, **limits)
        yield next(pages)  # one page stored, then systemd's SIGTERM kills the renderer
        task_recovery.request_stop()
        raise PreviewError("プレビューの作成中に予期しないエラーが起きました。")

    monkeypatch.setattr(drawing_tasks, "render_pages", render_then_die)
    with running_task("preview-1", 1), pytest.raises(TaskInterrupted):
        drawing_tasks.build_previews.call(revision.pk)
    revision.refresh_from_db()
    assert (revision.preview_status, revision.preview_error) == ("pending", "")
    assert not PreviewPage.objects.filter(revision=revision).exists()
    assert _files(media) == []  # the page stored before the stop was removed

    task_recovery.reset_stop()
    monkeypatch.setattr(drawing_tasks, "render_pages", real_render)
    with running_task("preview-1", 2):
        assert drawing_tasks.build_previews.call(revision.pk) == "ready"
    revision.refresh_from_db()
    assert revision.preview_status == "ready"
    assert list(revision.preview_pages.values_list("number", flat=True)) == [1, 2]
    assert len(_files(media)) == 4  # screen + zoom per page, nothing else
    # Delivered once more (a duplicate run), it does nothing.
    with running_task("preview-1", 3):
        assert drawing_tasks.build_previews.call(revision.pk) == "skipped"
    assert revision.preview_pages.count() == 2


def test_a_run_after_a_killed_worker_replaces_the_pages_it_left(world, media):
    revision = _revision(world, pages=2)
    # The killed run (SIGKILL: no handler ran) stored page 1 and left the revision running.
    leftover = PreviewPage(revision=revision, number=1, width=1, height=1)
    leftover.screen.save("screen.png", ContentFile(b"old"), save=False)
    leftover.zoom.save("zoom.png", ContentFile(b"old"), save=False)
    leftover.save()
    Revision.objects.filter(pk=revision.pk).update(preview_status="processing")
    old_files = _files(media)
    assert len(old_files) == 2

    with running_task("preview-2", 2):
        assert drawing_tasks.build_previews.call(revision.pk) == "ready"
    assert revision.preview_pages.count() == 2
    files = _files(media)
    assert len(files) == 4
    assert not set(old_files) & set(files)


def test_a_file_that_cannot_be_rendered_still_fails_with_its_reason(world, monkeypatch):
    revision = _revision(world, pages=1)

    def broken(path, kind, **limits):
        raise PreviewError("図面を読み込めませんでした。")
        yield  # pragma: no cover

    monkeypatch.setattr(drawing_tasks, "render_pages", broken)
    with running_task("preview-3", 1):
        assert drawing_tasks.build_previews.call(revision.pk) == "failed"
    revision.refresh_from_db()
    assert (revision.preview_status, revision.preview_error) == (
        "failed",
        "図面を読み込めませんでした。",
    )
