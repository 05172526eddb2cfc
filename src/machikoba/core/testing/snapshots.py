"""A database state built once per test process and put back in a second or two.

Seeding the demo ward (``seed_demo``, then its drawing previews and the owner's machine
plan) costs about a minute, and a dozen browser tests start from it. The first test of a
process that asks for a state builds it and takes a snapshot: every table's rows
(PostgreSQL: ``COPY … (FORMAT BINARY)``; SQLite: the rows as read) and the media files it
wrote. The next tests empty every table and load the snapshot instead of building again.

A snapshot is kept per key and per day: the demo's dates are relative to today, and the
clock runs (core/testing/clock.py) move the day between tests.

The content types and permissions are part of the snapshot: a transactional test's flush
creates them again with new ids, and the snapshot's rows refer to the ids they had.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction


@dataclass
class Snapshot:
    rows: dict[str, object]  # table → COPY data (bytes) or (columns, rows)
    media: Path


_SNAPSHOTS: dict[tuple[str, str], Snapshot] = {}


def restore_or_build(key: str, build: Callable[[], None], *, media_root: Path) -> bool:
    """Put back the snapshot ``key`` of today, or run ``build`` and take it. ``media_root``
    is where ``build`` writes files (the test's MEDIA_ROOT). True when it was restored."""
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    snapshot = _SNAPSHOTS.get((key, today))
    if snapshot is None:
        build()
        _SNAPSHOTS[(key, today)] = _take(media_root)
        return False
    _put_back(snapshot, media_root)
    return True


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take(media_root: Path) -> Snapshot:
    rows: dict[str, object] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {name} TO STDOUT (FORMAT BINARY)") as copy:
                    rows[table] = b"".join(bytes(block) for block in copy)
            else:
                cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 (a table of ours)
                columns = [column[0] for column in cursor.description]
                rows[table] = (columns, [tuple(map(_stored, row)) for row in cursor.fetchall()])
    media = Path(tempfile.mkdtemp(prefix="machikoba-snapshot-"))
    if media_root.exists():
        shutil.copytree(media_root, media, dirs_exist_ok=True)
    return Snapshot(rows=rows, media=media)


def _stored(value: object) -> object:
    """A value read from SQLite as Django stored it: Django's converters parse dates and
    times into objects, and the driver has no adapter for ``datetime.time`` (those of
    dates and datetimes are deprecated), so they go back as the text they were."""
    return str(value) if isinstance(value, dt.date | dt.time) else value


def _put_back(snapshot: Snapshot, media_root: Path) -> None:
    from django.contrib.contenttypes.models import ContentType

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # The foreign keys are deferred (Django creates them so): the tables empty and
        # fill in any order, and the constraints are checked at the commit.
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in _tables():
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        for table, data in snapshot.rows.items():
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
                continue
            columns, values = data  # type: ignore[misc]
            if values:
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(quote(column) for column in columns)
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
                    values,
                )
    ContentType.objects.clear_cache()
    shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True)
