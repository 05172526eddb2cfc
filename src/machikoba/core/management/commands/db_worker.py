"""``manage.py db_worker``: django-tasks-db's worker, made to survive its own death.

core comes before django_tasks_db in INSTALLED_APPS, so this command replaces the package's
one under the same name and options. On top of it the worker registers itself with a
heartbeat, re-queues the tasks of dead workers when it starts and every few heartbeats,
puts back a task it was running when told to stop or when the database went away, and
rides out a database outage instead of exiting (core/task_recovery.py, docs/drills.md).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult

from machikoba.core import task_recovery

logger = logging.getLogger("machikoba.core.task_recovery")

OUTAGES = (OperationalError, InterfaceError)


class RecoveringWorker(upstream.Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._current_row: str | None = None
        self._heartbeat_stop = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------

    def run(self) -> None:
        task_recovery.reset_stop()
        self._until_database(lambda: task_recovery.worker_register(self.worker_id))
        self._until_database(self._recover)
        beat = threading.Thread(target=self._heartbeat, name="task-heartbeat", daemon=True)
        beat.start()
        try:
            while True:
                try:
                    super().run()
                    return
                except OUTAGES as error:
                    if not self.running:
                        return
                    logger.warning("database unavailable (%s); worker waits", error)
                    self._after_outage()
        finally:
            self._heartbeat_stop.set()
            beat.join(timeout=5)
            with contextlib.suppress(*OUTAGES):  # else the lease runs out instead
                task_recovery.worker_unregister(self.worker_id)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        task_recovery.request_stop()
        super().shutdown(signum, frame)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self._current_row = str(db_task_result.pk)
        attempt = len(db_task_result.worker_ids)
        with task_recovery.running_task(str(db_task_result.pk), attempt):
            super().run_task(db_task_result)
        # The upstream worker records any exception as FAILED; an interruption goes back.
        if (
            db_task_result.status == "FAILED"
            and db_task_result.exception_class_path in task_recovery.INTERRUPTIONS
        ):
            self._until_database(
                lambda: task_recovery.requeue_interrupted(self._current_row or "", self.worker_id)
            )
        self._current_row = None

    # -- helpers ----------------------------------------------------------------------------

    def _recover(self) -> None:
        counts = task_recovery.requeue_orphans()
        if any(counts.values()):
            logger.warning("recovered tasks of dead workers: %s", counts)

    def _after_outage(self) -> None:
        """Wait for the database, then put back the task the outage cut short."""
        row = self._current_row
        self._current_row = None
        self._until_database(lambda: task_recovery.worker_beat(self.worker_id))
        if row:
            self._until_database(lambda: task_recovery.requeue_interrupted(row, self.worker_id))

    def _until_database(self, call: Any) -> Any:
        delay = 0.5
        while True:
            try:
                close_old_connections()
                return call()
            except OUTAGES as error:
                logger.warning("database unavailable (%s); retrying in %.1f s", error, delay)
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _heartbeat(self) -> None:
        every = settings.MACHIKOBA_TASK_HEARTBEAT_SECONDS
        sweep_every = max(1, int(settings.MACHIKOBA_TASK_LEASE_SECONDS / every / 2))
        beats = 0
        while not self._heartbeat_stop.wait(every):
            beats += 1
            try:
                task_recovery.worker_beat(self.worker_id)
                if beats % sweep_every == 0:
                    self._recover()
            except Exception:  # an outage, or anything else: try again next beat
                logger.warning("task worker heartbeat failed", exc_info=True)
            finally:
                connection.close()


class Command(upstream.Command):
    help = upstream.Command.help + " (re-queues the tasks of dead workers)"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        original = upstream.Worker
        upstream.Worker = RecoveringWorker  # type: ignore[misc]
        try:
            super().handle(
                verbosity=verbosity,
                queue_name=queue_name,
                interval=interval,
                batch=batch,
                backend_name=backend_name,
                startup_delay=startup_delay,
                reload=reload,
                max_tasks=max_tasks,
                worker_id=worker_id,
                exclude_queues=exclude_queues,
                **options,
            )
        finally:
            upstream.Worker = original  # type: ignore[misc]
