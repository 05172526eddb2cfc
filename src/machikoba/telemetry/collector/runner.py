"""The collector's writer: the sources' batches, merged, written, then acknowledged.

Sources (``collector.base.Source``) hand ``(batch, ack)`` pairs to the runner's queue from
their own threads. The writer loop (the thread that calls ``Runner.run``):

- merges queued batches into one ``ingest.write_batch`` transaction, up to ``batch_size``
  messages or ``batch_ms`` after the first one arrived;
- calls the acks after the commit, in arrival order (MQTT acknowledges there);
- on a database that cannot be reached (PostgreSQL restarting) keeps the batch and tries
  again with a backoff of 0.5 s doubling to 30 s, acknowledging nothing meanwhile;
- isolates a message the database refuses (a value no column holds): its batch is written
  message by message, and the one refused is counted as malformed instead of stalling
  every machine behind it;
- every ``offline_every`` seconds writes ``ingest.offline_batch()`` (the first time after
  ``offline_first_after``, once a restarted collector has read the broker's backlog);
- logs one summary line a minute: received, stored, duplicates and refused per source;
- on ``request_stop()`` (SIGTERM, SIGINT) stops the sources, writes what is queued,
  acknowledges it and closes the sources; a second request gives up on what is not yet
  written (unacknowledged: the broker sends it again).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, connection

from machikoba.telemetry.choices import Rejection
from machikoba.telemetry.events import OFFLINE_AFTER, Batch, Refusal
from machikoba.telemetry.ingest import BatchResult, offline_batch, write_batch

from .base import Ack, Sink, Source, acknowledge

logger = logging.getLogger(__name__)

# Errors a message's content can cause (the batch is split to find it); any other error
# is the database's (unreachable, restarting) and the batch is tried again as it is.
POISON = (IntegrityError, DataError, ValueError, UnicodeError, OverflowError)
MAX_BACKOFF = 30.0


@dataclass(slots=True)
class _Item:
    source: str
    batch: Batch
    ack: Ack | None


@dataclass(slots=True)
class Totals:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0

    def add(self, other: Totals) -> None:
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.refused += other.refused

    def line(self) -> str:
        return (
            f"received {self.received} stored {self.stored} "
            f"duplicates {self.duplicates} refused {self.refused}"
        )


class _Inbox:
    """A queue of items that blocks a producer while full, until told not to block.

    The writer is woken when the first item arrives and when a batch is full, not by
    every item in between (a context switch per MQTT message would cost more than the
    message)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: deque[_Item] = deque()
        self._size = 0  # messages queued
        self._want = 1  # messages that make the waiting writer's batch full
        self._cond = threading.Condition()
        self._blocking = True
        self._interrupted = False

    def put(self, item: _Item) -> None:
        with self._cond:
            while self._blocking and len(self._items) >= self.maxsize:
                self._cond.wait(0.5)
            self._items.append(item)
            self._size += _weight(item)
            if len(self._items) == 1 or self._size >= self._want:
                self._cond.notify_all()

    def unblock(self) -> None:
        with self._cond:
            self._blocking = False
            self._cond.notify_all()

    def interrupt(self) -> None:
        """Make a waiting ``take`` return what it has now (the runner is stopping)."""
        with self._cond:
            self._interrupted = True
            self._cond.notify_all()

    def __len__(self) -> int:
        return len(self._items)

    def take(self, most: int, window: float, wait: float) -> list[_Item]:
        """Items holding up to ``most`` messages (at least one item): waits up to ``wait``
        for the first, then up to ``window`` more for the rest."""
        with self._cond:
            if not self._items and not self._interrupted:
                self._want = 1
                self._cond.wait(wait)
            if not self._items:
                return []
            deadline = time.monotonic() + window
            self._want = most
            while self._size < most and not self._interrupted:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            self._want = 1
            taken: list[_Item] = []
            size = 0
            while self._items and size < most:
                item = self._items.popleft()
                taken.append(item)
                size += _weight(item)
            self._size -= size
            self._cond.notify_all()  # producers waiting for room
            return taken


def _weight(item: _Item) -> int:
    return max(len(item.batch), 1)


@dataclass
class Runner:
    sources: Sequence[Source]
    batch_size: int = 0
    batch_ms: int = 0
    offline_every: float = 30.0
    offline_first_after: float = OFFLINE_AFTER.total_seconds()
    summary_every: float = 60.0
    # Seconds a stopping collector keeps trying to write what it holds.
    drain_seconds: float = 30.0
    queue_size: int = 20_000
    totals: dict[str, Totals] = field(default_factory=dict)
    offline_rows: int = 0

    def __post_init__(self) -> None:
        self.batch_size = self.batch_size or getattr(
            settings, "MACHIKOBA_TELEMETRY_BATCH_SIZE", 2000
        )
        self.batch_ms = self.batch_ms or getattr(settings, "MACHIKOBA_TELEMETRY_BATCH_MS", 200)
        self._inbox = _Inbox(self.queue_size)
        self._stop = threading.Event()
        self._abandon = threading.Event()
        self._stopped_at: float | None = None
        self._window: dict[str, Totals] = {}
        self.ready = threading.Event()
        self.finished = threading.Event()
        for source in self.sources:
            self.totals.setdefault(source.name, Totals())

    # --- control ---------------------------------------------------------------------

    def sink_for(self, source: str) -> Sink:
        def sink(batch: Batch, ack: Ack | None = None) -> None:
            self._inbox.put(_Item(source, batch, ack))

        return sink

    def request_stop(self) -> None:
        """First call: finish (write what is queued, then acknowledge). Second: give up
        on what is not written yet."""
        if self._stop.is_set():
            self._abandon.set()
        if self._stopped_at is None:
            # From now on a database that does not answer is waited for drain_seconds.
            self._stopped_at = time.monotonic()
        self._stop.set()
        self._inbox.interrupt()

    def install_signal_handlers(self) -> None:
        def handler(signum: int, frame: Any) -> None:
            logger.info("collector: %s received, stopping", signal.Signals(signum).name)
            self.request_stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    @property
    def queued(self) -> int:
        return len(self._inbox)

    # --- the loop --------------------------------------------------------------------

    def run(self) -> None:
        """Start the sources and write until stopped (blocks)."""
        started = time.monotonic()
        next_offline = started + self.offline_first_after
        next_summary = started + self.summary_every
        try:
            for source in self.sources:
                source.start(self.sink_for(source.name))
                logger.info("collector: %s started", source.name)
            self.ready.set()
            while not self._stop.is_set():
                now = time.monotonic()
                wait = max(0.0, min(next_offline, next_summary, now + 0.5) - now)
                items = self._inbox.take(self.batch_size, self.batch_ms / 1000, wait)
                if items:
                    self._write(items)
                now = time.monotonic()
                if now >= next_offline:
                    self._offline()
                    next_offline = now + self.offline_every
                if now >= next_summary:
                    self._summary()
                    next_summary = now + self.summary_every
            self._shutdown()
        finally:
            self._close_connection()
            self.finished.set()

    def _shutdown(self) -> None:
        self._inbox.unblock()
        for source in self.sources:
            try:
                source.stop()
            except Exception:
                logger.exception("collector: stopping %s failed", source.name)
        while not self._abandon.is_set():
            items = self._inbox.take(self.batch_size, 0.0, 0.0)
            if not items:
                break
            self._write(items)
        if len(self._inbox):
            logger.warning(
                "collector: %d batches left unwritten and unacknowledged", len(self._inbox)
            )
        for source in self.sources:
            close: Callable[[], None] | None = getattr(source, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    logger.exception("collector: closing %s failed", source.name)
        self._summary(final=True)

    # --- writing ---------------------------------------------------------------------

    def _write(self, items: list[_Item]) -> None:
        merged = Batch()
        for item in items:
            merged.extend(item.batch)
        result = self._retrying(lambda: self._write_merged(merged, items))
        if result is None:
            return
        try:
            acknowledge([item.ack for item in items if item.ack is not None])
        except Exception:
            logger.exception("collector: acknowledging a batch failed")

    def _write_merged(self, merged: Batch, items: list[_Item]) -> bool:
        try:
            result = write_batch(merged)
        except POISON as error:
            logger.warning("collector: a batch was refused (%s); writing it one by one", error)
            self._close_connection()
            for item in items:
                self._write_alone(item)
            return True
        self._tally(items, result)
        return True

    def _write_alone(self, item: _Item) -> None:
        """Write one source batch; if the database refuses it, message by message, the
        refused ones counted as malformed. (Connection errors propagate: retried.)"""
        try:
            self._tally([item], write_batch(item.batch))
            return
        except POISON:
            self._close_connection()
        for single in _singles(item.batch):
            one = _Item(item.source, single, None)
            try:
                self._tally([one], write_batch(single))
            except POISON as error:
                self._close_connection()
                logger.error("collector: a %s message could not be stored: %r", item.source, error)
                refusal = _as_refusal(single, error)
                if refusal is None:
                    continue
                replaced = _Item(item.source, Batch(refusals=[refusal]), None)
                try:
                    self._tally([replaced], write_batch(replaced.batch))
                except POISON:  # pragma: no cover - a refusal holds only our own text
                    self._close_connection()
                    logger.exception("collector: not even its refusal could be counted")

    def _retrying(self, attempt: Callable[[], bool]) -> bool | None:
        """``attempt()`` until the database takes it; ``None`` if given up (stopping)."""
        delay = 0.5
        while True:
            try:
                return attempt()
            except Exception as error:
                self._close_connection()
                if self._abandon.is_set() or (
                    self._stopped_at is not None
                    and time.monotonic() - self._stopped_at > self.drain_seconds
                ):
                    logger.error("collector: giving up on a batch (%s); it comes again", error)
                    self._abandon.set()
                    return None
                if isinstance(error, DatabaseError):
                    logger.warning("collector: database error (%s); retry in %.1f s", error, delay)
                else:  # a bug: keep the messages (unacknowledged), say so loudly
                    logger.exception("collector: writing failed; retry in %.1f s", delay)
                self._abandon.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF)

    def _tally(self, items: Sequence[_Item], result: BatchResult) -> None:
        stored = set(result.stored_keys)
        for item in items:
            counts = Totals(
                received=len(item.batch.events)
                + len(item.batch.heartbeats)
                + len(item.batch.refusals),
                refused=len(item.batch.refusals),
            )
            for event in item.batch.events:
                key = (event.machine_id, event.boot, event.seq)
                if key in stored:
                    stored.discard(key)
                    counts.stored += 1
                else:
                    counts.duplicates += 1
            self.totals.setdefault(item.source, Totals()).add(counts)
            self._window.setdefault(item.source, Totals()).add(counts)

    def _offline(self) -> None:
        try:
            batch = offline_batch()
            if batch.events:
                write_batch(batch)
                self.offline_rows += len(batch.events)
                logger.info("collector: %d machines fell silent", len(batch.events))
        except DatabaseError as error:
            logger.warning("collector: the offline check failed (%s)", error)
            self._close_connection()

    def _summary(self, *, final: bool = False) -> None:
        window = self.totals if final else self._window
        parts = [f"{name}: {window.get(name, Totals()).line()}" for name in sorted(self.totals)]
        logger.info(
            "collector %s: %s; queued %d",
            "total" if final else "last minute",
            "; ".join(parts) or "no sources",
            len(self._inbox),
        )
        self._window = {}

    def _close_connection(self) -> None:
        if not connection.in_atomic_block:
            connection.close()


def _singles(batch: Batch) -> list[Batch]:
    """``batch`` as one-message batches, its cursors last (they follow their events)."""
    singles = [Batch(events=[e]) for e in batch.events]
    singles += [Batch(heartbeats=[h]) for h in batch.heartbeats]
    singles += [Batch(refusals=[r]) for r in batch.refusals]
    singles += [Batch(cursors=[c]) for c in batch.cursors]
    return singles


def _as_refusal(single: Batch, error: Exception) -> Refusal | None:
    """What is counted instead of a message the database refused."""
    detail = f"could not be stored: {type(error).__name__}"
    machines = [e.machine_id for e in single.events] + [h.machine_id for h in single.heartbeats]
    return Refusal(Rejection.MALFORMED, detail, machines[0]) if machines else None
