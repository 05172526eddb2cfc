"""Which agent a machine's config names, and how machines are grouped per agent."""

from __future__ import annotations

import pytest

from machikoba.telemetry.collector.base import MachineInfo
from machikoba.telemetry.collector.mtconnect import AgentMachine, agent_machines, agent_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://agent.local:5000", "http://agent.local:5000"),
        ("HTTP://agent.local:5000/ ", "http://agent.local:5000"),
        ("https://agent.local/mtc/", "https://agent.local/mtc"),
        ("http://agent.local:5000/?x=1", None),
        ("http://agent.local:5000/#top", None),
        ("ftp://agent.local", None),
        ("agent.local:5000", None),
        ("http://", None),
        ("", None),
        (None, None),
        (5000, None),
        ("http://" + "a" * 300, None),
    ],
)
def test_agent_urls(given, expected):
    assert agent_url(given) == expected


def test_machines_are_grouped_by_agent_and_bad_configs_set_aside():
    def machine(id_, config):
        return MachineInfo(id=id_, key=f"k{id_}", config=config, counter_max=None)

    groups, bad = agent_machines(
        [
            machine(1, {"agent": "http://a:5000", "device": "VMC"}),
            machine(2, {"agent": "http://a:5000/", "device": " LATHE "}),
            machine(3, {"agent": "http://b:5000", "device": "VMC"}),
            machine(4, {"agent": "http://a:5000"}),
            machine(5, {"agent": "http://a:5000", "device": ""}),
            machine(6, {"device": "VMC"}),
            machine(7, {}),
            machine(8, {"agent": "http://a:5000", "device": 7}),
        ]
    )

    assert groups == {
        "http://a:5000": [AgentMachine(1, "VMC"), AgentMachine(2, "LATHE")],
        "http://b:5000": [AgentMachine(3, "VMC")],
    }
    assert bad == [4, 5, 6, 7, 8]
