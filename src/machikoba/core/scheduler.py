"""Periodic tasks: the scheduler process queues each one for the task worker when due.

``settings.PERIODIC_TASKS`` maps a stable name to (dotted path of a task, interval in
seconds). ``manage.py run_scheduler`` calls ``enqueue_due`` once a minute (or once, with
``--once``, for cron). The last run of each task is a database row taken with a lock, so
restarts and a second scheduler do not queue anything twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from machikoba.core.models import ScheduledRun

logger = logging.getLogger(__name__)


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic task whose interval has passed; the names queued."""
    now = now or timezone.now()
    queued = []
    for name, (task_path, seconds) in settings.PERIODIC_TASKS.items():
        task = import_string(task_path)
        with transaction.atomic():
            ScheduledRun.objects.get_or_create(
                name=name, defaults={"last_enqueued_at": now - dt.timedelta(seconds=seconds)}
            )
            run = ScheduledRun.objects.select_for_update().get(name=name)
            if now - run.last_enqueued_at < dt.timedelta(seconds=seconds):
                continue
            transaction.on_commit(task.enqueue)
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
        logger.info("queued periodic task %s", name)
        queued.append(name)
    return queued
