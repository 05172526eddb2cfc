"""OPC UA values to machine states: the pure half of the OPC UA input (no network, no
database), so that every rule here is a plain function a test calls.

A machine whose ``source`` is ``opcua`` has a config like::

    {"endpoint": "opc.tcp://192.168.0.20:4840/",
     "state_node": "ns=2;s=Machine1.State",
     "count_node": "ns=2;s=Machine1.PartCount",     # optional: cumulative part counter
     "alarm_node": "ns=2;s=Machine1.Alarm",         # optional: a Boolean, true = alarm
     "reason_node": "ns=2;s=Machine1.StopReason",   # optional: a reason or alarm code
     "states": {"0": "idle", "1": "producing", "2": "alarm"}}   # optional value map

``MachineTrack`` holds the latest good value of each of a machine's nodes and turns them
into one ``(state, reason)``; ``EndpointEngine`` (one per server connection) applies the
data changes of a publish cycle and the snapshot read at each (re)connection, and yields
the ``StateEvent`` / ``Heartbeat`` / ``Refusal`` values the writer stores.
docs/telemetry-opcua.md explains the choices.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asyncua import ua

from machikoba.telemetry.choices import MachineState, Rejection
from machikoba.telemetry.events import (
    MAX_BOOT,
    MAX_PAST,
    MAX_REASON,
    Batch,
    Heartbeat,
    Refusal,
    StateEvent,
    validated,
)

from .base import MachineInfo

# The roles a node plays for a machine, in the order their changes apply when several
# carry the same source timestamp (the counter first: the parts made up to a state
# change belong to the interval the change closes).
COUNT, STATE, ALARM, REASON = "count", "state", "alarm", "reason"
ROLES = (COUNT, STATE, ALARM, REASON)
CONFIG_NODES = {
    STATE: "state_node",
    COUNT: "count_node",
    ALARM: "alarm_node",
    REASON: "reason_node",
}

# The value map used when a machine's config has no "states": the integers in the order
# of the taxonomy (0 = the machine reports itself off), a Boolean "running" bit, and the
# common words of CNC and PLC state variables (MTConnect's Execution among them),
# compared case-insensitively.
DEFAULT_STATES: dict[str, str] = {
    "0": MachineState.OFFLINE,
    "1": MachineState.PRODUCING,
    "2": MachineState.IDLE,
    "3": MachineState.PLANNED_STOP,
    "4": MachineState.UNPLANNED_STOP,
    "5": MachineState.ALARM,
    "6": MachineState.SETUP,
    "true": MachineState.PRODUCING,
    "false": MachineState.IDLE,
    **{state.value: state.value for state in MachineState},
    **dict.fromkeys(
        ("running", "run", "active", "executing", "auto", "automatic"), MachineState.PRODUCING
    ),
    **dict.fromkeys(
        ("ready", "waiting", "stopped", "program_stopped", "standby"), MachineState.IDLE
    ),
    **dict.fromkeys(
        ("planned", "break", "maintenance", "optional_stop"), MachineState.PLANNED_STOP
    ),
    **dict.fromkeys(("interrupted", "feed_hold", "hold", "down"), MachineState.UNPLANNED_STOP),
    **dict.fromkeys(("fault", "error", "emergency", "emergency_stop"), MachineState.ALARM),
    **dict.fromkeys(("changeover",), MachineState.SETUP),
    **dict.fromkeys(("off", "power_off", "poweroff"), MachineState.OFFLINE),
}

# Reason values that mean "no reason" (a cleared PLC register).
NO_REASON = frozenset({"", "0", "none", "null"})


def to_micros(at: dt.datetime) -> int:
    """The sequence number of a change stamped ``at``: microseconds since the epoch."""
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def boot_token(endpoint: str, start_time: dt.datetime | None) -> str:
    """The stream name of a server's data: ``opcua-`` and the moment the server started
    (a restarted server is a new stream), or a digest of the endpoint when the server
    does not say when it started."""
    if isinstance(start_time, dt.datetime) and start_time.year > 1601:
        if start_time.tzinfo is None:
            start_time = start_time.replace(tzinfo=dt.UTC)
        stamp = start_time.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        return f"opcua-{stamp}"[:MAX_BOOT]
    digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
    return f"opcua-{digest}"


# -- values --------------------------------------------------------------------------


def value_key(value: Any) -> str | None:
    """The text a value is looked up by in a state map, or None for a value of a type a
    state cannot have (an array, a structure, a float with a fraction)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else None
    if isinstance(value, ua.LocalizedText):
        value = value.Text
    if isinstance(value, str):
        return value.strip().lower()
    return None


def state_of(value: Any, states: Mapping[str, str]) -> str | None:
    """The machine state ``value`` stands for under ``states``, or None when it stands
    for none (an unknown value or a wrong type)."""
    key = value_key(value)
    return None if key is None else states.get(key)


def count_of(value: Any) -> int | None:
    """A part counter's reading, or None when ``value`` is not a counter."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 2**63:
        return value
    return None


def alarm_of(value: Any) -> bool | None:
    """An alarm bit: a Boolean, or the integers 0 and 1 of a PLC bit; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def reason_of(value: Any) -> str | None:
    """A reason or alarm code as stored ("" for none), or None for a value that is not
    one (too long, or of a type a code cannot have)."""
    if isinstance(value, ua.LocalizedText):
        value = value.Text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    code = str(value).strip()
    if code.lower() in NO_REASON:
        return ""
    return code if len(code) <= MAX_REASON else None


def combined(state: str, alarm: bool | None, reason: str) -> tuple[str, str]:
    """One (state, reason) from a machine's readings: a raised alarm bit overrides the
    state; a reason belongs to a machine that is not producing."""
    if alarm:
        state = MachineState.ALARM
    if state == MachineState.PRODUCING:
        reason = ""
    return str(state), reason


# -- config --------------------------------------------------------------------------


@dataclass(frozen=True)
class MachinePlan:
    """A machine's validated OPC UA config."""

    machine_id: int
    endpoint: str
    nodes: tuple[tuple[str, str], ...]  # (role, node id string), state first
    states: tuple[tuple[str, str], ...]

    def node(self, role: str) -> str | None:
        return dict(self.nodes).get(role)

    @property
    def state_map(self) -> dict[str, str]:
        return dict(self.states)


def plan_of(info: MachineInfo) -> MachinePlan | str:
    """The machine's plan, or what is wrong with its config (in English, for the log and
    the machine's last error)."""
    config = info.config if isinstance(info.config, dict) else {}
    endpoint = config.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith("opc.tcp://"):
        return "config: endpoint must be an opc.tcp:// address"
    nodes = []
    for role in ROLES:
        node = config.get(CONFIG_NODES[role])
        if node is None or node == "":
            if role == STATE:
                return "config: state_node is missing"
            continue
        if not isinstance(node, str):
            return f"config: {CONFIG_NODES[role]} must be a node id string"
        try:
            ua.NodeId.from_string(node)
        except (ua.UaStringParsingError, ValueError, TypeError):
            return f"config: {CONFIG_NODES[role]} {node[:60]!r} is not a node id"
        nodes.append((role, node))
    nodes.sort(key=lambda pair: pair[0] != STATE)
    states: Mapping[str, Any] = config.get("states") or DEFAULT_STATES
    if not isinstance(states, dict):
        return "config: states must map values to states"
    mapping = []
    for key, state in states.items():
        if state not in MachineState.values:
            return f"config: {str(state)[:40]!r} is not a machine state"
        mapping.append((str(key).strip().lower(), str(state)))
    return MachinePlan(info.id, endpoint.strip(), tuple(nodes), tuple(sorted(mapping)))


# -- a machine's readings ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One data change of one node: its value and quality as the server sent them."""

    node: str
    value: Any
    status: ua.StatusCode | None
    source_time: dt.datetime | None
    server_time: dt.datetime | None
    received_at: dt.datetime

    @classmethod
    def of(cls, node: str, data: ua.DataValue | None, received_at: dt.datetime) -> Change:
        if data is None:
            return cls(node, None, None, None, None, received_at)
        value = data.Value.Value if data.Value is not None else None
        return cls(node, value, data.StatusCode, data.SourceTimestamp, data.ServerTimestamp,
                   received_at)  # fmt: skip

    @property
    def good(self) -> bool:
        return self.status is None or self.status.is_good()

    @property
    def at(self) -> dt.datetime:
        """When the value changed: the source's timestamp, else the server's, else when
        the collector received it."""
        for stamp in (self.source_time, self.server_time):
            if isinstance(stamp, dt.datetime) and stamp.year > 1601:
                return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        return self.received_at


@dataclass(slots=True)
class Known:
    """The (state, reason) the store holds (or will, once the runner commits) for a
    machine, since ``at``; ``seq`` and ``boot`` name that row."""

    state: str
    reason: str
    at: dt.datetime
    seq: int = -1
    boot: str = ""


@dataclass(slots=True)
class StoredRow:
    """A machine's open interval as read from the database."""

    state: str
    reason: str
    start: dt.datetime
    boot: str
    seq: int


@dataclass
class MachineTrack:
    plan: MachinePlan
    state: str | None = None
    state_at: dt.datetime | None = None
    alarm: bool | None = None
    alarm_at: dt.datetime | None = None
    reason: str = ""
    reason_at: dt.datetime | None = None
    count: int | None = None

    @property
    def machine_id(self) -> int:
        return self.plan.machine_id

    def apply(self, role: str, change: Change) -> Refusal | None:
        """Take ``change`` into the readings; a refusal when it is unusable (a bad
        status, a value of the wrong type, a state value the map does not know). An
        unusable state leaves the machine's state unknown until a good value comes."""
        problem = None if change.good else f"status {_status_name(change.status)}"
        if role == STATE:
            state = state_of(change.value, self.plan.state_map) if problem is None else None
            if state is None:
                problem = problem or f"state value {_shown(change.value)} is not in the map"
            self.state, self.state_at = state, change.at
        elif role == COUNT:
            count = count_of(change.value) if problem is None else None
            if count is None:
                problem = problem or f"part count {_shown(change.value)} is not a counter"
            else:
                self.count = count
        elif role == ALARM:
            alarm = alarm_of(change.value) if problem is None else None
            if alarm is None:
                problem = problem or f"alarm {_shown(change.value)} is not a Boolean"
            self.alarm, self.alarm_at = alarm, change.at
        elif role == REASON:
            reason = reason_of(change.value) if problem is None else None
            if reason is None:
                problem = problem or f"reason {_shown(change.value)} is not a code"
            self.reason, self.reason_at = reason or "", change.at
        if problem is None:
            return None
        node = self.plan.node(role) or role
        return Refusal(Rejection.MALFORMED, f"{node}: {problem}"[:300], self.machine_id)

    def current(self) -> tuple[str, str, dt.datetime] | None:
        """The machine's (state, reason) and since when, or None while its state is
        unknown."""
        if self.state is None or self.state_at is None:
            return None
        state, reason = combined(self.state, self.alarm, self.reason)
        stamps = [s for s in (self.state_at, self.alarm_at, self.reason_at) if s is not None]
        return state, reason, max(stamps)


def _status_name(status: ua.StatusCode | None) -> str:
    if status is None:
        return "?"
    try:
        return str(status.name)
    except (AttributeError, KeyError, ValueError):
        return hex(status.value)


def _shown(value: Any) -> str:
    return repr(value)[:60]


# -- one server connection -----------------------------------------------------------


@dataclass
class EndpointEngine:
    """The machines read through one server, and what was sent of them.

    ``known`` (shared by the engines of a source, kept across reconnections) is the last
    (state, reason) sent per machine: a change is sent when the readings give another.
    After a (re)connection, ``prime`` compares the snapshot read from the server with the
    newer of ``known`` and the machine's open row in the database, so that a value sent
    again is not a new interval, and a machine the collector marked offline while the
    server was out of reach gets its state back.
    """

    endpoint: str
    plans: tuple[MachinePlan, ...]
    known: dict[int, Known]
    boot: str = ""
    tracks: dict[int, MachineTrack] = field(default_factory=dict)
    by_node: dict[str, list[tuple[MachineTrack, str]]] = field(default_factory=dict)
    # The last change taken per node: the first notifications of a subscription repeat
    # the values just read, and are not taken (nor refused) twice.
    seen: dict[str, tuple[str, int, dt.datetime | None]] = field(default_factory=dict)
    # Machines whose state became known again: the store may have marked them offline.
    recheck: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.reset(self.boot)

    @property
    def nodes(self) -> list[str]:
        return list(self.by_node)

    def machine_ids(self) -> list[int]:
        return list(self.tracks)

    def reset(self, boot: str) -> None:
        """A new connection: forget the readings of the last one."""
        self.boot = boot
        self.seen = {}
        self.recheck = set()
        self.tracks = {plan.machine_id: MachineTrack(plan) for plan in self.plans}
        self.by_node = defaultdict(list)
        for track in self.tracks.values():
            for role, node in track.plan.nodes:
                self.by_node[node].append((track, role))

    def _fresh(self, change: Change) -> bool:
        mark = (repr(change.value), change.status.value if change.status else 0,
                change.source_time)  # fmt: skip
        if self.seen.get(change.node) == mark:
            return False
        self.seen[change.node] = mark
        return True

    def unreadable(self, node: str, detail: str) -> Batch:
        """A node the server refused to read or monitor: a refusal per machine using it,
        and the state of those machines unknown."""
        batch = Batch()
        for track, role in self.by_node.get(node, []):
            if role == STATE:
                track.state = None
            batch.refusals.append(
                Refusal(Rejection.MALFORMED, f"{node}: {detail}"[:300], track.machine_id)
            )
        return batch

    def prime(
        self,
        snapshot: Iterable[Change],
        stored: Mapping[int, StoredRow],
        received_at: dt.datetime,
        machine_ids: Iterable[int] | None = None,
    ) -> Batch:
        """Events for the machines whose state (from ``snapshot``, the values just read,
        and what is already tracked) differs from what the store holds."""
        batch = Batch()
        for change in snapshot:
            if not self._fresh(change):
                continue
            for track, role in self.by_node.get(change.node, []):
                refusal = track.apply(role, change)
                if refusal:
                    batch.refusals.append(refusal)
        for machine_id in self.tracks if machine_ids is None else machine_ids:
            track = self.tracks[machine_id]
            current = track.current()
            if current is None:
                continue
            state, reason, since = current
            known = self.known.get(machine_id)
            row = stored.get(machine_id)
            if row is not None and (known is None or row.start >= known.at):
                known = Known(row.state, row.reason, row.start, row.seq, row.boot)
            if known is not None and (known.state, known.reason) == (state, reason):
                self.known[machine_id] = known
                continue
            at = since
            if (known is not None and at <= known.at) or at < received_at - MAX_PAST:
                # The value is older than what the store holds (an offline row the
                # collector wrote while the server was out of reach): the machine is
                # back in this state now.
                at = received_at
            self._emit(batch, track, state, reason, at, received_at)
        return batch

    def changes(self, changes: Iterable[Change]) -> Batch:
        """Events for the data changes of a publish cycle, taken in source-time order;
        changes stamped alike apply together (a state and its alarm bit set at once make
        one event)."""
        batch = Batch()
        by_machine: dict[int, list[tuple[dt.datetime, int, Change, str]]] = defaultdict(list)
        for change in changes:
            if not self._fresh(change):
                continue
            for track, role in self.by_node.get(change.node, []):
                by_machine[track.machine_id].append((change.at, ROLES.index(role), change, role))
        for machine_id, items in by_machine.items():
            track = self.tracks[machine_id]
            items.sort(key=lambda item: (item[0], item[1]))
            index = 0
            while index < len(items):
                stamp = items[index][0]
                was_known = track.current() is not None
                while index < len(items) and items[index][0] == stamp:
                    _at, _order, change, role = items[index]
                    refusal = track.apply(role, change)
                    if refusal:
                        batch.refusals.append(refusal)
                    index += 1
                if not was_known and track.current() is not None:
                    self.recheck.add(machine_id)
                self._follow(batch, track, stamp, items[index - 1][2].received_at)
        return batch

    def _follow(
        self, batch: Batch, track: MachineTrack, at: dt.datetime, received_at: dt.datetime
    ) -> None:
        current = track.current()
        if current is None:
            return
        state, reason, _since = current
        known = self.known.get(track.machine_id)
        if known is not None and (known.state, known.reason) == (state, reason):
            return
        self._emit(batch, track, state, reason, at, received_at)

    def _emit(
        self,
        batch: Batch,
        track: MachineTrack,
        state: str,
        reason: str,
        at: dt.datetime,
        received_at: dt.datetime,
    ) -> None:
        known = self.known.get(track.machine_id)
        seq = to_micros(at)
        if known is not None and known.boot == self.boot and seq <= known.seq:
            # Never before what this stream already sent (a change of another node
            # stamped earlier, arriving later): one microsecond after it.
            seq = known.seq + 1
            at = max(at, known.at)
        event = StateEvent(
            machine_id=track.machine_id,
            boot=self.boot,
            seq=seq,
            at=at,
            state=state,
            reason=reason,
            count=track.count,
        )
        checked = validated(event, received_at)
        if isinstance(checked, Refusal):
            batch.refusals.append(checked)
            return
        batch.events.append(checked)
        self.known[track.machine_id] = Known(state, reason, at, seq, self.boot)

    def heartbeats(self, at: dt.datetime) -> Batch:
        """A heartbeat for each machine whose state is known (one with an unreadable
        state node stays silent, and the runner marks it offline in time)."""
        return Batch(
            heartbeats=[
                Heartbeat(machine_id, at)
                for machine_id, track in self.tracks.items()
                if track.current() is not None
            ]
        )
