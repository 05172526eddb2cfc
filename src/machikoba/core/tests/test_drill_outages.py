"""The database away or the disk full: a clean 503 / 507 in the error shape, and no
half-written file left behind."""

from __future__ import annotations

import errno

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.test import Client

from machikoba.core.storage import CleanFileSystemStorage
from machikoba.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


def _database_away(self, *args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_the_database_away_while_reading_the_session_is_a_503_in_the_error_shape(
    signed_in, monkeypatch
):
    monkeypatch.setattr(SessionStore, "load", _database_away)
    response = signed_in.get("/api/network/jobs")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "service_unavailable"
    assert "データベース" in body["message"]


def test_the_database_away_on_a_page_is_a_503_page_in_japanese(signed_in, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", _database_away)
    response = signed_in.get("/")
    assert response.status_code == 503
    assert "数秒後にもう一度お試しください" in response.content.decode()


def test_other_crashes_stay_500(signed_in, monkeypatch):
    def boom(self, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "load", boom)
    assert signed_in.get("/").status_code == 500


class _FillsTheDisk:
    """Upload content whose second chunk meets a full disk."""

    def chunks(self):
        yield b"x" * 1024
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_save_that_fills_the_disk_leaves_no_partial_file(tmp_path):
    storage = CleanFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError, match="No space"):
        storage.save("drawings/a.pdf", _FillsTheDisk())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # An ordinary save still works and keeps its file.
    name = storage.save("drawings/b.pdf", ContentFile(b"%PDF"))
    assert (tmp_path / name).read_bytes() == b"%PDF"
