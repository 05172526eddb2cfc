"""One way to write a date for people: ``2026/12/09`` (and ``2026/12/09 14:30`` with a time).

Pages (the ``jdate``/``jdatetime`` filters), PDFs and the texts of notices and e-mails all
use these helpers, so a date reads the same wherever an owner meets it. Aware datetimes are
shown in the local time (Asia/Tokyo).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

NO_DATE = "—"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_date(value: dt.date | dt.datetime | None) -> str:
    """``2026/12/09``; ``—`` for no date."""
    if not value:  # None, or "" for a variable a template does not have
        return NO_DATE
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{value:%Y/%m/%d}"


def format_datetime(value: dt.datetime | None) -> str:
    """``2026/12/09 14:30`` in local time; ``—`` for no time."""
    if not value:
        return NO_DATE
    return f"{_local(value):%Y/%m/%d %H:%M}"
