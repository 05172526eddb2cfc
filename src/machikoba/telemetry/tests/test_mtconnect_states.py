"""The MTConnect → state taxonomy mapping (docs/telemetry-mtconnect.md), table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from machikoba.telemetry.choices import MachineState as S
from machikoba.telemetry.collector.mtconnect_states import DeviceView, Fault, Normalised, classify
from machikoba.telemetry.collector.mtconnect_xml import Observation

BASE = {
    "availability": "AVAILABLE",
    "faults": [],
    "emergency_stops": ["ARMED"],
    "modes": ["AUTOMATIC"],
}
FAULT = Fault(sequence=9, native_code="A1203", condition_type="LOGIC_PROGRAM")


@pytest.mark.parametrize(
    ("changes", "executions", "expected"),
    [
        # Execution, in automatic.
        ({}, ["ACTIVE"], (S.PRODUCING, "")),
        ({}, ["READY"], (S.IDLE, "")),
        ({}, ["PROGRAM_STOPPED"], (S.IDLE, "")),
        ({}, ["PROGRAM_COMPLETED"], (S.IDLE, "")),
        ({}, ["FEED_HOLD"], (S.UNPLANNED_STOP, "FEED_HOLD")),
        ({}, ["INTERRUPTED"], (S.UNPLANNED_STOP, "INTERRUPTED")),
        ({}, ["STOPPED"], (S.UNPLANNED_STOP, "STOPPED")),
        ({}, ["OPTIONAL_STOP"], (S.UNPLANNED_STOP, "OPTIONAL_STOP")),
        ({}, ["PROGRAM_OPTIONAL_STOP"], (S.UNPLANNED_STOP, "PROGRAM_OPTIONAL_STOP")),
        ({}, ["WAIT"], (S.UNPLANNED_STOP, "WAIT")),
        ({}, ["UNAVAILABLE"], (S.OFFLINE, "EXECUTION_UNAVAILABLE")),
        ({}, [], (S.OFFLINE, "EXECUTION_UNAVAILABLE")),
        # Two paths: as busy as the busiest.
        ({}, ["READY", "ACTIVE"], (S.PRODUCING, "")),
        ({}, ["FEED_HOLD", "READY"], (S.UNPLANNED_STOP, "FEED_HOLD")),
        ({}, ["UNAVAILABLE", "READY"], (S.IDLE, "")),
        # Controller mode: setup, unless some path runs in automatic.
        ({"modes": ["MANUAL"]}, ["ACTIVE"], (S.SETUP, "MANUAL")),
        ({"modes": ["MANUAL_DATA_INPUT"]}, ["READY"], (S.SETUP, "MANUAL_DATA_INPUT")),
        ({"modes": ["EDIT"]}, ["READY"], (S.SETUP, "EDIT")),
        ({"modes": ["SEMI_AUTOMATIC"]}, ["ACTIVE"], (S.PRODUCING, "")),
        ({"modes": ["MANUAL", "AUTOMATIC"]}, ["ACTIVE"], (S.PRODUCING, "")),
        ({"modes": ["UNAVAILABLE"]}, ["READY"], (S.IDLE, "")),
        ({"modes": []}, ["ACTIVE"], (S.PRODUCING, "")),
        # Emergency stop: an alarm, above the mode.
        ({"emergency_stops": ["TRIGGERED"]}, ["ACTIVE"], (S.ALARM, "EMERGENCY_STOP")),
        ({"emergency_stops": ["TRIGGERED"], "modes": ["MANUAL"]}, [], (S.ALARM, "EMERGENCY_STOP")),
        ({"emergency_stops": ["UNAVAILABLE"]}, ["READY"], (S.IDLE, "")),
        # A fault: an alarm with its native code, above the emergency stop.
        ({"faults": [FAULT]}, ["ACTIVE"], (S.ALARM, "A1203")),
        ({"faults": [FAULT], "emergency_stops": ["TRIGGERED"]}, [], (S.ALARM, "A1203")),
        (
            {"faults": [FAULT, Fault(12, "", "SYSTEM")]},
            ["STOPPED"],
            (S.ALARM, "SYSTEM"),  # the latest fault; no code: its type
        ),
        ({"faults": [Fault(1, "X" * 80, "SYSTEM")]}, [], (S.ALARM, "X" * 64)),
        # Unavailable device: offline above everything.
        (
            {"availability": "UNAVAILABLE", "faults": [FAULT]},
            ["ACTIVE"],
            (S.OFFLINE, "UNAVAILABLE"),
        ),
        ({"availability": None}, ["ACTIVE"], (S.PRODUCING, "")),
    ],
)
def test_classify(changes, executions, expected):
    assert classify(**{**BASE, **changes}, executions=executions) == Normalised(*expected)


_sequence = iter(range(1, 10_000))
T0 = dt.datetime.now(dt.UTC)  # any moment: the view keeps what it is given


def observe(element, value="", *, category="Events", item=None, component="Controller", **extra):
    return Observation(
        device="VMC",
        uuid="1",
        component=component,
        category=category,
        element=element,
        data_item_id=item or element.lower(),
        sequence=next(_sequence),
        timestamp=T0,
        value=value,
        **extra,
    )


def condition(level, code="", *, item="system", kind="SYSTEM"):
    return observe(
        level,
        level.upper(),
        category="Condition",
        item=item,
        native_code=code,
        condition_type=kind,
    )


def running_view():
    view = DeviceView()
    for observation in (
        observe("Availability", "AVAILABLE", component="Device"),
        observe("EmergencyStop", "ARMED"),
        observe("ControllerMode", "AUTOMATIC"),
        observe("Execution", "ACTIVE"),
    ):
        assert view.apply(observation)
    return view


def test_view_follows_the_latest_values():
    view = running_view()
    assert view.normalised() == Normalised(S.PRODUCING)

    view.apply(observe("Execution", "FEED_HOLD"))
    assert view.normalised() == Normalised(S.UNPLANNED_STOP, "FEED_HOLD")

    view.apply(observe("Availability", "UNAVAILABLE", component="Device"))
    assert view.normalised() == Normalised(S.OFFLINE, "UNAVAILABLE")


def test_a_component_unavailable_is_not_the_machine_offline():
    view = running_view()
    view.apply(observe("Availability", "UNAVAILABLE", item="path_avail", component="Path"))

    assert view.normalised() == Normalised(S.PRODUCING)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([("Fault", "A1")], (S.ALARM, "A1")),
        ([("Fault", "A1"), ("Fault", "A2")], (S.ALARM, "A2")),
        ([("Fault", "A1"), ("Fault", "A2"), ("Normal", "A2")], (S.ALARM, "A1")),
        ([("Fault", "A1"), ("Warning", "A1")], (S.PRODUCING, "")),
        ([("Fault", "A1"), ("Fault", "A2"), ("Normal", "")], (S.PRODUCING, "")),
        ([("Fault", "A1"), ("Unavailable", "")], (S.PRODUCING, "")),
        ([("Fault", "A1"), ("Fault", "")], (S.ALARM, "SYSTEM")),
        ([("Fault", ""), ("Warning", "")], (S.PRODUCING, "")),
        ([("Warning", "W1")], (S.PRODUCING, "")),
    ],
)
def test_conditions_are_kept_as_the_agent_keeps_them(steps, expected):
    view = running_view()
    for level, code in steps:
        assert view.apply(condition(level, code))

    assert view.normalised() == Normalised(*expected)


def test_faults_of_several_items_until_all_clear():
    view = running_view()
    view.apply(condition("Fault", "A1", item="logic", kind="LOGIC_PROGRAM"))
    view.apply(condition("Fault", "T9", item="spindle_temp", kind="TEMPERATURE"))
    assert view.normalised() == Normalised(S.ALARM, "T9")

    view.apply(condition("Normal", item="spindle_temp", kind="TEMPERATURE"))
    assert view.normalised() == Normalised(S.ALARM, "A1")
    view.apply(condition("Normal", item="logic", kind="LOGIC_PROGRAM"))
    assert view.normalised() == Normalised(S.PRODUCING)


def test_a_value_mtconnect_does_not_define_is_refused_and_not_taken():
    view = running_view()

    with pytest.raises(ValueError, match="BOGUS"):
        view.apply(observe("Execution", "BOGUS"))

    assert view.normalised() == Normalised(S.PRODUCING)


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        ([("ALL", "17")], 17),
        ([("", "17")], 17),
        ([("GOOD", "15"), ("ALL", "17")], 17),
        ([("GOOD", "15"), ("", "16")], 16),
        ([("GOOD", "15")], 15),
        ([("TARGET", "100"), ("REMAINING", "83")], None),
        ([("ALL", "UNAVAILABLE"), ("GOOD", "15")], 15),
        ([("ALL", "-3")], None),
        ([("ALL", "17.0")], 17),
    ],
)
def test_the_part_counter(counters, expected):
    view = running_view()
    for index, (sub_type, value) in enumerate(counters):
        # A counter reading changes no state: it rides on the next state event.
        assert not view.apply(observe("PartCount", value, item=f"pc{index}", sub_type=sub_type))

    assert view.part_count == expected


def test_observations_the_mapping_does_not_read_change_nothing():
    view = running_view()
    before = view.last_sequence

    assert not view.apply(observe("Load", "55", category="Samples"))
    assert not view.apply(observe("Block", "G01 X10"))
    assert not view.apply(observe("Program", "O1234"))

    assert view.last_sequence == before
    assert view.normalised() == Normalised(S.PRODUCING)
