"""Readiness: can this app server do its work now? (``/readyz``; ``/healthz`` only says
the process answers.)

Each check is cheap (one query, one cache round trip, one tiny file written and removed,
one indexed read of the task table) and says only whether it passed, how long it took and,
when it failed, the exception's class: never a message, which could carry a host name,
a user or a password.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import task_backends
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

PROBE_DIR = "ops-readyz"


class CheckFailed(Exception):
    """A check ran but found something wrong (the cache gave back another value)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    ms: float
    error: str = ""

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"ok": self.ok, "ms": round(self.ms, 1)}
        if self.error:
            body["error"] = self.error
        return body


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed


def check_cache() -> None:
    key = f"machikoba:readyz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise CheckFailed
    finally:
        cache.delete(key)


def check_storage() -> None:
    """Write a tiny file where uploads go and remove it (local folder or object store)."""
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def check_task_queue() -> None:
    """The task backend is configured and, for the database backend, its table answers."""
    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        list(DBTaskResult.objects.order_by().values_list("pk")[:1])


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "tasks": check_task_queue,
}


def run_checks(checks: dict[str, Callable[[], None]] | None = None) -> list[CheckResult]:
    results = []
    for name, check in (checks or CHECKS).items():
        start = time.perf_counter()
        try:
            check()
        except Exception as error:  # a failed check is an answer, not a crash
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            results.append(
                CheckResult(name, False, 1000 * (time.perf_counter() - start), type(error).__name__)
            )
        else:
            results.append(CheckResult(name, True, 1000 * (time.perf_counter() - start)))
    return results
