"""An oversized upload is dropped while it streams in: a clear message, nothing on disk,
nothing in the database, and CSRF still checked."""

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.core.testing.matrix import MEMBER
from machikoba.drawings.models import Document, Revision
from machikoba.drawings.tests.factories import make_document
from machikoba.drawings.tests.samples import pdf_bytes

LIMIT = 1_000_000


@pytest.fixture
def folders(settings, tmp_path):
    media, spool = tmp_path / "media", tmp_path / "spool"
    media.mkdir()
    spool.mkdir()
    settings.MEDIA_ROOT = media
    settings.FILE_UPLOAD_TEMP_DIR = spool
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload is spooled to a file
    settings.MACHIKOBA_DRAWING_MAX_BYTES = LIMIT
    return media, spool


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _oversized(name="huge.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # A real PDF padded past the limit: the content does not matter, only its size.
    return SimpleUploadedFile(name, pdf_bytes(pages=1) + b"%" * (3 * LIMIT))


def test_a_new_document_over_the_limit_is_refused_with_a_message(world, folders):
    response = world.client_for(MEMBER).post(
        reverse("drawings:create"),
        {"title": "大きな図面", "kind": "drawing", "file": _oversized()},
    )
    assert response.status_code == 200
    assert "ファイルが大きすぎます（上限 1 MB）" in response.content.decode()
    assert Document.objects.count() == 0
    media, spool = folders
    assert _files(media) == []
    assert _files(spool) == []


def test_a_new_revision_over_the_limit_is_refused(world, folders):
    document = make_document(world.company)
    media, spool = folders
    before = _files(media)
    response = world.client_for(MEMBER).post(
        reverse("drawings:revision_create", args=[document.pk]),
        {"change_note": "穴位置変更", "file": _oversized()},
    )
    assert response.status_code == 200
    assert "ファイルが大きすぎます" in response.content.decode()
    assert Revision.objects.filter(document=document).count() == 1
    assert _files(media) == before
    assert _files(spool) == []


def test_a_file_within_the_limit_still_uploads(world, folders):
    response = world.client_for(MEMBER).post(
        reverse("drawings:create"),
        {"title": "小さな図面", "kind": "drawing", "file": _small()},
    )
    assert response.status_code == 302
    assert Document.objects.get().title == "小さな図面"


def _small():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("small.pdf", pdf_bytes(pages=1))


def test_upload_pages_still_check_csrf(world, folders):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("drawings:create"), {"title": "x", "kind": "drawing", "file": _small()}
    )
    assert response.status_code == 403
    assert Document.objects.count() == 0
