"""The simulated shop (telemetry.simulator): a realistic machine, deterministic by seed,
and its sensors' messages through the real Mosquitto broker (127.0.0.1:1883), in the
convention the collector reads (collector.payload)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import secrets
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal

import paho.mqtt.client as mqtt
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from machikoba.core.testing.clock import working_day
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.collector.base import MachineInfo
from machikoba.telemetry.collector.payload import parse
from machikoba.telemetry.events import Heartbeat, StateEvent
from machikoba.telemetry.simulator import (
    LUNCH,
    OFF_SHIFT,
    MachineSpec,
    ShopHours,
    Simulator,
    machine_changes,
    runs_unattended,
    unattended_keys,
)

BROKER = "mqtt://127.0.0.1:1883"

# Every test that talks to the system broker runs on one xdist worker (see test_mqtt.py).
pytestmark = [pytest.mark.xdist_group("system-broker")]
STATE_FIELDS = {"seq", "boot", "ts", "state", "reason", "count"}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def _spans(changes, end):
    """(change, minutes it lasted)."""
    ends = [c.at for c in changes[1:]] + [end]
    return [(c, (e - c.at).total_seconds() / 60) for c, e in zip(changes, ends, strict=True)]


@pytest.mark.clock_sensitive
def test_a_working_day_produces_stops_for_lunch_and_is_off_at_night():
    day = working_day(1)
    start = _day_start(day)
    end = start + dt.timedelta(days=1)
    spec = MachineSpec(key="lathe", cycle_seconds=50)

    changes = machine_changes(spec, ShopHours(), start=start, end=end, seed=3)

    at = {c.at: c for c in changes}
    off = at[start]
    assert (off.state, off.reason) == (MachineState.PLANNED_STOP, OFF_SHIFT)
    tz = start.tzinfo
    lunch = at[dt.datetime.combine(day, dt.time(12), tz)]
    assert (lunch.state, lunch.reason) == (MachineState.PLANNED_STOP, LUNCH)
    assert at[dt.datetime.combine(day, dt.time(13), tz)].state != MachineState.PLANNED_STOP
    evening = at[dt.datetime.combine(day, dt.time(17, 30), tz)]
    assert (evening.state, evening.reason) == (MachineState.PLANNED_STOP, OFF_SHIFT)
    minutes = Counter()
    for change, length in _spans(changes, end):
        minutes[change.state] += length
        working = dt.time(8, 30) <= change.at.astimezone(tz).time() < dt.time(17, 30)
        assert working or change.state == MachineState.PLANNED_STOP
    # Producing most of the working day, with short stops, and the rest planned.
    assert 200 < minutes[MachineState.PRODUCING] < 480
    assert minutes[MachineState.PLANNED_STOP] == 24 * 60 - 480
    # Consecutive changes change something; the counter never runs backwards and rises
    # only while producing, by one a cycle.
    for before, after in itertools.pairwise(changes):
        assert (before.state, before.reason) != (after.state, after.reason)
        assert after.count >= before.count
        if before.state != MachineState.PRODUCING:
            assert after.count == before.count
        else:
            seconds = (after.at - before.at).total_seconds()
            assert after.count - before.count <= seconds / 50 + 1


def test_a_week_has_runs_setups_between_batches_and_alarms_with_reasons():
    start = _day_start(timezone.localdate())
    end = start + dt.timedelta(days=7)
    spec = MachineSpec(key="busy", cycle_seconds=30)

    changes = machine_changes(spec, ShopHours.around_the_clock(), start=start, end=end, seed=9)

    spans = _spans(changes, end)
    states = Counter(change.state for change in changes)
    assert states[MachineState.SETUP] >= 10
    assert states[MachineState.ALARM] >= 5
    assert {c.reason for c in changes if c.state == MachineState.ALARM} <= {
        "tooling",
        "AL1203",
        "breakdown",
    }
    assert all(c.reason == "setup" for c in changes if c.state == MachineState.SETUP)
    runs = [length for change, length in spans if change.state == MachineState.PRODUCING]
    assert 5 < sorted(runs)[len(runs) // 2] < 60  # runs of minutes
    idles = [length for change, length in spans if change.state == MachineState.IDLE]
    assert max(idles) <= 6.01
    # A setup starts when a batch is done: the parts since the previous setup are a batch.
    setups = [c for c in changes if c.state == MachineState.SETUP]
    batches = [b.count - a.count for a, b in itertools.pairwise(setups)]
    assert set(batches) <= {30, 50, 80, 100, 120, 150, 200, 300}


def test_an_unattended_machine_runs_after_hours_and_waits_for_the_morning_to_set_up():
    day = working_day(1)
    start = _day_start(day)
    end = start + dt.timedelta(days=1)
    tz = start.tzinfo

    changes = machine_changes(
        MachineSpec(key="bar-feeder", cycle_seconds=40, unattended=True),
        ShopHours(),
        start=start,
        end=end,
        seed=5,
    )

    evening = dt.datetime.combine(day, dt.time(17, 30), tz)
    producing_at_night = sum(
        (
            min(change.at + dt.timedelta(minutes=length), end) - max(change.at, evening)
        ).total_seconds()
        for change, length in _spans(changes, end)
        if change.state == MachineState.PRODUCING
        and change.at + dt.timedelta(minutes=length) > evening
    )
    assert producing_at_night > 60 * 60
    assert all(c.state != MachineState.SETUP for c in changes if c.at >= evening)
    assert all(c.state != MachineState.PLANNED_STOP for c in changes if c.at >= evening)
    lunch = next(c for c in changes if c.at == dt.datetime.combine(day, dt.time(12), tz))
    assert (lunch.state, lunch.reason) == (MachineState.PLANNED_STOP, LUNCH)


def test_the_same_seed_gives_the_same_machine_and_another_seed_another():
    start = _day_start(timezone.localdate())
    end = start + dt.timedelta(days=2)
    spec = MachineSpec(key="m1", cycle_seconds=45)
    hours = ShopHours()

    first = machine_changes(spec, hours, start=start, end=end, seed=42)
    again = machine_changes(spec, hours, start=start, end=end, seed=42)
    other = machine_changes(spec, hours, start=start, end=end, seed=43)
    other_machine = machine_changes(
        MachineSpec(key="m2", cycle_seconds=45), hours, start=start, end=end, seed=42
    )

    assert first == again
    assert first != other
    assert first != other_machine


def test_a_counter_with_a_maximum_wraps():
    start = _day_start(timezone.localdate())
    spec = MachineSpec(key="plc", cycle_seconds=5, counter_max=999)
    changes = machine_changes(
        spec, ShopHours.around_the_clock(), start=start, end=start + dt.timedelta(days=1), seed=1
    )
    counts = [c.count for c in changes]
    assert max(counts) <= 999
    assert any(b < a for a, b in itertools.pairwise(counts))  # rolled over


# --- through the broker --------------------------------------------------------------------


class Subscriber:
    """A plain paho client subscribed to the simulated machines' topics."""

    def __init__(self, keys: list[str]) -> None:
        self.messages: list[tuple[str, bytes, dt.datetime]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"test-subscriber-{secrets.token_hex(4)}",
            protocol=mqtt.MQTTv5,
        )
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(
            [(f"machikoba/v1/{key}/+", 1) for key in keys]
        )
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self._ready.set()
        self.client.on_message = self._on_message

    def _on_message(self, client, userdata, message) -> None:
        with self._lock:
            self.messages.append((message.topic, message.payload, dt.datetime.now(dt.UTC)))

    def __enter__(self) -> Subscriber:
        self.client.connect("127.0.0.1", 1883)
        self.client.loop_start()
        assert self._ready.wait(10), "the broker at 127.0.0.1:1883 did not answer"
        return self

    def __exit__(self, *exc) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)


def _keys(count: int) -> list[str]:
    return [f"sim{secrets.token_hex(6)}" for _ in range(count)]


def _run(keys, *, seed, seconds=2.0, speed=900.0, log_path=None):
    specs = [MachineSpec(key=key, cycle_seconds=20 + 10 * index) for index, key in enumerate(keys)]
    with Subscriber(keys) as subscriber:
        simulator = Simulator(
            specs,
            url=BROKER,
            speed=speed,
            seed=seed,
            log_path=log_path,
            hours=lambda spec: ShopHours.around_the_clock(),
        )
        started = timezone.now()
        stats = simulator.run(seconds)
        subscriber.wait_for(stats.states + stats.heartbeats)
    return simulator, stats, subscriber.messages, started


def test_the_simulator_publishes_the_convention_through_the_broker(tmp_path):
    keys = _keys(3)
    log = tmp_path / "published.jsonl"

    simulator, stats, messages, started = _run(keys, seed=11, log_path=log)

    assert stats.unacknowledged == 0
    assert len(messages) == stats.states + stats.heartbeats == stats.acknowledged
    directory = {key: MachineInfo(index + 1, key, {}, None) for index, key in enumerate(keys)}
    by_key: dict[str, list] = defaultdict(list)
    beats: dict[str, list] = defaultdict(list)
    for topic, raw, received_at in messages:
        _prefix, _version, key, kind = topic.split("/")
        body = json.loads(raw)
        # What the collector makes of it: never a refusal.
        parsed = parse(topic, raw, received_at, directory)
        if kind == "state":
            assert set(body) == STATE_FIELDS
            assert isinstance(parsed, StateEvent), parsed
            assert body["boot"] == simulator.boot
            assert dt.datetime.fromisoformat(body["ts"]).utcoffset() is not None
            by_key[key].append(body)
        else:
            assert kind == "heartbeat"
            assert set(body) == {"ts"}
            assert isinstance(parsed, Heartbeat), parsed
            beats[key].append(dt.datetime.fromisoformat(body["ts"]))
    assert set(by_key) == set(keys)
    # 2 s at speed 900 is half an hour of the machines' time, ending now.
    span = dt.timedelta(seconds=2 * 900)
    for key in keys:
        states = by_key[key]
        assert [s["seq"] for s in states] == list(range(len(states)))  # 0, 1, 2 … in order
        stamps = [dt.datetime.fromisoformat(s["ts"]) for s in states]
        assert stamps == sorted(stamps)
        assert started - span - dt.timedelta(seconds=5) <= stamps[0] <= started
        assert stamps[-1] <= timezone.now()
        # A heartbeat every 30 s of the machine's time: about 60 in half an hour.
        assert 55 <= len(beats[key]) <= 61
        gaps = {
            round((b - a).total_seconds()) for a, b in zip(beats[key], beats[key][1:], strict=False)
        }
        assert gaps == {30}
    # The publisher's log holds every acknowledged message, as sent.
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == len(messages)
    logged = sorted((r["topic"], json.dumps(r["payload"], sort_keys=True)) for r in lines)
    sent = sorted((t, json.dumps(json.loads(raw), sort_keys=True)) for t, raw, _at in messages)
    assert logged == sent


def test_two_runs_with_one_seed_publish_the_same_machine_under_new_boots():
    keys = _keys(2)

    first, _stats, one, _started = _run(keys, seed=2024)
    second, _stats, two, _started = _run(keys, seed=2024)
    _third, _stats, three, _started = _run(keys, seed=2025)

    def story(messages):
        """Per machine: its (state, reason, count) in order, and the seconds of each change
        since its first (the start itself moves with the clock)."""
        changes: dict[str, list] = defaultdict(list)
        for topic, raw, _at in messages:
            if topic.endswith("/state"):
                changes[topic].append(json.loads(raw))
        steps, times = {}, {}
        for topic, bodies in changes.items():
            origin = dt.datetime.fromisoformat(bodies[0]["ts"])
            steps[topic] = [(b["state"], b["reason"], b["count"]) for b in bodies]
            times[topic] = [
                (dt.datetime.fromisoformat(b["ts"]) - origin).total_seconds() for b in bodies
            ]
        return steps, times

    (steps_one, times_one), (steps_two, times_two) = story(one), story(two)
    assert first.boot != second.boot
    assert steps_one == steps_two
    for topic, seconds in times_one.items():
        # Timestamps are in whole milliseconds.
        assert seconds == pytest.approx(times_two[topic], abs=0.002)
    assert steps_one != story(three)[0]


@pytest.mark.django_db
def test_the_command_simulates_a_companys_machines(tmp_path):
    machine = make_machine(name="NC旋盤 1号機")
    other_company = make_machine(name="他社の旋盤")
    log = tmp_path / "log.jsonl"

    with Subscriber([machine.key, other_company.key]) as subscriber:
        call_command(
            "telemetry_simulate",
            "--company",
            str(machine.company_id),
            "--speed",
            "600",
            "--seconds",
            "1",
            "--seed",
            "7",
            "--all-day",
            "--log",
            str(log),
            "--mqtt-url",
            BROKER,
        )
        lines = log.read_text().splitlines()
        subscriber.wait_for(len(lines))

    topics = {topic for topic, _raw, _at in subscriber.messages}
    assert f"machikoba/v1/{machine.key}/state" in topics
    assert f"machikoba/v1/{machine.key}/heartbeat" in topics
    assert not any(other_company.key in topic for topic in topics)
    assert len(lines) == len(subscriber.messages)


@pytest.mark.django_db
def test_the_command_refuses_what_it_cannot_do():
    with pytest.raises(CommandError, match="--seconds"):
        call_command("telemetry_simulate", "--speed", "60")
    with pytest.raises(CommandError, match="no active MQTT machine"):
        call_command("telemetry_simulate", "--seconds", "1")
    make_machine()
    with pytest.raises(CommandError, match="does not answer"):
        call_command("telemetry_simulate", "--seconds", "1", "--mqtt-url", "mqtt://127.0.0.1:1")


@pytest.mark.django_db
def test_the_check_says_in_one_line_whether_the_board_will_move():
    out = io.StringIO()
    with pytest.raises(SystemExit) as refused:
        call_command("telemetry_simulate", "--check", "--mqtt-url", BROKER, stdout=out)
    assert refused.value.code == 1
    assert "no active MQTT machine" in out.getvalue()
    make_machine()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "telemetry_simulate", "--check", "--mqtt-url", "mqtt://127.0.0.1:1", stdout=out
        )
    assert out.getvalue().count("\n") == 1
    assert "does not answer" in out.getvalue()
    assert "the board will not move" in out.getvalue()
    out = io.StringIO()
    call_command("telemetry_simulate", "--check", "--mqtt-url", BROKER, stdout=out)
    assert out.getvalue().startswith("Machine monitoring on: 1 simulated machines")


def test_wall_stamps_put_every_message_at_the_time_it_was_sent():
    keys = _keys(2)
    specs = [MachineSpec(key=key, cycle_seconds=15) for key in keys]
    with Subscriber(keys) as subscriber:
        simulator = Simulator(
            specs,
            url=BROKER,
            speed=1200,
            seed=5,
            stamp="wall",
            hours=lambda spec: ShopHours.around_the_clock(),
        )
        stats = simulator.run(1.5)
        subscriber.wait_for(stats.states + stats.heartbeats)

    # Half an hour of the machines in a second and a half: each machine's first state and a
    # heartbeat a minute (how many state changes follow depends on the random keys' draws).
    assert stats.states >= len(keys)
    assert stats.heartbeats >= len(keys) * 25
    assert len(subscriber.messages) == stats.states + stats.heartbeats
    for _topic, raw, received_at in subscriber.messages:
        sent = dt.datetime.fromisoformat(json.loads(raw)["ts"])
        assert abs((received_at - sent).total_seconds()) < 2


def test_each_shops_fastest_machine_runs_unattended_after_hours():
    keys = _keys(6)
    machines = [
        (keys[0], Decimal("150"), 1),
        (keys[1], Decimal("45"), 1),
        (keys[2], Decimal("45"), 1),  # as fast, registered later
        (keys[3], None, 2),
        (keys[4], Decimal("30"), 3),
        (keys[5], Decimal("90"), 3),
    ]

    chosen = unattended_keys(machines)

    assert {keys[1], keys[3], keys[4]} <= chosen
    others = {keys[0], keys[2], keys[5]}
    assert chosen & others == {key for key in others if runs_unattended(key)}
