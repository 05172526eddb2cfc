"""Solve a scheduling problem: dispatch heuristic, CP-SAT, then large-neighbourhood search.

The stages, in order: dispatching rules give a first schedule and a complete hint
(:mod:`.heuristic`); CP-SAT solves the whole model for a slice of the time (:mod:`.cpsat`);
then rounds of large-neighbourhood search (:mod:`.neighbourhoods`), with a tabu search on
the disjunctive graph beside them for makespan (:mod:`.localsearch`) and a whole-model solve
whenever the search stalls. Lexicographic objectives are solved in stages. docs/scheduling.md
tells the method and its determinism in full.

Every schedule returned has passed the independent :mod:`.validator`.
"""

from __future__ import annotations

import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

from ortools.sat.python import cp_model

from . import localsearch
from . import neighbourhoods as nbh
from .compiled import CompiledProblem, check_objectives, compile_problem
from .cpsat import SubProblem, build_model
from .errors import InvalidScheduleError
from .heuristic import compact, construct
from .lower_bounds import lower_bound
from .model import Problem, SolveResult, Status
from .options import (
    SolveOptions,
    checked_seed,
    checked_time_limit,
    checked_workers,
)
from .progress import ProgressCallback, Reporter, SolutionReporter
from .solution import Solution, objective_value, to_assignments, total_completion
from .validator import check_schedule, objectives_of, schedule_faults

HEURISTIC_SHARE = 0.05  # of the time limit, at most HEURISTIC_SECONDS
HEURISTIC_SECONDS = 2.0
WHOLE_MODEL_SHARE = 0.05  # of a stage's time, for the first whole-model solve
# A neighbourhood gets this much deterministic time (CP-SAT's own work measure) and, as a
# safety net unless ``deterministic``, this much wall time. On these models a unit of
# deterministic time is roughly 5-20 s of one core, so both limits are about as tight.
SUB_PROBLEM_WORK = 0.05
SUB_PROBLEM_SECONDS = 0.5
WORK_PER_SECOND = 0.1  # the same calibration, to turn a whole-model budget into work
STRICT_SHARE = 0.3  # of the neighbourhoods that must strictly improve (no tie-break)
ROUND_STEPS = 8  # neighbourhoods each worker tries before the workers share their best
STALL_STEPS = 40  # neighbourhoods without improvement before the whole model runs again
STALL_SOLVE_SECONDS = 5.0
# Tabu-search moves per round in deterministic mode (otherwise the tabu search runs as
# long as the round's CP-SAT chains, a few thousand moves a second on 200 operations).
TABU_ROUND_ITERATIONS = 1500
TABU_PATIENCE = 20  # rounds without the tabu search finding a better schedule before it stops


def solve(
    problem: Problem,
    *,
    objective: str | list[str] | tuple[str, ...] = "makespan",
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
    progress_interval: float = 1.0,
    deterministic: bool = False,
    max_iterations: int | None = None,
) -> SolveResult:
    """Schedule ``problem`` within ``time_limit`` seconds of wall time.

    ``objective`` is one of ``makespan``, ``tardiness`` (weighted) and ``cost``, or a list
    of them optimised lexicographically. ``on_progress`` receives a :class:`Progress` on
    every improvement, and otherwise after each round of neighbourhoods or bound change,
    at most once per ``progress_interval`` seconds (rounds take about 1–4 s); it may be
    called from a solver thread, so it must be quick and thread-safe. Raises
    :class:`SchedulingInputError` for unusable input; an impossible problem (frozen
    operations in conflict, say) returns status ``infeasible`` with no assignments.
    """
    options = SolveOptions(
        objective=check_objectives(objective),
        time_limit=checked_time_limit(time_limit),
        workers=checked_workers(workers),
        seed=checked_seed(seed),
        deterministic=deterministic,
        max_iterations=max_iterations,
        progress_interval=progress_interval,
    )
    started = time.monotonic()
    compiled = compile_problem(problem)
    search = _Search(compiled, options, Reporter(on_progress, progress_interval, started))
    status, incumbent, bound, statistics = search.run(started + options.time_limit)
    return _result(compiled, options, status, incumbent, bound, statistics, started)


def _result(
    compiled: CompiledProblem,
    options: SolveOptions,
    status: Status,
    incumbent: Solution | None,
    bound: int | None,
    statistics: dict[str, int | float | str],
    started: float,
) -> SolveResult:
    if incumbent is None:
        return SolveResult(status, (), {}, bound, time.monotonic() - started, statistics)
    assignments = to_assignments(compiled, incumbent)
    check_schedule(compiled.problem, assignments)
    recomputed = objectives_of(compiled.problem, assignments)
    values = {name: objective_value(compiled, incumbent, name) for name in recomputed}
    if values != recomputed:
        raise InvalidScheduleError([f"objectives {values} disagree with {recomputed}"])
    shown = {name: values[name] for name in options.objective}
    if "makespan" not in shown:
        shown["makespan"] = values["makespan"]
    seconds = time.monotonic() - started
    return SolveResult(status, assignments, shown, bound, seconds, statistics)


@dataclass(frozen=True)
class _Round:
    """What every worker's chain of neighbourhoods in one round starts from."""

    objective: str
    limits: dict[str, int]
    incumbent: Solution
    key: tuple[int, int]
    steps: int
    tie_break: bool
    bound: int
    deadline: float


@dataclass
class _Outcome:
    """What one CP-SAT call found."""

    status: cp_model.CpSolverStatus
    solution: Solution | None
    bound: int | None


@dataclass(frozen=True)
class _Stall:
    """What the whole-model solve after a stall left: the incumbent and bound to go on
    with, whether the tabu search found better meanwhile, and whether the solve helped."""

    key: tuple[int, int]
    incumbent: Solution
    bound: int
    tabu_improved: bool
    whole_helped: bool


class _Search:
    def __init__(self, compiled: CompiledProblem, options: SolveOptions, reporter: Reporter):
        self.compiled = compiled
        self.options = options
        self.reporter = reporter
        self.rng = random.Random(options.seed)  # noqa: S311 - search, not security
        self.statistics: dict[str, int | float | str] = {
            "neighbourhoods": 0,
            "improvements": 0,
            "whole_model_solves": 0,
        }
        self.iterations_left = options.max_iterations
        self.lock = threading.Lock()
        self.tabu_searches: list[localsearch.TabuSearch] = []

    def run(
        self, deadline: float
    ) -> tuple[Status, Solution | None, int | None, dict[str, int | float | str]]:
        objectives = self.options.objective
        heuristic_budget = min(HEURISTIC_SECONDS, HEURISTIC_SHARE * (deadline - time.monotonic()))
        if self.options.deterministic:
            # All of its runs, however loaded the machine (a wall-clock cut would make the
            # first incumbent, and so the whole trajectory, depend on the load).
            heuristic_budget = math.inf
        incumbent = construct(self.compiled, objectives, self.options.seed, heuristic_budget)
        if incumbent is not None and schedule_faults(
            self.compiled.problem, to_assignments(self.compiled, incumbent)
        ):
            # Dispatching cannot see every conflict (frozen operations that overlap each
            # other, say); CP-SAT then starts without a hint and decides.
            incumbent = None
        if incumbent is not None:
            self.statistics["heuristic"] = objective_value(self.compiled, incumbent, objectives[0])
        limits: dict[str, int] = {}
        first_bound = None
        all_optimal = True
        for number, name in enumerate(objectives):
            # Earlier objectives matter more: of n stages the first gets n shares of the
            # time left, the next n - 1 … (2/3 and 1/3 for two), and a stage that ends
            # early (proven optimal) leaves its time to the next.
            remaining = len(objectives) - number
            share = (deadline - time.monotonic()) * remaining / (remaining * (remaining + 1) / 2)
            stage_deadline = time.monotonic() + max(0.0, share)
            status, incumbent, bound = self._stage(name, limits, incumbent, stage_deadline)
            if number == 0:
                first_bound = bound
            if incumbent is None:
                return status, None, first_bound, self.statistics
            all_optimal = all_optimal and status == Status.OPTIMAL
            limits[name] = objective_value(self.compiled, incumbent, name)
        status = Status.OPTIMAL if all_optimal else Status.FEASIBLE
        if self.tabu_searches:
            self.statistics["tabu_moves"] = sum(t.iterations for t in self.tabu_searches)
            self.statistics["tabu_relinks"] = sum(t.relinks for t in self.tabu_searches)
        return status, incumbent, first_bound, self.statistics

    def _stage(
        self,
        name: str,
        limits: dict[str, int],
        incumbent: Solution | None,
        deadline: float,
    ) -> tuple[Status, Solution | None, int | None]:
        bound = lower_bound(self.compiled, name) if not limits else 0
        horizon = self._horizon(name, limits, incumbent)
        whole_budget = WHOLE_MODEL_SHARE * self._stage_time()
        whole = partial(self._solve_whole, name, limits, incumbent, horizon, whole_budget, deadline)
        tabu = None
        if incumbent is not None and localsearch.applicable(self.compiled, name, limits):
            tabu = self._new_tabu(incumbent)
        walked = None
        if tabu is not None and self.options.workers > 1 and not self.options.deterministic:
            # The tabu search starts from the heuristic's schedule while the whole model
            # runs: on large instances it is well ahead by the time that returns.
            stop = threading.Event()
            with ThreadPoolExecutor(max_workers=1) as pool:
                walk = pool.submit(tabu.run, 10**9, deadline - 0.01, bound, stop)
                outcome = whole()
                stop.set()
                walked = walk.result()
        else:
            outcome = whole()
        if outcome.status == cp_model.INFEASIBLE:
            return Status.INFEASIBLE, None, None
        if outcome.solution is not None:
            incumbent = self._better(name, incumbent, outcome.solution)
        if walked is not None:
            incumbent = self._better(name, incumbent, walked)
        if outcome.bound is not None:
            bound = max(bound, outcome.bound)
        if incumbent is None:
            return Status.UNKNOWN, None, bound
        incumbent, bound = self._improve(name, limits, incumbent, bound, deadline, tabu)
        value = objective_value(self.compiled, incumbent, name)
        self.reporter.report(name, value, bound, improved=False)
        return (Status.OPTIMAL if value <= bound else Status.FEASIBLE), incumbent, bound

    def _stage_time(self) -> float:
        """A stage's nominal share of the time limit: budgets derive from it, not from the
        time left, so that a deterministic run does the same work however loaded the
        machine is."""
        return self.options.time_limit / len(self.options.objective)

    def _horizon(self, name: str, limits: dict[str, int], incumbent: Solution | None) -> int:
        horizon = self.compiled.safe_horizon
        if "makespan" in limits:
            horizon = min(horizon, limits["makespan"])
        if name == "makespan" and incumbent is not None:
            # No schedule worth finding ends after the incumbent.
            horizon = min(horizon, objective_value(self.compiled, incumbent, "makespan"))
        return horizon

    def _better(self, name: str, incumbent: Solution | None, candidate: Solution) -> Solution:
        if incumbent is None:
            return candidate
        current = objective_value(self.compiled, incumbent, name)
        return (
            candidate if objective_value(self.compiled, candidate, name) <= current else incumbent
        )

    def _improve(
        self,
        name: str,
        limits: dict[str, int],
        incumbent: Solution,
        bound: int,
        deadline: float,
        tabu: localsearch.TabuSearch | None,
    ) -> tuple[Solution, int]:
        """Large-neighbourhood search in rounds, with a whole-model solve when it stalls.

        In each round every worker runs a short chain of neighbourhoods from the round's
        incumbent on its own (so no worker waits for another after each sub-problem);
        the round ends with everyone adopting the best schedule found.
        """
        tie_break = name in ("makespan", "tardiness")
        key = self._key(name, incumbent, tie_break)
        workers = self.options.workers
        count = len(self.compiled.operations)
        if tabu is None and localsearch.applicable(self.compiled, name, limits):
            tabu = self._new_tabu(incumbent)
        # With tabu search, one worker runs it and the others run CP-SAT neighbourhoods (a
        # single worker alternates between the two) until it has not found the best
        # schedule for TABU_PATIENCE rounds; its worker then joins the CP-SAT ones.
        lns_workers = workers - 1 if tabu is not None and workers > 1 else workers
        chains = [nbh.initial_neighbourhoods(name, count) for _ in range(lns_workers)]
        tabu_idle = 0
        stalled = 0
        stall_limit = STALL_STEPS
        with ThreadPoolExecutor(max_workers=workers) as pool:
            while key[0] > bound and time.monotonic() < deadline - 0.01:
                steps = self._round_steps()
                if steps == 0:
                    break
                round_ = _Round(name, limits, incumbent, key, steps, tie_break, bound, deadline)
                seeds = [self.rng.randrange(2**31) for _ in range(lns_workers)]
                if tabu is not None:
                    results = self._round_with_tabu(pool, round_, chains, seeds, tabu)
                else:
                    results = list(pool.map(partial(self._chain, round_), chains, seeds))
                best_key, best = min(results, key=lambda result: result[0])
                stalled += steps * workers
                improved = best_key[0] < key[0]
                if improved:
                    stalled = 0
                    self._count("improvements")
                self.reporter.report(name, best_key[0], bound, improved=improved)
                if tabu is not None:
                    tabu_idle = 0 if improved and results[-1][0] == best_key else tabu_idle + 1
                    if tabu_idle >= TABU_PATIENCE:
                        tabu = None
                        while len(chains) < workers:
                            chains.append([replace(n, tries=0, improvements=0) for n in chains[0]])
                        lns_workers = len(chains)
                key, incumbent = best_key, best
                if stalled >= stall_limit and key[0] > bound:
                    stalled = 0
                    round_ = replace(round_, incumbent=incumbent, key=key, bound=bound)
                    stall = self._after_stall(pool, round_, tabu)
                    key, incumbent, bound = stall.key, stall.incumbent, stall.bound
                    if stall.tabu_improved:
                        tabu_idle = 0
                    if not stall.whole_helped:
                        stall_limit *= 2  # the whole model did not help: run it less often
        self._record_neighbourhoods(chains)
        return incumbent, bound

    def _after_stall(
        self,
        pool: ThreadPoolExecutor,
        round_: _Round,
        tabu: localsearch.TabuSearch | None,
    ) -> _Stall:
        """The search stalled: run the whole model from the incumbent (the tabu search
        walks on meanwhile, unless deterministic) and keep the best of the three."""
        name, limits, incumbent, key = round_.objective, round_.limits, round_.incumbent, round_.key
        bound, deadline = round_.bound, round_.deadline
        horizon = self._horizon(name, limits, incumbent)
        budget = min(STALL_SOLVE_SECONDS, 0.1 * self._stage_time())
        if not self.options.deterministic:
            budget = min(budget, 0.5 * (deadline - time.monotonic()))
        whole = partial(self._solve_whole, name, limits, incumbent, horizon, budget, deadline)
        tabu_improved = False
        if tabu is not None and self.options.workers > 1 and not self.options.deterministic:
            # The tabu search goes on meanwhile (in deterministic mode it would make the
            # trajectory depend on the machine's speed).
            stop = threading.Event()
            walk = pool.submit(self._tabu, round_, tabu, stop, None)
            outcome = whole()
            stop.set()
            walked_key, walked = walk.result()
            if walked_key[0] < key[0]:
                tabu_improved = True
                self._count("tabu_improvements")
        else:
            outcome = whole()
            walked_key, walked = key, incumbent
        if outcome.bound is not None:
            bound = max(bound, outcome.bound)
        found_key, found = walked_key, walked
        whole_helped = False
        if outcome.solution is not None:
            whole_key = self._key(name, outcome.solution, round_.tie_break)
            whole_helped = whole_key[0] < key[0]
            if whole_key < found_key:
                found_key, found = whole_key, outcome.solution
        if found_key[0] < key[0]:
            key, incumbent = found_key, found
            self.reporter.report(name, key[0], bound, improved=True)
        return _Stall(key, incumbent, bound, tabu_improved, whole_helped)

    def _round_with_tabu(
        self,
        pool: ThreadPoolExecutor,
        round_: _Round,
        chains: list[list[nbh.Neighbourhood]],
        seeds: list[int],
        tabu: localsearch.TabuSearch,
    ) -> list[tuple[tuple[int, int], Solution]]:
        """CP-SAT chains from the round's incumbent, and the tabu search.

        The tabu search continues its own walk across rounds and moves to the round's
        incumbent only when that is better than the best it has seen. It runs in its own
        thread while CP-SAT (which releases the GIL while it solves) works on the
        sub-problems, and stops when the chains are done; with a single worker it runs
        after the chain, for as long as the chain took. In deterministic mode it does a
        fixed number of moves instead.
        """
        if round_.key[0] < tabu.best_makespan:
            tabu.restart(round_.incumbent)
        started = time.monotonic()
        if len(chains) < self.options.workers:
            stop = None if self.options.deterministic else threading.Event()
            tabu_result = pool.submit(self._tabu, round_, tabu, stop, None)
            futures = [
                pool.submit(self._chain, round_, chain, seed)
                for chain, seed in zip(chains, seeds, strict=True)
            ]
            results = [future.result() for future in futures]
            if stop is not None:
                stop.set()
            results.append(tabu_result.result())
        else:
            results = list(pool.map(partial(self._chain, round_), chains, seeds))
            seconds = None if self.options.deterministic else time.monotonic() - started
            results.append(self._tabu(round_, tabu, None, seconds))
        if results[-1][0][0] < min(result[0][0] for result in results[:-1]):
            self._count("tabu_improvements")
        return results

    def _new_tabu(self, incumbent: Solution) -> localsearch.TabuSearch:
        tabu = localsearch.TabuSearch(self.compiled, incumbent, self.rng.randrange(2**31))
        self.tabu_searches.append(tabu)
        return tabu

    def _count(self, name: str, amount: int = 1) -> None:
        value = self.statistics.get(name, 0)
        self.statistics[name] = (value if isinstance(value, int) else 0) + amount

    def _tabu(
        self,
        round_: _Round,
        tabu: localsearch.TabuSearch,
        stop: threading.Event | None,
        seconds: float | None,
    ) -> tuple[tuple[int, int], Solution]:
        deadline = round_.deadline - 0.01
        if seconds is not None:
            deadline = min(deadline, time.monotonic() + seconds)
        iterations = TABU_ROUND_ITERATIONS if self.options.deterministic else 10**9
        solution = tabu.run(iterations, deadline=deadline, stop_at=round_.bound, stop=stop)
        return self._key(round_.objective, solution, round_.tie_break), solution

    def _record_neighbourhoods(self, chains: list[list[nbh.Neighbourhood]]) -> None:
        totals: dict[str, list[int]] = {}
        for neighbourhood in (n for chain in chains for n in chain):
            tries_and_improvements = totals.setdefault(neighbourhood.name, [0, 0])
            tries_and_improvements[0] += neighbourhood.tries
            tries_and_improvements[1] += neighbourhood.improvements
        for name, (tries, improvements) in totals.items():
            self.statistics[f"lns_{name}"] = f"{improvements} improvements in {tries}"

    def _round_steps(self) -> int:
        steps = ROUND_STEPS
        if self.iterations_left is not None:
            steps = min(steps, self.iterations_left)
            self.iterations_left -= steps
        return steps

    def _chain(
        self, round_: _Round, neighbourhoods: list[nbh.Neighbourhood], seed: int
    ) -> tuple[tuple[int, int], Solution]:
        """One worker's share of a round: a few neighbourhoods, keeping what is no worse."""
        rng = random.Random(seed)  # noqa: S311 - search, not security
        incumbent, key = round_.incumbent, round_.key
        tried = 0
        for _ in range(round_.steps):
            if key[0] <= round_.bound or time.monotonic() >= round_.deadline - 0.01:
                break
            tried += 1
            neighbourhood = nbh.choose(neighbourhoods, rng)
            target = neighbourhood.target(len(self.compiled.operations))
            free = nbh.free_operations(
                neighbourhood.name, self.compiled, incumbent, round_.objective, target, rng
            )
            weights = None
            strict = rng.random() < STRICT_SHARE
            if round_.tie_break and not strict:
                # Random job weights send each plateau move in a different direction.
                weights = [rng.randint(1, 4) for _ in self.compiled.job_operations]
            outcome = self._solve_part(
                round_, incumbent, free, rng.randrange(2**31), weights, strict
            )
            found_key = key
            if outcome.solution is not None:
                found_key = self._key(round_.objective, outcome.solution, round_.tie_break)
            neighbourhood.learn(
                outcome.status in (cp_model.OPTIMAL, cp_model.INFEASIBLE),
                (key[0] - found_key[0]) / max(1, key[0]),
            )
            if outcome.solution is not None and found_key[0] <= key[0]:
                key, incumbent = found_key, outcome.solution
        with self.lock:
            self._count("neighbourhoods", tried)
        return key, incumbent

    def _key(self, name: str, solution: Solution, tie_break: bool) -> tuple[int, int]:
        value = objective_value(self.compiled, solution, name)
        return value, total_completion(self.compiled, solution) if tie_break else 0

    def _pinned(self, incumbent: Solution, free: set[int], tail: bool = False) -> list[int]:
        """Operations that end before the first freed one starts keep their start; with
        ``tail``, so do those that start after the last freed one ends."""
        if not free:
            return []
        begin = min(incumbent.starts[op] for op in free)
        end = max(incumbent.end(self.compiled, op) for op in free) if tail else None
        return [
            op
            for op in range(len(self.compiled.operations))
            if op not in free
            and (
                incumbent.end(self.compiled, op) <= begin
                or (end is not None and incumbent.starts[op] >= end)
            )
        ]

    def _solve_part(
        self,
        round_: _Round,
        incumbent: Solution,
        free: set[int],
        seed: int,
        weights: list[int] | None,
        strict: bool,
    ) -> _Outcome:
        name = round_.objective
        # For weighted tardiness the sub-problem is a time slice: work after the freed
        # operations keeps its start too (many more sub-problems, each solved far faster).
        tail = name == "tardiness"
        built = build_model(
            self.compiled,
            self._horizon(name, round_.limits, incumbent),
            name,
            round_.limits,
            upper_bound=objective_value(self.compiled, incumbent, name) - strict,
            hint=incumbent,
            sub_problem=SubProblem(incumbent, free, self._pinned(incumbent, free, tail)),
            tie_break=weights,
        )
        solver = cp_model.CpSolver()
        parameters = solver.parameters
        parameters.num_workers = 1
        parameters.random_seed = seed
        parameters.max_deterministic_time = SUB_PROBLEM_WORK
        remaining = max(0.01, round_.deadline - time.monotonic())
        parameters.max_time_in_seconds = (
            remaining if self.options.deterministic else min(SUB_PROBLEM_SECONDS, remaining)
        )
        # Small sub-problems with a complete hint gain little from the LP relaxation,
        # probing or symmetry detection, and each costs more than the search itself.
        parameters.linearization_level = 0
        parameters.cp_model_probing_level = 0
        parameters.symmetry_level = 0
        status = solver.solve(built.model)
        solution = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = compact(self.compiled, built.solution(solver))
        return _Outcome(status, solution, None)

    def _solve_whole(
        self,
        name: str,
        limits: dict[str, int],
        incumbent: Solution | None,
        horizon: int,
        budget: float,
        deadline: float,
    ) -> _Outcome:
        self._count("whole_model_solves")
        built = build_model(self.compiled, horizon, name, limits, hint=incumbent)
        solver = cp_model.CpSolver()
        parameters = solver.parameters
        parameters.num_workers = self.options.workers
        parameters.random_seed = self.options.seed
        parameters.max_time_in_seconds = max(0.01, budget)
        if self.options.deterministic:
            # The budget becomes deterministic work; the wall clock only stops a run that
            # would overrun the caller's time limit.
            parameters.max_deterministic_time = max(0.01, budget * WORK_PER_SECOND)
            parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
            parameters.interleave_search = self.options.workers > 1
        solver.best_bound_callback = partial(self.reporter.bound_moved, name)
        status = solver.solve(built.model, SolutionReporter(self.reporter, name))
        solution = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = compact(self.compiled, built.solution(solver))
        bound = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN) and math.isfinite(
            solver.best_objective_bound
        ):
            bound = math.ceil(solver.best_objective_bound - 1e-6)
        return _Outcome(status, solution, bound)
