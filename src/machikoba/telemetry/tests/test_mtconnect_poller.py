"""One agent poller driven step by step (no thread), to stop it at an exact point of the
stream: the middle of an adapter's line cut by a short page."""

from __future__ import annotations

import pytest

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import MachineState as S
from machikoba.telemetry.choices import Source
from machikoba.telemetry.collector.mtconnect import AgentMachine, AgentPoller, PollerSettings
from machikoba.telemetry.events import Batch
from machikoba.telemetry.ingest import write_batch
from machikoba.telemetry.models import SourceCursor, StateInterval

from .mtconnect_agent import OKUMA_EXCERPT, MTConnectTestAgent, shifted

pytestmark = pytest.mark.django_db


def write(batch: Batch, ack=None) -> None:
    write_batch(batch)
    if ack is not None:
        ack()


def poller(agent: MTConnectTestAgent, machine, *, count: int) -> AgentPoller:
    found = AgentPoller(agent.url, write, PollerSettings(sample_count=count))
    found.set_machines([AgentMachine(machine.id, "OKUMA")])
    return found


def until_caught_up(follower: AgentPoller) -> None:
    for _ in range(100):
        if follower.poll_once():
            return
    raise AssertionError("the poller never caught up")


def states(machine) -> list[tuple[str, str]]:
    return list(
        StateInterval.objects.filter(machine=machine)
        .order_by("start", "seq")
        .values_list("state", "reason")
    )


def test_a_poller_stopped_inside_a_line_resumes_without_a_state_that_never_was():
    with MTConnectTestAgent(devices=(("OKUMA", "OKUMA.123456"),)) as agent:
        machine = make_machine(
            source=Source.MTCONNECT, config={"agent": agent.url, "device": "OKUMA"}
        )
        first = poller(agent, machine, count=7)
        first.poll_once()  # /current
        assert first.poll_once()  # nothing new
        sequences = agent.feed("OKUMA", shifted(OKUMA_EXCERPT))
        # The first line sets ~60 values at one timestamp, AVAILABLE first: a page of 7
        # ends inside it, with the execution still UNAVAILABLE.
        assert not first.poll_once()
        first.close()
        cursor = SourceCursor.objects.get(key=agent.url)
        # Stored from the line's first state value, not from the page's end.
        assert cursor.next_sequence == sequences[0]
        assert states(machine) == [(S.OFFLINE, "UNAVAILABLE")]

        second = poller(agent, machine, count=500)
        second.poll_once()  # /current?at=<cursor - 1>: the values before the line
        until_caught_up(second)
        second.close()

    assert f"/current?at={sequences[0] - 1}" in agent.requests
    assert states(machine) == [
        (S.OFFLINE, "UNAVAILABLE"),
        (S.IDLE, ""),
        (S.PRODUCING, ""),
        (S.IDLE, ""),
    ]


def test_an_outage_inside_a_line_is_followed_from_the_lines_start():
    with MTConnectTestAgent(devices=(("OKUMA", "OKUMA.123456"),)) as agent:
        machine = make_machine(
            source=Source.MTCONNECT, config={"agent": agent.url, "device": "OKUMA"}
        )
        follower = poller(agent, machine, count=7)
        follower.poll_once()
        sequences = agent.feed("OKUMA", shifted(OKUMA_EXCERPT))
        assert not follower.poll_once()  # a page ending inside the first line
        agent.go_down()
        assert not follower.poll_once()  # unreachable: nothing written, nothing lost
        agent.come_back()
        agent.requests.clear()
        until_caught_up(follower)
        follower.close()

    # Back from the line's start, with the values as they were before it.
    assert agent.requests[:2] == ["/current", f"/current?at={sequences[0] - 1}"]
    assert states(machine) == [
        (S.OFFLINE, "UNAVAILABLE"),
        (S.IDLE, ""),
        (S.PRODUCING, ""),
        (S.IDLE, ""),
    ]
    assert SourceCursor.objects.get(key=agent.url).gaps == 0
