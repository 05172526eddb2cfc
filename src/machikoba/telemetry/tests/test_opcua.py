"""The OPC UA input against a real asyncua server (tests/opcua_server.py) and the real
database: data changes on the server become state intervals, a server restart is
followed without a doubled interval, bad values are refused and counted, and stop()
leaves nothing running.

The source runs in its own thread; its batches are written here, in the test's thread,
through ``ingest.write_batch`` (what the runner does), so the database is the real one
and the source reads it (the machines, their open rows) from its own thread.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable

import pytest
from asyncua import ua
from django.utils import timezone

from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry import ingest
from machikoba.telemetry.choices import Source
from machikoba.telemetry.collector.base import MachineDirectory
from machikoba.telemetry.collector.opcua import OpcUaSource
from machikoba.telemetry.collector.runner import Runner
from machikoba.telemetry.events import Batch
from machikoba.telemetry.ingest import COLLECTOR_BOOT, offline_batch, write_batch
from machikoba.telemetry.models import IngestStats, StateInterval
from machikoba.telemetry.tests.opcua_server import OpcUaTestServer, free_port

# Threads read what the test writes: committed data. (Naming the fixture puts the
# reference data back after the flush, see conftest.py.)
SILENCE = dt.timedelta(seconds=1)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(scope="module")
def server():
    # One server for the module (asyncua's start-up takes a second or two); each test
    # puts its values back (reset) and uses its own machines.
    with OpcUaTestServer() as started:
        yield started


@pytest.fixture
def opcua(server):
    if not server.running:
        server.start()
    server.reset()
    return server


class Collector:
    """The source under test, its batches queued for the test to write."""

    def __init__(self) -> None:
        self.batches: queue.Queue[Batch] = queue.Queue()
        self.written: list[Batch] = []
        self.sources: list[OpcUaSource] = []

    def sink(self, batch: Batch, ack=None) -> None:
        self.batches.put(batch)

    def start(self, **options) -> OpcUaSource:
        options.setdefault("publishing_ms", 50)
        options.setdefault("heartbeat_seconds", 0.2)
        options.setdefault("refresh_seconds", 0.5)
        options.setdefault("reconnect_min_seconds", 0.1)
        options.setdefault("reconnect_max_seconds", 0.4)
        directory = MachineDirectory(Source.OPCUA, refresh_seconds=0.2)
        source = OpcUaSource(directory, **options)
        self.sources.append(source)
        source.start(self.sink)
        return source

    def pump(self) -> list[Batch]:
        """Write what the source sent so far."""
        written = []
        while True:
            try:
                batch = self.batches.get_nowait()
            except queue.Empty:
                break
            write_batch(batch)
            written.append(batch)
        self.written.extend(written)
        return written

    # Generous: it returns as soon as the check holds, and a loaded CI machine is slow.
    def until(self, check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if check():
                return
            time.sleep(0.05)
        self.pump()
        assert check(), f"timed out waiting for {what}"

    def stop(self) -> None:
        for source in self.sources:
            source.stop()
        self.pump()


@pytest.fixture
def collector():
    running = Collector()
    yield running
    running.stop()


def rows(machine):
    return list(
        StateInterval.objects.filter(machine=machine)
        .order_by("start", "seq")
        .values_list("state", "reason", "parts", "boot")
    )


def states(machine):
    return [row[0] for row in rows(machine)]


def current(machine):
    last = StateInterval.objects.filter(machine=machine, end__isnull=True).first()
    return last.state if last else None


def stats(machine):
    return IngestStats.objects.filter(machine=machine).first()


@pytest.fixture
def machines(opcua):
    company = CompanyFactory()
    first = make_machine(
        company,
        source=Source.OPCUA,
        config=opcua.config("Machine1", reason_node=opcua.node("Machine1", "Reason")),
    )
    second = make_machine(company, source=Source.OPCUA, config=opcua.config("Machine2"))
    return first, second


def test_state_changes_on_the_server_become_intervals(opcua, machines, collector):
    first, second = machines
    source = collector.start()
    collector.until(lambda: current(first) == current(second) == "idle", "the initial states")
    assert source.connected() == {opcua.endpoint}
    assert stats(first).last_seen is not None

    producing_at = opcua.write("Machine1", "State", 1)
    opcua.write("Machine2", "State", "Running")
    opcua.bump("Machine1", 3)
    collector.until(lambda: current(second) == "producing", "Machine2 producing")
    time.sleep(0.2)  # the counter's notifications
    # An alarm with its code, both set at once by the PLC: one interval.
    at = timezone.now()
    opcua.write("Machine1", "Reason", "A1203", at=at)
    opcua.write("Machine1", "Alarm", True, at=at)
    collector.until(lambda: current(first) == "alarm", "Machine1 in alarm")
    cleared = timezone.now()
    for variable, value in (("Alarm", False), ("Reason", ""), ("State", 2)):
        opcua.write("Machine1", variable, value, at=cleared)
    collector.until(lambda: states(first)[-1:] == ["idle"] and len(states(first)) == 4, "idle")

    assert [row[:3] for row in rows(first)] == [
        ("idle", "", 0),
        ("producing", "", 3),
        ("alarm", "A1203", 0),
        ("idle", "", None),
    ]
    producing = StateInterval.objects.get(machine=first, state="producing")
    assert producing.start == producing_at
    assert producing.end == at
    assert {row[3] for row in rows(first)} == {rows(second)[0][3]}  # one server, one stream
    assert rows(first)[0][3].startswith("opcua-")
    assert states(second) == ["idle", "producing"]
    assert stats(first).malformed == 0


def test_a_server_restart_is_followed_without_a_doubled_interval(opcua, machines, collector):
    first, second = machines
    source = collector.start()
    collector.until(lambda: current(first) == "idle", "idle")
    opcua.write("Machine1", "State", 1)
    collector.until(lambda: current(first) == "producing", "producing")
    boot_before = rows(first)[-1][3]
    connections = source.connections

    opcua.stop()
    collector.until(lambda: not source.connected(), "the loss noticed")
    collector.pump()
    time.sleep(0.8)  # several heartbeat periods with the server down
    assert all(not batch.heartbeats for batch in collector.pump())

    opcua.start()  # the last values, stamped anew, by a new server
    collector.until(lambda: source.connections > connections, "the reconnection")
    collector.until(lambda: any(b.heartbeats for b in collector.written[-5:]), "heartbeats again")
    assert states(first) == ["idle", "producing"]  # no second producing row
    assert states(second) == ["idle"]

    opcua.write("Machine1", "State", 2)
    collector.until(lambda: current(first) == "idle", "idle after the restart")
    assert states(first) == ["idle", "producing", "idle"]
    assert rows(first)[-1][3] != boot_before  # a restarted server is a new stream
    assert stats(first).duplicates == 0


@pytest.fixture
def short_silence(monkeypatch):
    """Compressed time: a silence of a second counts as one of ``OFFLINE_AFTER`` (the
    writer keeps an offline row only when nothing was heard within that much of its
    start), so the tests need not wait three minutes."""
    monkeypatch.setattr(ingest, "OFFLINE_AFTER", SILENCE)
    return SILENCE


def test_a_machine_marked_offline_while_the_server_was_down_comes_back(
    opcua, machines, collector, short_silence
):
    first, _second = machines
    opcua.write("Machine1", "State", 1)
    source = collector.start()
    collector.until(lambda: current(first) == "producing", "producing")

    opcua.stop()
    collector.until(lambda: not source.connected(), "the loss noticed")
    time.sleep(short_silence.total_seconds() * 1.5)
    collector.pump()
    # The runner's sweep: a silent machine gets an offline row from its last sign of life.
    write_batch(offline_batch(after=short_silence))
    assert current(first) == "offline"

    opcua.start()  # still producing, as far as the server knows
    collector.until(lambda: current(first) == "producing", "producing again")
    producing, offline, back = StateInterval.objects.filter(machine=first).order_by("start")
    assert (offline.state, offline.boot) == ("offline", COLLECTOR_BOOT)
    assert (producing.end, offline.end) == (offline.start, back.start)
    assert back.start > offline.start
    assert stats(first).duplicates == 0


def test_an_offline_row_written_while_connected_is_corrected(
    opcua, machines, collector, short_silence
):
    """A subscription that stalled (the connection up, no publish) long enough for the
    runner's sweep: when the server answers again, the source's periodic look at the
    store finds the machine offline and puts its state back."""
    first, _second = machines
    opcua.write("Machine1", "State", 1)
    collector.start()
    collector.until(lambda: current(first) == "producing", "producing")
    time.sleep(short_silence.total_seconds() * 2)
    collector.pump()
    # What a stall looks like to the store: nothing heard since a moment ago, then the
    # runner's sweep.
    IngestStats.objects.filter(machine=first).update(last_seen=timezone.now() - short_silence * 1.5)
    write_batch(offline_batch(after=short_silence))
    assert current(first) == "offline"
    collector.until(lambda: current(first) == "producing", "producing again")
    assert states(first) == ["producing", "offline", "producing"]


def test_a_restarted_collector_sends_nothing_twice(opcua, machines, collector):
    first, second = machines
    opcua.write("Machine1", "State", 1)
    source = collector.start()
    collector.until(lambda: current(first) == "producing", "producing")
    source.stop()
    collector.pump()
    before = rows(first), rows(second)

    again = collector.start()
    collector.until(lambda: again.connected() and stats(first).received > 1, "the new source")
    time.sleep(0.3)
    collector.pump()
    assert (rows(first), rows(second)) == before
    opcua.write("Machine1", "State", 6)
    collector.until(lambda: current(first) == "setup", "setup")
    assert states(first) == ["producing", "setup"]


def test_unknown_and_bad_values_are_refused_and_counted(opcua, machines, collector):
    first, second = machines
    collector.start()
    collector.until(lambda: current(first) == "idle", "idle")

    opcua.write("Machine1", "State", 99)
    collector.until(lambda: stats(first).malformed == 1, "the unknown state refused")
    assert "99" in stats(first).last_error
    opcua.write("Machine2", "State", "spinning")
    opcua.write("Machine2", "PartCount", 0, status=ua.StatusCodes.BadSensorFailure)
    collector.until(lambda: stats(second).malformed == 2, "the bad values refused")
    assert "BadSensorFailure" in stats(second).last_error
    assert states(first) == ["idle"]
    assert states(second) == ["idle"]

    opcua.write("Machine1", "State", 1)
    collector.until(lambda: current(first) == "producing", "a good value again")
    assert states(first) == ["idle", "producing"]


def test_a_node_of_the_wrong_type_is_refused(opcua, collector):
    # The count node points at Machine2's String state: a config mistake.
    machine = make_machine(
        source=Source.OPCUA,
        config=opcua.config("Machine1", count_node=opcua.node("Machine2", "State")),
    )
    collector.start()
    collector.until(lambda: current(machine) == "idle", "idle")
    collector.until(lambda: stats(machine).malformed == 1, "the count refused")
    assert "not a counter" in stats(machine).last_error
    assert StateInterval.objects.get(machine=machine).count is None


def test_a_missing_node_and_a_bad_config_are_refused(opcua, collector):
    missing = make_machine(
        source=Source.OPCUA,
        config=opcua.config("Machine1", state_node="ns=2;s=NoSuchMachine.State"),
    )
    broken = make_machine(source=Source.OPCUA, config={"endpoint": "http://plc/"})
    collector.start()
    collector.until(lambda: stats(missing) and stats(missing).malformed >= 1, "missing node")
    assert "NoSuchMachine" in stats(missing).last_error
    collector.until(lambda: stats(broken) and stats(broken).malformed == 1, "bad config")
    time.sleep(1.2)  # the machines are read again; the config is reported once
    collector.pump()
    assert stats(broken).malformed == 1
    assert not StateInterval.objects.filter(machine__in=[missing, broken]).exists()
    assert stats(missing).last_seen is None  # no heartbeat for a machine of unknown state

    # Registered, or put right, while the collector runs: connected without a restart.
    late = make_machine(source=Source.OPCUA, config=opcua.config("Machine2"))
    broken.config = opcua.config("Machine1")
    broken.save(update_fields=["config"])
    collector.until(lambda: current(late) == current(broken) == "idle", "the new machines")


def test_an_unreachable_server_is_retried_and_stop_is_clean(collector):
    nobody = f"opc.tcp://127.0.0.1:{free_port()}/"
    machine = make_machine(
        source=Source.OPCUA, config={"endpoint": nobody, "state_node": "ns=2;s=M.State"}
    )
    source = collector.start()
    time.sleep(1.0)
    collector.pump()
    assert source.alive
    assert source.connections == 0
    assert stats(machine) is None  # nothing heard: no heartbeat
    started = time.monotonic()
    source.stop()
    assert time.monotonic() - started < 5
    assert not source.alive


def test_stop_leaves_no_thread_and_no_session(opcua, machines, collector):
    first, _second = machines
    before = {thread.ident for thread in threading.enumerate()}
    source = collector.start()
    collector.until(lambda: current(first) == "idle", "connected")
    source.stop()
    assert not source.alive
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert left == [], left
    # The source closed its session: the server holds no subscription of it any more.
    assert opcua._call(_subscription_count(opcua)) == 0


async def _subscription_count(server):
    return len(server._server.iserver.subscription_service.subscriptions)


def test_the_runner_writes_what_the_source_sends_and_stops_it(opcua, machines):
    """The collector as ``telemetry_collect --opcua`` runs it: the runner's writer thread
    stores the source's batches; a stop request ends both."""
    first, second = machines
    source = OpcUaSource(
        MachineDirectory(Source.OPCUA, refresh_seconds=0.2),
        publishing_ms=50,
        heartbeat_seconds=0.2,
        refresh_seconds=0.5,
        reconnect_min_seconds=0.1,
    )
    runner = Runner([source], batch_ms=30, offline_first_after=3600)
    thread = threading.Thread(target=runner.run, name="test-collector")
    thread.start()
    try:
        wait_for(lambda: current(first) == current(second) == "idle", "the initial states")
        opcua.write("Machine1", "State", 1)
        wait_for(lambda: current(first) == "producing", "producing")
    finally:
        runner.request_stop()
        thread.join(30)
    assert not thread.is_alive()
    assert not source.alive
    assert runner.totals["opcua"].stored == 3
    assert states(first) == ["idle", "producing"]


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    assert check(), f"timed out waiting for {what}"
