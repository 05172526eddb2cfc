"""Company photos and the company-list import stop reading an oversized upload while it
streams in (core.uploads): a Japanese message on the form, nothing stored, no temporary
file left, and the rest of the body never read."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import FakePayload
from django.urls import reverse
from PIL import Image

from machikoba.companies.importing import reading
from machikoba.companies.models import CompanyPhoto
from machikoba.companies.models_io import ImportJob
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import WardRoleFactory, force_login_with_mfa, give_totp
from machikoba.core.testing.matrix import MEMBER

LIMIT = 1_000_000
BODY = 5 * LIMIT
# What may be read past the limit: the fields before the file and one chunk of it.
SLACK = 200_000


@pytest.fixture
def folders(settings, tmp_path):
    media, spool = tmp_path / "media", tmp_path / "spool"
    media.mkdir()
    spool.mkdir()
    settings.MEDIA_ROOT = media
    settings.FILE_UPLOAD_TEMP_DIR = spool
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload is spooled to a file
    return media, spool


@pytest.fixture
def bytes_read(monkeypatch):
    """How many bytes of the request body the server read."""
    counter = {"read": 0}
    original = FakePayload.read

    def counting_read(self, *args, **kwargs):
        data = original(self, *args, **kwargs)
        counter["read"] += len(data)
        return data

    monkeypatch.setattr(FakePayload, "read", counting_read)
    return counter


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _png_padded_to(size: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue() + b"\0" * (size - buffer.tell())


def test_an_oversized_photo_is_refused_while_streaming(world, settings, folders, bytes_read):
    settings.MACHIKOBA_MAX_PHOTO_BYTES = LIMIT
    response = world.client_for(MEMBER).post(
        reverse("companies:photo_add", args=[world.company.pk]),
        {"image": SimpleUploadedFile("huge.png", _png_padded_to(BODY)), "caption": "外観"},
    )
    assert response.status_code == 200
    assert "写真が大きすぎます" in response.content.decode()
    assert "1 MB 以下のファイルを選んでください" in response.content.decode()
    assert CompanyPhoto.objects.count() == 0
    assert not AuditEvent.objects.filter(verb__startswith="photo.").exists()
    media, spool = folders
    assert _files(media) == []
    assert _files(spool) == []
    assert bytes_read["read"] < LIMIT + SLACK  # the other 4 MB were never read


def test_a_photo_within_the_limit_still_uploads(world, settings, folders):
    settings.MACHIKOBA_MAX_PHOTO_BYTES = LIMIT
    response = world.client_for(MEMBER).post(
        reverse("companies:photo_add", args=[world.company.pk]),
        {"image": SimpleUploadedFile("small.png", _png_padded_to(LIMIT // 2)), "caption": "外観"},
    )
    assert response.status_code == 302
    assert CompanyPhoto.objects.get().caption == "外観"


@pytest.fixture
def officer_client(client, db):
    user = WardRoleFactory().user
    give_totp(user)
    force_login_with_mfa(client, user)
    return client


def test_an_oversized_import_file_is_refused_while_streaming(
    officer_client, monkeypatch, folders, bytes_read
):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", LIMIT)
    big = SimpleUploadedFile("big.csv", "企業名\r\n".encode() + b"a" * BODY)
    response = officer_client.post(reverse("companies:import_upload"), {"file": big})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ファイルが大きすぎます" in html
    assert 'id="id_file_error"' in html  # shown beside the file field
    assert ImportJob.objects.count() == 0
    assert not AuditEvent.objects.filter(verb__startswith="import.").exists()
    media, spool = folders
    assert _files(media) == []
    assert _files(spool) == []
    assert bytes_read["read"] < LIMIT + SLACK


def test_an_import_file_within_the_limit_still_uploads(officer_client, monkeypatch, folders):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", LIMIT)
    small = SimpleUploadedFile("list.csv", "企業名\r\n蒲田精機\r\n".encode())
    response = officer_client.post(reverse("companies:import_upload"), {"file": small})
    assert response.status_code == 302
    assert ImportJob.objects.get().total_rows == 1
