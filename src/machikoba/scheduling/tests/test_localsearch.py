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
    localsearch,
    solve,
)
from machikoba.scheduling.compiled import compile_problem
from machikoba.scheduling.heuristic import RULES, dispatch
from machikoba.scheduling.localsearch import (
    NO_OPERATION,
    TabuSearch,
    _candidates,
    _Graph,
    applicable,
    tabu_search,
)
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
    # Deterministic: bounded by CP-SAT's own measure of work, not by the wall clock, so a
    # loaded machine cannot cut the search short (it ends when optimality is proven).
    result = solve(problem, time_limit=60.0, workers=workers, deterministic=True)
    check_schedule(problem, result.assignments)
    assert result.makespan == result.lower_bound


class _NoTies:
    """Stands for the random generator: no random tie-break, so values compare exactly."""

    def random(self) -> float:
        return 0.0


def walked_graphs(count: int, moves: int = 12):
    """Graphs of random instances (transport, releases, an unlimited partner) at several
    points of a tabu walk from a bad schedule."""
    variants = [{}, {"transport": 2}, {"releases": True}, {"partner": True, "transport": 1}]
    for seed in range(count):
        problem = random_problem(seed, jobs=8, machines=4, **variants[seed % len(variants)])
        compiled, start = worst_start(problem, seed)
        search = TabuSearch(compiled, start, seed)
        for _ in range(moves):
            yield search.graph
            search.run(1)


def chain_values(graph, sequence: list[int]) -> tuple[list[int], list[int]]:
    """Ends and duration-plus-tails along ``sequence``, rebuilt from its first operation
    on (heads) and from its last one back (tails), from the job links' values."""
    ends, previous_end = [], 0
    for x in sequence:
        jp = graph.job_pred[x]
        head = graph.release[x]
        if jp != NO_OPERATION:
            head = (
                graph.heads[jp]
                + graph.duration[jp]
                + graph.lags[graph.machine[jp]][graph.machine[x]]
            )
        previous_end = max(head, previous_end) + graph.duration[x]
        ends.append(previous_end)
    weights, following = [0] * len(sequence), 0
    for i in range(len(sequence) - 1, -1, -1):
        x = sequence[i]
        js = graph.job_succ[x]
        tail = 0
        if js != NO_OPERATION:
            tail = (
                graph.lags[graph.machine[x]][graph.machine[js]]
                + graph.duration[js]
                + graph.tails[js]
            )
        following = graph.duration[x] + max(tail, following)
        weights[i] = following
    return ends, weights


def reference_candidates(graph) -> list[tuple[int, int, int, int]]:
    """Every move of a critical operation and its value, the plain way: the target
    sequence without ``v`` rebuilt from scratch, every position checked against the rule
    (after every operation that weighs more than ``v``'s tail but ends before ``v`` can
    start, before every one that ends after that but weighs less)."""
    found = []
    for v in graph.critical():
        jp, js, own = graph.job_pred[v], graph.job_succ[v], graph.machine[v]
        for number, alternative in enumerate(graph.compiled.operations[v].alternatives):
            k, p = alternative.resource, alternative.duration
            ready = graph.release[v]
            if jp != NO_OPERATION:
                ready = graph.heads[jp] + graph.duration[jp] + graph.lags[graph.machine[jp]][k]
            rest = 0
            if js != NO_OPERATION:
                rest = graph.lags[k][graph.machine[js]] + graph.duration[js] + graph.tails[js]
            if not graph.unary[k]:
                if k != own:
                    found.append((ready + p + rest, v, number, 0))
                continue
            sequence = [x for x in graph.sequences[k] if x != v]
            ends, weights = chain_values(graph, sequence)
            must_precede = [
                i for i in range(len(sequence)) if weights[i] > rest and ends[i] <= ready
            ]
            must_follow = [
                i for i in range(len(sequence)) if ends[i] > ready and weights[i] <= rest
            ]
            for position in range(len(sequence) + 1):
                if any(i >= position for i in must_precede) or any(
                    i < position for i in must_follow
                ):
                    continue
                if k == own and position == graph.position[v]:
                    continue  # where it is now
                start = max([ready, *ends[position - 1 : position]])
                after = max([rest, *weights[position : position + 1]])
                found.append((start + p + after, v, number, position))
    return found


def test_move_values_match_a_plain_recomputation():
    for graph in walked_graphs(24):
        fast = sorted(
            (round(value), v, number, position)
            for value, v, number, position in _candidates(
                graph, graph.critical(), {}, 0, 0, _NoTies()
            )
        )
        assert fast == sorted(reference_candidates(graph))


def test_a_move_value_bounds_the_longest_path_through_the_moved_operation():
    # The value is computed from the heads and tails before the move, which can only
    # shrink when ``v`` leaves its place: it is never below the exact longest path through
    # ``v`` after the move, and it is exactly that in most cases.
    exact_count = total = 0
    for graph in walked_graphs(12, moves=6):
        for value, v, number, position in _candidates(graph, graph.critical(), {}, 0, 0, _NoTies()):
            before = (graph.heads, graph.tails, graph.order, graph.makespan)
            undo = graph.move(v, number, position)
            if graph.evaluate():
                exact = graph.heads[v] + graph.duration[v] + graph.tails[v]
                assert exact <= value
                exact_count += exact == value
                total += 1
            graph.undo(v, undo)
            graph.heads, graph.tails, graph.order, graph.makespan = before
    assert total > 500
    assert exact_count > 0.8 * total


def test_the_best_moves_are_the_least_valued_ones():
    rng = random.Random(0)
    for graph in walked_graphs(12, moves=4):
        every = _candidates(graph, graph.critical(), {}, 0, 0, rng)
        best = _candidates(graph, graph.critical(), {}, 0, 0, rng, only_best=True)
        least = min(int(value) for value, *_ in every)
        assert sorted(move[1:] for move in best) == sorted(
            move[1:] for move in every if int(move[0]) == least
        )


def test_a_kicked_search_still_returns_valid_schedules():
    problem = random_problem(11, jobs=10, machines=4, transport=1)
    compiled, start = worst_start(problem, 11)
    search = TabuSearch(compiled, start, seed=2)
    search.run(100)
    graph = search._kick()
    assert graph is not None
    assert graph.evaluate()
    assert search.best_makespan <= objective_value(compiled, start, "makespan")
    found = search.run(300)
    check_schedule(problem, to_assignments(compiled, found))


def _apart(graph, other) -> int:
    """Operations on another alternative or after another one on their resource."""
    return sum(
        graph.alternative[v] != other.alternative[v]
        or graph.machine_pred[v] != other.machine_pred[v]
        for v in range(graph.n)
    )


def test_a_relinked_walk_starts_on_the_path_between_two_elite_schedules():
    problem = random_problem(4, jobs=10, machines=4, transport=1)
    compiled = compile_problem(problem)
    schedules = [
        dispatch(compiled, RULES[rule], random.Random(1), 20.0)
        for rule in ("shortest_operation", "most_work_remaining")
    ]
    search = TabuSearch(compiled, schedules[0], seed=3)
    for schedule in schedules:
        search._remember(schedule, objective_value(compiled, schedule, "makespan"))
    assert len(search.elite) == 2
    first, second = search.elite
    start, guide = _Graph(compiled, first.solution), _Graph(compiled, second.solution)
    distance = _apart(start, guide)
    assert distance >= 4
    graph = search._relink(first, second)
    assert graph is not None
    assert graph.evaluate()
    midway = graph.solution()
    check_schedule(problem, to_assignments(compiled, midway))
    between = _Graph(compiled, midway)
    assert 0 < _apart(between, guide) < distance
    assert _apart(between, start) > 0
    # The walk continues from there, but the best is still the best seen.
    assert search.best == schedules[0]


def test_walks_from_relinked_schedules_stay_valid_and_deterministic(monkeypatch):
    # Short walks and relinking from the second one on, so that a few hundred moves go
    # through many paths.
    monkeypatch.setattr(localsearch, "STALL_BASE", 15)
    monkeypatch.setattr(localsearch, "STALL_PER_OPERATION", 0)
    monkeypatch.setattr(localsearch, "RELINK_AFTER", 0)
    monkeypatch.setattr(localsearch, "SHARE_MIN", 1.0)
    problem = random_problem(8, jobs=12, machines=4, transport=1, partner=True)
    compiled, start = worst_start(problem, 8)
    results = []
    for _ in range(2):
        search = TabuSearch(compiled, start, seed=5)
        found = search.run(1500)
        check_schedule(problem, to_assignments(compiled, found))
        assert search.relinks > 5
        assert search.successes["relink"][1] > 5  # each relinked walk was scored
        assert 2 <= len(search.elite) <= localsearch.ELITE_SIZE
        values = [elite.makespan for elite in search.elite]
        assert values == sorted(values)
        assert len({elite.signature for elite in search.elite}) == len(search.elite)
        assert objective_value(compiled, found, "makespan") == search.best_makespan
        assert search.best_makespan <= values[0]
        results.append(found)
    assert results[0] == results[1]


def test_walks_start_on_paths_as_often_as_paths_pay():
    compiled, start = worst_start(random_problem(2, jobs=8), 2)
    search = TabuSearch(compiled, start, seed=0)
    assert search._relink_share() == 0.5  # nothing known yet
    # Records are [new bests found, moves taken in walks of the stall length].
    search.successes = {"kick": [0.0, 5.0], "relink": [2.0, 5.0]}
    assert search._relink_share() == pytest.approx(0.75)
    # As many wins, but relinked walks took twice the moves: half the rate.
    search.successes = {"kick": [1.0, 4.0], "relink": [1.0, 9.0]}
    assert search._relink_share() == pytest.approx(1 / 3)
    search.successes = {"kick": [0.0, 20.0], "relink": [5.0, 4.0]}
    assert search._relink_share() == localsearch.SHARE_MAX
    search.successes = {"kick": [9.0, 9.0], "relink": [0.0, 9.0]}
    assert search._relink_share() == localsearch.SHARE_MIN


def test_on_a_plateau_the_elite_pool_renews_itself():
    compiled, start = worst_start(random_problem(6, jobs=10, machines=4), 6)
    search = TabuSearch(compiled, start, seed=1)
    search.run(400)
    makespan = search.best_makespan
    schedules = [
        dispatch(compiled, RULES[rule], random.Random(seed), 20.0)
        for rule in RULES
        for seed in range(4)
    ]
    search.elite = []
    added = []
    for schedule in schedules:
        before = len(search.elite)
        search._remember(schedule, makespan)  # all as good as each other
        if len(search.elite) > before or search.elite[0].solution == schedule:
            added.append(schedule)
    assert len(added) > localsearch.ELITE_SIZE
    assert len(search.elite) == localsearch.ELITE_SIZE
    # The newest stay, the oldest went.
    assert [elite.solution for elite in search.elite] == added[::-1][: localsearch.ELITE_SIZE]
    search._remember(search.elite[-1].solution, makespan - 1)  # already there: ignored
    assert search.elite[0].makespan == makespan
    search._remember(added[0], makespan + 1)  # worse than the whole pool: ignored
    assert added[0] not in [elite.solution for elite in search.elite]
    search._remember(added[0], makespan - 1)  # better: first
    assert search.elite[0].solution == added[0]
    assert len(search.elite) == localsearch.ELITE_SIZE


def test_the_solver_counts_tabu_moves_and_relinks_only_where_the_tabu_search_runs(
    monkeypatch,
):
    # Short walks, relinked from the second one on (as above), so relinks do happen.
    monkeypatch.setattr(localsearch, "STALL_BASE", 15)
    monkeypatch.setattr(localsearch, "STALL_PER_OPERATION", 0)
    monkeypatch.setattr(localsearch, "RELINK_AFTER", 0)
    monkeypatch.setattr(localsearch, "SHARE_MIN", 1.0)
    searches = []

    class Recorded(localsearch.TabuSearch):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            searches.append(self)

    monkeypatch.setattr(localsearch, "TabuSearch", Recorded)
    problem = random_problem(9, jobs=30, machines=5, transport=1)
    result = solve(problem, time_limit=2.0, workers=2, seed=1)
    check_schedule(problem, result.assignments)
    assert searches
    assert result.statistics["tabu_moves"] == sum(t.iterations for t in searches) > 0
    assert result.statistics["tabu_relinks"] == sum(t.relinks for t in searches) > 0
    searches.clear()
    shifts = Problem(
        jobs=problem.jobs,
        resources=(Resource("m0", windows=((0, 10_000),)), *problem.resources[1:]),
    )
    result = solve(shifts, time_limit=1.0, workers=2, seed=1)
    check_schedule(shifts, result.assignments)
    assert "tabu_moves" not in result.statistics
    assert "tabu_relinks" not in result.statistics
    assert searches == []
