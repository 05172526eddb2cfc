"""Metrics read from the database at scrape time (``/metrics``): the same whichever
process answers the scrape, so they need no multiprocess bookkeeping.

- The task queue, from django-tasks-db's rows: tasks ready per queue and the age of the
  oldest, tasks running and the age of the oldest (a worker killed mid-task leaves its task
  "running"), tasks failed in the last hour.
- Preview and plan durations, from the records' own start and finish times: the preview
  task's rows (``started_at`` / ``finished_at`` of ``drawings.tasks.build_previews``) and
  ``shopfloor.ScheduleRun``. A gauge histogram of the runs that finished in the last hour
  (``DURATION_WINDOW``): read it as it is (``histogram_quantile(0.95,
  machikoba_preview_duration_seconds_bucket)``), not through ``rate()``.
- Telemetry ingest per source, from the collector's ``IngestStats`` (one row per machine,
  counters the collector keeps): messages received, intervals stored, duplicates, refused
  by reason, the last time a message arrived; and messages for unknown machine keys.

Seven aggregate queries a scrape; what they read, and why the task table must be pruned,
is in docs/deployment.md ("Monitoring").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import task_backends
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from machikoba.shopfloor.models import ScheduleRun
from machikoba.telemetry.choices import Source
from machikoba.telemetry.models import IngestStats, Machine, UnknownSource

PREVIEW_TASK = "machikoba.drawings.tasks.build_previews"
DURATION_WINDOW = dt.timedelta(hours=1)
PREVIEW_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
PLAN_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def _seconds(delta: dt.timedelta) -> float:
    return max(0.0, delta.total_seconds())


def _configured_queues() -> list[str]:
    return list(settings.TASKS.get("default", {}).get("QUEUES", []) or ["default"])


def _database_backend() -> bool:
    try:
        return isinstance(task_backends["default"], DatabaseBackend)
    except Exception:  # a misconfigured backend shows in /readyz, not as a failed scrape
        return False


def task_queue_metrics(now: dt.datetime) -> list[Metric]:
    ready = GaugeMetricFamily(
        "machikoba_tasks_ready", "Tasks waiting for a worker, by queue.", labels=["queue"]
    )
    ready_age = GaugeMetricFamily(
        "machikoba_tasks_oldest_ready_age_seconds",
        "How long the oldest waiting task has waited (0: none waiting), by queue.",
        labels=["queue"],
    )
    running = GaugeMetricFamily(
        "machikoba_tasks_running", "Tasks a worker is running, by queue.", labels=["queue"]
    )
    running_age = GaugeMetricFamily(
        "machikoba_tasks_oldest_running_age_seconds",
        "How long the oldest running task has run (0: none running), by queue; a task whose "
        "worker died stays here.",
        labels=["queue"],
    )
    failed = GaugeMetricFamily(
        "machikoba_tasks_failed_last_hour",
        "Tasks that failed in the last hour, by queue.",
        labels=["queue"],
    )
    families: list[Metric] = [ready, ready_age, running, running_age, failed]
    if not _database_backend():
        return families
    date_max = get_date_max()
    rows = {queue: _Queue() for queue in _configured_queues()}
    waiting = (
        DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(
            n=Count("pk"),
            # A task with no "run after" waits from its enqueueing; one with a time, from it.
            enqueued=Min("enqueued_at", filter=Q(run_after=date_max)),
            due=Min("run_after", filter=~Q(run_after=date_max)),
        )
        .values_list("queue_name", "n", "enqueued", "due")
    )
    for queue, n, enqueued, due in waiting:
        row = rows.setdefault(queue, _Queue())
        row.ready = n
        row.waiting_since = min(t for t in (enqueued, due) if t is not None)
    in_progress = (
        DBTaskResult.objects.running()
        .order_by()
        .values("queue_name")
        .annotate(n=Count("pk"), started=Min("started_at"))
        .values_list("queue_name", "n", "started")
    )
    for queue, n, started in in_progress:
        row = rows.setdefault(queue, _Queue())
        row.running, row.running_since = n, started
    recent_failures = (
        DBTaskResult.objects.failed()
        .filter(finished_at__gte=now - dt.timedelta(hours=1))
        .order_by()
        .values("queue_name")
        .annotate(n=Count("pk"))
        .values_list("queue_name", "n")
    )
    for queue, n in recent_failures:
        rows.setdefault(queue, _Queue()).failed = n
    for queue, row in sorted(rows.items()):
        ready.add_metric([queue], float(row.ready))
        ready_age.add_metric([queue], _age(now, row.waiting_since))
        running.add_metric([queue], float(row.running))
        running_age.add_metric([queue], _age(now, row.running_since))
        failed.add_metric([queue], float(row.failed))
    return families


@dataclass
class _Queue:
    ready: int = 0
    waiting_since: dt.datetime | None = None
    running: int = 0
    running_since: dt.datetime | None = None
    failed: int = 0


def _age(now: dt.datetime, since: dt.datetime | None) -> float:
    return _seconds(now - since) if since is not None else 0.0


def _histogram(
    family: GaugeHistogramMetricFamily,
    labels: list[str],
    durations: Sequence[float],
    buckets: Sequence[float],
) -> None:
    cumulative = [(str(bound), float(sum(1 for d in durations if d <= bound))) for bound in buckets]
    cumulative.append(("+Inf", float(len(durations))))
    family.add_metric(labels, cumulative, gsum_value=float(sum(durations)))


def preview_duration_metrics(now: dt.datetime) -> list[Metric]:
    family = GaugeHistogramMetricFamily(
        "machikoba_preview_duration_seconds",
        "Drawing previews (the preview task, start to finish) that finished in the last hour.",
        labels=[],
    )
    durations: list[float] = []
    if _database_backend():
        spans = (
            DBTaskResult.objects.filter(
                task_path=PREVIEW_TASK,
                finished_at__gte=now - DURATION_WINDOW,
                started_at__isnull=False,
            )
            .order_by()
            .values_list("started_at", "finished_at")
        )
        durations = [
            _seconds(finished - started)
            for started, finished in spans
            if started is not None and finished is not None
        ]
    _histogram(family, [], durations, PREVIEW_BUCKETS)
    return [family]


def plan_duration_metrics(now: dt.datetime) -> list[Metric]:
    family = GaugeHistogramMetricFamily(
        "machikoba_plan_duration_seconds",
        "Machine-schedule plans (start to finish) that finished in the last hour, by outcome.",
        labels=["status"],
    )
    by_status: dict[str, list[float]] = defaultdict(list)
    spans = (
        ScheduleRun.objects.filter(finished_at__gte=now - DURATION_WINDOW, started_at__isnull=False)
        .order_by()
        .values_list("status", "started_at", "finished_at")
    )
    for status, started, finished in spans:
        if started is not None and finished is not None:
            by_status[status].append(_seconds(finished - started))
    for status in sorted(by_status):
        _histogram(family, [status], by_status[status], PLAN_BUCKETS)
    return [family]


def telemetry_metrics() -> list[Metric]:
    machines = GaugeMetricFamily(
        "machikoba_telemetry_machines",
        "Machines registered for monitoring, by source and whether they are monitored.",
        labels=["source", "active"],
    )
    received = CounterMetricFamily(
        "machikoba_telemetry_messages_received",
        "Messages the collector received for registered machines, by source.",
        labels=["source"],
    )
    stored = CounterMetricFamily(
        "machikoba_telemetry_intervals_stored",
        "State intervals the collector stored, by source.",
        labels=["source"],
    )
    duplicates = CounterMetricFamily(
        "machikoba_telemetry_duplicates",
        "Messages received twice (stored once), by source.",
        labels=["source"],
    )
    refused = CounterMetricFamily(
        "machikoba_telemetry_refused",
        "Messages refused, by source and reason.",
        labels=["source", "reason"],
    )
    last_seen = GaugeMetricFamily(
        "machikoba_telemetry_last_ingest_timestamp_seconds",
        "When the collector last received a message for a machine of this source (Unix time).",
        labels=["source"],
    )
    unknown = CounterMetricFamily(
        "machikoba_telemetry_unknown_messages",
        "Messages for machine keys nobody registered, by source.",
        labels=["source"],
    )
    counts = {
        (row["machine__source"], row["machine__active"]): row
        for row in IngestStats.objects.order_by()
        .values("machine__source", "machine__active")
        .annotate(
            n=Count("pk"),
            received=Sum("received"),
            stored=Sum("stored"),
            duplicates=Sum("duplicates"),
            malformed=Sum("malformed"),
            skewed=Sum("skewed"),
            rate_limited=Sum("rate_limited"),
            last_seen=Max("last_seen"),
        )
    }
    registered = {
        (source, active): n
        for source, active, n in Machine.objects.order_by()
        .values("source", "active")
        .annotate(n=Count("pk"))
        .values_list("source", "active", "n")
    }
    unknown_counts = dict(
        UnknownSource.objects.order_by()
        .values("source")
        .annotate(n=Sum("count"))
        .values_list("source", "n")
    )
    for source in Source.values:
        for active in (True, False):
            machines.add_metric(
                [source, str(active).lower()], float(registered.get((source, active), 0))
            )
        rows = [counts[key] for key in ((source, True), (source, False)) if key in counts]
        received.add_metric([source], _total(rows, "received"))
        stored.add_metric([source], _total(rows, "stored"))
        duplicates.add_metric([source], _total(rows, "duplicates"))
        for reason in ("malformed", "skewed", "rate_limited"):
            refused.add_metric([source, reason], _total(rows, reason))
        seen = [row["last_seen"] for row in rows if row["last_seen"] is not None]
        if seen:
            last_seen.add_metric([source], max(seen).timestamp())
        unknown.add_metric([source], float(unknown_counts.get(source) or 0))
    return [machines, received, stored, duplicates, refused, last_seen, unknown]


def _total(rows: Sequence[Mapping[str, Any]], name: str) -> float:
    return float(sum(row[name] or 0 for row in rows))


class StoredRecordsCollector(Collector):
    """Everything above, read once per scrape."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from task_queue_metrics(now)
        yield from preview_duration_metrics(now)
        yield from plan_duration_metrics(now)
        yield from telemetry_metrics()


def stored_record_collectors() -> Iterable[Collector]:
    return [StoredRecordsCollector()]
