"""The MTConnect input of the collector: polls agents, stores state intervals.

A machine with ``source = mtconnect`` names its agent and device in its config,
``{"agent": "http://host:5000", "device": "<device name or uuid>"}``; several machines may
share one agent. ``MTConnectSource`` runs one thread per agent (``AgentPoller``):

- **connect**: ``/current`` gives the agent's ``instanceId`` and sequence window and each
  device's latest values; the machines' states are compared with what is stored, and only
  a state that differs is written.
- **follow**: ``/sample?from=<next>&count=<n>`` again and again; observations are applied
  in sequence order and a state event is written only when a machine's normalised
  ``(state, reason)`` changes (``mtconnect_states``), keyed ``boot = instanceId``,
  ``seq = the observation's sequence``, so a range polled twice is stored once.
- **cursor**: each batch carries ``SourceCursor(key = agent URL, instance, next sequence,
  gaps)``, written in the same transaction as its events. A collector that restarts reads
  it, rebuilds the devices' values as of that sequence (``/current?at=``) and goes on
  from there: nothing is missed or written twice.
- **gaps**: the agent's buffer overran while we were away (``from`` < ``firstSequence``,
  or OUT_OF_RANGE): a gap is counted and logged, and the source resyncs from ``/current``.
  A new ``instanceId`` (the agent restarted) resyncs too. An agent that cannot be reached
  is retried with a growing pause and sends no heartbeats meanwhile, so its machines go
  offline through the runner's sweep; when it is back, the state is written again.
- **bad input**: a document that is not XML (or lacks its header) is a malformed refusal
  for every machine of the agent; a bad observation, one for its device's machines.
  Devices of the agent that no machine names are ignored.

docs/telemetry-mtconnect.md describes the mapping and these rules for an operator.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections.abc import Iterable

from django.db import close_old_connections, connection

from machikoba.telemetry.choices import Rejection, Source
from machikoba.telemetry.events import Batch, Refusal

from .base import MachineDirectory, MachineInfo, Sink
from .mtconnect_poller import SAMPLE_COUNT, AgentMachine, AgentPoller, PollerSettings

__all__ = [
    "AgentMachine",
    "AgentPoller",
    "MTConnectSource",
    "PollerSettings",
    "agent_machines",
    "agent_url",
]

logger = logging.getLogger(__name__)

MAX_AGENT_URL = 300  # SourceCursor.key
BAD_CONFIG = (
    'MTConnect config needs {"agent": "http://host:port", "device": "<device name or uuid>"}'
)


def agent_url(value: object) -> str | None:
    """The agent's base URL in one spelling (the cursor's key), or ``None`` if unusable."""
    if not isinstance(value, str):
        return None
    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.query or parts.fragment:
        return None
    url = urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc, parts.path.rstrip("/"), "", "")
    )
    return url if len(url) <= MAX_AGENT_URL else None


def agent_machines(
    machines: Iterable[MachineInfo],
) -> tuple[dict[str, list[AgentMachine]], list[int]]:
    """The machines grouped by agent URL, and the ids of those whose config is unusable."""
    groups: dict[str, list[AgentMachine]] = {}
    bad: list[int] = []
    for machine in machines:
        url = agent_url(machine.config.get("agent"))
        device = machine.config.get("device")
        if url is None or not isinstance(device, str) or not device.strip():
            bad.append(machine.id)
            continue
        groups.setdefault(url, []).append(AgentMachine(machine.id, device.strip()))
    return groups, bad


class MTConnectSource:
    """The collector's MTConnect input: one poller thread per agent named by an active
    machine, started and stopped as machines are registered and retired."""

    name = "mtconnect"

    def __init__(
        self,
        directory: MachineDirectory | None = None,
        poll_seconds: float = 1.0,
        http_timeout: float = 5.0,
        *,
        sample_count: int = SAMPLE_COUNT,
        heartbeat_seconds: float = 10.0,
        max_backoff: float = 60.0,
        reconcile_seconds: float = 60.0,
    ) -> None:
        self.directory = directory
        self.settings = PollerSettings(
            poll_seconds=poll_seconds,
            http_timeout=http_timeout,
            sample_count=sample_count,
            heartbeat_seconds=heartbeat_seconds,
            max_backoff=max_backoff,
            reconcile_seconds=reconcile_seconds,
        )
        self._pollers: dict[str, AgentPoller] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Machines whose config was refused, with that config (said again if it changes).
        self._bad_config: dict[int, str] = {}

    def start(self, sink: Sink) -> None:
        if self.directory is None:
            self.directory = MachineDirectory(Source.MTCONNECT)
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(self.directory, sink), name="mtconnect", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self._join_seconds)
            self._thread = None

    @property
    def agents(self) -> list[str]:
        """The agents being polled (their URLs)."""
        return sorted(self._pollers)

    @property
    def _join_seconds(self) -> float:
        return self.settings.http_timeout * 2 + 5

    def _run(self, directory: MachineDirectory, sink: Sink) -> None:
        try:
            while not self._stop.is_set():
                try:
                    close_old_connections()
                    self._sync_pollers(directory, sink)
                except Exception:
                    logger.exception("MTConnect: reading the machines failed")
                self._stop.wait(min(max(self.settings.poll_seconds, 0.05), 1.0))
        finally:
            for poller in self._pollers.values():
                poller.stop()
            for poller in self._pollers.values():
                poller.join(self._join_seconds)
            self._pollers.clear()
            connection.close()

    def _sync_pollers(self, directory: MachineDirectory, sink: Sink) -> None:
        machines = directory.all()
        groups, bad = agent_machines(machines)
        refused = set(bad)
        configs = {m.id: repr(sorted(m.config.items())) for m in machines if m.id in refused}
        refusals = [
            Refusal(Rejection.MALFORMED, BAD_CONFIG, machine_id)
            for machine_id, config in configs.items()
            if self._bad_config.get(machine_id) != config
        ]
        if refusals:
            for refusal in refusals:
                logger.warning("MTConnect machine %d: %s", refusal.machine_id, BAD_CONFIG)
            sink(Batch(refusals=refusals))
        self._bad_config = configs
        for url, agent_group in groups.items():
            poller = self._pollers.get(url)
            if poller is None:
                poller = self._pollers[url] = AgentPoller(url, sink, self.settings)
                poller.set_machines(agent_group)
                poller.start()
            else:
                poller.set_machines(agent_group)
        for url in set(self._pollers) - set(groups):
            poller = self._pollers.pop(url)
            poller.stop()
            poller.join(self._join_seconds)
