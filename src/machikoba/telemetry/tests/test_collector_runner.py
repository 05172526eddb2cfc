"""The collector's writer loop (collector.runner) with batches handed to its sink
directly: merging, acknowledging after the commit, a message the database refuses,
offline rows, stopping."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from django.utils import timezone

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.collector.mqtt import MqttSource
from machikoba.telemetry.collector.mqtt_process import MqttProcessSource
from machikoba.telemetry.collector.runner import Runner
from machikoba.telemetry.events import OFFLINE_AFTER, Batch, Heartbeat, StateEvent
from machikoba.telemetry.ingest import COLLECTOR_BOOT
from machikoba.telemetry.management.commands.telemetry_collect import Command
from machikoba.telemetry.models import IngestStats, StateInterval
from machikoba.telemetry.tests.test_mqtt import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("transactional_db"),
    # Every test that talks to the system broker runs on one xdist worker: a collector
    # subscribes to every machine's topic, and would count another worker's messages.
    pytest.mark.xdist_group("system-broker"),
]


class Feed:
    """A source that hands over whatever the test gives it (polled sources do the same
    from their threads)."""

    name = "feed"

    def __init__(self) -> None:
        self.sink = None
        self.stopped = threading.Event()

    def start(self, sink) -> None:
        self.sink = sink

    def stop(self) -> None:
        self.stopped.set()


@contextlib.contextmanager
def running(**options):
    feed = Feed()
    options.setdefault("batch_ms", 20)
    options.setdefault("offline_first_after", 3600)
    runner = Runner([feed], **options)
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        assert runner.ready.wait(10)
        yield runner, feed
    finally:
        runner.request_stop()
        thread.join(30)
        assert not thread.is_alive()


def test_acks_follow_the_commit_in_arrival_order():
    machine = make_machine()
    now = timezone.now()
    acked: list[int] = []
    seen_rows: list[int] = []

    def ack_for(seq):
        def ack():
            # The row is committed by the time its ack runs (another connection sees it).
            seen_rows.append(StateInterval.objects.filter(machine=machine, seq=seq).count())
            acked.append(seq)

        return ack

    with running(batch_size=5) as (runner, feed):
        for seq in range(12):
            event = StateEvent(machine.id, "b", seq, now - dt.timedelta(seconds=60 - seq), "idle")
            feed.sink(Batch(events=[event]), ack_for(seq))
        wait_for(lambda: len(acked) == 12)
    assert acked == list(range(12))
    assert seen_rows == [1] * 12
    assert runner.totals["feed"].stored == 12


def test_a_message_the_database_refuses_is_counted_and_the_rest_is_stored():
    machine, other = make_machine(), make_machine()
    now = timezone.now()
    acked: list[str] = []
    with running(batch_ms=200) as (runner, feed):
        feed.sink(
            Batch(events=[StateEvent(machine.id, "b", 1, now, "idle")]), lambda: acked.append("a")
        )
        # No column holds this counter; a source that skipped validated() sent it.
        broken = StateEvent(machine.id, "b", 2, now, "idle", count=2**64)
        fine = StateEvent(other.id, "b", 1, now, "setup")
        feed.sink(Batch(events=[broken, fine]), lambda: acked.append("b"))
        feed.sink(Batch(heartbeats=[Heartbeat(other.id, now)]), lambda: acked.append("c"))
        wait_for(lambda: acked == ["a", "b", "c"])
    assert StateInterval.objects.filter(machine=machine).count() == 1
    assert StateInterval.objects.filter(machine=other).count() == 1
    counters = IngestStats.objects.get(machine=machine)
    assert counters.malformed == 1
    assert "could not be stored" in counters.last_error
    assert runner.totals["feed"].refused == 1


def test_silent_machines_get_their_offline_row_from_the_running_collector():
    machine = make_machine()
    heard = timezone.now() - OFFLINE_AFTER - dt.timedelta(minutes=1)
    with running(offline_first_after=0, offline_every=0.2) as (runner, feed):
        feed.sink(Batch(events=[StateEvent(machine.id, "b", 1, heard, MachineState.PRODUCING)]))
        wait_for(lambda: StateInterval.objects.filter(machine=machine).count() == 2)
    offline = StateInterval.objects.get(machine=machine, boot=COLLECTOR_BOOT)
    assert (offline.start, offline.state, offline.end) == (heard, MachineState.OFFLINE, None)
    assert runner.offline_rows == 1


def test_stopping_stops_the_sources_first_then_writes_what_is_queued():
    machine = make_machine()
    now = timezone.now()
    with running(batch_ms=60_000, batch_size=1_000) as (_runner, feed):
        for seq in range(5):
            feed.sink(Batch(events=[StateEvent(machine.id, "b", seq, now, "idle")]))
    assert feed.stopped.is_set()
    assert StateInterval.objects.filter(machine=machine).count() == 5


def test_the_command_builds_each_input_it_is_asked_for(settings):
    options = {"client_id": "c-1", "mqtt_url": "mqtt://127.0.0.1:1883", "group": "g"}
    # By default MQTT is received in a process of its own, with the same settings.
    mqtt = Command()._source("mqtt", options)
    assert isinstance(mqtt, MqttProcessSource)
    assert (mqtt.name, mqtt.client_id) == ("mqtt", "c-1")
    assert mqtt.options == {"client_id": "c-1", "url": "mqtt://127.0.0.1:1883", "group": "g"}
    settings.MACHIKOBA_MQTT_PROCESS = False
    mqtt = Command()._source("mqtt", options)
    assert isinstance(mqtt, MqttSource)
    assert (mqtt.name, mqtt.client_id, mqtt.topic) == ("mqtt", "c-1", "$share/g/machikoba/v1/+/+")
    for name in ("mtconnect", "opcua"):
        source = Command()._source(name, options)
        assert source is not None
        assert source.name == name
