"""The tabu search: always a valid schedule, never worse, and it finds what a bad start hides."""

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
from machikoba.scheduling.compiled import compile_problem
from machikoba.scheduling.heuristic import RULES, dispatch
from machikoba.scheduling.localsearch import TabuSearch, applicable, tabu_search
from machikoba.scheduling.solution import Solution, objective_value, to_assignments


def random_problem(seed: int, jobs: int = 6, machines: int = 4, **options) -> Problem:
    rng = random.Random(seed)
    resources = [Resource(f"m{number}") for number in range(machines)]
    if options.get("partner"):
        resources.append(Resource("partner", capacity=None))
    ids = [resource.id for resource in resources]
    built = []
    for job in range(jobs):
        operations = []
        for _ in range(rng.randint(2, 5)):
            chosen = rng.sample(ids, rng.randint(1, min(3, len(ids))))
            operations.append(Operation(tuple(Alternative(r, rng.randint(1, 9)) for r in chosen)))
        release = rng.randint(0, 10) if options.get("releases") else 0
        built.append(Job(f"j{job}", tuple(operations), release=release))
    transport = TransportTimes(default=options.get("transport", 0))
    return Problem(jobs=tuple(built), resources=tuple(resources), transport=transport)


def worst_start(problem: Problem, seed: int) -> tuple:
    compiled = compile_problem(problem)
    solution = dispatch(compiled, RULES["shortest_operation"], random.Random(seed), 20.0)
    return compiled, solution


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "options",
    [{}, {"transport": 2}, {"releases": True}, {"partner": True, "transport": 1}],
)
def test_the_result_is_valid_and_never_worse(seed, options):
    problem = random_problem(seed, **options)
    compiled, start = worst_start(problem, seed)
    assert applicable(compiled, "makespan", {})
    found = tabu_search(compiled, start, seed, max_iterations=300)
    check_schedule(problem, to_assignments(compiled, found))
    assert objective_value(compiled, found, "makespan") <= objective_value(
        compiled, start, "makespan"
    )


def test_a_bad_schedule_is_repaired_to_the_optimum():
    # Four jobs of two operations that each can run on any of two machines; everything
    # starts on m1 in sequence (makespan 16). The optimum splits the work: 8 units per
    # machine, each job's two operations alternating machines, makespan 8.
    jobs = tuple(
        Job(
            f"j{n}",
            (
                Operation((Alternative("m1", 2), Alternative("m2", 2))),
                Operation((Alternative("m1", 2), Alternative("m2", 2))),
            ),
        )
        for n in range(4)
    )
    problem = Problem(jobs=jobs, resources=(Resource("m1"), Resource("m2")))
    compiled = compile_problem(problem)
    starts = tuple(range(0, 16, 2))
    serial = Solution((0,) * 8, starts)
    check_schedule(problem, to_assignments(compiled, serial))
    found = tabu_search(compiled, serial, seed=0, max_iterations=200)
    check_schedule(problem, to_assignments(compiled, found))
    assert objective_value(compiled, found, "makespan") == 8


def test_a_resumed_search_keeps_its_best_and_is_deterministic():
    problem = random_problem(3, jobs=8, machines=4)
    compiled, start = worst_start(problem, 3)
    runs = []
    for _ in range(2):
        search = TabuSearch(compiled, start, seed=7)
        first = search.run(50)
        second = search.run(200)
        assert objective_value(compiled, second, "makespan") <= objective_value(
            compiled, first, "makespan"
        )
        runs.append(second)
    assert runs[0] == runs[1]


def test_it_stops_at_the_lower_bound():
    problem = random_problem(5)
    compiled, start = worst_start(problem, 5)
    value = objective_value(compiled, start, "makespan")
    search = TabuSearch(compiled, start, seed=0)
    assert search.run(1000, stop_at=value) == start
    assert search.iterations == 0


def test_what_it_does_not_model_is_left_to_cp_sat():
    plain = compile_problem(random_problem(1))
    assert applicable(plain, "makespan", {})
    assert not applicable(plain, "tardiness", {})
    assert not applicable(plain, "makespan", {"tardiness": 0})
    shifts = random_problem(1)
    shifts = Problem(
        jobs=shifts.jobs,
        resources=(Resource("m0", windows=((0, 100), (120, 500))), *shifts.resources[1:]),
    )
    assert not applicable(compile_problem(shifts), "makespan", {})
    oven = Problem(jobs=shifts.jobs, resources=(Resource("m0", capacity=2), *shifts.resources[1:]))
    assert not applicable(compile_problem(oven), "makespan", {})
    first = shifts.jobs[0]
    frozen = Problem(
        jobs=shifts.jobs,
        resources=plain.problem.resources,
        frozen=(FrozenOperation(first.id, 0, first.operations[0].alternatives[0].resource, 0),),
    )
    assert not applicable(compile_problem(frozen), "makespan", {})


@pytest.mark.parametrize("workers", [1, 2])
def test_the_solver_with_tabu_search_reaches_the_optimum(workers):
    jobs = tuple(
        Job(
            f"j{n}",
            tuple(
                Operation((Alternative("m1", 2 + (n + k) % 3), Alternative("m2", 3)))
                for k in range(3)
            ),
        )
        for n in range(5)
    )
    problem = Problem(jobs=jobs, resources=(Resource("m1"), Resource("m2"), Resource("m3")))
    result = solve(problem, time_limit=5.0, workers=workers)
    check_schedule(problem, result.assignments)
    assert result.makespan == result.lower_bound
