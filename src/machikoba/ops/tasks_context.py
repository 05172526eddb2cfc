"""The task id in the task worker's log lines: ``task_id_var`` is set while a task runs
(django-tasks' ``task_started`` / ``task_finished`` signals, sent by ``db_worker`` and by
the immediate backend alike), and ``RequestContextFilter`` copies it onto every record."""

from __future__ import annotations

from typing import Any

from django_tasks_db.compat import task_finished, task_started

from machikoba.ops.logging import task_id_var


def _started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    task_id_var.set(str(task_result.id))


def _finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    task_id_var.set(None)


def connect() -> None:
    task_started.connect(_started, dispatch_uid="machikoba.ops.task_started")
    task_finished.connect(_finished, dispatch_uid="machikoba.ops.task_finished")
