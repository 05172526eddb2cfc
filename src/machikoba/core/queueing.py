"""Queue a task once the current transaction commits, naming it by its dotted path.

A ``tasks`` module imports the services its tasks run; a service that queues one of
those tasks names it here instead of importing it back (no import cycle). The path is
resolved at once, so a wrong one fails in the service, not after the commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


def enqueue_on_commit(task_path: str, *args: Any) -> None:
    """``import_string(task_path).enqueue(*args)`` after the surrounding commit (at once
    outside a transaction); nothing is queued when the transaction rolls back."""
    task = import_string(task_path)
    transaction.on_commit(lambda: task.enqueue(*args))
