"""What every source hands the writer: normalised, validated messages.

A source (``collector.mqtt``, ``collector.mtconnect``, ``collector.opcua``) turns what it
receives into these values and passes them to ``ingest.write_batch`` in batches:

- ``StateEvent``: the machine entered ``state`` at ``at``. ``(machine_id, boot, seq)`` names
  the message in its stream, so a message delivered twice is stored once.
- ``Heartbeat``: the machine (or its sensor) is alive at ``at``; no row, only ``last_seen``
  (a machine silent for longer than ``OFFLINE_AFTER`` gets an offline interval).
- ``Refusal``: a message the source could not use (malformed, a clock beyond the bound, a
  flood, an unknown key), counted per machine or per unknown key, never stored as data.
- ``CursorUpdate``: where a polled stream stands (an MTConnect agent's instanceId and next
  sequence), written in the same transaction as the events it produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .choices import MachineState, Rejection, Source

STATES = frozenset(MachineState.values)

# A message stamped further ahead than this is from a wrong clock: refused (skewed).
MAX_FUTURE = dt.timedelta(minutes=2)
# At-least-once delivery may bring a message late (a collector down, a broker's stored
# session); older than this it is refused as skewed rather than rewriting history.
MAX_PAST = dt.timedelta(days=7)
# A machine heard from neither by state nor heartbeat for this long is offline.
OFFLINE_AFTER = dt.timedelta(seconds=180)
# Longest reason code and boot id kept (longer ones are malformed).
MAX_REASON = 64
MAX_BOOT = 64
# The boot id of the rows the collector writes itself (a machine gone silent); reserved:
# a source's event with this boot is malformed. ``ingest.COLLECTOR_BOOT`` is the same.
COLLECTOR_BOOT = "collector"
# Largest sequence number and counter value a BIGINT column holds.
MAX_BIGINT = 2**63 - 1


def storable_text(value: str) -> bool:
    """Whether a database column can hold ``value``: PostgreSQL refuses NUL characters,
    and a lone surrogate (``"\\ud800"`` in JSON) cannot be encoded as UTF-8."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class StateEvent:
    machine_id: int
    boot: str
    seq: int
    at: dt.datetime
    state: str
    reason: str = ""
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    machine_id: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Refusal:
    kind: Rejection
    detail: str
    machine_id: int | None = None
    # For an unknown machine: which source and key it claimed.
    source: Source | None = None
    key: str = ""


@dataclass(frozen=True, slots=True)
class CursorUpdate:
    key: str
    instance: str
    next_sequence: int
    gaps: int = 0


@dataclass(slots=True)
class Batch:
    events: list[StateEvent] = field(default_factory=list)
    heartbeats: list[Heartbeat] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    cursors: list[CursorUpdate] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.events) + len(self.heartbeats) + len(self.refusals) + len(self.cursors)

    def extend(self, other: Batch) -> None:
        self.events.extend(other.events)
        self.heartbeats.extend(other.heartbeats)
        self.refusals.extend(other.refusals)
        self.cursors.extend(other.cursors)


def skew_refusal(machine_id: int, at: dt.datetime, received_at: dt.datetime) -> Refusal | None:
    """A refusal when ``at`` lies beyond the clock bound around ``received_at``."""
    if at > received_at + MAX_FUTURE:
        return Refusal(Rejection.SKEWED, f"{at.isoformat()} is ahead of the clock", machine_id)
    if at < received_at - MAX_PAST:
        return Refusal(Rejection.SKEWED, f"{at.isoformat()} is too old", machine_id)
    return None


def validated(event: StateEvent, received_at: dt.datetime) -> StateEvent | Refusal:
    """``event`` if it is well formed and within the clock bound, else why not."""
    machine_id = event.machine_id
    if not isinstance(event.state, str) or event.state not in STATES:
        return Refusal(Rejection.MALFORMED, f"unknown state {str(event.state)[:40]!r}", machine_id)
    if not isinstance(event.at, dt.datetime) or event.at.utcoffset() is None:
        return Refusal(Rejection.MALFORMED, "timestamp without a time zone", machine_id)
    if not isinstance(event.reason, str) or not isinstance(event.boot, str):
        return Refusal(Rejection.MALFORMED, "reason and boot must be text", machine_id)
    if len(event.reason) > MAX_REASON or len(event.boot) > MAX_BOOT:
        return Refusal(Rejection.MALFORMED, "reason or boot too long", machine_id)
    if not storable_text(event.reason) or not storable_text(event.boot):
        return Refusal(Rejection.MALFORMED, "reason or boot has characters not allowed", machine_id)
    if event.boot == COLLECTOR_BOOT:
        return Refusal(Rejection.MALFORMED, f"boot {COLLECTOR_BOOT!r} is reserved", machine_id)
    if isinstance(event.seq, bool) or not isinstance(event.seq, int):
        return Refusal(Rejection.MALFORMED, "sequence is not an integer", machine_id)
    if not 0 <= event.seq <= MAX_BIGINT:
        return Refusal(Rejection.MALFORMED, "sequence out of range", machine_id)
    if event.count is not None and (
        isinstance(event.count, bool)
        or not isinstance(event.count, int)
        or not 0 <= event.count <= MAX_BIGINT
    ):
        return Refusal(Rejection.MALFORMED, "counter out of range", machine_id)
    return skew_refusal(machine_id, event.at, received_at) or event
