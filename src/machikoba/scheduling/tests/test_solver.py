"""Small instances with hand-computed optima: each rule of the model, each objective."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from machikoba.scheduling import (
    Alternative,
    FrozenOperation,
    Job,
    Operation,
    Problem,
    Resource,
    SchedulingInputError,
    Status,
    TransportTimes,
    check_schedule,
    solve,
    working_windows,
)

QUICK = {"time_limit": 5.0, "workers": 1}


def op(*alternatives: tuple[str, int] | tuple[str, int, int]) -> Operation:
    return Operation(tuple(Alternative(*alternative) for alternative in alternatives))


def machines(*ids: str, **options) -> tuple[Resource, ...]:
    return tuple(Resource(resource_id, **options) for resource_id in ids)


def by_operation(result) -> dict[tuple[str, int], object]:
    return {(a.job, a.operation): a for a in result.assignments}


def test_job_shop_with_crossing_routes_reaches_its_optimum():
    # Machine 1 carries 3 + 3 of work, so 6 is a lower bound, and it is reachable.
    problem = Problem(
        jobs=(
            Job("a", (op(("m1", 3)), op(("m2", 2)))),
            Job("b", (op(("m2", 2)), op(("m1", 3)))),
        ),
        resources=machines("m1", "m2"),
    )
    result = solve(problem, **QUICK)
    assert result.status is Status.OPTIMAL
    assert result.makespan == 6
    assert result.lower_bound == 6


def test_the_faster_alternative_is_chosen():
    problem = Problem(
        jobs=(Job("a", (op(("slow", 10), ("fast", 4)),)),), resources=machines("slow", "fast")
    )
    result = solve(problem, **QUICK)
    assert result.assignments[0].resource == "fast"
    assert result.makespan == 4


def test_an_operation_does_not_span_a_break():
    # Windows [0, 10) and [20, 30): the second 6-unit operation cannot run 6–12.
    calendar = Resource("m1", windows=((0, 10), (20, 30)))
    problem = Problem(jobs=(Job("a", (op(("m1", 6)), op(("m1", 6)))),), resources=(calendar,))
    result = solve(problem, **QUICK)
    second = by_operation(result)[("a", 1)]
    assert (second.start, second.end) == (20, 26)
    assert result.status is Status.OPTIMAL


# The dates are facts passed as arguments; the clock is frozen on them too (the
# scheduling package imports nothing of Django or of machikoba.core).
@time_machine.travel(dt.datetime.fromisoformat("2025-07-18T08:00+09:00"), tick=False)
def test_public_holidays_and_weekends_are_skipped():
    # Friday 18 July 2025; Monday 21 July is Marine Day (海の日). Shifts of 210 and 270
    # minutes: a 240-minute operation only fits an afternoon, so the second one waits
    # for Tuesday afternoon.
    origin = dt.datetime(2025, 7, 18)  # noqa: DTZ001 - the shop's wall clock, no zone
    windows = working_windows(origin, days=7)
    monday = (3 * 1440, 4 * 1440)
    assert not any(monday[0] <= start < monday[1] for start, _ in windows)
    problem = Problem(
        jobs=(Job("a", (op(("m1", 240)),)), Job("b", (op(("m1", 240)),))),
        resources=(Resource("m1", windows=windows),),
    )
    result = solve(problem, **QUICK)
    starts = sorted(a.start for a in result.assignments)
    friday_afternoon = 13 * 60
    tuesday_afternoon = 4 * 1440 + 13 * 60
    assert starts == [friday_afternoon, tuesday_afternoon]
    assert result.status is Status.OPTIMAL


def test_frozen_operations_stay_where_they_are():
    problem = Problem(
        jobs=(
            Job("a", (op(("m1", 4)),)),
            Job("b", (op(("m1", 3), ("m2", 9)),)),
        ),
        resources=machines("m1", "m2"),
        frozen=(FrozenOperation("b", 0, "m1", 5),),
    )
    result = solve(problem, **QUICK)
    frozen = by_operation(result)[("b", 0)]
    assert (frozen.resource, frozen.start) == ("m1", 5)
    assert by_operation(result)[("a", 0)].start == 0
    assert result.makespan == 8


def test_replanning_keeps_started_operations():
    problem = Problem(
        jobs=tuple(
            Job(f"j{n}", (op(("m1", 3 + n), ("m2", 5)), op(("m2", 2), ("m3", 4)), op(("m3", 3))))
            for n in range(4)
        ),
        resources=machines("m1", "m2", "m3"),
    )
    first = solve(problem, **QUICK)
    started = [a for a in first.assignments if a.operation == 0]
    replanned = Problem(
        jobs=problem.jobs,
        resources=problem.resources,
        frozen=tuple(FrozenOperation(a.job, 0, a.resource, a.start) for a in started),
    )
    second = solve(replanned, **QUICK)
    kept = by_operation(second)
    for assignment in started:
        assert kept[(assignment.job, 0)].resource == assignment.resource
        assert kept[(assignment.job, 0)].start == assignment.start


@pytest.mark.parametrize(
    ("transport", "makespan"),
    [
        (TransportTimes(default=4), 9),
        (TransportTimes(default=4, between={("m1", "m2"): 1}), 6),
        (TransportTimes(default=0), 5),
    ],
)
def test_transport_time_between_different_resources(transport, makespan):
    problem = Problem(
        jobs=(Job("a", (op(("m1", 3)), op(("m2", 2)))),),
        resources=machines("m1", "m2"),
        transport=transport,
    )
    assert solve(problem, **QUICK).makespan == makespan


def test_no_transport_when_staying_on_the_same_resource():
    # Moving to m2 would cost 3 + 5 + 2 = 10; staying on m1 costs 3 + 4 = 7.
    problem = Problem(
        jobs=(Job("a", (op(("m1", 3)), op(("m1", 4), ("m2", 2)))),),
        resources=machines("m1", "m2"),
        transport=TransportTimes(default=5),
    )
    result = solve(problem, **QUICK)
    assert result.makespan == 7
    assert by_operation(result)[("a", 1)].resource == "m1"


def test_weighted_tardiness_with_release_times():
    # a [0, 5) then b [5, 10): 0 + 3 * 5 = 15; b [2, 7) then a [7, 12): 3 * 2 + 7 = 13.
    problem = Problem(
        jobs=(
            Job("a", (op(("m1", 5)),), release=0, due=5, weight=1),
            Job("b", (op(("m1", 5)),), release=2, due=5, weight=3),
        ),
        resources=machines("m1"),
    )
    result = solve(problem, objective="tardiness", **QUICK)
    assert result.objectives["tardiness"] == 13
    assert by_operation(result)[("b", 0)].start == 2
    assert result.status is Status.OPTIMAL


COST_PROBLEM = Problem(
    jobs=tuple(Job(name, (op(("m1", 5, 1), ("m2", 3, 1), ("m3", 1, 5)),)) for name in ("a", "b")),
    resources=machines("m1", "m2", "m3"),
)


def test_cost_objective_picks_cheap_resources():
    result = solve(COST_PROBLEM, objective="cost", **QUICK)
    assert result.objectives["cost"] == 2
    assert result.lower_bound == 2


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        (["cost", "makespan"], {"cost": 2, "makespan": 5}),
        (["makespan", "cost"], {"makespan": 2, "cost": 10}),
    ],
)
def test_lexicographic_objectives(objective, expected):
    result = solve(COST_PROBLEM, objective=objective, **QUICK)
    assert {name: result.objectives[name] for name in expected} == expected
    assert result.status is Status.OPTIMAL


def test_lexicographic_tardiness_then_makespan():
    # Both orders are on time (due 20), so the makespan decides: the long job on the
    # fast machine.
    problem = Problem(
        jobs=(
            Job("a", (op(("m1", 4), ("m2", 8)),), due=20),
            Job("b", (op(("m1", 4), ("m2", 8)),), due=20),
        ),
        resources=machines("m1", "m2"),
    )
    result = solve(problem, objective=["tardiness", "makespan"], **QUICK)
    assert result.objectives == {"tardiness": 0, "makespan": 8}


def test_partner_shop_with_unlimited_capacity_runs_in_parallel():
    problem = Problem(
        jobs=tuple(Job(f"j{n}", (op(("partner", 10)),)) for n in range(5)),
        resources=(Resource("partner", capacity=None),),
    )
    assert solve(problem, **QUICK).makespan == 10


def test_capacity_two_runs_two_at_a_time():
    problem = Problem(
        jobs=tuple(Job(f"j{n}", (op(("oven", 10)),)) for n in range(3)),
        resources=(Resource("oven", capacity=2),),
    )
    assert solve(problem, **QUICK).makespan == 20


def test_progress_is_reported_with_objective_bound_and_time():
    reports = []
    problem = Problem(
        jobs=tuple(
            Job(
                f"j{n}",
                tuple(op(("m1", 1 + (n * k) % 5), ("m2", 2 + (n + k) % 4)) for k in range(3)),
            )
            for n in range(6)
        ),
        resources=machines("m1", "m2"),
    )
    result = solve(problem, on_progress=reports.append, progress_interval=0.0, **QUICK)
    assert reports
    assert all(report.elapsed >= 0 for report in reports)
    assert reports[-1].objective == result.makespan
    assert reports[-1].bound is not None


def test_deterministic_runs_repeat_exactly():
    problem = Problem(
        jobs=tuple(
            Job(
                f"j{n}",
                tuple(
                    op(
                        *(
                            (f"m{(n + k + r) % 5}", 1 + (7 * n + 3 * k + 5 * r) % 9)
                            for r in range(2)
                        )
                    )
                    for k in range(5)
                ),
            )
            for n in range(10)
        ),
        resources=machines(*(f"m{r}" for r in range(5))),
    )
    runs = [
        solve(problem, time_limit=20, workers=2, seed=3, deterministic=True, max_iterations=6)
        for _ in range(2)
    ]
    assert runs[0].assignments == runs[1].assignments
    check_schedule(problem, runs[0].assignments)


def test_an_impossible_frozen_start_is_reported_infeasible():
    # b's frozen start leaves no room for its predecessor.
    problem = Problem(
        jobs=(Job("b", (op(("m1", 5)), op(("m2", 1)))),),
        resources=machines("m1", "m2"),
        frozen=(FrozenOperation("b", 1, "m2", 2),),
    )
    result = solve(problem, **QUICK)
    assert result.status is Status.INFEASIBLE
    assert result.assignments == ()


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (Problem(jobs=(), resources=machines("m1")), "no jobs"),
        (Problem(jobs=(Job("a", ()),), resources=machines("m1")), "job 'a' has no operations"),
        (
            Problem(jobs=(Job("a", (Operation(()),)),), resources=machines("m1")),
            "job 'a' operation 0 has no eligible resource",
        ),
        (
            Problem(jobs=(Job("a", (op(("m9", 1)),)),), resources=machines("m1")),
            "unknown resource 'm9'",
        ),
        (
            Problem(
                jobs=(Job("a", (op(("m1", 1)),), release=10, due=5),), resources=machines("m1")
            ),
            "due date 5 is before its release 10",
        ),
        (
            Problem(jobs=(Job("a", (op(("m1", 1)),)),), resources=(Resource("m1", windows=()),)),
            "no working time",
        ),
        (
            Problem(
                jobs=(Job("a", (op(("m1", 50)),)),), resources=(Resource("m1", windows=((0, 10),)),)
            ),
            "no alternative fits in a working window",
        ),
        (
            Problem(jobs=(Job("a", (op(("m1", -1)),)),), resources=machines("m1")),
            "duration on 'm1' is -1",
        ),
        (
            Problem(
                jobs=(Job("a", (op(("m1", 1)),)),),
                resources=machines("m1"),
                frozen=(FrozenOperation("a", 3, "m1", 0),),
            ),
            "has no operation 3",
        ),
    ],
)
def test_bad_problems_raise_input_errors(problem, message):
    with pytest.raises(SchedulingInputError, match=message):
        solve(problem, **QUICK)


SMALL = Problem(jobs=(Job("a", (op(("m1", 1)),)),), resources=machines("m1"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_limit": 0}, "time limit 0 s is out of range"),
        ({"time_limit": -5}, "out of range"),
        ({"time_limit": 10**6}, "out of range"),
        ({"time_limit": float("nan")}, "out of range"),
        ({"workers": 0}, "workers 0 is out of range"),
        ({"objective": "speed"}, "unknown 'speed'"),
        ({"objective": []}, "at least one"),
    ],
)
def test_bad_options_raise_input_errors(options, message):
    with pytest.raises(SchedulingInputError, match=message):
        solve(SMALL, **options)
