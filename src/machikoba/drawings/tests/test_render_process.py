"""Previews render in a child process with a time and a memory limit; whatever the child
does, the worker gets a page, or a reason."""

import pytest

from machikoba.core.testing.matrix import MEMBER
from machikoba.drawings import services
from machikoba.drawings.models import PreviewPage
from machikoba.drawings.previews import PreviewError
from machikoba.drawings.render_process import render_pages
from machikoba.drawings.tasks import build_previews
from machikoba.drawings.tests import samples

GIB = 2**30


def test_pages_come_back_from_the_child_in_order(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(samples.pdf_bytes(3))
    pages = list(render_pages(path, "pdf", seconds=120, memory_bytes=3 * GIB))
    assert [p.number for p in pages] == [1, 2, 3]
    assert all(p.screen_png.startswith(b"\x89PNG") for p in pages)


def test_a_renderer_past_its_time_is_stopped_with_a_reason(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(samples.pdf_bytes(3))
    with pytest.raises(PreviewError) as failed:
        list(render_pages(path, "pdf", seconds=0.05, memory_bytes=3 * GIB))
    assert "制限時間" in failed.value.message


def test_a_renderer_out_of_memory_fails_with_a_reason(tmp_path):
    path = tmp_path / "a1.pdf"
    path.write_bytes(samples.pdf_bytes(1, size=samples.A1))
    with pytest.raises(PreviewError) as failed:
        list(render_pages(path, "pdf", seconds=120, memory_bytes=300 * 2**20))
    assert "大きすぎる" in failed.value.message


def test_the_task_marks_a_slow_preview_failed_and_stores_nothing(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.MACHIKOBA_DRAWING_RENDER_SECONDS = 0
    document = services.document_create(
        actor=world.users[MEMBER],
        company=world.company,
        title="大きな図面",
        kind="drawing",
        upload=SimpleUploadedFile("big.pdf", samples.pdf_bytes(2)),
    )
    revision = document.revisions.get()
    assert build_previews.call(revision.pk) == "failed"
    revision.refresh_from_db()
    assert revision.preview_status == "failed"
    assert "制限時間" in revision.preview_error
    assert not PreviewPage.objects.filter(revision=revision).exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / revision.file.name]


def test_a_dxf_broken_past_the_quick_check_fails_its_preview_with_a_reason(
    world, settings, tmp_path
):
    """The upload checks only the first tags of a DXF (a full read takes seconds per MB);
    damage further in is found by the preview, which says so."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    good = samples.dxf_bytes(rows=40, cols=40)  # ~60,000 tags
    cut = good.index(b"\n  0\n", int(len(good) * 0.9))
    broken = good[:cut] + b"\nxyz\nLINE" + good[cut:]  # a group code that is not a number
    document = services.document_create(
        actor=world.users[MEMBER],
        company=world.company,
        title="壊れた DXF",
        kind="drawing",
        upload=SimpleUploadedFile("broken.dxf", broken),
    )
    revision = document.revisions.get()
    assert build_previews.call(revision.pk) == "failed"
    revision.refresh_from_db()
    assert revision.preview_status == "failed"
    assert "DXF ファイルを読み取れなかった" in revision.preview_error
