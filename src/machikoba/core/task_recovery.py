"""Tasks survive their worker: a task left RUNNING by a dead worker runs again, once.

The database task backend (django-tasks-db) marks a row RUNNING when a worker claims it and
SUCCESSFUL or FAILED when the worker finishes. A worker that is killed (SIGKILL, the OOM
killer, a power cut) finishes nothing: its row stays RUNNING for ever and the work it
stood for (a preview, an import, a plan) with it. Here:

* every worker (``manage.py db_worker``, core's override) registers a ``TaskWorker`` row
  and refreshes its heartbeat every ``MACHIKOBA_TASK_HEARTBEAT_SECONDS``;
* ``requeue_orphans`` puts back to READY every RUNNING row whose worker is dead: its
  heartbeat is older than ``MACHIKOBA_TASK_LEASE_SECONDS``, or it ran on this very host
  (same boot, same pid namespace) under a pid that no longer exists. Each worker runs it
  when it starts and every few heartbeats, so any live worker picks up a dead one's work.
  A task whose worker died ``MACHIKOBA_TASK_MAX_ATTEMPTS`` times is marked FAILED instead
  (a file that kills whoever renders it must not kill every worker in turn);
* a task interrupted on purpose (the worker is stopping: ``TaskInterrupted``, SystemExit)
  or by the database going away (OperationalError) is put back too, by the worker itself.

Running again is safe because every task is idempotent: it checks its object's state
(a preview READY, an import DONE, a plan DONE) or records its effect in ``TaskEffect``
with ``effect_once`` in the same transaction as the effect (notices stored, an e-mail
handed to the mail server), so the second run finds it done.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from machikoba.core.models_tasks import TaskEffect, TaskWorker

logger = logging.getLogger(__name__)

# The failures that say "the task was cut short", not "the task is wrong": the row goes
# back to READY. (Class paths as django-tasks-db stores them.)
INTERRUPTIONS = frozenset(
    {
        "builtins.SystemExit",
        "builtins.KeyboardInterrupt",
        "machikoba.core.task_recovery.TaskInterrupted",
        "django.db.utils.OperationalError",
        "django.db.utils.InterfaceError",
    }
)
# The worker was told to stop: not the task's fault, so it never counts against it.
STOPS = frozenset(
    {
        "builtins.SystemExit",
        "builtins.KeyboardInterrupt",
        "machikoba.core.task_recovery.TaskInterrupted",
    }
)
EFFECT_KEEP_DAYS = 30
STALE_WORKER_ROWS = dt.timedelta(days=1)


class TaskInterrupted(Exception):
    """Raised by a task that stopped because its worker is stopping; it runs again."""


# --- the task being run by this process ------------------------------------------------

_current: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar(
    "machikoba_current_task", default=None
)


@contextmanager
def running_task(task_id: str, attempt: int) -> Iterator[None]:
    """Mark the code inside as the ``attempt``-th run of the task result ``task_id``."""
    token = _current.set((str(task_id), attempt))
    try:
        yield
    finally:
        _current.reset(token)


def current_task_id() -> str | None:
    """The id of the task result being run, None outside the worker (an inline call)."""
    current = _current.get()
    return current[0] if current else None


def is_retry() -> bool:
    """True when the task being run was started before by a worker that did not finish it."""
    current = _current.get()
    return bool(current and current[1] > 1)


@contextmanager
def effect_once(name: str) -> Iterator[bool]:
    """A transaction in which this task run's effect ``name`` happens at most once.

    Yields True when the effect has not happened yet: do it inside the block; it is
    recorded as done when the block commits, and not when it raises. Yields False when a
    previous run of the same task already committed it. Outside the worker it always
    yields True (no task id to key on)."""
    task_id = current_task_id()
    with transaction.atomic():
        if task_id is None:
            yield True
            return
        try:
            with transaction.atomic():
                TaskEffect.objects.create(key=f"{task_id}:{name}"[:200])
        except IntegrityError:
            yield False
            return
        yield True


# --- stopping -----------------------------------------------------------------------------

_stop = threading.Event()


def request_stop() -> None:
    """The worker was told to stop (SIGTERM, SIGINT): tasks may give up and run again."""
    _stop.set()


def stop_requested(grace: float = 0.0) -> bool:
    """True when the worker is stopping. ``grace`` waits that long for the signal, for a
    task that just saw a child process die and asks whether the same signal killed it."""
    return _stop.wait(grace) if grace else _stop.is_set()


def reset_stop() -> None:
    _stop.clear()


# --- workers --------------------------------------------------------------------------------


def host_key() -> str:
    """This machine, boot and pid namespace: pids compare only between equal keys."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as boot:
            boot_id = boot.read().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        boot_id, namespace = "", 0
    return f"{socket.gethostname()}|{boot_id}|{namespace}"[:255]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: it exists
        return True
    return True


def worker_register(worker_id: str) -> TaskWorker:
    now = timezone.now()
    worker, _created = TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": host_key(),
            "pid": os.getpid(),
            "started_at": now,
            "heartbeat_at": now,
        },
    )
    return worker


def worker_beat(worker_id: str) -> None:
    """Refresh the heartbeat (registering again when the row was pruned meanwhile)."""
    if not TaskWorker.objects.filter(worker_id=worker_id).update(heartbeat_at=timezone.now()):
        worker_register(worker_id)


def worker_unregister(worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def live_worker_ids(now: dt.datetime | None = None) -> set[str]:
    now = now or timezone.now()
    fresh = now - dt.timedelta(seconds=settings.MACHIKOBA_TASK_LEASE_SECONDS)
    here = host_key()
    return {
        worker.worker_id
        for worker in TaskWorker.objects.filter(heartbeat_at__gte=fresh)
        if worker.hostname != here or _pid_alive(worker.pid)
    }


def requeue_orphans(now: dt.datetime | None = None) -> dict[str, int]:
    """Put back the RUNNING tasks of dead workers; {"requeued": n, "abandoned": m}."""
    now = now or timezone.now()
    counts = {"requeued": 0, "abandoned": 0}
    with exclusive_transaction(DBTaskResult.objects.db):
        alive = live_worker_ids(now)
        # RUNNING rows, and rows a stopping worker failed to put back before it went.
        rows = DBTaskResult.objects.filter(
            Q(status="RUNNING") | Q(status="FAILED", exception_class_path__in=STOPS)
        ).select_for_update(skip_locked=True)
        for row in rows:
            if row.worker_ids and row.worker_ids[-1] in alive:
                continue
            if len(row.worker_ids) >= settings.MACHIKOBA_TASK_MAX_ATTEMPTS:
                _abandon(row, now)
                counts["abandoned"] += 1
            else:
                _requeue(row)
                counts["requeued"] += 1
                logger.warning(
                    "task %s (%s) lost its worker %s; queued again",
                    row.id,
                    row.task_path,
                    row.worker_ids[-1] if row.worker_ids else "?",
                )
    TaskWorker.objects.filter(heartbeat_at__lt=now - STALE_WORKER_ROWS).delete()
    TaskEffect.objects.filter(done_at__lt=now - dt.timedelta(days=EFFECT_KEEP_DAYS)).delete()
    return counts


def requeue_interrupted(row_id: str, worker_id: str) -> bool:
    """Put back one task this worker was running when it was cut short (stopping, or the
    database went away); True when it went back to READY."""
    with exclusive_transaction(DBTaskResult.objects.db):
        row = DBTaskResult.objects.select_for_update().filter(pk=row_id).first()
        if row is None or not row.worker_ids or row.worker_ids[-1] != worker_id:
            return False
        if row.status == "FAILED" and row.exception_class_path not in INTERRUPTIONS:
            return False
        if row.status not in ("RUNNING", "FAILED"):
            return False
        stopped = row.exception_class_path in STOPS
        if not stopped and len(row.worker_ids) >= settings.MACHIKOBA_TASK_MAX_ATTEMPTS:
            return False  # a task that loses the database every time stops trying
        _requeue(row)
    logger.warning("task %s (%s) was interrupted; queued again", row_id, row.task_path)
    return True


def _requeue(row: DBTaskResult[Any, Any]) -> None:
    row.status = "READY"
    row.finished_at = None
    row.return_value = None
    row.exception_class_path = ""
    row.traceback = ""
    row.save(
        update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"]
    )


def _abandon(row: DBTaskResult[Any, Any], now: dt.datetime) -> None:
    row.status = "FAILED"
    row.finished_at = now
    row.exception_class_path = "machikoba.core.task_recovery.WorkerLost"
    row.traceback = (
        f"The worker running this task died {len(row.worker_ids)} times "
        f"(workers {', '.join(row.worker_ids)}); not run again.\n"
    )
    row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
