"""The one writer of machine data: batches of normalised messages into state intervals.

Every source calls ``write_batch`` (caller-trusted: the collector is the platform's own
process, not a user). One transaction per batch:

1. the batch's machines are locked (row locks on PostgreSQL, in id order; SQLite writes
   one at a time), so two collector processes sharing a subscription never interleave on
   one machine;
2. events already stored (same machine, boot and seq), or repeated within the batch, are
   counted as duplicates and skipped, so at-least-once delivery stores each message once;
3. an offline row the collector wrote is removed when a message shows the machine was
   alive within ``OFFLINE_AFTER`` of its start (the messages were late, the machine was
   not silent: a collector or broker outage); an offline row the collector computed from
   a ``last_seen`` that has since moved on is not written;
4. the new rows are inserted, and the ``end`` and ``parts`` of every row from the one
   before the earliest change onwards are recomputed from the rows' order, (start, seq,
   boot), so a message arriving late or out of order lands where it belongs and the rows
   are the same whatever order the messages came in;
5. per-machine counters (received, stored, duplicates, refusals, last seen), unknown keys
   and source cursors are updated in the same transaction.

If the process dies before the commit, nothing of the batch is stored, and the source has
not acknowledged it (MQTT) or moved its cursor (MTConnect): the messages come again.

``parts`` of a row is what the part counter advanced from the row's start to the start of
the next device row with a counter reading (the collector's offline rows have none, and
are skipped: parts made while the machine was out of sight belong to the state it was
last seen in); ``None`` when either reading is missing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from .choices import MachineState, Rejection
from .events import (
    COLLECTOR_BOOT,
    OFFLINE_AFTER,
    Batch,
    CursorUpdate,
    Heartbeat,
    Refusal,
    StateEvent,
    storable_text,
)
from .models import IngestStats, Machine, SourceCursor, StateInterval, UnknownSource

logger = logging.getLogger(__name__)

__all__ = [
    "COLLECTOR_BOOT",
    "BatchResult",
    "offline_batch",
    "parts_made",
    "write_batch",
]

# StateInterval.parts is a PositiveIntegerField (INTEGER on PostgreSQL): a difference of
# readings beyond it is a broken counter, stored as unknown rather than failing the batch.
MAX_PARTS = 2**31 - 1
# Machines per UNION query when reading the rows around a batch's changes.
_CHUNK = 100

Key = tuple[int, str, int]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BatchResult:
    stored: int
    duplicates: int
    refused: int
    # (machine_id, boot, seq) of the events this batch stored (the collector's per-source
    # summary tells its stored from its duplicates with it).
    stored_keys: frozenset[Key] = field(default_factory=frozenset)


def parts_made(
    start_count: int | None,
    end_count: int | None,
    counter_max: int | None,
    *,
    same_stream: bool = True,
) -> int | None:
    """Parts made between two readings of a cumulative part counter.

    A counter that went down was reset (power cycle, a new boot: the parts since the reset
    are ``end_count``) or, on a counter that wraps at ``counter_max``, rolled over (when it
    was in the upper half of its range and the readings come from one stream: a new boot
    is a reset). A difference no 32-bit column holds is a broken counter: ``None``."""
    if start_count is None or end_count is None:
        return None
    if end_count >= start_count:
        made = end_count - start_count
    elif same_stream and counter_max and counter_max // 2 < start_count <= counter_max:
        made = counter_max - start_count + 1 + min(end_count, counter_max)
    else:
        made = end_count
    return made if made <= MAX_PARTS else None


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _db_time(value: dt.datetime | None) -> Any:
    """A datetime as this database's driver takes it in a raw query (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _array_cursor() -> Iterator[Any]:
    """A cursor for the array statements (PostgreSQL only). Django's psycopg cursors bind
    client-side: every element of every array is quoted into the SQL text, a fifth of the
    writer's time in the ingest benchmark. This one binds on the server: the arrays travel
    as parameters, in binary (``%b``). Same connection, same transaction, and errors
    raised as Django's."""
    from psycopg import Cursor

    connection.ensure_connection()
    # Errors come out as Django's (DataError, IntegrityError …), as from its own cursors.
    with connection.wrap_database_errors, Cursor(connection.connection) as cursor:
        yield cursor


def _chunks(items: list[T], weight: Callable[[T], int], most: int = 900) -> Iterator[list[T]]:
    """``items`` in runs whose weights (query parameters) add up to at most ``most``."""
    chunk: list[T] = []
    total = 0
    for item in items:
        if chunk and total + weight(item) > most:
            yield chunk
            chunk, total = [], 0
        chunk.append(item)
        total += weight(item)
    if chunk:
        yield chunk


def _same_stream(a: str, b: str) -> bool:
    return a == b or COLLECTOR_BOOT in (a, b)


@transaction.atomic
def write_batch(batch: Batch) -> BatchResult:
    """Store ``batch`` (see the module's docstring). Safe to call again with the same
    messages: they come back as duplicates."""
    machine_ids = sorted(
        {e.machine_id for e in batch.events}
        | {h.machine_id for h in batch.heartbeats}
        | {r.machine_id for r in batch.refusals if r.machine_id is not None}
    )
    machines: dict[int, int | None] = dict(
        Machine.objects.select_for_update()
        .filter(id__in=machine_ids)
        .order_by("id")
        .values_list("id", "counter_max")
    )
    if len(machines) < len(machine_ids):
        gone = len(machine_ids) - len(machines)
        logger.warning("messages for %d machines that no longer exist", gone)
    stats = _stats_rows(machines)

    # The messages' own events, and the offline rows the collector computed.
    known = [e for e in batch.events if e.machine_id in machines]
    device_events = [e for e in known if e.boot != COLLECTOR_BOOT]
    evidence = _evidence(device_events, [h for h in batch.heartbeats if h.machine_id in machines])
    offline_events = [
        e for e in known if e.boot == COLLECTOR_BOOT and not _seen_since(e, stats, evidence)
    ]

    unique = _unique([*device_events, *offline_events])
    stored_keys = _stored_keys(unique)
    new_events = [e for e in unique if _key(e) not in stored_keys]

    earliest: dict[int, dt.datetime] = {}
    for event in new_events:
        earliest[event.machine_id] = min(event.at, earliest.get(event.machine_id, event.at))
    contradicted = _contradicted_offline_rows(evidence)
    for row in contradicted:
        earliest[row.machine_id] = min(row.start, earliest.get(row.machine_id, row.start))
    if contradicted:
        StateInterval.objects.filter(id__in=[row.id for row in contradicted]).delete()
    _relink(machines, earliest, new_events)

    new_keys = frozenset(_key(e) for e in new_events)
    _count(batch, machines, stats, device_events, new_keys)
    _count_unknown([r for r in batch.refusals if r.machine_id is None])
    _move_cursors(batch.cursors)
    stored_device = sum(1 for e in new_events if e.boot != COLLECTOR_BOOT)
    return BatchResult(
        stored=stored_device,
        duplicates=len(device_events) - stored_device,
        refused=len(batch.refusals),
        stored_keys=frozenset(k for k in new_keys if k[1] != COLLECTOR_BOOT),
    )


def _key(event: StateEvent) -> Key:
    return (event.machine_id, event.boot, event.seq)


def _unique(events: Iterable[StateEvent]) -> list[StateEvent]:
    seen: dict[Key, StateEvent] = {}
    for event in events:
        seen.setdefault(_key(event), event)
    return list(seen.values())


def _stats_rows(machines: dict[int, int | None]) -> dict[int, IngestStats]:
    """The machines' counters, created where missing (the machines are locked: no race)."""
    if not machines:
        return {}
    rows = {s.machine_id: s for s in IngestStats.objects.filter(machine_id__in=machines)}
    missing = [IngestStats(machine_id=m) for m in machines if m not in rows]
    if missing:
        IngestStats.objects.bulk_create(missing, ignore_conflicts=True)
        rows = {s.machine_id: s for s in IngestStats.objects.filter(machine_id__in=machines)}
    return rows


def _evidence(
    events: Sequence[StateEvent], heartbeats: Sequence[Heartbeat]
) -> dict[int, list[dt.datetime]]:
    """When each machine was heard from, by its own messages' clocks."""
    seen: dict[int, list[dt.datetime]] = defaultdict(list)
    for event in events:
        seen[event.machine_id].append(event.at)
    for heartbeat in heartbeats:
        seen[heartbeat.machine_id].append(heartbeat.at)
    return seen


def _seen_since(event: StateEvent, stats: dict[int, IngestStats], evidence: dict) -> bool:
    """Whether the machine was heard from after the silence this offline event marks (the
    collector computed it, then a message came): the event is stale."""
    last_seen = stats[event.machine_id].last_seen if event.machine_id in stats else None
    heard = [at for at in evidence.get(event.machine_id, ()) if at > event.at]
    return bool(heard) or (last_seen is not None and last_seen > event.at)


def _stored_keys(events: Sequence[StateEvent]) -> set[Key]:
    """The (machine, boot, seq) of ``events`` already stored."""
    if not events:
        return set()
    by_machine: dict[int, set[int]] = defaultdict(set)
    for event in events:
        by_machine[event.machine_id].add(event.seq)
    stored: set[Key] = set()
    table = _table(StateInterval)
    if _postgresql():
        # Each key looked up in the unique index (machine, boot, seq).
        keys = sorted({_key(event) for event in events})
        sql = (
            f"SELECT t.machine_id, t.boot, t.seq FROM {table} AS t"  # noqa: S608
            " JOIN unnest(%b::bigint[], %b::varchar[], %b::bigint[]) AS k(m, b, s)"
            " ON t.machine_id = k.m AND t.boot = k.b AND t.seq = k.s"
        )
        with _array_cursor() as cursor:
            cursor.execute(sql, [list(column) for column in zip(*keys, strict=True)])
            stored.update((m, b, q) for m, b, q in cursor.fetchall())
        return stored
    for chunk in _chunks(sorted(by_machine.items()), lambda item: len(item[1]) + 1):
        conditions, params = [], []
        for machine_id, seqs in chunk:
            conditions.append(f"(machine_id = %s AND seq IN ({', '.join(['%s'] * len(seqs))}))")
            params += [machine_id, *sorted(seqs)]
        where = " OR ".join(conditions)
        sql = f"SELECT machine_id, boot, seq FROM {table} WHERE {where}"  # noqa: S608 - names from the models
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            stored.update((m, b, q) for m, b, q in cursor.fetchall())
    return stored


def _contradicted_offline_rows(evidence: dict[int, list[dt.datetime]]) -> list[StateInterval]:
    """The collector's offline rows that a message from within ``OFFLINE_AFTER`` after
    their start shows to be wrong."""
    if not evidence:
        return []
    times = [at for ats in evidence.values() for at in ats]
    candidates = StateInterval.objects.filter(
        machine_id__in=sorted(evidence),
        boot=COLLECTOR_BOOT,
        state=MachineState.OFFLINE,
        start__gt=min(times) - OFFLINE_AFTER,
        start__lt=max(times),
    ).only("id", "machine_id", "start")
    return [
        row
        for row in candidates
        if any(row.start < at < row.start + OFFLINE_AFTER for at in evidence[row.machine_id])
    ]


class _Row:
    """A state interval as the writer handles it (a stored one has an ``id``)."""

    __slots__ = (
        "boot",
        "count",
        "end",
        "id",
        "machine_id",
        "parts",
        "reason",
        "seq",
        "start",
        "state",
    )

    def __init__(
        self,
        id: int | None,
        machine_id: int,
        start: dt.datetime,
        end: dt.datetime | None,
        seq: int,
        boot: str,
        count: int | None,
        parts: int | None,
        state: str = "",
        reason: str = "",
    ) -> None:
        self.id = id
        self.machine_id = machine_id
        self.start = _aware(start)
        self.end = _aware(end) if end is not None else None
        self.seq = seq
        self.boot = boot
        self.count = count
        self.parts = parts
        self.state = state
        self.reason = reason

    def order(self) -> tuple[dt.datetime, int, str]:
        return (self.start, self.seq, self.boot)


def _aware(value: dt.datetime) -> dt.datetime:
    """A datetime read by a raw query (SQLite gives it naive, in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


_ROW_COLUMNS = ("id", "machine_id", "start", "end", "seq", "boot", "count", "parts")


def _rows_from(earliest: dict[int, dt.datetime]) -> dict[int, list[_Row]]:
    """Per machine, the stored rows whose ``end`` or ``parts`` a change at ``earliest``
    may alter: from the last device row before it onwards (the collector's offline rows
    after that row are skipped by its ``parts``, so they come too). Each machine's part is
    an index range; one query on PostgreSQL, one per ``_CHUNK`` machines elsewhere."""
    table = _table(StateInterval)
    columns = ", ".join(_q(c) for c in _ROW_COLUMNS)
    items = sorted(earliest.items())
    queries: list[tuple[str, list[Any]]] = []
    if _postgresql():
        sql = (
            f"SELECT r.* FROM unnest(%s::bigint[], %s::timestamptz[]) AS k(m, e)"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT {columns} FROM {table} WHERE machine_id = k.m"
            f" AND start >= COALESCE((SELECT start FROM {table} WHERE machine_id = k.m"
            " AND start < k.e AND boot <> %s ORDER BY start DESC LIMIT 1), k.e)) AS r"
        )
        queries.append((sql, [[m for m, _ in items], [at for _, at in items], COLLECTOR_BOOT]))
    else:
        before = (  # the start of the last device row before the change
            f"SELECT start FROM {table} WHERE machine_id = %s AND start < %s"  # noqa: S608
            " AND boot <> %s ORDER BY start DESC LIMIT 1"
        )
        part = f"SELECT {columns} FROM {table} WHERE machine_id = %s"  # noqa: S608
        part += f" AND start >= COALESCE(({before}), %s)"
        for begin in range(0, len(items), _CHUNK):
            chunk = items[begin : begin + _CHUNK]
            params: list[Any] = []
            for machine_id, at in chunk:
                when = _db_time(at)
                params += [machine_id, machine_id, when, COLLECTOR_BOOT, when]
            queries.append((" UNION ALL ".join([part] * len(chunk)), params))
    rows: dict[int, list[_Row]] = defaultdict(list)
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            for values in cursor.fetchall():
                row = _Row(*values)
                rows[row.machine_id].append(row)
    return rows


def _relink(
    machines: dict[int, int | None],
    earliest: dict[int, dt.datetime],
    new_events: Sequence[StateEvent],
) -> None:
    """Insert the new rows and recompute ``end``/``parts`` around them, in one pass per
    machine over the rows from the one before the earliest change."""
    if not earliest:
        return
    stored = _rows_from(earliest)
    fresh: dict[int, list[_Row]] = defaultdict(list)
    for e in new_events:
        fresh[e.machine_id].append(
            _Row(None, e.machine_id, e.at, None, e.seq, e.boot, e.count, None, e.state, e.reason)
        )
    inserts: list[_Row] = []
    updates: list[_Row] = []
    for machine_id in earliest:
        rows = sorted([*stored.get(machine_id, []), *fresh.get(machine_id, [])], key=_Row.order)
        counter_max = machines[machine_id]
        # The next device row with a counter reading, walking backwards.
        next_reading: _Row | None = None
        following: _Row | None = None
        for row in reversed(rows):
            end = following.start if following else None
            parts = None
            if row.boot != COLLECTOR_BOOT and next_reading is not None:
                parts = parts_made(
                    row.count,
                    next_reading.count,
                    counter_max,
                    same_stream=_same_stream(row.boot, next_reading.boot),
                )
            if row.id is None:
                row.end, row.parts = end, parts
                inserts.append(row)
            elif row.end != end or row.parts != parts:
                row.end, row.parts = end, parts
                updates.append(row)
            following = row
            if row.boot != COLLECTOR_BOOT:
                # A device row without a reading breaks the chain: parts before it unknown.
                next_reading = row if row.count is not None else None
    _insert_many(
        StateInterval,
        _INTERVAL_COLUMNS,
        [
            (
                row.machine_id,
                _db_time(row.start),
                _db_time(row.end),
                row.state,
                row.reason,
                row.boot,
                row.seq,
                row.count,
                row.parts,
            )
            for row in inserts
        ],
    )
    _update_many(
        StateInterval,
        {"end": "timestamp with time zone", "parts": "integer"},
        [(row.id, _db_time(row.end), row.parts) for row in updates],
    )


# The columns of a new row, in the order the writer gives them, with their SQL types.
_INTERVAL_COLUMNS = {
    "machine_id": "bigint",
    "start": "timestamptz",
    "end": "timestamptz",
    "state": "varchar",
    "reason": "varchar",
    "boot": "varchar",
    "seq": "bigint",
    "count": "bigint",
    "parts": "integer",
}


def _insert_many(model: type[models.Model], columns: dict[str, str], rows: list[tuple]) -> None:
    """Insert ``rows`` (values in the order of ``columns``, which maps each column to its
    SQL type): on PostgreSQL one INSERT from arrays, elsewhere one multi-row INSERT per
    run of rows that fits the parameter limit."""
    if not rows:
        return
    names = ", ".join(_q(c) for c in columns)
    if _postgresql():
        arrays = ", ".join(f"%b::{columns[c]}[]" for c in columns)
        sql = f"INSERT INTO {_table(model)} ({names}) SELECT * FROM unnest({arrays})"  # noqa: S608
        with _array_cursor() as cursor:
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        return
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_query = max(1, 900 // len(columns))
    with connection.cursor() as cursor:
        for begin in range(0, len(rows), per_query):
            chunk = rows[begin : begin + per_query]
            values = ", ".join([placeholder] * len(chunk))
            sql = f"INSERT INTO {_table(model)} ({names}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _update_many(model: type[models.Model], columns: dict[str, str], rows: list[tuple]) -> None:
    """Set ``columns`` of the rows ``(id, *values)``: on PostgreSQL one UPDATE from arrays
    (``columns`` maps each to its SQL type), elsewhere one statement per row (SQLite runs
    them in-process)."""
    if not rows:
        return
    table = _table(model)
    if not _postgresql():
        assignments = ", ".join(f"{_q(c)} = %s" for c in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(*row[1:], row[0]) for row in rows])
        return
    names = list(columns)
    aliases = ", ".join(f"v{i}" for i in range(len(names)))
    assignments = ", ".join(f"{_q(c)} = v.v{i}" for i, c in enumerate(names))
    arrays = ", ".join(["%b::bigint[]", *(f"%b::{columns[c]}[]" for c in names)])
    sql = (
        f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays})"  # noqa: S608
        f" AS v(id, {aliases}) WHERE t.id = v.id"
    )
    with _array_cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])


def _count(
    batch: Batch,
    machines: dict[int, int | None],
    stats: dict[int, IngestStats],
    device_events: Sequence[StateEvent],
    new_keys: frozenset[Key],
) -> None:
    """Add the batch's messages to each machine's counters (the collector's own offline
    rows are no messages and count nowhere). Every writer of the counters holds the
    machine's lock, taken before they were read: the values are written as computed."""
    unseen = set(new_keys)
    changed: set[int] = set()
    now = timezone.now()

    def seen(machine_id: int, at: dt.datetime) -> None:
        row = stats[machine_id]
        if row.last_seen is None or at > row.last_seen:
            row.last_seen = at

    for event in device_events:
        row = stats[event.machine_id]
        row.received += 1
        if _key(event) in unseen:
            unseen.discard(_key(event))  # a second copy in this batch is a duplicate
            row.stored += 1
        else:
            row.duplicates += 1
        seen(event.machine_id, event.at)
        changed.add(event.machine_id)
    for heartbeat in batch.heartbeats:
        if heartbeat.machine_id in machines:
            stats[heartbeat.machine_id].received += 1
            seen(heartbeat.machine_id, heartbeat.at)
            changed.add(heartbeat.machine_id)
    for refusal in batch.refusals:
        if refusal.machine_id is not None and refusal.machine_id in machines:
            row = stats[refusal.machine_id]
            row.received += 1
            if refusal.kind in _REFUSAL_COUNTERS:
                setattr(row, refusal.kind, getattr(row, refusal.kind) + 1)
            row.last_error = _safe_text(refusal.detail, 300)
            row.last_error_at = now
            changed.add(refusal.machine_id)
    if not changed:
        return
    rows = []
    for machine_id in sorted(changed):
        row = stats[machine_id]
        values = [getattr(row, name) for name in _STATS_FIELDS]
        rows.append((row.pk, *(_db_time(v) if isinstance(v, dt.datetime) else v for v in values)))
    _update_many(IngestStats, _STATS_FIELDS, rows)


_REFUSAL_COUNTERS = (
    Rejection.MALFORMED.value,
    Rejection.SKEWED.value,
    Rejection.RATE_LIMITED.value,
)
# The counters' columns and their PostgreSQL types.
_STATS_FIELDS = {
    "received": "bigint",
    "stored": "bigint",
    "duplicates": "bigint",
    **dict.fromkeys(_REFUSAL_COUNTERS, "bigint"),
    "last_seen": "timestamp with time zone",
    "last_error": "varchar",
    "last_error_at": "timestamp with time zone",
}


def _safe_text(text: str, limit: int) -> str:
    text = text[:limit]
    return (
        text
        if storable_text(text)
        else text.encode("utf-8", "backslashreplace").decode()[:limit].replace("\x00", "")
    )


def _count_unknown(refusals: Sequence[Refusal]) -> None:
    """Messages for keys nobody registered, per (source, key). Two collectors may count
    the same key at once: rows are created without conflict, then locked in key order."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for refusal in refusals:
        key = _safe_text(refusal.key, 200)
        counts[(str(refusal.source or ""), key)] += 1
    if not counts:
        return
    now = timezone.now()
    UnknownSource.objects.bulk_create(
        [
            UnknownSource(source=source, key=key, count=0, first_seen=now, last_seen=now)
            for source, key in sorted(counts)
        ],
        ignore_conflicts=True,
    )
    condition = Q()
    for source, key in counts:
        condition |= Q(source=source, key=key)
    rows = list(
        UnknownSource.objects.select_for_update().filter(condition).order_by("source", "key")
    )
    for row in rows:
        row.count = F("count") + counts[(row.source, row.key)]
        row.last_seen = now
    UnknownSource.objects.bulk_update(rows, ["count", "last_seen"], batch_size=500)


def _move_cursors(cursors: Sequence[CursorUpdate]) -> None:
    latest: dict[str, CursorUpdate] = {}
    for cursor in cursors:
        latest[cursor.key] = cursor
    for key in sorted(latest):
        cursor = latest[key]
        SourceCursor.objects.update_or_create(
            key=cursor.key,
            defaults={
                "instance": cursor.instance,
                "next_sequence": cursor.next_sequence,
                "gaps": cursor.gaps,
            },
        )


def offline_batch(*, now: dt.datetime | None = None, after: dt.timedelta = OFFLINE_AFTER) -> Batch:
    """Offline rows for the active machines silent for longer than ``after``.

    The row starts at the machine's last sign of life and is keyed by it, so two collectors
    noticing the same silence write it once; ``write_batch`` drops it if a message came in
    the meantime."""
    now = now or timezone.now()
    # A machine's latest row is its open one: already offline, nothing to add.
    latest = StateInterval.objects.filter(machine_id=OuterRef("machine_id")).order_by(
        "-start", "-seq"
    )
    silent = (
        IngestStats.objects.filter(machine__active=True, last_seen__lt=now - after)
        .annotate(latest_state=Subquery(latest.values("state")[:1]))
        .exclude(latest_state=MachineState.OFFLINE)
        .order_by("machine_id")
        .values_list("machine_id", "last_seen")
    )
    batch = Batch()
    for machine_id, last_seen in silent:
        if last_seen is None:  # pragma: no cover (filtered by last_seen__lt)
            continue
        batch.events.append(
            StateEvent(
                machine_id=machine_id,
                boot=COLLECTOR_BOOT,
                seq=int(last_seen.timestamp() * 1000),
                at=last_seen,
                state=MachineState.OFFLINE,
                reason="silent",
            )
        )
    return batch
