"""Tabu search on the disjunctive graph for makespan (flexible job shop, unary resources).

A schedule is a choice of resource per operation plus an order of the operations on each
resource. Its disjunctive graph has an arc from every operation to its job successor
(weighted by the operation's duration plus the transport time between the two chosen
resources) and to its successor on its resource; the head ``r`` of an operation (earliest
start, at least its job's release) and its tail ``q`` (longest path after it, without its
own duration) follow from one topological pass each, and the makespan is the longest path.
Only operations on a longest path (``r + p + q = makespan``) can shorten it.

One move takes a critical operation ``v`` out of its resource sequence and inserts it into
the sequence of any of its eligible resources, itself included (the neighbourhood of
Mastrolilli and Gambardella, 2000). On the target sequence, with ``R`` the operations that
end after ``v`` could start and ``L`` those whose duration plus tail exceed ``v``'s tail,
only the positions after every operation of ``L \\ R`` and before every one of ``R \\ L``
are considered: they cannot close a cycle (the heads and tails are those of the current
graph, with the own resource's chain recomputed without ``v``, so the rule is an
approximation and every applied move is checked by the exact recomputation; a move that
would create a cycle is discarded). A position is valued by the longest path through
``v`` after the move, ``max(end of job predecessor, end of new resource predecessor) + p
+ max(tail via job successor, tail via new resource successor)``, an estimate that needs
no graph pass. Each iteration applies the best-valued move that is not tabu (or beats the
best makespan: aspiration; ties are broken at random); a moved operation stays put for a
randomised tenure that grows with the number of critical operations. The search moves
even when every move is worse (that is what lets it leave local optima), goes back to the
best schedule with a fresh tabu list after a long run without a new best, and returns
the best schedule it saw, left-justified (every start is its head) and checked.

It handles releases, transport times and resources of unlimited capacity (no sequence),
not calendars, frozen operations or finite capacities above one: :func:`applicable` says
whether a problem qualifies. Runs are bounded by iterations and, optionally, wall time;
bounded by iterations only, they are deterministic for a given seed.
"""

from __future__ import annotations

import random
import threading
import time
from itertools import pairwise

from .compiled import CompiledProblem
from .solution import Solution

NO_OPERATION = -1
TENURE_MIN = 4
TENURE_SPREAD = 8  # the tenure is drawn from [TENURE_MIN, TENURE_MIN + spread + n_crit / 4]
MOVES_TRIED = 6  # best-valued moves tried (a move may close a cycle) before giving up
TIME_CHECK_EVERY = 16
STALL_BASE = 500  # moves without a new best before going back to the best
STALL_PER_OPERATION = 2  # iterations between wall-clock checks


def applicable(compiled: CompiledProblem, objective: str, limits: dict[str, int]) -> bool:
    """The problem has what the search models: makespan, unary or unlimited resources
    without calendars, no frozen operations, and no earlier lexicographic stages."""
    if objective != "makespan" or limits:
        return False
    if any(op.frozen_start is not None for op in compiled.operations):
        return False
    return all(
        resource.windows is None and resource.capacity in (1, None)
        for resource in compiled.resources
    )


class _Graph:
    """The disjunctive graph of one schedule, with heads and tails."""

    def __init__(self, compiled: CompiledProblem, solution: Solution) -> None:
        self.compiled = compiled
        n = len(compiled.operations)
        self.n = n
        self.unary = [resource.capacity == 1 for resource in compiled.resources]
        self.lags = compiled.lags
        self.job_pred = [NO_OPERATION] * n
        self.job_succ = [NO_OPERATION] * n
        self.release = [0] * n
        for job, chain in enumerate(compiled.job_operations):
            self.release[chain[0]] = compiled.releases[job]
            for before, after in pairwise(chain):
                self.job_succ[before] = after
                self.job_pred[after] = before
        self.alternative = list(solution.alternatives)
        self.machine = [0] * n
        self.duration = [0] * n
        for v in range(n):
            self._set_alternative(v, self.alternative[v])
        self.sequences: list[list[int]] = [[] for _ in compiled.resources]
        for v in sorted(range(n), key=lambda op: (solution.starts[op], op)):
            if self.unary[self.machine[v]]:
                self.sequences[self.machine[v]].append(v)
        self.machine_pred = [NO_OPERATION] * n
        self.machine_succ = [NO_OPERATION] * n
        for resource in range(len(self.sequences)):
            self._link(resource)
        self.heads = [0] * n
        self.tails = [0] * n
        self.order: list[int] = []
        self.makespan = 0

    def _set_alternative(self, v: int, number: int) -> None:
        alternative = self.compiled.operations[v].alternatives[number]
        self.alternative[v] = number
        self.machine[v] = alternative.resource
        self.duration[v] = alternative.duration

    def _link(self, resource: int) -> None:
        sequence = self.sequences[resource]
        previous = NO_OPERATION
        for v in sequence:
            self.machine_pred[v] = previous
            if previous != NO_OPERATION:
                self.machine_succ[previous] = v
            previous = v
        if previous != NO_OPERATION:
            self.machine_succ[previous] = NO_OPERATION

    def evaluate(self) -> bool:
        """Heads, tails and makespan; False if the graph has a cycle."""
        n = self.n
        job_pred, job_succ = self.job_pred, self.job_succ
        machine_pred, machine_succ = self.machine_pred, self.machine_succ
        machine, duration, lags = self.machine, self.duration, self.lags
        waiting = [
            (job_pred[v] != NO_OPERATION) + (machine_pred[v] != NO_OPERATION) for v in range(n)
        ]
        heads = list(self.release)
        stack = [v for v in range(n) if not waiting[v]]
        order = []
        while stack:
            v = stack.pop()
            order.append(v)
            end = heads[v] + duration[v]
            s = job_succ[v]
            if s != NO_OPERATION:
                value = end + lags[machine[v]][machine[s]]
                if value > heads[s]:
                    heads[s] = value
                waiting[s] -= 1
                if not waiting[s]:
                    stack.append(s)
            s = machine_succ[v]
            if s != NO_OPERATION:
                if end > heads[s]:
                    heads[s] = end
                waiting[s] -= 1
                if not waiting[s]:
                    stack.append(s)
        if len(order) < n:
            return False
        tails = [0] * n
        for v in reversed(order):
            best = 0
            s = job_succ[v]
            if s != NO_OPERATION:
                best = lags[machine[v]][machine[s]] + duration[s] + tails[s]
            s = machine_succ[v]
            if s != NO_OPERATION:
                value = duration[s] + tails[s]
                if value > best:
                    best = value
            tails[v] = best
        self.heads, self.tails, self.order = heads, tails, order
        self.makespan = max(heads[v] + duration[v] for v in range(n))
        return True

    def critical(self) -> list[int]:
        makespan, heads, tails, duration = self.makespan, self.heads, self.tails, self.duration
        return [v for v in range(self.n) if heads[v] + duration[v] + tails[v] == makespan]

    def move(self, v: int, number: int, position: int) -> tuple[int, int, int]:
        """Put ``v`` on alternative ``number`` before the operation at ``position`` of the
        target sequence without ``v``; returns what undoes it."""
        old_number = self.alternative[v]
        old_machine = self.machine[v]
        old_position = -1
        if self.unary[old_machine]:
            sequence = self.sequences[old_machine]
            old_position = sequence.index(v)
            del sequence[old_position]
            self._link(old_machine)
        self.machine_pred[v] = self.machine_succ[v] = NO_OPERATION
        self._set_alternative(v, number)
        new_machine = self.machine[v]
        if self.unary[new_machine]:
            self.sequences[new_machine].insert(position, v)
            self._link(new_machine)
        return old_number, old_position, new_machine

    def undo(self, v: int, undo: tuple[int, int, int]) -> None:
        old_number, old_position, new_machine = undo
        if self.unary[new_machine]:
            self.sequences[new_machine].remove(v)
            self._link(new_machine)
        self.machine_pred[v] = self.machine_succ[v] = NO_OPERATION
        self._set_alternative(v, old_number)
        if old_position >= 0:
            self.sequences[self.machine[v]].insert(old_position, v)
            self._link(self.machine[v])

    def solution(self) -> Solution:
        return Solution(tuple(self.alternative), tuple(self.heads))


def tabu_search(
    compiled: CompiledProblem,
    solution: Solution,
    seed: int,
    max_iterations: int,
    deadline: float | None = None,
    stop_at: int = 0,
    stop: threading.Event | None = None,
) -> Solution:
    """The best schedule found from ``solution`` in at most ``max_iterations`` moves (and
    before ``deadline``, a ``time.monotonic()`` value, and ``stop`` being set, if given);
    ``solution`` itself when nothing better turns up. Stops early at a makespan of
    ``stop_at`` (a lower bound)."""
    search = TabuSearch(compiled, solution, seed)
    return search.run(max_iterations, deadline, stop_at, stop)


class TabuSearch:
    """A tabu search that can be resumed: :meth:`run` continues where the last run
    stopped, so a caller can interleave it with other work; :meth:`restart` moves it to
    another schedule (a better one found elsewhere)."""

    def __init__(self, compiled: CompiledProblem, solution: Solution, seed: int) -> None:
        self.compiled = compiled
        self.rng = random.Random(seed)  # noqa: S311 - search, not security
        self.iterations = 0
        self.restart(solution)

    def restart(self, solution: Solution) -> None:
        self.graph: _Graph | None = _Graph(self.compiled, solution)
        if not self.graph.evaluate():
            self.graph = None
        self.best = solution
        self.best_makespan = max(
            solution.end(self.compiled, op) for op in range(len(self.compiled.operations))
        )
        self.tabu: dict[int, int] = {}
        self.since_best = 0

    def run(
        self,
        max_iterations: int,
        deadline: float | None = None,
        stop_at: int = 0,
        stop: threading.Event | None = None,
    ) -> Solution:
        """Up to ``max_iterations`` more moves; the best schedule seen since the last
        restart."""
        graph = self.graph
        if graph is None:
            return self.best
        rng, tabu = self.rng, self.tabu
        stall_limit = STALL_BASE + STALL_PER_OPERATION * graph.n
        for count in range(max_iterations):
            if self.best_makespan <= stop_at:
                break
            if count % TIME_CHECK_EVERY == 0:
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if stop is not None and stop.is_set():
                    break
            self.iterations += 1
            self.since_best += 1
            if self.since_best > stall_limit:
                # Lost: go back to the best schedule with a fresh tabu list (ties and
                # tenures are random, so the search takes another way from there).
                best, makespan = self.best, self.best_makespan
                self.restart(best)
                self.best_makespan = makespan
                graph = self.graph
                tabu = self.tabu
                if graph is None:
                    break
            iteration = self.iterations
            critical = graph.critical()
            candidates = _candidates(graph, critical, tabu, iteration, self.best_makespan, rng)
            if not candidates:
                tabu.clear()  # everything is tabu: forget and try again
                continue
            candidates.sort()
            for _, v, number, position in candidates[:MOVES_TRIED]:
                undo = graph.move(v, number, position)
                if graph.evaluate():
                    tenure = TENURE_MIN + rng.randrange(TENURE_SPREAD + len(critical) // 4)
                    tabu[v] = iteration + tenure
                    break
                graph.undo(v, undo)
            else:
                graph.evaluate()
                continue
            if graph.makespan < self.best_makespan:
                candidate = graph.solution()
                if _valid(self.compiled, candidate):
                    self.best_makespan = graph.makespan
                    self.best = candidate
                    self.since_best = 0
        return self.best


def _candidates(
    graph: _Graph,
    critical: list[int],
    tabu: dict[int, int],
    iteration: int,
    best_makespan: int,
    rng: random.Random,
) -> list[tuple[float, int, int, int]]:
    compiled = graph.compiled
    heads, tails, duration, machine = graph.heads, graph.tails, graph.duration, graph.machine
    lags = graph.lags
    found = []
    for v in critical:
        jp, js = graph.job_pred[v], graph.job_succ[v]
        own = machine[v]
        tabu_until = tabu.get(v, -1)
        for number, alternative in enumerate(compiled.operations[v].alternatives):
            k = alternative.resource
            p = alternative.duration
            ready = graph.release[v] if jp == NO_OPERATION else heads[jp] + duration[jp]
            if jp != NO_OPERATION:
                ready += lags[machine[jp]][k]
            rest = 0 if js == NO_OPERATION else lags[k][machine[js]] + duration[js] + tails[js]
            if not graph.unary[k]:
                value = ready + p + rest
                if k != own and (tabu_until < iteration or value < best_makespan):
                    found.append((value + rng.random(), v, number, 0))
                continue
            sequence = graph.sequences[k]
            if k == own:
                sequence = [x for x in sequence if x != v]
                seq_heads, seq_tails = _chain_without(graph, sequence)
            else:
                seq_heads = [heads[x] for x in sequence]
                seq_tails = [tails[x] for x in sequence]
            size = len(sequence)
            low, high = 0, size
            for i in range(size):
                x = sequence[i]
                ends_after = seq_heads[i] + duration[x] > ready
                weighs_more = duration[x] + seq_tails[i] > rest
                if weighs_more and not ends_after:
                    low = i + 1
                elif ends_after and not weighs_more and high == size:
                    high = i
            if low > high:
                continue
            old_position = graph.sequences[own].index(v) if k == own else -1
            for position in range(low, high + 1):
                if k == own and position == old_position:
                    continue  # where it is now
                before = sequence[position - 1] if position > 0 else NO_OPERATION
                start = ready
                if before != NO_OPERATION:
                    start = max(start, seq_heads[position - 1] + duration[before])
                after_tail = rest
                if position < size:
                    after_tail = max(after_tail, duration[sequence[position]] + seq_tails[position])
                value = start + p + after_tail
                if tabu_until >= iteration and value >= best_makespan:
                    continue
                found.append((value + rng.random(), v, number, position))
    return found


def _chain_without(graph: _Graph, sequence: list[int]) -> tuple[list[int], list[int]]:
    """Heads and tails along a resource sequence, recomputed along the sequence only."""
    heads, tails, duration, machine = graph.heads, graph.tails, graph.duration, graph.machine
    lags = graph.lags
    seq_heads = []
    previous_end = 0
    for x in sequence:
        jp = graph.job_pred[x]
        own = graph.release[x] if jp == NO_OPERATION else heads[jp] + duration[jp]
        if jp != NO_OPERATION:
            own += lags[machine[jp]][machine[x]]
        head = max(own, previous_end)
        seq_heads.append(head)
        previous_end = head + duration[x]
    seq_tails = [0] * len(sequence)
    following = 0
    for i in range(len(sequence) - 1, -1, -1):
        x = sequence[i]
        js = graph.job_succ[x]
        own = 0 if js == NO_OPERATION else lags[machine[x]][machine[js]] + duration[js] + tails[js]
        seq_tails[i] = max(own, following)
        following = seq_tails[i] + duration[x]
    return seq_heads, seq_tails


def _valid(compiled: CompiledProblem, solution: Solution) -> bool:
    """Job order with transport, releases and no overlap on unary resources."""
    by_resource: dict[int, list[tuple[int, int]]] = {}
    for job, chain in enumerate(compiled.job_operations):
        if solution.starts[chain[0]] < compiled.releases[job]:
            return False
        for before, after in pairwise(chain):
            lag = compiled.lags[solution.resource(compiled, before)][
                solution.resource(compiled, after)
            ]
            if solution.end(compiled, before) + lag > solution.starts[after]:
                return False
    for v in range(len(compiled.operations)):
        resource = solution.resource(compiled, v)
        if compiled.resources[resource].capacity == 1:
            by_resource.setdefault(resource, []).append(
                (solution.starts[v], solution.end(compiled, v))
            )
    for intervals in by_resource.values():
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            if start < end:
                return False
    return True
