"""The MQTT topic and payload convention (collector.payload, docs/telemetry.md): every
form a sensor may send, every way it may be wrong, and never an exception."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from machikoba.telemetry.choices import MachineState, Rejection, Source
from machikoba.telemetry.collector.base import MachineInfo
from machikoba.telemetry.collector.payload import (
    MAX_PAYLOAD,
    TOPIC_FILTER,
    parse,
    topic_key,
)
from machikoba.telemetry.events import MAX_FUTURE, MAX_PAST, Heartbeat, Refusal, StateEvent

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
JST = dt.timezone(dt.timedelta(hours=9))


class Directory:
    """The machines a collector knows, in memory (what MachineDirectory.get answers)."""

    def __init__(self, *machines: MachineInfo) -> None:
        self.machines = {m.key: m for m in machines}

    def get(self, key: str) -> MachineInfo | None:
        return self.machines.get(key)


PLAIN = MachineInfo(1, "plain", {}, None)
TOWER = MachineInfo(
    2, "tower", {"tower": {"red": "alarm", "yellow": "setup", "blue": "unplanned_stop"}}, None
)
CURRENT = MachineInfo(3, "current", {"current": {"producing_above": 12.0, "idle_above": 1.5}}, None)
DIRECTORY = Directory(PLAIN, TOWER, CURRENT)


def send(kind: str, body, key: str = "plain", received_at: dt.datetime = NOW):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse(f"machikoba/v1/{key}/{kind}", raw, received_at, DIRECTORY)


def ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def test_the_collectors_filter_matches_the_topics():
    assert TOPIC_FILTER == "machikoba/v1/+/+"
    assert topic_key("machikoba/v1/abc/state") == ("abc", "state")
    assert topic_key("machikoba/v1/abc/state/extra") is None
    assert topic_key("other/v1/abc/state") is None


def test_a_full_state_message():
    result = send(
        "state",
        {
            "seq": 42,
            "boot": "2f9c",
            "ts": NOW.astimezone(JST).isoformat(),
            "state": "alarm",
            "reason": "A1203",
            "count": 1234,
            "firmware": "1.2",  # unknown keys are ignored (newer sensors)
        },
    )
    assert result == StateEvent(1, "2f9c", 42, NOW, "alarm", "A1203", 1234)


def test_the_smallest_state_message_and_epoch_milliseconds():
    result = send("state", {"seq": 0, "ts": ms(NOW), "state": "idle"})
    assert result == StateEvent(1, "", 0, NOW, "idle", "", None)
    zulu = NOW.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert send("state", {"seq": 1, "ts": zulu, "state": "idle"}).at == NOW


def test_null_boot_reason_and_count_mean_none_given():
    result = send(
        "state",
        {"seq": 3, "ts": ms(NOW), "state": "idle", "boot": None, "reason": None, "count": None},
    )
    assert result == StateEvent(1, "", 3, NOW, "idle", "", None)


@pytest.mark.parametrize(
    ("machine", "lamps", "state"),
    [
        # Defaults: red wins over yellow over green; nothing lit is idle.
        ("plain", {"green": True}, MachineState.PRODUCING),
        ("plain", {"green": True, "yellow": True}, MachineState.IDLE),
        ("plain", {"green": True, "yellow": True, "red": True}, MachineState.ALARM),
        ("plain", {"green": False, "yellow": False, "red": False}, MachineState.IDLE),
        ("plain", {}, MachineState.IDLE),
        ("plain", {"blue": True}, MachineState.IDLE),  # no meaning unless configured
        # The machine's own mapping.
        ("tower", {"yellow": True, "green": True}, MachineState.SETUP),
        ("tower", {"blue": True, "green": True}, MachineState.PRODUCING),
        ("tower", {"blue": True}, MachineState.UNPLANNED_STOP),
        ("tower", {"red": True, "yellow": True}, MachineState.ALARM),
    ],
)
def test_signal_tower_lamps(machine, lamps, state):
    result = send("state", {"seq": 1, "ts": ms(NOW), "tower": lamps}, key=machine)
    assert isinstance(result, StateEvent)
    assert result.state == state


@pytest.mark.parametrize(
    ("machine", "amperes", "state"),
    [
        ("plain", 5.01, MachineState.PRODUCING),
        ("plain", 5.0, MachineState.IDLE),
        ("plain", 0.51, MachineState.IDLE),
        ("plain", 0.5, MachineState.PLANNED_STOP),
        ("plain", 0, MachineState.PLANNED_STOP),
        ("current", 12.5, MachineState.PRODUCING),
        ("current", 5.5, MachineState.IDLE),
        ("current", 1.0, MachineState.PLANNED_STOP),
    ],
)
def test_current_sensor(machine, amperes, state):
    result = send("state", {"seq": 1, "ts": ms(NOW), "current_a": amperes}, key=machine)
    assert isinstance(result, StateEvent)
    assert result.state == state


def test_heartbeats():
    assert send("heartbeat", {"ts": ms(NOW)}) == Heartbeat(1, NOW)
    assert send("heartbeat", {"ts": NOW.isoformat(), "seq": 9}) == Heartbeat(1, NOW)
    late = send("heartbeat", {"ts": ms(NOW - MAX_PAST - dt.timedelta(seconds=1))})
    assert isinstance(late, Refusal)
    assert late.kind == Rejection.SKEWED


BAD = [
    ("state", b"not json", "not JSON"),
    ("state", b"\xff\xfe\x00garbage", "not JSON"),
    ("state", b"[1, 2]", "not a JSON object"),
    ("state", b'"producing"', "not a JSON object"),
    ("state", b"[" * 3000 + b"]" * 3000, "larger than"),
    ("state", b"[" * 2000 + b"]" * 2000, "nested too deeply"),
    ("state", b'{"a": "' + b"x" * MAX_PAYLOAD + b'"}', "larger than"),
    ("state", {"ts": "NOW", "state": "idle"}, "seq"),
    ("state", {"seq": "1", "ts": "NOW", "state": "idle"}, "seq"),
    ("state", {"seq": 1.5, "ts": "NOW", "state": "idle"}, "seq"),
    ("state", {"seq": True, "ts": "NOW", "state": "idle"}, "seq"),
    ("state", {"seq": -1, "ts": "NOW", "state": "idle"}, "out of range"),
    ("state", {"seq": 2**64, "ts": "NOW", "state": "idle"}, "out of range"),
    ("state", {"seq": 1, "state": "idle"}, "ts must be"),
    ("state", {"seq": 1, "ts": "yesterday", "state": "idle"}, "ISO 8601"),
    ("state", {"seq": 1, "ts": "2026-05-01T08:30:00", "state": "idle"}, "offset"),
    ("state", {"seq": 1, "ts": "2026-05-01", "state": "idle"}, "offset"),
    ("state", {"seq": 1, "ts": -5, "state": "idle"}, "out of range"),
    ("state", {"seq": 1, "ts": 10**20, "state": "idle"}, "out of range"),
    ("state", {"seq": 1, "ts": True, "state": "idle"}, "ts must be"),
    ("state", {"seq": 1, "ts": "NOW"}, "exactly one"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "current_a": 3}, "exactly one"),
    ("state", {"seq": 1, "ts": "NOW", "state": "running"}, "unknown state"),
    ("state", {"seq": 1, "ts": "NOW", "state": 3}, "state must be text"),
    ("state", {"seq": 1, "ts": "NOW", "tower": "green"}, "object of lamps"),
    ("state", {"seq": 1, "ts": "NOW", "tower": {"green": 1}}, "true or false"),
    ("state", {"seq": 1, "ts": "NOW", "tower": {"purple": True}}, "unknown lamp"),
    ("state", {"seq": 1, "ts": "NOW", "current_a": "3 A"}, "number"),
    ("state", {"seq": 1, "ts": "NOW", "current_a": None}, "number"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "reason": 5}, "reason"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "reason": "r" * 65}, "reason"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "reason": "a\u0000b"}, "not allowed"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "boot": ["x"]}, "boot"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "boot": "collector"}, "reserved"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "count": "7"}, "count"),
    ("state", {"seq": 1, "ts": "NOW", "state": "idle", "count": -7}, "counter"),
    ("heartbeat", {}, "ts must be"),
    ("heartbeat", {"ts": "NOW", "seq": "x"}, "seq"),
    ("status", {"ts": "NOW"}, "unknown topic"),
]


@pytest.mark.parametrize(("kind", "body", "why"), BAD)
def test_malformed_messages_are_refused_for_their_machine(kind, body, why):
    if isinstance(body, dict):
        body = {k: (NOW.isoformat() if v == "NOW" else v) for k, v in body.items()}
    result = send(kind, body)
    assert isinstance(result, Refusal)
    assert result.kind == Rejection.MALFORMED
    assert result.machine_id == PLAIN.id
    assert why in result.detail


def test_a_lone_surrogate_in_json_is_refused():
    raw = b'{"seq": 1, "ts": %d, "state": "idle", "reason": "\\ud800"}' % ms(NOW)
    result = send("state", raw)
    assert isinstance(result, Refusal)
    assert "not allowed" in result.detail


@pytest.mark.parametrize(
    ("ts", "kind"),
    [
        (NOW + MAX_FUTURE + dt.timedelta(seconds=1), Rejection.SKEWED),
        (NOW - MAX_PAST - dt.timedelta(seconds=1), Rejection.SKEWED),
        (NOW + MAX_FUTURE - dt.timedelta(seconds=1), None),
    ],
)
def test_clock_skew_beyond_the_bound_is_refused(ts, kind):
    result = send("state", {"seq": 1, "ts": ms(ts), "state": "idle"})
    if kind is None:
        assert isinstance(result, StateEvent)
    else:
        assert isinstance(result, Refusal)
        assert result.kind == kind


@pytest.mark.parametrize(
    "topic",
    ["machikoba/v1/ghost/state", "machikoba/v1//state", "machikoba/v1/ghost/whatever"],
)
def test_an_unknown_key_is_refused_as_unknown_with_its_key(topic):
    result = parse(topic, b"{}", NOW, DIRECTORY)
    assert result == Refusal(
        Rejection.UNKNOWN, result.detail, source=Source.MQTT, key=topic.split("/")[2]
    )


def test_a_topic_outside_the_convention_is_unknown_under_its_whole_name():
    result = parse("factory/line1/m3", b"{}", NOW, DIRECTORY)
    assert isinstance(result, Refusal)
    assert (result.kind, result.key) == (Rejection.UNKNOWN, "factory/line1/m3")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
fields = st.fixed_dictionaries(
    {},
    optional={
        "seq": json_values,
        "boot": json_values,
        "ts": json_values | st.integers(0, 2 * 10**12),
        "state": json_values | st.sampled_from(MachineState.values),
        "tower": json_values
        | st.dictionaries(st.sampled_from(["red", "yellow", "green", "blue"]), json_values),
        "current_a": json_values,
        "reason": json_values,
        "count": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.binary(max_size=MAX_PAYLOAD + 10),
    key=st.sampled_from(["plain", "tower", "current", "ghost", ""]),
    kind=st.sampled_from(["state", "heartbeat", "x"]),
)
def test_arbitrary_bytes_never_raise(raw, key, kind):
    result = parse(f"machikoba/v1/{key}/{kind}", raw, NOW, DIRECTORY)
    assert isinstance(result, StateEvent | Heartbeat | Refusal)


@settings(max_examples=300, deadline=None)
@given(body=fields, key=st.sampled_from(["plain", "tower", "current"]))
def test_arbitrary_json_objects_never_raise_and_what_passes_is_storable(body, key):
    result = parse(f"machikoba/v1/{key}/state", json.dumps(body).encode(), NOW, DIRECTORY)
    assert isinstance(result, StateEvent | Refusal)
    if isinstance(result, StateEvent):
        assert result.state in MachineState.values
        assert 0 <= result.seq < 2**63
        assert result.at.utcoffset() is not None
        assert "\x00" not in result.reason + result.boot
    else:
        assert result.machine_id == DIRECTORY.get(key).id
        assert result.detail


@settings(max_examples=200, deadline=None)
@given(topic=st.text(max_size=300), raw=st.binary(max_size=64))
def test_arbitrary_topics_never_raise(topic, raw):
    result = parse(topic, raw, NOW, DIRECTORY)
    assert isinstance(result, StateEvent | Heartbeat | Refusal)
