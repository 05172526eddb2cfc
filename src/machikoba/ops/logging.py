"""Structured logs: the request or task a line belongs to, and a JSON formatter.

``RequestContextMiddleware`` (ops/middleware.py) puts the request's id in ``request_id``
for the time the request runs; the task worker's ``task_started`` / ``task_finished``
signals put the task's id in ``task_id`` (ops/apps.py). ``RequestContextFilter``, on the
console handler (settings ``LOGGING``), copies both onto every record, so a line written
anywhere below (a service, a library) names its request or task. ``JsonFormatter`` writes
one JSON object a line (``LOG_FORMAT=json``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("machikoba_request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("machikoba_task_id", default=None)

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}
# Django's request logger passes the request object; its repr holds the query string (a
# one-time link's key may be there), and the request id already names the request.
_DROPPED = frozenset({"request"})


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` (``None`` outside a request or task) to every
    record that does not carry them already. It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "task_id", None) is None:
            record.task_id = task_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (ISO 8601, UTC, milliseconds), ``level``,
    ``logger``, ``message``, the request / task ids when there are any, every ``extra=``
    field, and ``exception`` (the formatted traceback) when the record carries one.
    Values JSON cannot hold are written as their ``str``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key in _DROPPED or key.startswith("_"):
                continue
            if value is None and key in ("request_id", "task_id"):
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
