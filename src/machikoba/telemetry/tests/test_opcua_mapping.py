"""The OPC UA input's pure half: values to states, configs to plans, and the engine that
turns a server's data changes into events (no server, no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from asyncua import ua

from machikoba.telemetry.choices import MachineState, Rejection
from machikoba.telemetry.collector.base import MachineInfo
from machikoba.telemetry.collector.opcua_mapping import (
    DEFAULT_STATES,
    Change,
    EndpointEngine,
    Known,
    StoredRow,
    alarm_of,
    boot_token,
    combined,
    count_of,
    plan_of,
    reason_of,
    state_of,
    to_micros,
)
from machikoba.telemetry.ingest import COLLECTOR_BOOT

ENDPOINT = "opc.tcp://plc.example:4840/"
STATE, COUNT, ALARM, REASON = (f"ns=2;s=M.{name}" for name in ("State", "Count", "Alarm", "Why"))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def info(machine_id: int = 1, **config) -> MachineInfo:
    base = {"endpoint": ENDPOINT, "state_node": STATE}
    base.update(config)
    return MachineInfo(machine_id, f"key{machine_id}", base, None)


def engine(*infos: MachineInfo, boot: str = "opcua-a") -> EndpointEngine:
    plans = [plan_of(i) for i in infos or (info(count_node=COUNT, alarm_node=ALARM),)]
    assert all(not isinstance(plan, str) for plan in plans), plans
    result = EndpointEngine(ENDPOINT, tuple(plans), {})  # type: ignore[arg-type]
    result.reset(boot)
    return result


def change(node: str, value, at: dt.datetime, *, status: int | None = None, variant=None):
    data = ua.DataValue(
        ua.Variant(value, variant) if variant else ua.Variant(value),
        StatusCode=ua.StatusCode(status) if status is not None else ua.StatusCode(),
        SourceTimestamp=at,
    )
    return Change.of(node, data, received_at=at)


# -- values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (0, MachineState.OFFLINE),
        (1, MachineState.PRODUCING),
        (2, MachineState.IDLE),
        (3, MachineState.PLANNED_STOP),
        (4, MachineState.UNPLANNED_STOP),
        (5, MachineState.ALARM),
        (6, MachineState.SETUP),
        (2.0, MachineState.IDLE),
        (True, MachineState.PRODUCING),
        (False, MachineState.IDLE),
        ("Running", MachineState.PRODUCING),
        (" ACTIVE ", MachineState.PRODUCING),
        ("READY", MachineState.IDLE),
        ("FEED_HOLD", MachineState.UNPLANNED_STOP),
        ("planned_stop", MachineState.PLANNED_STOP),
        ("fault", MachineState.ALARM),
        (ua.LocalizedText("Setup"), MachineState.SETUP),
        (7, None),
        (-1, None),
        (1.5, None),
        ("banana", None),
        ([1], None),
        (None, None),
        (b"\x01", None),
    ],
)
def test_default_state_map(value, state):
    assert state_of(value, DEFAULT_STATES) == state


def test_a_machines_own_map_replaces_the_defaults():
    plan = plan_of(info(states={"0": "idle", "1": "producing", "9": "alarm", "Auto": "producing"}))
    assert not isinstance(plan, str)
    states = plan.state_map
    assert state_of(0, states) == MachineState.IDLE
    assert state_of(9, states) == MachineState.ALARM
    assert state_of("AUTO", states) == MachineState.PRODUCING
    # Not merged with the defaults: a value the shop did not map is unknown.
    assert state_of(2, states) is None
    assert state_of("running", states) is None


@pytest.mark.parametrize(
    ("value", "count"),
    [(0, 0), (65535, 65535), (12.0, 12), (-1, None), (True, None), ("5", None), (1.5, None)],
)
def test_count_of(value, count):
    assert count_of(value) == count


@pytest.mark.parametrize(
    ("value", "alarm"),
    [(True, True), (False, False), (1, True), (0, False), (2, None), ("1", None)],
)
def test_alarm_of(value, alarm):
    assert alarm_of(value) == alarm


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, ""),
        ("", ""),
        (0, ""),
        ("none", ""),
        (" A1203 ", "A1203"),
        (1203, "1203"),
        (ua.LocalizedText("material"), "material"),
        ("x" * 65, None),
        (True, None),
        ([1, 2], None),
    ],
)
def test_reason_of(value, reason):
    assert reason_of(value) == reason


def test_combined_alarm_wins_and_producing_has_no_reason():
    assert combined(MachineState.PRODUCING, True, "A1") == (MachineState.ALARM, "A1")
    assert combined(MachineState.PRODUCING, False, "A1") == (MachineState.PRODUCING, "")
    assert combined(MachineState.UNPLANNED_STOP, None, "material") == (
        MachineState.UNPLANNED_STOP,
        "material",
    )


# -- configs, streams ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"endpoint": "http://plc/"}, "endpoint"),
        ({"endpoint": None}, "endpoint"),
        ({"state_node": None}, "state_node is missing"),
        ({"state_node": "Machine1.State"}, "not a node id"),
        ({"count_node": 5}, "must be a node id"),
        ({"states": {"1": "running"}}, "not a machine state"),
        ({"states": ["producing"]}, "states must map"),
    ],
)
def test_bad_configs_say_what_is_wrong(config, problem):
    plan = plan_of(info(**config))
    assert isinstance(plan, str)
    assert problem in plan


def test_a_plan_names_its_nodes_state_first():
    plan = plan_of(info(count_node=COUNT, reason_node=REASON, alarm_node=""))
    assert not isinstance(plan, str)
    assert plan.nodes[0] == ("state", STATE)
    assert dict(plan.nodes) == {"state": STATE, "count": COUNT, "reason": REASON}
    assert plan.endpoint == ENDPOINT


def test_boot_token_is_the_servers_start_time_or_the_endpoint():
    started = now() - dt.timedelta(days=3)
    token = boot_token(ENDPOINT, started)
    assert token == boot_token(ENDPOINT, started)
    assert token.startswith("opcua-")
    assert len(token) <= 64
    assert token != boot_token(ENDPOINT, started + dt.timedelta(seconds=1))
    # A server that does not say when it started: one stream per endpoint.
    assert boot_token(ENDPOINT, None) == boot_token(ENDPOINT, None)
    assert boot_token(ENDPOINT, None) != boot_token("opc.tcp://other:4840/", None)
    assert boot_token(ENDPOINT, dt.datetime(1601, 1, 1, tzinfo=dt.UTC)) == boot_token(
        ENDPOINT, None
    )


def test_to_micros_is_exact():
    at = now().replace(microsecond=123456)
    assert to_micros(at) % 1_000_000 == 123456
    assert to_micros(at + dt.timedelta(microseconds=1)) == to_micros(at) + 1


# -- the engine ----------------------------------------------------------------------


def test_prime_sends_the_state_the_store_does_not_have():
    e = engine()
    at = now() - dt.timedelta(minutes=5)
    batch = e.prime([change(STATE, 1, at), change(COUNT, 40, at)], {}, now())
    (event,) = batch.events
    assert (event.state, event.count, event.at, event.boot) == ("producing", 40, at, "opcua-a")
    assert event.seq == to_micros(at)
    assert e.heartbeats(now()).heartbeats[0].machine_id == 1


def test_the_same_change_read_by_two_collectors_has_one_key():
    """A collector killed before its batch was written, and the next one reading the
    same value: the same (boot, seq), so whichever batch lands first is the only row."""
    at = now() - dt.timedelta(minutes=3)
    first, second = engine(), engine()
    (one,) = first.prime([change(STATE, 5, at)], {}, now()).events
    (two,) = second.prime([change(STATE, 5, at)], {}, now()).events
    assert (one.machine_id, one.boot, one.seq) == (two.machine_id, two.boot, two.seq)
    assert one == two


def test_prime_sends_nothing_when_the_store_already_has_the_state():
    """A collector restarted (or a server restarted, its values stamped anew): the
    machine's open row already says producing, so no second interval."""
    e = engine()
    old = now() - dt.timedelta(hours=1)
    stored = {1: StoredRow("producing", "", old, "opcua-old", to_micros(old))}
    batch = e.prime([change(STATE, 1, now() - dt.timedelta(seconds=2))], stored, now())
    assert batch.events == []
    # The next real change follows on.
    later = now()
    (event,) = e.changes([change(STATE, 2, later)]).events
    assert (event.state, event.at) == ("idle", later)


def test_prime_brings_a_machine_back_from_the_collectors_offline_row():
    """The server was out of reach long enough for the runner to write an offline row
    after the machine's last value: the machine is producing again from now."""
    e = engine()
    changed = now() - dt.timedelta(minutes=10)
    e.known[1] = Known("producing", "", changed, to_micros(changed), "opcua-a")
    silent = now() - dt.timedelta(minutes=6)
    stored = {1: StoredRow("offline", "silent", silent, COLLECTOR_BOOT, 1)}
    received = now()
    (event,) = e.prime([change(STATE, 1, changed)], stored, received).events
    assert (event.state, event.at, event.seq) == ("producing", received, to_micros(received))


def test_prime_prefers_what_this_process_sent_over_an_older_row():
    e = engine()
    sent = now() - dt.timedelta(seconds=1)
    e.known[1] = Known("idle", "", sent, to_micros(sent), "opcua-a")
    older = sent - dt.timedelta(minutes=1)
    stored = {1: StoredRow("producing", "", older, "opcua-a", to_micros(older))}
    assert e.prime([change(STATE, 2, sent)], stored, now()).events == []


def test_changes_stamped_alike_make_one_event():
    e = engine(info(count_node=COUNT, alarm_node=ALARM, reason_node=REASON))
    start = now() - dt.timedelta(minutes=1)
    e.prime([change(STATE, 1, start), change(COUNT, 0, start)], {}, now())
    at = now()
    batch = e.changes([change(STATE, 4, at), change(ALARM, True, at), change(REASON, "A12", at)])
    (event,) = batch.events
    assert (event.state, event.reason) == ("alarm", "A12")


def test_a_count_stamped_with_the_state_change_belongs_before_it():
    e = engine()
    start = now() - dt.timedelta(minutes=1)
    e.prime([change(STATE, 1, start), change(COUNT, 10, start)], {}, now())
    at = now()
    # Delivered state first, count second, both stamped `at`.
    (event,) = e.changes([change(STATE, 2, at), change(COUNT, 15, at)]).events
    assert (event.state, event.count) == ("idle", 15)
    # A count alone is no event; the next change carries it.
    later = at + dt.timedelta(seconds=1)
    assert e.changes([change(COUNT, 16, later)]).events == []
    (event,) = e.changes([change(STATE, 1, later + dt.timedelta(seconds=1))]).events
    assert event.count == 16


def test_a_late_change_never_goes_before_what_the_stream_sent():
    e = engine()
    at = now()
    e.prime([change(STATE, 1, at)], {}, at)
    (event,) = e.changes([change(ALARM, True, at - dt.timedelta(seconds=3))]).events
    assert event.state == "alarm"
    assert event.seq == to_micros(at) + 1
    assert event.at == at


def test_a_repeated_notification_is_taken_once():
    e = engine()
    at = now()
    e.prime([change(STATE, 99, at)], {}, at)
    # The subscription's first notification repeats the value just read: not refused again.
    assert len(e.changes([change(STATE, 99, at)]).refusals) == 0


def test_bad_values_are_refused_and_leave_the_state_unknown():
    e = engine()
    at = now() - dt.timedelta(seconds=30)
    e.prime([change(STATE, 1, at), change(COUNT, 3, at)], {}, now())
    bad = e.changes([change(STATE, 1, now(), status=ua.StatusCodes.BadSensorFailure)])
    (refusal,) = bad.refusals
    assert refusal.kind == Rejection.MALFORMED
    assert refusal.machine_id == 1
    assert "BadSensorFailure" in refusal.detail
    assert bad.events == []
    # Unknown: no heartbeat, so the runner marks the machine offline in time.
    assert e.heartbeats(now()).heartbeats == []
    unknown = e.changes([change(STATE, 42, now() + dt.timedelta(milliseconds=1))])
    assert "42" in unknown.refusals[0].detail
    wrong_count = e.changes([change(COUNT, "many", now())])
    assert "not a counter" in wrong_count.refusals[0].detail
    # A good value again: known, and the store is to be checked (offline meanwhile?).
    back = e.changes([change(STATE, 1, now() + dt.timedelta(milliseconds=2))])
    assert back.refusals == []
    assert back.events == []
    assert e.recheck == {1}
    assert len(e.heartbeats(now()).heartbeats) == 1


def test_a_node_the_server_does_not_have_is_refused_for_each_machine_using_it():
    e = engine(info(1, count_node=COUNT), info(2, count_node=COUNT))
    batch = e.unreadable(COUNT, "not monitored (BadNodeIdUnknown)")
    assert sorted(r.machine_id for r in batch.refusals) == [1, 2]


def test_a_value_older_than_the_clock_bound_starts_now():
    e = engine()
    ancient = now() - dt.timedelta(days=30)
    received = now()
    (event,) = e.prime([change(STATE, 2, ancient)], {}, received).events
    assert event.at == received


def test_a_change_from_a_clock_far_ahead_is_refused_as_skewed():
    e = engine()
    e.prime([change(STATE, 2, now())], {}, now())
    ahead = now() + dt.timedelta(hours=1)
    batch = e.changes([Change.of(STATE, ua.DataValue(ua.Variant(1), SourceTimestamp=ahead), now())])
    assert batch.events == []
    assert batch.refusals[0].kind == Rejection.SKEWED
