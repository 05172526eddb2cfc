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
would create a cycle is discarded). Along a sequence the ends never decrease and the
durations plus tails never increase, so ``R`` is a suffix and ``L`` a prefix of it and
both ends of the range of positions are found by bisection; the chain of ``v``'s own
resource is recomputed only from ``v`` to where its values stop changing. A position is
valued by the longest path through ``v`` after the move, ``max(end of job predecessor,
end of new resource predecessor) + p + max(tail via job successor, tail via new resource
successor)``, an estimate that needs no graph pass: as heads and tails can only shrink
when ``v`` leaves its place, it is never below the exact value, and it is exact for most
moves. Every critical operation is looked at in every iteration (all critical blocks,
every eligible resource), several hundred moves per iteration on 200 operations, of
which only the least-valued are kept. Each iteration applies the best-valued move that is
not tabu (or beats the best makespan: aspiration; ties are broken at random); a moved
operation stays put for a randomised tenure that grows with the number of critical
operations. The search moves even when every move is worse (that is what lets it leave
local optima). A walk that finds nothing better than its own best for a while ends; the
next one starts either from the best schedule with a fresh tabu list, shaken by a few
random moves (an iterated tabu search: going back unshaken mostly retraces the same walk
into the same basin), or, once several walks in a row have found no new overall best,
from a schedule on the path between two elite ones (path relinking, as in the tabu
search/path relinking of Peng, Lü and Cheng, 2015, for the job shop); which of the two
a walk starts with is drawn in proportion to how often recent walks of each kind found a
new overall best (relinking pays on instances where the search has settled, kicks while
it still improves from its best). The elite are the best schedules of past walks, kept
distinct; a path starts at one and moves operations, one at a time, to the resource and
the place among their neighbours they have in the other, and the next walk starts from
the best schedule between a quarter and three quarters of the way: it shares much with
both, so it is good, yet lies in neither's basin. It returns the best schedule it saw,
left-justified (every start is its head) and checked.

It handles releases, transport times and resources of unlimited capacity (no sequence),
not calendars, frozen operations or finite capacities above one: :func:`applicable` says
whether a problem qualifies. Runs are bounded by iterations and, optionally, wall time;
bounded by iterations only, they are deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import pairwise

from .compiled import CompiledProblem
from .solution import Solution, objective_value

NO_OPERATION = -1
TENURE_MIN = 4
TENURE_SPREAD = 8  # the tenure is drawn from [TENURE_MIN, TENURE_MIN + spread + n_crit / 4]
MOVES_TRIED = 6  # best-valued moves tried (a move may close a cycle) before giving up
TIME_CHECK_EVERY = 16  # iterations between wall-clock checks
STALL_BASE = 300  # moves without a new best of its own before a walk ends ...
STALL_PER_OPERATION = 1  # ... plus this many per operation
KICK_MOVES = 10  # random moves that shake the best schedule for the next walk
ELITE_SIZE = 10  # best schedules of past walks kept for path relinking
RELINK_AFTER = 3  # walks in a row without a new overall best before paths are tried
MEMORY = 0.9  # of a start's past walks, in its success rate (an exponential average)
PRIOR = {"kick": 1.0, "relink": 1.0}  # wins assumed per way of starting a walk
SHARE_MIN, SHARE_MAX = 0.1, 0.9  # of the walks that start on paths, once they are tried
PATH_FROM, PATH_TO = 0.25, 0.75  # the part of a path the next walk may start from


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
        self.position = [0] * n  # in its resource's sequence
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
        position = self.position
        for index, v in enumerate(sequence):
            position[v] = index
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

    def sequence_values(self) -> tuple[list[list[int]], list[list[int]]]:
        """Per unary resource, along its sequence: the end of each operation, and minus its
        duration plus tail (both never decrease along a sequence, so they bisect)."""
        heads, tails, duration = self.heads, self.tails, self.duration
        ends = []
        lightness = []
        for sequence in self.sequences:
            ends.append([heads[x] + duration[x] for x in sequence])
            lightness.append([-duration[x] - tails[x] for x in sequence])
        return ends, lightness

    def values_without(
        self, v: int, ends: list[int], lightness: list[int]
    ) -> tuple[list[int], list[int]]:
        """:meth:`sequence_values` of ``v``'s resource with ``v`` taken out: the heads after
        it and the tails before it are recomputed along the sequence (and their job
        links), up to where they no longer change."""
        heads, tails, duration, machine = self.heads, self.tails, self.duration, self.machine
        job_pred, job_succ, lags = self.job_pred, self.job_succ, self.lags
        sequence = self.sequences[machine[v]]
        position = self.position[v]
        ends = ends[:position] + ends[position + 1 :]
        lightness = lightness[:position] + lightness[position + 1 :]
        size = len(ends)
        previous_end = ends[position - 1] if position > 0 else 0
        for index in range(position, size):
            x = sequence[index + 1]
            jp = job_pred[x]
            if jp == NO_OPERATION:
                head = self.release[x]
            else:
                head = heads[jp] + duration[jp] + lags[machine[jp]][machine[x]]
            if previous_end > head:
                head = previous_end
            if head == heads[x]:
                break  # from here on nothing changes
            previous_end = head + duration[x]
            ends[index] = previous_end
        following = -lightness[position] if position < size else 0
        for index in range(position - 1, -1, -1):
            x = sequence[index]
            js = job_succ[x]
            tail = (
                0
                if js == NO_OPERATION
                else lags[machine[x]][machine[js]] + duration[js] + tails[js]
            )
            if following > tail:
                tail = following
            if tail == tails[x]:
                break
            following = duration[x] + tail
            lightness[index] = -following
        return ends, lightness

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


@dataclass(frozen=True)
class _Elite:
    makespan: int
    solution: Solution
    signature: tuple[tuple[int, ...], tuple[int, ...]]  # alternatives, resource predecessors


class TabuSearch:
    """A tabu search that can be resumed: :meth:`run` continues where the last run
    stopped, so a caller can interleave it with other work; :meth:`restart` moves it to
    another schedule (a better one found elsewhere)."""

    def __init__(self, compiled: CompiledProblem, solution: Solution, seed: int) -> None:
        self.compiled = compiled
        self.rng = random.Random(seed)  # noqa: S311 - search, not security
        self.iterations = 0
        self.relinks = 0
        self.elite: list[_Elite] = []
        # Per way of starting a walk: the new overall bests its walks found and the moves
        # they took (in walks of the stall length), both exponential averages.
        self.successes = {"kick": [0.0, 0.0], "relink": [0.0, 0.0]}
        self.walk_kind = "start"
        self.restart(solution)

    def restart(self, solution: Solution) -> None:
        """Continue from ``solution``, which becomes the best (the elite stay)."""
        self._start_walk(solution)
        self.best = solution
        self.best_makespan = objective_value(self.compiled, solution, "makespan")
        self.failed_walks = 0

    def _start_walk(self, solution: Solution) -> None:
        self.graph: _Graph | None = _Graph(self.compiled, solution)
        if not self.graph.evaluate():
            self.graph = None
        self.tabu: dict[int, int] = {}
        self.walk_best: Solution | None = None
        self.walk_makespan = math.inf
        self.since_walk_best = 0
        self.walk_won = False
        self.walk_started = self.iterations

    def _make_one(self, candidates: list[tuple[float, int, int, int]], critical: int) -> bool:
        """Make the best of ``candidates`` that closes no cycle and make it tabu."""
        graph = self.graph
        if graph is None:  # no walk in progress: nothing to move
            return False
        candidates.sort()
        for _, v, number, position in candidates[:MOVES_TRIED]:
            undo = graph.move(v, number, position)
            if graph.evaluate():
                tenure = TENURE_MIN + self.rng.randrange(TENURE_SPREAD + critical // 4)
                self.tabu[v] = self.iterations + tenure
                return True
            graph.undo(v, undo)
        return False

    def _next_walk(self, stall_limit: int) -> _Graph | None:
        """The walk has stalled: keep its best among the elite and start the next one."""
        self._remember(self.walk_best, self.walk_makespan)
        if self.walk_kind in self.successes:
            record = self.successes[self.walk_kind]
            record[0] = MEMORY * record[0] + self.walk_won
            record[1] = MEMORY * record[1] + (self.iterations - self.walk_started) / stall_limit
        self.failed_walks += 1
        if (
            self.failed_walks > RELINK_AFTER
            and len(self.elite) >= 2
            and self.rng.random() < self._relink_share()
        ):
            first, second = self.rng.sample(self.elite, 2)
            graph = self._relink(first, second)
            if graph is not None:
                self.relinks += 1
                self.walk_kind = "relink"
                return graph
        self.walk_kind = "kick"
        return self._kick()

    def _relink_share(self) -> float:
        """Paths for as many of the walks as their rate of new bests per move earns against
        kicks' (relinking pays once the walks from the best stop finding better, not
        while they still do). Both start from one win, so that neither is shut out."""
        kick, relink = (
            (wins + PRIOR[kind]) / (walks + 1) for kind, (wins, walks) in self.successes.items()
        )
        return min(SHARE_MAX, max(SHARE_MIN, relink / (kick + relink)))

    def _remember(self, solution: Solution | None, makespan: float) -> None:
        if solution is None:
            return
        graph = _Graph(self.compiled, solution)
        signature = (tuple(graph.alternative), tuple(graph.machine_pred))
        if any(elite.signature == signature for elite in self.elite):
            return
        if len(self.elite) >= ELITE_SIZE and makespan > self.elite[-1].makespan:
            return
        # Ahead of those as good as it: on a plateau the pool renews itself, the oldest
        # of the worst leaving first.
        place = bisect_left([elite.makespan for elite in self.elite], makespan)
        self.elite.insert(place, _Elite(int(makespan), solution, signature))
        del self.elite[ELITE_SIZE:]

    def _kick(self) -> _Graph | None:
        """Go back to the best schedule with a fresh tabu list and shake it with a few
        random moves of critical operations (the iterated tabu search), so the walk
        leaves the best schedule another way."""
        self._start_walk(self.best)
        graph = self.graph
        if graph is None:
            return None
        for _ in range(KICK_MOVES):
            moves = _candidates(graph, graph.critical(), {}, 0, 0, self.rng)
            if not moves:
                break
            _, v, number, position = self.rng.choice(moves)
            undo = graph.move(v, number, position)
            if not graph.evaluate():
                graph.undo(v, undo)
        return graph

    def _relink(self, first: _Elite, second: _Elite) -> _Graph | None:
        """Start the next walk on the path from ``first`` to ``second`` (None if they
        are too alike for a path)."""
        graph = _Graph(self.compiled, first.solution)
        guide = _Graph(self.compiled, second.solution)
        if not graph.evaluate():
            return None

        def differing() -> list[int]:
            return [
                v
                for v in range(graph.n)
                if graph.alternative[v] != guide.alternative[v]
                or graph.machine_pred[v] != guide.machine_pred[v]
            ]

        distance = len(differing())
        if distance < 4:
            return None
        steps, tries = 0, 0
        chosen, chosen_makespan = None, math.inf
        while steps < PATH_TO * distance and tries < 3 * distance:
            tries += 1
            apart = differing()
            if not apart:
                break
            v = self.rng.choice(apart)
            resource = guide.machine[v]
            # Right after the operations that come before it on that resource in the
            # guide (among those already there).
            position = 0
            for index, x in enumerate(y for y in graph.sequences[resource] if y != v):
                if guide.machine[x] == resource and guide.position[x] < guide.position[v]:
                    position = index + 1
            undo = graph.move(v, guide.alternative[v], position)
            if not graph.evaluate():
                graph.undo(v, undo)  # it would close a cycle: another operation
                continue
            steps += 1
            if steps >= PATH_FROM * distance and graph.makespan < chosen_makespan:
                chosen, chosen_makespan = graph.solution(), graph.makespan
        if chosen is None:
            return None
        self._start_walk(chosen)
        return self.graph

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
            self.since_walk_best += 1
            if self.since_walk_best > stall_limit:
                graph = self._next_walk(stall_limit)
                tabu = self.tabu
                if graph is None:
                    break
            iteration = self.iterations
            critical = graph.critical()
            # Almost always one of the least-valued moves can be made; only when each
            # of them would close a cycle are the others looked at.
            for only_best in (True, False):
                candidates = _candidates(
                    graph, critical, tabu, iteration, self.best_makespan, rng, only_best
                )
                moved = self._make_one(candidates, len(critical))
                if moved or not candidates:
                    break
            if not candidates:
                tabu.clear()  # everything is tabu: forget and try again
                continue
            if not moved:
                continue
            if graph.makespan < self.walk_makespan:
                self.walk_makespan = graph.makespan
                self.walk_best = graph.solution()
                self.since_walk_best = 0
                if graph.makespan < self.best_makespan and _valid(self.compiled, self.walk_best):
                    self.best_makespan = graph.makespan
                    self.best = self.walk_best
                    self.failed_walks = 0
                    self.walk_won = True
        return self.best


def _candidates(
    graph: _Graph,
    critical: list[int],
    tabu: dict[int, int],
    iteration: int,
    best_makespan: int,
    rng: random.Random,
    only_best: bool = False,
) -> list[tuple[float, int, int, int]]:
    """Every non-tabu move of a critical operation (or, with ``only_best``, those of the
    least value), valued by the longest path through it after the move, plus a random
    fraction that breaks ties."""
    operations = graph.compiled.operations
    heads, tails, duration, machine = graph.heads, graph.tails, graph.duration, graph.machine
    lags, unary = graph.lags, graph.unary
    job_pred, job_succ, release = graph.job_pred, graph.job_succ, graph.release
    ends, lightness = graph.sequence_values()
    random_ = rng.random
    found = []
    limit = math.inf  # the least value so far, with only_best
    for v in critical:
        jp, js = job_pred[v], job_succ[v]
        own = machine[v]
        is_tabu = tabu.get(v, -1) >= iteration
        for number, alternative in enumerate(operations[v].alternatives):
            k = alternative.resource
            p = alternative.duration
            if jp == NO_OPERATION:
                ready = release[v]
            else:
                ready = heads[jp] + duration[jp] + lags[machine[jp]][k]
            rest = 0 if js == NO_OPERATION else lags[k][machine[js]] + duration[js] + tails[js]
            if not unary[k]:
                value = ready + p + rest
                if k != own and value <= limit and (not is_tabu or value < best_makespan):
                    found.append((value + random_(), v, number, 0))
                    if only_best:
                        limit = value
                continue
            if ready + p + rest > limit:
                continue  # no position can do better
            old_position = -1
            if k == own:
                old_position = graph.position[v]
                seq_ends, seq_lightness = graph.values_without(v, ends[k], lightness[k])
            else:
                seq_ends, seq_lightness = ends[k], lightness[k]
            # Along a sequence, ends never decrease and duration plus tail never increases,
            # so the operations that end after ``ready`` are a suffix and those whose
            # duration plus tail exceed ``rest`` a prefix: the positions lie between them.
            after_ready = bisect_right(seq_ends, ready)
            heavier = bisect_left(seq_lightness, -rest)
            if after_ready < heavier:
                low, high = after_ready, heavier
            else:
                low, high = heavier, after_ready
            size = len(seq_ends)
            for position in range(low, high + 1):
                if position == old_position:
                    continue  # where it is now
                start = ready
                if position > 0 and seq_ends[position - 1] > start:
                    start = seq_ends[position - 1]
                after_tail = rest
                if position < size and -seq_lightness[position] > after_tail:
                    after_tail = -seq_lightness[position]
                value = start + p + after_tail
                if value > limit or (is_tabu and value >= best_makespan):
                    continue
                found.append((value + random_(), v, number, position))
                if only_best:
                    limit = value
    if only_best:
        found = [move for move in found if move[0] < limit + 1]
    return found


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
