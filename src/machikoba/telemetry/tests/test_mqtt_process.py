"""The MQTT input in a process of its own (``MqttProcessSource``), end to end through the
real Mosquitto: a spawned child receives, the runner in this process writes, the child
acknowledges what was committed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.mosquitto import Publisher
from machikoba.telemetry.collector.mqtt_child import _Gatherer
from machikoba.telemetry.collector.mqtt_process import MqttProcessSource
from machikoba.telemetry.collector.runner import Runner
from machikoba.telemetry.events import Batch, Heartbeat, StateEvent
from machikoba.telemetry.models import StateInterval
from machikoba.telemetry.tests.test_mqtt import (
    BROKER,
    assert_nothing_comes_again,
    received,
    unique,
    wait_for,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("transactional_db"),
    # The system broker: one xdist worker (see test_mqtt.py).
    pytest.mark.xdist_group("system-broker"),
]


def test_messages_received_in_the_child_are_written_here_and_acknowledged_there():
    machine, other = make_machine(), make_machine()
    client_id, group = unique("test-collector"), unique("test-group")
    source = MqttProcessSource(client_id=client_id, url=BROKER, group=group, session_expiry=30)
    runner = Runner([source], batch_ms=30, offline_first_after=3600)
    thread = threading.Thread(target=runner.run, name="test-collector")
    thread.start()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    try:
        assert source.subscribed.wait(30), "the receiving process did not subscribe"
        with Publisher(BROKER, unique("sensor")) as sensor:
            for seq in range(1, 41):
                at = start + dt.timedelta(minutes=seq)
                sensor.state(machine.key, seq=seq, at=at, state="producing" if seq % 2 else "idle")
            sensor.state(other.key, seq=1, at=start, state="setup")
            sensor.wait_delivered()
        wait_for(lambda: received(machine) == 40 and received(other) == 1, what="the writes")
    finally:
        runner.request_stop()
        thread.join(30)
    assert not thread.is_alive(), "the collector did not stop"
    assert source._process is not None
    assert not source._process.is_alive(), "the receiving process did not end"
    rows = StateInterval.objects.filter(machine=machine).order_by("seq")
    assert [row.seq for row in rows] == list(range(1, 41))
    assert [rows[0].state, rows[1].state] == ["producing", "idle"]
    assert runner.totals["mqtt"].stored == 41

    # Everything written was acknowledged: the session holds nothing for this client id.
    assert_nothing_comes_again(client_id, group)


class Pipe:
    def __init__(self) -> None:
        self.sent: list[tuple] = []

    def send(self, message: tuple) -> None:
        self.sent.append(message)


def test_the_child_sends_full_batches_and_keeps_their_acks_until_the_commit():
    pipe = Pipe()
    gatherer = _Gatherer(pipe, flush_size=3)  # type: ignore[arg-type]
    now = dt.datetime.now(dt.UTC)
    acked: list[str] = []
    for seq in (1, 2):
        gatherer(
            Batch(events=[StateEvent(1, "b", seq, now, "idle")]), lambda s=seq: acked.append(s)
        )
    assert pipe.sent == []  # not full yet
    gatherer(Batch(heartbeats=[Heartbeat(1, now)]))  # no ack (QoS 0)
    [(kind, batch, token)] = pipe.sent
    assert (kind, len(batch.events), len(batch.heartbeats), token) == ("batch", 2, 1, 1)
    gatherer(Batch(events=[StateEvent(2, "b", 1, now, "setup")]), lambda: acked.append("x"))
    gatherer.flush()
    assert [message[2] for message in pipe.sent] == [1, 2]
    gatherer.flush()  # nothing pending: nothing sent
    assert len(pipe.sent) == 2
    # The parent confirms the second batch, then the first; each ack is given once.
    for ack in gatherer.acks_of([2]):
        ack()
    for ack in gatherer.acks_of([1, 1]):
        ack()
    assert acked == ["x", 1, 2]
    assert gatherer.acks_of([1, 2, 99]) == []
