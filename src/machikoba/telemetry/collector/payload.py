"""The MQTT topic and payload convention (docs/telemetry.md), parsed into events.

Topics: ``machikoba/v1/<machine key>/state`` and ``machikoba/v1/<machine key>/heartbeat``.

A state message is a JSON object of at most ``MAX_PAYLOAD`` bytes::

    {"seq": 42, "boot": "2f9c", "ts": "2026-05-01T08:30:00+09:00", "state": "producing",
     "reason": "A1203", "count": 1234}

with exactly one of ``state`` (a ``MachineState`` value), ``tower`` (a signal tower's
lamps, ``{"red": false, "yellow": false, "green": true}``) or ``current_a`` (amperes from
a current clamp); ``ts`` is ISO 8601 with an offset or epoch milliseconds. A heartbeat is
``{"ts": ...}``. ``parse`` never raises: what it cannot use comes back as a ``Refusal``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any, Protocol, TypeGuard

from machikoba.telemetry.choices import MachineState, Rejection, Source
from machikoba.telemetry.events import (
    MAX_BOOT,
    MAX_REASON,
    Heartbeat,
    Refusal,
    StateEvent,
    skew_refusal,
    validated,
)
from machikoba.telemetry.services.machine_config import TOWER_COLOURS

from .base import MachineInfo

PREFIX = "machikoba/v1/"
STATE, HEARTBEAT = "state", "heartbeat"
# What a collector subscribes to (in a shared subscription: "$share/<group>/" + this).
TOPIC_FILTER = PREFIX + "+/+"
MAX_PAYLOAD = 4096
MAX_KEY = 200  # UnknownSource.key

# A signal tower's lamps, when the machine's config names none: red wins over yellow over
# green; no lamp lit is "none". Blue and white mean something only where configured.
DEFAULT_TOWER = {
    "red": MachineState.ALARM.value,
    "yellow": MachineState.IDLE.value,
    "green": MachineState.PRODUCING.value,
    "none": MachineState.IDLE.value,
}
# A current clamp: above producing_above the machine is cutting, above idle_above it is
# on and waiting, below it is switched off (a planned stop).
DEFAULT_CURRENT = {"producing_above": 5.0, "idle_above": 0.5}
# Epoch milliseconds this large or larger are not a time (year 10000).
MAX_EPOCH_MS = 253_402_300_800_000


class Directory(Protocol):
    def get(self, key: str) -> MachineInfo | None: ...


Parsed = StateEvent | Heartbeat | Refusal


class _Bad(Exception):
    """A malformed payload; the message is the refusal's detail."""


def topic_key(topic: str) -> tuple[str, str] | None:
    """``(machine key, kind)`` of a topic of the convention, else ``None``."""
    if not topic.startswith(PREFIX):
        return None
    rest = topic[len(PREFIX) :].split("/")
    if len(rest) != 2:
        return None
    return rest[0], rest[1]


def unknown(topic: str) -> Refusal:
    parts = topic_key(topic)
    key = parts[0] if parts else topic
    return Refusal(
        Rejection.UNKNOWN, "no active machine has this key", source=Source.MQTT, key=key[:MAX_KEY]
    )


def parse(
    topic: str, payload: bytes | bytearray, received_at: dt.datetime, directory: Directory
) -> Parsed:
    """One message as the writer takes it (see the module's docstring)."""
    parts = topic_key(topic)
    machine = directory.get(parts[0]) if parts else None
    if parts is None or machine is None:
        return unknown(topic)
    try:
        return _parse(parts[1], payload, received_at, machine)
    except _Bad as bad:
        return Refusal(Rejection.MALFORMED, str(bad), machine.id)
    except Exception as error:  # never raise on a device's bytes
        return Refusal(Rejection.MALFORMED, f"unreadable: {type(error).__name__}", machine.id)


def _parse(
    kind: str, payload: bytes | bytearray, received_at: dt.datetime, machine: MachineInfo
) -> Parsed:
    if kind not in (STATE, HEARTBEAT):
        raise _Bad(f"unknown topic {kind[:40]!r}: use state or heartbeat")
    body = _object(payload)
    at = _timestamp(body.get("ts"))
    if kind == HEARTBEAT:
        if "seq" in body and not _is_int(body["seq"]):
            raise _Bad("seq must be an integer")
        return skew_refusal(machine.id, at, received_at) or Heartbeat(machine.id, at)
    seq = body.get("seq")
    if not _is_int(seq):
        raise _Bad("seq must be an integer")
    boot = body.get("boot", "")
    if boot is None:
        boot = ""
    if not isinstance(boot, str) or len(boot) > MAX_BOOT:
        raise _Bad(f"boot must be text of at most {MAX_BOOT} characters")
    reason = body.get("reason", "")
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise _Bad(f"reason must be text of at most {MAX_REASON} characters")
    count = body.get("count")
    if count is not None and not _is_int(count):
        raise _Bad("count must be an integer")
    given = [name for name in ("state", "tower", "current_a") if name in body]
    if len(given) != 1:
        raise _Bad("give exactly one of state, tower, current_a")
    state = _state(given[0], body[given[0]], machine.config)
    return validated(StateEvent(machine.id, boot, seq, at, state, reason, count), received_at)


def _object(payload: bytes | bytearray) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise _Bad(f"payload larger than {MAX_PAYLOAD} bytes")
    try:
        body = json.loads(payload)
    except RecursionError as error:
        raise _Bad("payload nested too deeply") from error
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise _Bad("payload is not JSON") from error
    if not isinstance(body, dict):
        raise _Bad("payload is not a JSON object")
    return body


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, str):
        if len(value) > 40:
            raise _Bad("ts is too long")
        try:
            at = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise _Bad("ts is not ISO 8601") from error
        if at.utcoffset() is None:
            raise _Bad("ts has no UTC offset")
        return at
    if _is_number(value):
        if not 0 <= value < MAX_EPOCH_MS:
            raise _Bad("ts is out of range")
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    raise _Bad("ts must be ISO 8601 with an offset or epoch milliseconds")


def _state(given: str, value: Any, config: Mapping[str, Any]) -> str:
    if given == "state":
        if not isinstance(value, str):
            raise _Bad("state must be text")
        return value  # validated() refuses an unknown one
    if given == "tower":
        return _tower(value, config.get("tower") or {})
    return _current(value, config.get("current") or {})


def _tower(lamps: Any, mapping: Mapping[str, Any]) -> str:
    if not isinstance(lamps, dict):
        raise _Bad("tower must be an object of lamps")
    for colour, lit in lamps.items():
        if colour not in TOWER_COLOURS:
            raise _Bad(f"unknown lamp {str(colour)[:20]!r}")
        if not isinstance(lit, bool):
            raise _Bad("a lamp is true or false")
    states = {**DEFAULT_TOWER, **mapping}
    for colour in TOWER_COLOURS:
        if lamps.get(colour) and colour in states:
            return str(states[colour])
    return str(states["none"])


def _current(amperes: Any, config: Mapping[str, Any]) -> str:
    if not _is_number(amperes):
        raise _Bad("current_a must be a number")
    thresholds = {**DEFAULT_CURRENT, **config}
    producing, idle = thresholds["producing_above"], thresholds["idle_above"]
    if not (_is_number(producing) and _is_number(idle)):
        raise _Bad("the machine's current thresholds are not numbers")
    if amperes > producing:
        return MachineState.PRODUCING
    if amperes > idle:
        return MachineState.IDLE
    return MachineState.PLANNED_STOP
