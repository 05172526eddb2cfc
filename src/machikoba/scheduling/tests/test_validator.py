"""The validator catches each kind of broken schedule, and passes a correct one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from machikoba.scheduling import (
    Alternative,
    Assignment,
    FrozenOperation,
    InvalidScheduleError,
    Job,
    Operation,
    Problem,
    Resource,
    TransportTimes,
    check_schedule,
    schedule_faults,
)

PROBLEM = Problem(
    jobs=(
        Job(
            "a",
            (
                Operation((Alternative("m1", 3), Alternative("m2", 5))),
                Operation((Alternative("m2", 2),)),
            ),
            release=1,
        ),
        Job("b", (Operation((Alternative("m1", 4),)),)),
        Job("c", (Operation((Alternative("oven", 2),)),)),
        Job("d", (Operation((Alternative("oven", 2),)),)),
        Job("e", (Operation((Alternative("oven", 2),)),)),
    ),
    resources=(
        Resource("m1"),
        Resource("m2", windows=((0, 20), (30, 40))),
        Resource("oven", capacity=2),
    ),
    transport=TransportTimes(default=1),
    frozen=(FrozenOperation("b", 0, "m1", 4),),
)

VALID = (
    Assignment("a", 0, "m1", 1, 4),
    Assignment("a", 1, "m2", 5, 7),  # 4 + transport 1
    Assignment("b", 0, "m1", 4, 8),
    Assignment("c", 0, "oven", 0, 2),
    Assignment("d", 0, "oven", 0, 2),
    Assignment("e", 0, "oven", 2, 4),
)


def with_changed(index: int, **changes) -> list[Assignment]:
    schedule = list(VALID)
    schedule[index] = replace(schedule[index], **changes)
    return schedule


def test_a_correct_schedule_passes():
    assert schedule_faults(PROBLEM, VALID) == []
    check_schedule(PROBLEM, VALID)


@pytest.mark.parametrize(
    ("schedule", "fault"),
    [
        (VALID[1:], "job 'a' operation 0 is not scheduled"),
        ([*VALID, VALID[0]], "job 'a' operation 0 is scheduled more than once"),
        ([*VALID, Assignment("z", 0, "m1", 50, 51)], "job 'z' operation 0 is not in the problem"),
        (with_changed(3, resource="m2", start=10, end=12), "is on 'm2', which is not eligible"),
        (with_changed(0, end=5), "lasts 4 on 'm1'; its duration there is 3"),
        (with_changed(1, start=4, end=6), "before its predecessor ends (4) plus transport (1)"),
        (with_changed(0, start=0, end=3), "before the release 1"),
        (with_changed(2, start=3, end=7), "is frozen on 'm1' at 4"),
        (
            [*with_changed(0, start=2, end=5)[:1], *VALID[1:]],
            "overlap on 'm1'",
        ),
        (with_changed(5, start=1, end=3), "3 operations run at once on 'oven'"),
        (with_changed(1, start=19, end=21), "is not inside one working window"),
        (with_changed(0, resource="m1", start=-3, end=0), "before time 0"),
    ],
)
def test_each_broken_rule_is_reported(schedule, fault):
    faults = schedule_faults(PROBLEM, schedule)
    assert any(fault in message for message in faults), faults
    with pytest.raises(InvalidScheduleError):
        check_schedule(PROBLEM, schedule)


def test_touching_windows_are_one_stretch_of_working_time():
    problem = Problem(
        jobs=(Job("a", (Operation((Alternative("m1", 10),)),)),),
        resources=(Resource("m1", windows=((0, 5), (5, 20))),),
    )
    assert schedule_faults(problem, [Assignment("a", 0, "m1", 2, 12)]) == []
