"""Weighted tardiness: due-date dispatch rules, the late-job neighbourhood, time slices."""

from __future__ import annotations

import random

import pytest

from machikoba.scheduling import (
    Alternative,
    FrozenOperation,
    Job,
    Operation,
    Problem,
    Resource,
    TransportTimes,
    check_schedule,
    solve,
)
from machikoba.scheduling import neighbourhoods as nbh
from machikoba.scheduling.compiled import compile_problem
from machikoba.scheduling.heuristic import DUE_DATE_RULES, RULES, construct, dispatch
from machikoba.scheduling.solution import objective_value, to_assignments
from machikoba.scheduling.validator import objectives_of


def due_problem(seed: int, jobs: int = 10, machines: int = 4, transport: int = 0) -> Problem:
    rng = random.Random(seed)
    resources = [Resource(f"m{number}") for number in range(machines)]
    resources.append(Resource("partner", capacity=None))
    ids = [resource.id for resource in resources]
    built = []
    for job in range(jobs):
        operations = []
        for _ in range(rng.randint(2, 5)):
            chosen = rng.sample(ids, rng.randint(1, 3))
            operations.append(Operation(tuple(Alternative(r, rng.randint(1, 9)) for r in chosen)))
        release = rng.randint(0, 10)
        due = None if rng.random() < 0.1 else release + rng.randint(5, 30)
        built.append(
            Job(f"j{job}", tuple(operations), release=release, due=due, weight=rng.randint(0, 3))
        )
    return Problem(
        jobs=tuple(built), resources=tuple(resources), transport=TransportTimes(default=transport)
    )


def tardiness_from_scratch(problem: Problem, assignments) -> int:
    return objectives_of(problem, assignments)["tardiness"]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("name", sorted(DUE_DATE_RULES))
def test_due_date_rules_give_valid_schedules(seed, name):
    problem = due_problem(seed, transport=seed % 3)
    compiled = compile_problem(problem)
    for noise in (0.0, 0.3):
        solution = dispatch(compiled, None, random.Random(seed), noise, timed=DUE_DATE_RULES[name])
        check_schedule(problem, to_assignments(compiled, solution))


@pytest.mark.parametrize("seed", range(6))
def test_construct_is_no_worse_than_the_plain_rules(seed):
    problem = due_problem(seed, jobs=15)
    compiled = compile_problem(problem)
    best = construct(compiled, ("tardiness", "makespan"), seed, time_budget=5.0)
    check_schedule(problem, to_assignments(compiled, best))
    plain = min(
        objective_value(compiled, dispatch(compiled, rule, random.Random(0)), "tardiness")
        for rule in RULES.values()
    )
    assert objective_value(compiled, best, "tardiness") <= plain


@pytest.mark.parametrize("seed", range(8))
def test_late_neighbourhood_frees_operations(seed):
    problem = due_problem(seed, jobs=12)
    compiled = compile_problem(problem)
    start = dispatch(compiled, RULES["shortest_operation"], random.Random(seed), 20.0)
    rng = random.Random(seed)
    for target in (2, 6, 20):
        free = nbh.free_operations("late", compiled, start, "tardiness", target, rng)
        assert free
        assert free <= set(range(len(compiled.operations)))


def test_tardiness_solve_is_deterministic_and_valid():
    problem = due_problem(3, jobs=20, transport=1)
    runs = [
        solve(
            problem,
            objective=["tardiness", "makespan"],
            time_limit=20,
            deterministic=True,
            max_iterations=16,
            seed=5,
        )
        for _ in range(2)
    ]
    assert runs[0].assignments == runs[1].assignments
    check_schedule(problem, runs[0].assignments)


@pytest.mark.parametrize("seed", range(3))
def test_time_slice_sub_problems_keep_calendars_and_frozen_operations(seed):
    base = due_problem(seed, jobs=12, transport=1)
    resources = tuple(
        Resource(r.id, windows=((0, 40), (50, 400))) if r.id == "m0" else r for r in base.resources
    )
    first = base.jobs[0]
    frozen = (FrozenOperation(first.id, 0, first.operations[0].alternatives[0].resource, 60),)
    problem = Problem(jobs=base.jobs, resources=resources, transport=base.transport, frozen=frozen)
    result = solve(
        problem,
        objective=["tardiness", "makespan"],
        time_limit=20,
        deterministic=True,
        max_iterations=24,
        seed=seed,
    )
    check_schedule(problem, result.assignments)
    assert result.objectives["tardiness"] == tardiness_from_scratch(problem, result.assignments)
