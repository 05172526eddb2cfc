"""The MQTT input in a process of its own, so that the collector uses two cores.

In one process the MQTT thread (paho reading and decoding, parsing, validation) and the
writer share one core through the GIL: each half alone is about as fast as a bare paho
subscriber, together they reach a third of it (bench/README.md). Here a child process
(``multiprocessing``, spawned) runs an ordinary ``MqttSource``. It gathers what it
receives into batches, of at most ``flush_size`` messages or ``flush_ms`` milliseconds, and
sends each batch through a pipe with a token. The parent hands each batch to the runner
with an ack that sends the token back. The child then sends the PUBACKs of that batch's
messages. The guarantees are those of ``MqttSource``: acknowledged after the commit,
redelivered after a crash of either process.

- The parent dies (even by SIGKILL): the child reads the end of its pipe and exits at
  once, without acknowledging anything more, so that a restarted collector's child can
  take over the client id's session.
- The child dies: the parent logs it and stops the collector (SIGTERM to itself), which
  exits with status 1, for its supervisor to start it again.
- Ctrl-C reaches the whole process group: the child ignores SIGINT and SIGTERM and ends
  when the parent closes it.

``MACHIKOBA_MQTT_PROCESS`` (on by default) chooses this input; off, ``MqttSource`` runs
in the collector's own process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from django.db import connection

from machikoba.telemetry.choices import Source

from . import mqtt_child
from .base import Sink
from .mqtt import default_client_id
from .mqtt_child import ACK, BATCH, CLOSE, STOP, STOPPED, SUBSCRIBED

logger = logging.getLogger(__name__)

FLUSH_SIZE = 500
FLUSH_MS = 20
STOP_WAIT = 10.0


class MqttProcessSource:
    """The runner's MQTT input, received in a child process (see the module)."""

    name = Source.MQTT.value

    def __init__(
        self, *, flush_size: int = FLUSH_SIZE, flush_ms: int = FLUSH_MS, **options: Any
    ) -> None:
        self.options = options
        self.options["client_id"] = options.get("client_id") or default_client_id()
        self.client_id = self.options["client_id"]
        self.flush_size = flush_size
        self.flush_ms = flush_ms
        self.subscribed = threading.Event()
        self._stopped = threading.Event()
        self._closing = False
        # Set when the child ended by itself: the collector then exits with an error.
        self.failed = False
        self._send_lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._to_child: Connection | None = None
        self._reader: threading.Thread | None = None

    def start(self, sink: Sink) -> None:
        context = multiprocessing.get_context("spawn")
        from_child, child_out = context.Pipe(duplex=False)
        child_in, to_child = context.Pipe(duplex=False)
        # The child opens its own connection to the database the parent uses (a test's
        # database in the tests).
        database = connection.settings_dict["NAME"]
        self._process = context.Process(
            target=mqtt_child.main,
            args=(self.options, database, self.flush_size, self.flush_ms, child_out, child_in),
            name="machikoba-mqtt",
            daemon=True,
        )
        self._process.start()
        child_out.close()
        child_in.close()
        self._to_child = to_child
        self._reader = threading.Thread(
            target=self._read, args=(from_child, sink), name="mqtt-process-reader", daemon=True
        )
        self._reader.start()

    def _read(self, from_child: Connection, sink: Sink) -> None:
        while True:
            try:
                message = from_child.recv()
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == BATCH:
                _kind, batch, token = message
                sink(batch, _ProcessAck(self, token) if token else None)
            elif kind == SUBSCRIBED:
                self.subscribed.set()
            elif kind == STOPPED:
                self._stopped.set()
        self._stopped.set()
        if not self._closing:
            self.failed = True
            logger.error("MQTT: the receiving process ended; stopping the collector")
            os.kill(os.getpid(), signal.SIGTERM)

    def _send(self, message: tuple) -> None:
        if self._to_child is None:
            return
        with self._send_lock:
            try:
                self._to_child.send(message)
            except (BrokenPipeError, OSError):
                logger.warning("MQTT: the receiving process is gone; %s not sent", message[0])

    def acknowledge_all(self, acks: list[_ProcessAck]) -> None:
        self._send((ACK, [ack.token for ack in acks]))

    def stop(self) -> None:
        """Hand nothing more to the runner: returns once every batch the child sent
        before it stopped has reached the runner."""
        self._send((STOP,))
        if not self._stopped.wait(STOP_WAIT):
            logger.warning("MQTT: the receiving process did not confirm its stop")

    def close(self) -> None:
        """Let the child send the last acks, disconnect and end."""
        self._closing = True
        self._send((CLOSE,))
        if self._process is not None:
            self._process.join(STOP_WAIT)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(STOP_WAIT)
        if self._to_child is not None:
            self._to_child.close()

    @property
    def connected(self) -> bool:
        return self._process is not None and self._process.is_alive()


@dataclass(frozen=True, slots=True)
class _ProcessAck:
    owner: MqttProcessSource
    token: int

    def __call__(self) -> None:
        self.owner.acknowledge_all([self])
