"""The collector as it runs: `manage.py telemetry_collect` processes and a private
Mosquitto (core.testing.mosquitto) that the tests restart. Whatever stops (the broker, a
collector killed with SIGKILL), every message the sensors published is stored exactly
once, checked against the publisher's own log."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from machikoba.core.testing import processes
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.mosquitto import PrivateBroker, Publisher
from machikoba.telemetry.models import IngestStats, StateInterval
from machikoba.telemetry.tests.test_mqtt import collecting, unique, wait_for

pytestmark = [
    # Every test that talks to the system broker runs on one xdist worker: a collector
    # subscribes to every machine's topic, and would count another worker's messages.
    pytest.mark.xdist_group("system-broker"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("transactional_db"),
    pytest.mark.worker,  # starts real processes (broker, collectors)
]

SUMMARY = re.compile(
    r"collector total: mqtt: received (\d+) stored (\d+) duplicates (\d+) refused (\d+)"
)


def start_collector(url: str, client_id: str, group: str, log: Path, *extra: str):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": processes.test_database_url(),
            "MACHIKOBA_ENV": "development",
            "DEBUG": "0",
            "PYTHONPATH": str(processes.ROOT / "src"),
            "MQTT_URL": url,
            "LOG_LEVEL": "INFO",
            "TELEMETRY_RATE": "1000",
            "TELEMETRY_BURST": "1000",
        }
    )
    with log.open("ab") as out:
        process = subprocess.Popen(  # our own manage.py, fixed arguments
            [
                sys.executable,
                str(processes.ROOT / "manage.py"),
                "telemetry_collect",
                "--mqtt",
                "--client-id",
                client_id,
                "--group",
                group,
                *extra,
            ],
            env=env,
            cwd=processes.ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process


def wait_subscribed(process, log: Path, times: int = 1, timeout: float = 60.0) -> None:
    """Until the collector's log says it subscribed (the ``times``-th time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if text.count("MQTT: subscribed") >= times:
            return
        if process.poll() is not None:
            pytest.fail(f"the collector exited with {process.returncode}:\n{text}")
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the collector did not subscribe:\n{log.read_text(errors='replace')}")


def stop(process, timeout: float = 30.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
            pytest.fail("the collector did not stop on SIGTERM")


def stored_total() -> int:
    return StateInterval.objects.count()


def published(sensor: Publisher, machines, count: int, *, first: int = 0, pause: float = 0.0):
    """State changes ``first`` … ``first + count - 1`` round the machines, a second apart in
    the machines' time; the (machine id, seq, state) of each: the publisher's log."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    names = ["producing", "idle", "setup", "alarm", "planned_stop"]
    sent = []
    for index in range(first, first + count):
        machine = machines[index % len(machines)]
        seq = index // len(machines)
        state = names[index % len(names)]
        at = start + dt.timedelta(seconds=index)
        sensor.state(machine.key, seq=seq, at=at, state=state, count=index)
        sent.append((machine.id, seq, state))
        if pause:
            time.sleep(pause)
    return sent


def assert_stored_exactly(sent: list) -> None:
    rows = list(
        StateInterval.objects.order_by("machine_id", "start", "seq").values_list(
            "machine_id", "seq", "state", "start", "end"
        )
    )
    assert sorted((m, s, st) for m, s, st, _start, _end in rows) == sorted(sent)
    for _machine, chain in itertools.groupby(rows, key=lambda row: row[0]):
        chain = list(chain)
        assert all(a[4] == b[3] for a, b in itertools.pairwise(chain))  # one unbroken chain
        assert chain[-1][4] is None
    assert sum(IngestStats.objects.values_list("stored", flat=True)) == len(sent)


@pytest.mark.parametrize("graceful", [True, False], ids=["restarted", "killed"])
def test_a_broker_restart_mid_stream_loses_nothing(graceful):
    """Restarted (SIGTERM: it saves its sessions and queued messages), or killed (SIGKILL:
    as of its last save, here after every change)."""
    machines = [make_machine() for _ in range(3)]
    with (
        PrivateBroker() as broker,
        collecting(broker.url, batch_ms=50) as (_runner, source),
        Publisher(broker.url, unique("sensor")) as sensor,
    ):
        sent = published(sensor, machines, 40, pause=0.005)
        wait_for(lambda: stored_total() >= 10, what="the first messages")
        broker.restart(graceful=graceful)
        # Published while both clients reconnect: paho holds them and sends them after.
        sent += published(sensor, machines, 40, first=40)
        sensor.wait_delivered()
        wait_for(lambda: stored_total() == 80, what="every message after the restart")
        assert source.connected
    assert_stored_exactly(sent)


def test_a_collector_killed_mid_batch_and_restarted_loses_and_doubles_nothing(tmp_path):
    machines = [make_machine(counter_max=65535) for _ in range(10)]
    client_id, group = unique("collector"), unique("group")
    log = tmp_path / "collector.log"
    sent: list = []
    with PrivateBroker() as broker, Publisher(broker.url, unique("sensor")) as sensor:
        collector = start_collector(broker.url, client_id, group, log, "--batch-ms", "300")
        try:
            wait_subscribed(collector, log)
            publishing = threading.Thread(
                target=lambda: sent.extend(published(sensor, machines, 300, pause=0.01))
            )
            publishing.start()
            wait_for(lambda: stored_total() >= 40, timeout=60, what="the first batches")
            collector.kill()  # SIGKILL: whatever batch it holds is neither written nor acked
            collector.wait(10)
            killed_at = stored_total()
            time.sleep(0.5)
            collector = start_collector(broker.url, client_id, group, log, "--batch-ms", "300")
            wait_subscribed(collector, log, times=2)
            publishing.join(60)
            sensor.wait_delivered()
            wait_for(lambda: stored_total() == 300, timeout=60, what="every message")
        finally:
            stop(collector)
    assert killed_at < 300
    assert_stored_exactly(sent)
    assert "Traceback" not in log.read_text(errors="replace")


def test_two_collectors_split_one_shared_subscription_and_store_each_message_once(tmp_path):
    machines = [make_machine() for _ in range(15)]
    group = unique("group")
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with PrivateBroker() as broker, Publisher(broker.url, unique("sensor")) as sensor:
        collectors = [
            start_collector(broker.url, unique(f"collector-{n}"), group, log)
            for n, log in enumerate(logs)
        ]
        try:
            for collector, log in zip(collectors, logs, strict=True):
                wait_subscribed(collector, log)
            sent = published(sensor, machines, 300)
            sensor.wait_delivered()
            wait_for(lambda: stored_total() == 300, timeout=60, what="every message")
        finally:
            for collector in collectors:
                stop(collector)
    assert_stored_exactly(sent)
    totals = []
    for log in logs:
        text = log.read_text(errors="replace")
        found = SUMMARY.search(text)
        assert found, text
        totals.append(tuple(int(n) for n in found.groups()))
    received, stored, duplicates, refused = (sum(column) for column in zip(*totals, strict=True))
    assert (received, stored, duplicates, refused) == (300, 300, 0, 0)
    assert all(each[1] > 0 for each in totals), totals  # both did their share


def _receiving_child(collector) -> psutil.Process:
    """The collector's MQTT process (``collector/mqtt_process.py``), not the resource
    tracker multiprocessing may start beside it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for child in psutil.Process(collector.pid).children():
            if "spawn_main" in " ".join(child.cmdline()):
                return child
        time.sleep(0.1)
    pytest.fail("the collector has no receiving process")


def test_the_collector_and_its_receiving_process_end_together(tmp_path):
    """kill -9 of the collector ends its MQTT process (which must not keep the client id's
    session); a dead MQTT process stops the collector, for its supervisor to restart."""
    client_id, group = unique("collector"), unique("group")
    log = tmp_path / "collector.log"
    with PrivateBroker() as broker:
        collector = start_collector(broker.url, client_id, group, log)
        try:
            wait_subscribed(collector, log)
            child = _receiving_child(collector)
            collector.kill()
            collector.wait(10)
            child.wait(10)  # psutil.TimeoutExpired if it outlived its parent

            collector = start_collector(broker.url, client_id, group, log)
            wait_subscribed(collector, log, times=2)
            _receiving_child(collector).kill()
            assert collector.wait(30) == 1  # an error: a supervisor restarts it
        finally:
            stop(collector)
    assert "the receiving process ended; stopping the collector" in log.read_text()
