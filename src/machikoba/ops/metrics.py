"""Prometheus metrics: what each process counts of the requests it served, and what
``/metrics`` hands out (the Prometheus text exposition format).

Request metrics live in the process that served the request. gunicorn runs several
worker processes and a scrape reaches one of them, so:

- with ``PROMETHEUS_MULTIPROC_DIR`` set (in the environment, before the process starts;
  an empty directory every process of the service can write, emptied when the service
  starts) prometheus-client keeps every process's values in files there, and a scrape
  sums them across the processes (``MultiProcessCollector``; the per-process
  ``process_*`` and ``python_*`` metrics are then left out);
- without it each process counts for itself and a scrape sees only the process that
  answered it: right for one process (``runserver``, one gunicorn worker), wrong for
  several.

What the database holds (the task queue, preview and plan durations, telemetry ingest) is
read at scrape time by ``ops.collectors`` and is the same whichever process answers.

This module imports no model, so that any process may count requests.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# Methods outside this list are counted as "other": a client must not mint label values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The route of a request no URL pattern matched (404s of unknown addresses, redirects of
# the security middleware before resolving).
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "machikoba_http_requests",
    "HTTP requests answered, by method, route (URL pattern name) and status code.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "machikoba_http_request_duration_seconds",
    "Time from the request reaching the application to its response, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    label = method if method in METHODS else "other"
    REQUESTS.labels(label, route, str(status)).inc()
    REQUEST_SECONDS.labels(label, route).observe(seconds)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _ProcessMetrics(Collector):
    """This process's metrics (the default registry), when there is no multiprocess
    directory: the request metrics, and prometheus-client's process and Python ones."""

    def collect(self) -> Iterable:
        return REGISTRY.collect()


def exposition(collectors: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type: the request metrics (every process's
    when ``PROMETHEUS_MULTIPROC_DIR`` is set, else this process's) and ``collectors``."""
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    if path:
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(_ProcessMetrics())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST
