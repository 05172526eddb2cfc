"""The MTConnect input against a real (test) agent over HTTP, writing to the real database:
a recorded stream replayed into state intervals; a collector restart, a buffer overrun, an
agent restart, an agent gone away; malformed answers; a range polled twice.

The agent (``mtconnect_agent``) replays SHDR: ``data/okuma_excerpt.shdr`` recorded from an
Okuma lathe (cppagent's demo) and ``data/scenario_states.shdr``, written for these tests to
pass through every state. Timestamps are moved to end now.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import MachineState as S
from machikoba.telemetry.choices import Source
from machikoba.telemetry.collector.base import MachineDirectory
from machikoba.telemetry.collector.mtconnect import MTConnectSource, agent_url
from machikoba.telemetry.collector.runner import Runner
from machikoba.telemetry.events import Batch
from machikoba.telemetry.ingest import COLLECTOR_BOOT, offline_batch, write_batch
from machikoba.telemetry.models import IngestStats, SourceCursor, StateInterval, UnknownSource

from .mtconnect_agent import OKUMA_EXCERPT, SCENARIO, MTConnectTestAgent, parse_shdr_time, shifted

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("transactional_db")]

OKUMA = ("OKUMA", "OKUMA.123456")
LATHE = ("LATHE2", "LATHE2.0001")
STRANGER = ("STRANGER", "STRANGER.9")  # a device on the agent that no machine names

# The scenario, by hand: (state, reason, part counter at the start, seconds from its start).
SCENARIO_ROWS = [
    (S.IDLE, "", 10, 0),
    (S.PRODUCING, "", 10, 5),
    (S.UNPLANNED_STOP, "FEED_HOLD", 12, 40),
    (S.PRODUCING, "", 12, 50),
    (S.ALARM, "2001", 12, 60),  # a coolant warning at 55 s changes nothing
    (S.UNPLANNED_STOP, "STOPPED", 12, 80),  # stopped at 65 s, under the alarm until 80 s
    (S.SETUP, "MANUAL", 12, 85),
    (S.ALARM, "EMERGENCY_STOP", 12, 95),
    (S.SETUP, "MANUAL", 12, 100),
    (S.IDLE, "", 12, 110),  # AUTOMATIC and READY in one line: no STOPPED in between
    (S.PRODUCING, "", 0, 125),  # the counter was reset at 120 s
    (S.IDLE, "", 1, 150),
    (S.OFFLINE, "UNAVAILABLE", 1, 160),
]
# Parts made in each closed interval (the counter's differences, the reset included).
SCENARIO_PARTS = [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, None]


class DirectSink:
    """The runner's part, minus its queue: each batch written at once, then acknowledged."""

    def __init__(self, *, deliveries: int = 1) -> None:
        self.lock = threading.Lock()
        self.deliveries = deliveries
        self.batches = 0

    def __call__(self, batch: Batch, ack: Callable[[], None] | None = None) -> None:
        with self.lock:
            for _ in range(self.deliveries):  # at-least-once: the same batch again
                write_batch(batch)
            self.batches += 1
        if ack is not None:
            ack()


@contextmanager
def collecting(sink: DirectSink | None = None, **settings) -> Iterator[MTConnectSource]:
    options = {
        "poll_seconds": 0.05,
        "http_timeout": 2.0,
        "heartbeat_seconds": 0.2,
        "max_backoff": 0.2,
        "reconcile_seconds": 0.3,
    }
    options.update(settings)
    source = MTConnectSource(
        MachineDirectory(Source.MTCONNECT, refresh_seconds=0.2),
        options.pop("poll_seconds"),
        options.pop("http_timeout"),
        **options,
    )
    source.start(sink or DirectSink())
    try:
        yield source
    finally:
        source.stop()


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def cursor(agent: MTConnectTestAgent) -> SourceCursor | None:
    return SourceCursor.objects.filter(key=agent.url).first()


def caught_up(agent: MTConnectTestAgent) -> Callable[[], bool]:
    def check() -> bool:
        row = cursor(agent)
        return (
            row is not None
            and row.instance == agent.instance_id
            and row.next_sequence == agent.next_sequence
        )

    return check


def connected(machine) -> Callable[[], bool]:
    return lambda: StateInterval.objects.filter(machine=machine).exists()


def rows(machine) -> list[StateInterval]:
    return list(StateInterval.objects.filter(machine=machine).order_by("start", "seq"))


def states(machine) -> list[tuple[str, str]]:
    return [(row.state, row.reason) for row in rows(machine)]


def stats(machine) -> IngestStats:
    return IngestStats.objects.get(machine=machine)


def mtconnect_machine(agent: MTConnectTestAgent, device: str, **fields):
    return make_machine(
        source=Source.MTCONNECT, config={"agent": agent.url, "device": device}, **fields
    )


def assert_scenario(found: list[StateInterval], scenario_start: dt.datetime) -> None:
    assert [(r.state, r.reason, r.count) for r in found] == [
        (state, reason, count) for state, reason, count, _second in SCENARIO_ROWS
    ]
    assert [(r.start - scenario_start).total_seconds() for r in found] == [
        second for *_rest, second in SCENARIO_ROWS
    ]
    assert [r.parts for r in found] == SCENARIO_PARTS
    assert found[-1].end is None


@pytest.fixture
def agent() -> Iterator[MTConnectTestAgent]:
    with MTConnectTestAgent(devices=(OKUMA, LATHE, STRANGER)) as running:
        yield running


@pytest.mark.parametrize(
    ("version", "count"),
    [
        ("1.3", 500),
        ("2.3", 500),
        # Pages of 7 observations cut the adapter's lines (the first sets ~60 values):
        # a page's last group waits for the next, and no state in between is written.
        ("2.3", 7),
    ],
)
def test_the_recorded_okuma_stream_becomes_intervals(version, count):
    with MTConnectTestAgent(devices=(OKUMA,), version=version) as agent:
        machine = mtconnect_machine(agent, "OKUMA")
        lines = shifted(OKUMA_EXCERPT)
        with collecting(sample_count=count):
            wait_for(connected(machine), "the first state")
            sequences = agent.feed("OKUMA", lines)
            wait_for(caught_up(agent), "the collector to catch up")

    # The excerpt's state lines, checked by hand: all values at 13:57:41.918 (READY, in
    # AUTOMATIC, part counter 0), ACTIVE at 13:57:44.329, PROGRAM_COMPLETED at
    # 13:58:01.081, the counter to 1 at 13:58:01.159, READY at 13:58:01.320.
    found = rows(machine)
    assert [(r.state, r.reason, r.count, r.parts) for r in found] == [
        (S.OFFLINE, "UNAVAILABLE", None, None),  # the agent's values before the adapter
        (S.IDLE, "", 0, 0),
        (S.PRODUCING, "", 0, 0),
        (S.IDLE, "", 0, None),  # the part arrives here; READY changes nothing
    ]
    first = parse_shdr_time(lines[0].split("|")[0])
    assert found[1].start == first
    assert found[1].end - found[1].start == dt.timedelta(seconds=2, microseconds=410712)
    assert found[2].end - found[2].start == dt.timedelta(seconds=16, microseconds=751899)
    assert found[3].end is None
    # Keyed by the agent's instance and the observation that changed the state.
    assert {r.boot for r in found} == {agent.instance_id}
    assert found[2].seq in sequences
    assert found[0].start < found[1].start
    ingest = stats(machine)
    assert ingest.stored == 4
    assert ingest.duplicates == ingest.malformed == ingest.skewed == 0
    assert ingest.last_seen is not None


def test_every_state_of_the_scenario(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines)
        wait_for(caught_up(agent), "the collector to catch up")

    found = rows(machine)
    assert (found[0].state, found[0].reason) == (S.OFFLINE, "UNAVAILABLE")
    assert_scenario(found[1:], parse_shdr_time(lines[0].split("|")[0]))


def test_the_collectors_runner_writes_what_the_input_hands_it(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    source = MTConnectSource(
        MachineDirectory(Source.MTCONNECT, refresh_seconds=0.2), poll_seconds=0.05
    )
    runner = Runner([source], batch_ms=20, offline_first_after=3600)
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        assert runner.ready.wait(10)
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines)
        wait_for(caught_up(agent), "the collector to catch up")
    finally:
        runner.request_stop()
        thread.join(30)
    assert not thread.is_alive()

    assert_scenario(rows(machine)[1:], parse_shdr_time(lines[0].split("|")[0]))
    assert runner.totals["mtconnect"].stored == len(SCENARIO_ROWS) + 1
    assert runner.totals["mtconnect"].duplicates == 0


def test_a_restarted_collector_resumes_from_its_cursor(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines[:8])  # up to the feed hold
        wait_for(caught_up(agent), "the collector to catch up")
    assert states(machine)[-1] == (S.UNPLANNED_STOP, "FEED_HOLD")
    stopped_at = cursor(agent).next_sequence

    agent.feed("OKUMA", lines[8:])  # while no collector runs
    agent.requests.clear()
    with collecting():
        wait_for(caught_up(agent), "the second collector to catch up")

    # It rebuilt the values as of its cursor and went on from there.
    assert f"/current?at={stopped_at - 1}" in agent.requests
    assert f"/sample?from={stopped_at}&count=500" in agent.requests
    found = rows(machine)
    assert_scenario(found[1:], parse_shdr_time(lines[0].split("|")[0]))
    assert stats(machine).duplicates == 0
    assert cursor(agent).gaps == 0


def test_a_restarted_collector_ends_the_offline_row_written_while_it_was_down(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines[:4])  # producing
        wait_for(caught_up(agent), "the collector to catch up")
    time.sleep(0.3)
    # Another collector process's sweep sees the silence.
    write_batch(offline_batch(after=dt.timedelta(milliseconds=100)))
    assert states(machine)[-1] == (S.OFFLINE, "silent")

    with collecting():
        wait_for(lambda: states(machine)[-1] == (S.PRODUCING, ""), "the silence to end")

    assert states(machine) == [(S.OFFLINE, "UNAVAILABLE"), (S.IDLE, ""), (S.PRODUCING, "")]


def test_an_agent_without_current_at_is_resynced_with_a_gap():
    with MTConnectTestAgent(devices=(OKUMA,), supports_at=False) as agent:
        machine = mtconnect_machine(agent, "OKUMA")
        lines = shifted(SCENARIO)
        with collecting():
            wait_for(connected(machine), "the first state")
            agent.feed("OKUMA", lines[:4])
            wait_for(caught_up(agent), "the collector to catch up")
        agent.feed("OKUMA", lines[4:8])  # FEED_HOLD, then more: not seen one by one
        agent.feed("OKUMA", [agent.now_line("pexecution|READY")])
        with collecting():
            wait_for(caught_up(agent), "the collector to resync")

        assert cursor(agent).gaps == 1
        assert states(machine) == [
            (S.OFFLINE, "UNAVAILABLE"),
            (S.IDLE, ""),
            (S.PRODUCING, ""),
            (S.IDLE, ""),
        ]


def test_polling_the_same_range_twice_stores_it_once(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(connected(machine), "the first state")
        start = cursor(agent).next_sequence
        agent.feed("OKUMA", lines)
        wait_for(caught_up(agent), "the collector to catch up")
    before = [(r.boot, r.seq, r.state, r.start, r.end, r.parts) for r in rows(machine)]
    stored = stats(machine).stored

    # As if the cursor had not been written: the whole range again, each batch twice.
    SourceCursor.objects.filter(key=agent.url).update(next_sequence=start)
    with collecting(DirectSink(deliveries=2)):
        wait_for(caught_up(agent), "the collector to catch up again")

    assert [(r.boot, r.seq, r.state, r.start, r.end, r.parts) for r in rows(machine)] == before
    assert stats(machine).stored == stored
    assert stats(machine).duplicates >= len(SCENARIO_ROWS)


def test_a_buffer_overrun_is_a_counted_gap_then_a_resync(caplog):
    with MTConnectTestAgent(devices=(OKUMA,), buffer_size=40) as agent:
        machine = mtconnect_machine(agent, "OKUMA")
        lines = shifted(OKUMA_EXCERPT)
        with collecting():
            wait_for(connected(machine), "the first state")
            agent.go_down()
            agent.feed("OKUMA", lines)  # ~300 observations into a buffer of 40
            with caplog.at_level(logging.WARNING, logger="machikoba.telemetry"):
                agent.come_back()
                wait_for(caught_up(agent), "the collector to resync")

        assert cursor(agent).gaps == 1
        assert any("gap at sequence" in r.getMessage() for r in caplog.records)
        # What the buffer lost is lost; the state now is the agent's current one.
        assert states(machine) == [(S.OFFLINE, "UNAVAILABLE"), (S.IDLE, "")]
        assert rows(machine)[-1].count == 1

        # And the collector follows the stream again.
        agent.feed("OKUMA", [agent.now_line("pexecution|ACTIVE")])
        with collecting():
            wait_for(lambda: states(machine)[-1] == (S.PRODUCING, ""), "the next state")
        assert cursor(agent).gaps == 1


def test_a_gap_found_at_start_is_counted_too():
    with MTConnectTestAgent(devices=(OKUMA,), buffer_size=40) as agent:
        machine = mtconnect_machine(agent, "OKUMA")
        with collecting():
            wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", shifted(OKUMA_EXCERPT))
        with collecting():
            wait_for(caught_up(agent), "the collector to resync")

        assert cursor(agent).gaps == 1
        assert states(machine) == [(S.OFFLINE, "UNAVAILABLE"), (S.IDLE, "")]


def test_an_agent_restart_resyncs_under_its_new_instance(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines[:4])  # producing
        wait_for(caught_up(agent), "the collector to catch up")
        old = agent.instance_id

        agent.restart()  # sequences from 1 again, everything UNAVAILABLE
        wait_for(caught_up(agent), "the collector to follow the new instance")
        assert states(machine)[-1] == (S.OFFLINE, "UNAVAILABLE")

        agent.feed(
            "OKUMA",
            [agent.now_line("avail|AVAILABLE|estop|ARMED|pmode|AUTOMATIC|pexecution|ACTIVE")],
        )
        wait_for(lambda: states(machine)[-1] == (S.PRODUCING, ""), "the new instance's state")

    found = rows(machine)
    assert [(r.boot, r.state) for r in found] == [
        (old, S.OFFLINE),
        (old, S.IDLE),
        (old, S.PRODUCING),
        (agent.instance_id, S.OFFLINE),
        (agent.instance_id, S.PRODUCING),
    ]
    assert cursor(agent).gaps == 0
    assert cursor(agent).instance == agent.instance_id


def test_an_unreachable_agent_sends_no_heartbeats_and_is_followed_again(agent, caplog):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting() as source:
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines[:4])  # producing
        wait_for(caught_up(agent), "the collector to catch up")

        with caplog.at_level(logging.WARNING, logger="machikoba.telemetry"):
            agent.go_down()
            time.sleep(0.5)  # several polls fail
        seen = stats(machine).last_seen
        time.sleep(0.5)
        assert stats(machine).last_seen == seen  # silent: the runner's sweep may act
        assert any("unreachable" in r.getMessage() for r in caplog.records)
        # The sweep notices the silence (here with a short bound) and writes offline.
        write_batch(offline_batch(after=dt.timedelta(milliseconds=100)))
        assert states(machine)[-1] == (S.OFFLINE, "silent")
        assert rows(machine)[-1].boot == COLLECTOR_BOOT

        agent.come_back()
        wait_for(lambda: states(machine)[-1] == (S.PRODUCING, ""), "the silence to end")
        # The agent shows the machine producing all along: the offline row goes, and the
        # producing row goes on (not a second one).
        assert states(machine) == [(S.OFFLINE, "UNAVAILABLE"), (S.IDLE, ""), (S.PRODUCING, "")]
        assert rows(machine)[-1].end is None
        assert stats(machine).last_seen > seen

        # A change while the agent was out of reach arrives with its own time.
        agent.go_down()
        time.sleep(0.3)
        held = agent.now_line("pexecution|FEED_HOLD")
        agent.feed("OKUMA", [held])
        agent.come_back()
        wait_for(caught_up(agent), "the collector to catch up again")
        assert source.agents == [agent_url(agent.url)]

    found = rows(machine)
    assert [(r.state, r.reason) for r in found] == [
        (S.OFFLINE, "UNAVAILABLE"),
        (S.IDLE, ""),
        (S.PRODUCING, ""),
        (S.UNPLANNED_STOP, "FEED_HOLD"),
    ]
    assert found[-1].start == parse_shdr_time(held.split("|")[0])
    assert cursor(agent).gaps == 0


def test_an_agent_that_is_down_from_the_start_is_waited_for():
    agent = MTConnectTestAgent(devices=(OKUMA,))
    agent.start()
    agent.go_down()
    try:
        machine = mtconnect_machine(agent, "OKUMA")
        with collecting():
            time.sleep(0.4)
            assert not StateInterval.objects.filter(machine=machine).exists()
            agent.come_back()
            wait_for(connected(machine), "the first state once the agent is up")
        assert states(machine) == [(S.OFFLINE, "UNAVAILABLE")]
    finally:
        agent.stop()


def test_malformed_answers_are_counted_against_the_agents_machines(agent, caplog):
    okuma = mtconnect_machine(agent, "OKUMA")
    lathe = mtconnect_machine(agent, "LATHE2.0001")  # by uuid
    with collecting():
        wait_for(lambda: connected(okuma)() and connected(lathe)(), "the first states")
        with caplog.at_level(logging.WARNING, logger="machikoba.telemetry"):
            agent.corrupt_next(2)
            wait_for(lambda: stats(okuma).malformed == 2, "two malformed answers counted")
        agent.feed("LATHE2", shifted(SCENARIO)[:4])
        wait_for(caught_up(agent), "the collector to go on")

    assert stats(lathe).malformed == 2
    assert "not well-formed XML" in stats(okuma).last_error
    assert any("malformed answer" in r.getMessage() for r in caplog.records)
    assert states(lathe)[-1] == (S.PRODUCING, "")
    assert cursor(agent).gaps == 0


def test_an_error_document_is_logged_and_the_poll_tried_again(agent, caplog):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(connected(machine), "the first state")
        with caplog.at_level(logging.WARNING, logger="machikoba.telemetry"):
            agent.refuse_next(3, "INTERNAL_ERROR")
            agent.feed("OKUMA", lines[:4])
            wait_for(caught_up(agent), "the collector to get past the errors")

    assert states(machine)[-1] == (S.PRODUCING, "")
    assert sum("INTERNAL_ERROR" in r.getMessage() for r in caplog.records) == 3
    # An agent's error is not the machine's: nothing counted against it, no gap.
    assert stats(machine).malformed == 0
    assert cursor(agent).gaps == 0


def test_a_value_mtconnect_does_not_define_is_malformed_for_its_device_only(agent):
    okuma = mtconnect_machine(agent, "OKUMA")
    lathe = mtconnect_machine(agent, "LATHE2")
    lines = shifted(SCENARIO)
    with collecting():
        wait_for(lambda: connected(okuma)() and connected(lathe)(), "the first states")
        agent.feed("OKUMA", lines[:4])
        agent.feed("OKUMA", [agent.now_line("pexecution|SPINNING_FAST")])
        wait_for(caught_up(agent), "the collector to catch up")

    assert stats(okuma).malformed >= 1
    assert "SPINNING_FAST" in stats(okuma).last_error
    assert states(okuma)[-1] == (S.PRODUCING, "")
    assert stats(lathe).malformed == 0


def test_machines_share_an_agent_and_other_devices_are_ignored(agent):
    okuma = mtconnect_machine(agent, "OKUMA.123456")  # by uuid
    lathe = mtconnect_machine(agent, "LATHE2")
    okuma_lines = shifted(OKUMA_EXCERPT)
    scenario_lines = shifted(SCENARIO)
    with collecting() as source:
        wait_for(lambda: connected(okuma)() and connected(lathe)(), "the first states")
        agent.feed("STRANGER", scenario_lines)
        agent.feed("OKUMA", okuma_lines)
        agent.feed("LATHE2", scenario_lines)
        wait_for(caught_up(agent), "the collector to catch up")
        assert len(source.agents) == 1

    assert states(okuma) == [
        (S.OFFLINE, "UNAVAILABLE"),
        (S.IDLE, ""),
        (S.PRODUCING, ""),
        (S.IDLE, ""),
    ]
    assert_scenario(rows(lathe)[1:], parse_shdr_time(scenario_lines[0].split("|")[0]))
    # The stranger's data went nowhere, and is not an unknown source either.
    assert StateInterval.objects.count() == 4 + 1 + len(SCENARIO_ROWS)
    assert not UnknownSource.objects.exists()


def test_a_machine_registered_while_running_gets_its_state(agent):
    okuma = mtconnect_machine(agent, "OKUMA")
    with collecting():
        wait_for(connected(okuma), "the first state")
        agent.feed("LATHE2", shifted(SCENARIO)[:4])
        wait_for(caught_up(agent), "the collector to catch up")
        lathe = mtconnect_machine(agent, "LATHE2")
        wait_for(connected(lathe), "the new machine's state")

    assert states(lathe) == [(S.PRODUCING, "")]


def test_a_clock_beyond_the_bound_is_refused_as_skewed(agent):
    machine = mtconnect_machine(agent, "OKUMA")
    lines = shifted(SCENARIO)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with collecting():
        wait_for(connected(machine), "the first state")
        agent.feed("OKUMA", lines[:4])
        agent.feed("OKUMA", [f"{ahead:%Y-%m-%dT%H:%M:%S.%fZ}|pexecution|FEED_HOLD"])
        wait_for(lambda: stats(machine).skewed >= 1, "the skewed state refused")

    assert states(machine)[-1] == (S.PRODUCING, "")


def test_bad_config_and_a_missing_device_do_not_stop_the_others(agent, caplog):
    okuma = mtconnect_machine(agent, "OKUMA")
    bad = make_machine(source=Source.MTCONNECT, config={"agent": "ftp://x", "device": "A"})
    missing = mtconnect_machine(agent, "NO-SUCH-DEVICE")
    with caplog.at_level(logging.WARNING, logger="machikoba.telemetry"), collecting():
        wait_for(connected(okuma), "the first state")
        agent.feed("OKUMA", shifted(SCENARIO)[:4])
        wait_for(caught_up(agent), "the collector to catch up")
        time.sleep(0.5)  # several rounds: each is said once

    assert states(okuma)[-1] == (S.PRODUCING, "")
    assert not StateInterval.objects.filter(machine__in=[bad, missing]).exists()
    # Counted once each, with the reason for the owner's machine page.
    assert (stats(bad).malformed, stats(missing).malformed) == (1, 1)
    assert "MTConnect config needs" in stats(bad).last_error
    assert "has no device 'NO-SUCH-DEVICE'" in stats(missing).last_error
    # No heartbeat for a machine the agent does not serve: it goes offline in the sweep.
    assert stats(missing).last_seen is None
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert f"MTConnect machine {bad.id}: MTConnect config needs" in messages
    assert "has no device 'NO-SUCH-DEVICE'" in messages
