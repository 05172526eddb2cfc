"""How a source plugs into the collector (``collector.runner``).

A source runs its own thread or event loop, turns what it receives into a
``events.Batch`` and hands it to the runner's ``sink`` with an optional ``ack``: the runner
writes batches (``ingest.write_batch``, several merged into one transaction) and calls each
``ack`` only after the commit, in the order the batches came. MQTT acknowledges its QoS 1
messages there; polled sources (MTConnect, OPC UA) put a ``CursorUpdate`` in the batch
instead and pass no ack (or one that only counts what is pending).

The sink may block while the runner's queue is full (backpressure on a polled source);
once the runner is stopping it never blocks. A batch handed over after ``stop()`` began
may be dropped unwritten and unacknowledged: MQTT redelivers it, a polled source's cursor
has not moved.

Shutdown: the runner calls every source's ``stop()``, writes what is queued, calls the
acks, then calls ``close()`` on the sources that have one (MQTT disconnects there: its
acknowledgements need the connection until then).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import DatabaseError, close_old_connections, connection

from machikoba.telemetry.events import Batch
from machikoba.telemetry.models import Machine

logger = logging.getLogger(__name__)

Ack = Callable[[], None]


class GroupAck(Protocol):
    """An acknowledgement its source can send together with others of the same source
    (``owner.acknowledge_all``): MQTT's PUBACKs go out in one write instead of one each."""

    owner: Any

    def __call__(self) -> None: ...


def acknowledge(acks: list[Ack]) -> None:
    """Call every ack, grouping those that have an ``owner`` with ``acknowledge_all``."""
    groups: dict[int, tuple[Any, list[Ack]]] = {}
    for ack in acks:
        owner = getattr(ack, "owner", None)
        if owner is None:
            ack()
        else:
            groups.setdefault(id(owner), (owner, []))[1].append(ack)
    for owner, members in groups.values():
        owner.acknowledge_all(members)


class Sink(Protocol):
    def __call__(self, batch: Batch, ack: Ack | None = None) -> None: ...


class Source(Protocol):
    name: str

    def start(self, sink: Sink) -> None:
        """Start receiving (in the source's own thread) and return."""

    def stop(self) -> None:
        """Stop receiving; the runner then writes what is queued."""


@dataclass(frozen=True, slots=True)
class MachineInfo:
    id: int
    key: str
    config: dict[str, Any]
    counter_max: int | None


def _drop_broken_connection() -> None:
    """Close this thread's database connection if it broke (the server restarted) or
    aged out, so the next query opens a new one; never inside a transaction."""
    if not connection.in_atomic_block:
        close_old_connections()


class MachineDirectory:
    """The active machines of one source, read again every ``refresh_seconds`` so that a
    machine registered while the collector runs is picked up without a restart; a key it
    does not know makes it read again at most every ``miss_refresh_seconds`` (a sensor
    registered more than that ago is never refused as unknown).

    Reads happen in the calling thread. While the database is unreachable the last list
    read stays in use (a refresh that fails is logged and tried again later)."""

    def __init__(
        self, source: str, refresh_seconds: float = 30.0, miss_refresh_seconds: float = 1.0
    ) -> None:
        self.source = source
        self.refresh_seconds = refresh_seconds
        self.miss_refresh_seconds = miss_refresh_seconds
        self._lock = threading.Lock()
        self._by_key: dict[str, MachineInfo] = {}
        self._loaded_at = float("-inf")
        self._loaded_once = False

    def _load(self) -> None:
        _drop_broken_connection()
        rows = Machine.objects.filter(source=self.source, active=True).values_list(
            "id", "key", "config", "counter_max"
        )
        self._by_key = {
            key: MachineInfo(id_, key, config or {}, cmax) for id_, key, config, cmax in rows
        }
        self._loaded_at = time.monotonic()
        self._loaded_once = True

    def refresh(self) -> None:
        with self._lock:
            self._load()

    def _reload_if_older(self, seconds: float) -> None:
        if time.monotonic() - self._loaded_at <= seconds:
            return
        try:
            self._load()
        except DatabaseError:
            if not self._loaded_once:
                raise
            # Keep the list we have; try again after another interval.
            self._loaded_at = time.monotonic()
            logger.warning("reading the %s machines failed; using the last list", self.source)
            _drop_broken_connection()

    def _fresh(self) -> dict[str, MachineInfo]:
        with self._lock:
            self._reload_if_older(self.refresh_seconds)
            return self._by_key

    def get(self, key: str) -> MachineInfo | None:
        found = self._fresh().get(key)
        if found is None:
            with self._lock:
                self._reload_if_older(self.miss_refresh_seconds)
                found = self._by_key.get(key)
        return found

    def all(self) -> list[MachineInfo]:
        return list(self._fresh().values())
