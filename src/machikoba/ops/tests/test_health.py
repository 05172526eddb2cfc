"""Liveness (/healthz: no database) and readiness (/readyz: database, cache, storage,
task queue), against the real database, cache and file storage."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from machikoba.core.testing.processes import free_port
from machikoba.ops.health import PROBE_DIR

CHECKS = {"database", "cache", "storage", "tasks"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_healthz_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("web:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_passes_every_check_for_anyone(client, db, media):
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECKS
    for name, check in body["checks"].items():
        assert check["ok"] is True, name
        assert set(check) == {"ok", "ms"}
        assert check["ms"] >= 0
    assert response["Cache-Control"].startswith("max-age=0")
    # The storage probe wrote a file and removed it again.
    assert list((media / PROBE_DIR).iterdir()) == []


def test_readyz_names_the_storage_that_cannot_be_written(client, db, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["storage"]["ok"] is False
    # The exception's class, never its message (which names paths, hosts, users).
    assert body["checks"]["storage"]["error"] in {"FileExistsError", "NotADirectoryError"}
    assert str(tmp_path) not in response.content.decode()
    assert all(body["checks"][name]["ok"] for name in CHECKS - {"storage"})


def test_readyz_names_an_unreachable_cache(client, db):
    # A real Redis client against a port nothing listens on: the connection is refused.
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"] == {
        "ok": False,
        "ms": body["checks"]["cache"]["ms"],
        "error": "ConnectionError",
    }
    assert body["checks"]["database"]["ok"] is True
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_names_a_task_queue_it_cannot_reach(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "machikoba.ops.no_such_backend.Backend"}}
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True
