"""The MQTT receiving process of ``mqtt_process``: its entry point, and the work it does.

A spawned process imports its target's module before anything else, so this module
imports no model at the top: ``main`` sets Django up first, then imports the MQTT input.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from machikoba.telemetry.events import Batch

# Messages between the processes: ("batch", Batch, token), ("subscribed",), ("stopped",)
# from the child; ("ack", [tokens]), ("stop",), ("close",) from the parent.
BATCH, SUBSCRIBED, STOPPED = "batch", "subscribed", "stopped"
ACK, STOP, CLOSE = "ack", "stop", "close"

# base.Ack, written out: base imports the models, which the spawned process may not yet.
Ack = Callable[[], None]


def main(*args: Any) -> None:  # pragma: no cover - runs in the spawned process
    # Ctrl-C and a SIGTERM to the process group reach the child too; the parent ends it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import django

    django.setup()
    run_child(*args)


class _Gatherer:
    """In the child: ``MqttSource``'s sink. Gathers messages into batches and sends them
    to the parent; keeps each batch's acks until the parent confirms its commit."""

    def __init__(self, out: Connection, flush_size: int) -> None:
        self.out = out
        self.flush_size = flush_size
        self.lock = threading.Lock()
        self.batch = Batch()
        self.acks: list[Ack] = []
        self.size = 0
        self.waiting: dict[int, list[Ack]] = {}
        self.tokens = itertools.count(1)

    def __call__(self, batch: Batch, ack: Ack | None = None) -> None:
        with self.lock:
            self.batch.extend(batch)
            self.size += len(batch)
            if ack is not None:
                self.acks.append(ack)
            if self.size >= self.flush_size:
                self._flush()

    def flush(self) -> None:
        with self.lock:
            self._flush()

    def _flush(self) -> None:
        if not self.size and not self.acks:
            return
        token = next(self.tokens) if self.acks else 0
        if token:
            self.waiting[token] = self.acks
        self.out.send((BATCH, self.batch, token))
        self.batch, self.acks, self.size = Batch(), [], 0

    def send(self, message: tuple) -> None:
        with self.lock:
            self.out.send(message)

    def acks_of(self, tokens: list[int]) -> list[Ack]:
        with self.lock:
            return [ack for token in tokens for ack in self.waiting.pop(token, [])]


def run_child(
    options: dict[str, Any],
    database: str,
    flush_size: int,
    flush_ms: int,
    out: Connection,
    commands: Connection,
) -> None:  # pragma: no cover - runs in the spawned process (tests observe it end to end)
    """The child's work, after ``main`` set Django up."""
    from django.db import connections

    from .base import acknowledge
    from .mqtt import MqttSource

    connections["default"].settings_dict["NAME"] = database
    gatherer = _Gatherer(out, flush_size)
    source = MqttSource(**options)
    done = threading.Event()

    def flush_every() -> None:
        while not done.wait(flush_ms / 1000):
            gatherer.flush()

    def report_subscription() -> None:
        if source.subscribed.wait(600):
            gatherer.send((SUBSCRIBED,))

    source.start(gatherer)
    threading.Thread(target=flush_every, daemon=True).start()
    threading.Thread(target=report_subscription, daemon=True).start()
    while True:
        try:
            command = commands.recv()
        except (EOFError, OSError):
            # The parent is gone: acknowledge nothing more, leave the session at once.
            os._exit(1)
        kind = command[0]
        if kind == ACK:
            acknowledge(gatherer.acks_of(command[1]))
        elif kind == STOP:
            source.stop()
            gatherer.flush()
            gatherer.send((STOPPED,))
        elif kind == CLOSE:
            done.set()
            source.close()
            return
