"""How a source plugs into the collector (``collector.runner``).

A source runs its own thread or event loop, turns what it receives into a
``events.Batch`` and hands it to the runner's ``sink`` with an optional ``ack``: the runner
writes batches (``ingest.write_batch``, several merged into one transaction) and calls each
``ack`` only after the commit. MQTT acknowledges its QoS 1 messages there; polled sources
(MTConnect, OPC UA) put a ``CursorUpdate`` in the batch instead and pass no ack.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from machikoba.telemetry.events import Batch
from machikoba.telemetry.models import Machine

Ack = Callable[[], None]


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


class MachineDirectory:
    """The active machines of one source, read again every ``refresh_seconds`` so that a
    machine registered while the collector runs is picked up without a restart."""

    def __init__(self, source: str, refresh_seconds: float = 30.0) -> None:
        self.source = source
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._by_key: dict[str, MachineInfo] = {}
        self._loaded_at = 0.0

    def _load(self) -> None:
        rows = Machine.objects.filter(source=self.source, active=True).values_list(
            "id", "key", "config", "counter_max"
        )
        self._by_key = {
            key: MachineInfo(id_, key, config or {}, cmax) for id_, key, config, cmax in rows
        }
        self._loaded_at = time.monotonic()

    def refresh(self) -> None:
        with self._lock:
            self._load()

    def _fresh(self) -> dict[str, MachineInfo]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.refresh_seconds:
                self._load()
            return self._by_key

    def get(self, key: str) -> MachineInfo | None:
        return self._fresh().get(key)

    def all(self) -> list[MachineInfo]:
        return list(self._fresh().values())
