"""The MQTT input end to end through the real Mosquitto (127.0.0.1:1883): a collector
(MqttSource + Runner, in this process) and a sensor-like publisher (paho)."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import threading
import time
import uuid

import pytest
from django.db import connection

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.mosquitto import Publisher
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.collector.limits import RateLimiter
from machikoba.telemetry.collector.mqtt import MqttSource, broker_address
from machikoba.telemetry.collector.runner import Runner
from machikoba.telemetry.models import IngestStats, StateInterval, UnknownSource

# Another thread writes (the collector's writer): committed data, its own connection.
# (The fixture by name, so that the reference data a flush removed is loaded again.)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("transactional_db"),
    # Every test that talks to the system broker runs on one xdist worker: a collector
    # subscribes to every machine's topic, and would count another worker's messages.
    pytest.mark.xdist_group("system-broker"),
]

BROKER = "mqtt://127.0.0.1:1883"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_for(predicate, timeout: float = 20.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def received(machine) -> int:
    return (
        IngestStats.objects.filter(machine=machine).values_list("received", flat=True).first() or 0
    )


def states(machine) -> list[str]:
    return list(
        StateInterval.objects.filter(machine=machine)
        .order_by("start", "seq")
        .values_list("state", flat=True)
    )


def assert_nothing_comes_again(client_id: str, group: str) -> None:
    """Everything the client id received was acknowledged: connecting again under it, a
    second later the broker has sent nothing of this test's machines. (A message of a key
    this database does not know comes from another publisher on the shared broker: the
    subscription sees every topic.)"""
    again: list = []
    source = MqttSource(client_id=client_id, group=group, session_expiry=30)
    source.start(lambda batch, ack=None: again.extend([*batch.events, *batch.heartbeats]))
    try:
        assert source.subscribed.wait(15)
        time.sleep(1.0)
    finally:
        source.close()
    assert again == []


@contextlib.contextmanager
def collecting(
    url: str = BROKER,
    *,
    client_id: str | None = None,
    group: str | None = None,
    limiter: RateLimiter | None = None,
    **runner_options,
):
    """A running collector with an MQTT input on its own shared-subscription group (the
    system broker is shared by every test run); stopped cleanly at the end."""
    source = MqttSource(
        client_id=client_id or unique("test-collector"),
        url=url,
        group=group or unique("test-group"),
        limiter=limiter or RateLimiter(rate=1000, burst=1000),
        session_expiry=30,  # tests leave no long-lived sessions on the shared broker
    )
    runner_options.setdefault("batch_ms", 30)
    runner_options.setdefault("offline_first_after", 3600)
    runner = Runner([source], **runner_options)
    thread = threading.Thread(target=runner.run, name="test-collector")
    thread.start()
    try:
        assert source.subscribed.wait(15), "the collector did not subscribe"
        yield runner, source
    finally:
        runner.request_stop()
        thread.join(30)
        assert not thread.is_alive(), "the collector did not stop"


def test_states_published_through_the_broker_become_intervals():
    plain = make_machine()
    tower = make_machine(config={"tower": {"yellow": "setup"}})
    clamp = make_machine(config={"current": {"producing_above": 10.0, "idle_above": 1.0}})
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    with collecting() as (runner, _source), Publisher(BROKER, unique("sensor")) as sensor:
        sensor.state(plain.key, seq=1, at=start, state="idle")
        sensor.state(plain.key, seq=2, at=start + dt.timedelta(minutes=1), state="producing")
        sensor.state(tower.key, seq=1, at=start, tower={"green": True})
        sensor.state(tower.key, seq=2, at=start + dt.timedelta(minutes=2), tower={"yellow": True})
        sensor.state(clamp.key, seq=1, at=start, current_a=0.2)
        sensor.state(clamp.key, seq=2, at=start + dt.timedelta(minutes=3), current_a=14.5)
        sensor.heartbeat(clamp.key, at=start + dt.timedelta(minutes=4))
        sensor.wait_delivered()
        wait_for(lambda: received(clamp) == 3 and received(plain) == 2 and received(tower) == 2)
    assert states(plain) == ["idle", "producing"]
    assert states(tower) == ["producing", "setup"]
    assert states(clamp) == ["planned_stop", "producing"]
    first = StateInterval.objects.get(machine=plain, seq=1)
    assert (first.start, first.end) == (start, start + dt.timedelta(minutes=1))
    counters = IngestStats.objects.get(machine=clamp)
    assert (counters.stored, counters.duplicates) == (2, 0)
    assert counters.last_seen == start + dt.timedelta(minutes=4)
    assert runner.totals["mqtt"].stored == 6
    assert runner.totals["mqtt"].received == 7


def test_malformed_unknown_and_a_flood_are_counted_and_nothing_else_suffers(caplog):
    good = make_machine()
    noisy = make_machine()
    ghost = unique("ghost")
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    flood = 400
    limiter = RateLimiter(rate=5, burst=20)
    with (
        caplog.at_level(logging.WARNING, logger="machikoba.telemetry"),
        collecting(limiter=limiter) as (runner, _source),
        Publisher(BROKER, unique("sensor")) as sensor,
    ):
        began = time.monotonic()
        for seq in range(flood):
            sensor.state(noisy.key, seq=seq, at=start + dt.timedelta(seconds=seq), state="idle")
            if seq % 80 == 0:  # the well-behaved machine talks in between
                sensor.state(good.key, seq=seq, at=start + dt.timedelta(seconds=seq), state="setup")
        sensor.publish(f"machikoba/v1/{good.key}/state", b"{not json")
        sensor.publish(f"machikoba/v1/{good.key}/state", {"seq": 1, "ts": "now", "state": "x"})
        sensor.publish(f"machikoba/v1/{good.key}/state", b"\x00" * 5000)
        sensor.publish(f"machikoba/v1/{ghost}/state", {"seq": 1})
        sensor.publish(f"machikoba/v1/{ghost}/heartbeat", b"")
        sensor.wait_delivered()
        # The ghost's two messages come last and count only in the runner's total: wait for
        # them too, or a loaded machine reads the total one message early.
        wait_for(
            lambda: (
                received(noisy) == flood
                and received(good) == 8
                and runner.totals["mqtt"].received >= flood + 10
            ),
            what="every message",
        )
        elapsed = time.monotonic() - began
        assert runner.totals["mqtt"].received == flood + 10
    good_stats = IngestStats.objects.get(machine=good)
    assert (good_stats.stored, good_stats.malformed, good_stats.rate_limited) == (5, 3, 0)
    assert states(good) == ["setup"] * 5
    noisy_stats = IngestStats.objects.get(machine=noisy)
    assert noisy_stats.rate_limited > 0
    assert noisy_stats.stored + noisy_stats.rate_limited == flood
    assert noisy_stats.stored <= 20 + 5 * elapsed + 1
    assert StateInterval.objects.filter(machine=noisy).count() == noisy_stats.stored
    assert UnknownSource.objects.get(source="mqtt", key=ghost).count == 2
    # The intervals stayed one chain: each ends where the next starts.
    rows = list(StateInterval.objects.filter(machine=noisy).order_by("start"))
    assert all(a.end == b.start for a, b in itertools.pairwise(rows))
    assert rows[-1].end is None
    # One warning about the flood, not hundreds.
    flood_lines = [r for r in caplog.records if "sends more than allowed" in r.getMessage()]
    assert len(flood_lines) == 1


def test_a_message_is_acknowledged_only_once_it_is_written():
    """A collector that received messages but never wrote them (it died) gets them again
    under its client id; once written and acknowledged, they never come back."""
    machine = make_machine()
    client_id, group = unique("test-collector"), unique("test-group")
    held: list = []

    def never_written(batch, ack=None):
        held.append(batch)

    first = MqttSource(client_id=client_id, group=group, session_expiry=30)
    first.start(never_written)
    try:
        assert first.subscribed.wait(15)
        with Publisher(BROKER, unique("sensor")) as sensor:
            for seq in range(1, 4):
                sensor.state(machine.key, seq=seq, state="producing")
            sensor.wait_delivered()
        wait_for(lambda: len(held) == 3, what="the first delivery")
    finally:
        first.close()
    assert not StateInterval.objects.filter(machine=machine).exists()

    with collecting(client_id=client_id, group=group):
        wait_for(lambda: received(machine) == 3, what="the messages to come again")
    assert StateInterval.objects.filter(machine=machine).count() == 3

    assert_nothing_comes_again(client_id, group)


def test_stopping_writes_and_acknowledges_what_is_queued():
    machine = make_machine()
    client_id, group = unique("test-collector"), unique("test-group")
    with (
        collecting(client_id=client_id, group=group, batch_ms=60_000, batch_size=10_000) as (
            runner,
            _source,
        ),
        Publisher(BROKER, unique("sensor")) as sensor,
    ):
        for seq in range(20):
            sensor.state(machine.key, seq=seq, state="idle")
        sensor.wait_delivered()
        time.sleep(0.5)  # received, held in a batch that waits to fill
        assert received(machine) == 0
    assert received(machine) == 20
    assert runner.totals["mqtt"].stored == 20
    assert_nothing_comes_again(client_id, group)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="cuts PostgreSQL connections")
def test_a_database_that_drops_every_connection_loses_nothing(caplog):
    """PostgreSQL restarts (every connection cut): the writer keeps the batch,
    acknowledges nothing, reconnects and writes it."""
    machine = make_machine()
    with (
        caplog.at_level(logging.WARNING, logger="machikoba.telemetry"),
        collecting() as (_runner, _source),
        Publisher(BROKER, unique("sensor")) as sensor,
    ):
        start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        for seq in range(10):
            sensor.state(machine.key, seq=seq, at=start + dt.timedelta(seconds=seq), state="idle")
        sensor.wait_delivered()
        wait_for(lambda: received(machine) == 10)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        for seq in range(10, 20):
            sensor.state(machine.key, seq=seq, at=start + dt.timedelta(seconds=seq), state="idle")
        sensor.wait_delivered()
        wait_for(lambda: received(machine) == 20)
    assert StateInterval.objects.filter(machine=machine).count() == 20
    assert IngestStats.objects.get(machine=machine).duplicates == 0
    assert any("database error" in r.getMessage() for r in caplog.records)


def test_machines_registered_while_running_are_picked_up():
    with collecting() as (_runner, _source), Publisher(BROKER, unique("sensor")) as sensor:
        machine = make_machine()  # after the collector read its list
        time.sleep(1.1)  # MachineDirectory.miss_refresh_seconds: the list is read again
        sensor.state(machine.key, seq=1, state=MachineState.SETUP)
        sensor.wait_delivered()
        wait_for(lambda: received(machine) == 1)
    assert states(machine) == ["setup"]


def test_broker_addresses():
    assert broker_address("mqtt://10.0.0.5") == ("10.0.0.5", 1883, False, None, None)
    assert broker_address("mqtts://u%40x:p%2Fw@broker.example:8884") == (
        "broker.example",
        8884,
        True,
        "u@x",
        "p/w",
    )
    assert broker_address("mqtts://broker.example")[1] == 8883
    with pytest.raises(ValueError, match="mqtt://"):
        broker_address("http://broker.example")
