"""Each fault says what kind of rule broke and which operations and resource it involves,
so that a screen can flag the right bars (the machine Gantt does)."""

from __future__ import annotations

import pytest

from machikoba.scheduling import Assignment, schedule_faults
from machikoba.scheduling.tests.test_validator import PROBLEM, VALID, with_changed
from machikoba.scheduling.validator import Fault


@pytest.mark.parametrize(
    ("schedule", "kind", "operations", "resource"),
    [
        (VALID[1:], "unscheduled", (("a", 0),), None),
        ([*VALID, VALID[0]], "twice", (("a", 0),), None),
        ([*VALID, Assignment("z", 0, "m1", 50, 51)], "unknown", (("z", 0),), None),
        (with_changed(3, resource="m2", start=10, end=12), "ineligible", (("c", 0),), "m2"),
        (with_changed(0, end=5), "duration", (("a", 0),), "m1"),
        (with_changed(1, start=4, end=6), "precedence", (("a", 0), ("a", 1)), "m2"),
        (with_changed(0, start=0, end=3), "release", (("a", 0),), "m1"),
        (with_changed(2, start=3, end=7), "frozen", (("b", 0),), "m1"),
        (with_changed(0, start=2, end=5), "overlap", (("a", 0), ("b", 0)), "m1"),
        (with_changed(5, start=1, end=3), "capacity", (("c", 0), ("d", 0), ("e", 0)), "oven"),
        (with_changed(1, start=19, end=21), "calendar", (("a", 1),), "m2"),
        (with_changed(0, start=-3, end=0), "negative", (("a", 0),), "m1"),
    ],
)
def test_a_fault_names_its_kind_operations_and_resource(schedule, kind, operations, resource):
    faults = [f for f in schedule_faults(PROBLEM, schedule) if f.kind == kind]
    assert faults, schedule_faults(PROBLEM, schedule)
    fault = faults[0]
    assert isinstance(fault, Fault)
    assert isinstance(fault, str)  # still the readable message
    assert set(fault.operations) == set(operations)
    assert fault.resource == resource
