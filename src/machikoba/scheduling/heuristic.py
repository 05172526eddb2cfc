"""Construction heuristic: Giffler–Thompson style dispatching with several priority rules.

Operations are placed one at a time. Among the operations whose predecessors are placed,
each is tried on every alternative at the earliest start its resource allows (filling
gaps left earlier, inside a working window, after its predecessor plus transport). The
earliest possible finish ``c`` defines the conflict set: the candidates that could start
before ``c``. A priority rule picks one operation from that set, which then takes its
earliest-finishing alternative. Each rule gives one schedule; random tie-breaking gives a
few more; the best by the (lexicographic) objective is the start of the exact search.
When weighted tardiness comes first, due-date rules join in (they also see the time the
candidate could start): earliest operation due date, weighted modified due date and
apparent tardiness cost (ATC) with several look-ahead parameters.
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections.abc import Callable

from .compiled import CompiledProblem, CompiledResource
from .solution import Solution, objective_values

Priority = Callable[[CompiledProblem, int, int, random.Random], float]
# Due-date rules also see the time the candidate could start ("now").
TimedPriority = Callable[[CompiledProblem, int, int, random.Random, int], float]


class Timeline:
    """The bookings of one resource, answering "earliest start of a task at or after t"."""

    def __init__(self, resource: CompiledResource) -> None:
        self.resource = resource
        self.starts: list[int] = []
        self.ends: list[int] = []

    def earliest_start(self, ready: int, duration: int) -> int | None:
        start = ready
        while True:
            inside = self._inside_window(start, duration)
            if inside is None:
                return None
            start = inside
            blocked_until = self._blocked_until(start, start + duration)
            if blocked_until is None:
                return start
            start = blocked_until

    def book(self, start: int, end: int) -> None:
        if self.resource.capacity == 1:
            position = bisect.bisect_left(self.starts, start)
            self.starts.insert(position, start)
            self.ends.insert(position, end)
        elif self.resource.capacity is not None:
            self.starts.append(start)
            self.ends.append(end)

    def _inside_window(self, start: int, duration: int) -> int | None:
        windows = self.resource.windows
        if windows is None:
            return start
        position = max(0, bisect.bisect_right(windows, (start, float("inf"))) - 1)
        for w_start, w_end in windows[position:]:
            candidate = max(start, w_start)
            if candidate + duration <= w_end:
                return candidate
        return None

    def _blocked_until(self, start: int, end: int) -> int | None:
        capacity = self.resource.capacity
        if capacity is None:
            return None
        if capacity == 1:
            # Bookings on a unary resource do not overlap, so their ends are sorted too.
            position = bisect.bisect_right(self.ends, start)
            if position < len(self.starts) and self.starts[position] < end:
                return self.ends[position]
            return None
        overlapping = [
            (s, e) for s, e in zip(self.starts, self.ends, strict=True) if s < end and e > start
        ]
        if _peak_usage(overlapping, start, end) < capacity:
            return None
        return min(e for _, e in overlapping)


def _peak_usage(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    events = sorted(
        [(max(s, start), 1) for s, _ in intervals] + [(min(e, end), -1) for _, e in intervals]
    )
    usage = peak = 0
    for _, delta in sorted(events, key=lambda event: (event[0], event[1])):
        usage += delta
        peak = max(peak, usage)
    return peak


def _most_work_remaining(
    compiled: CompiledProblem, job: int, position: int, _: random.Random
) -> float:
    operation = compiled.job_operations[job][position]
    return -(compiled.tails[operation] + compiled.operations[operation].min_duration)


def _most_operations_remaining(
    compiled: CompiledProblem, job: int, position: int, _: random.Random
) -> float:
    return -(len(compiled.job_operations[job]) - position)


def _least_slack(compiled: CompiledProblem, job: int, position: int, rng: random.Random) -> float:
    due = compiled.dues[job]
    remaining = -_most_work_remaining(compiled, job, position, rng)
    return (due if due is not None else compiled.safe_horizon) - remaining


def _shortest_operation(
    compiled: CompiledProblem, job: int, position: int, _: random.Random
) -> float:
    return compiled.operations[compiled.job_operations[job][position]].min_duration


def _fewest_alternatives(
    compiled: CompiledProblem, job: int, position: int, _: random.Random
) -> float:
    return len(compiled.operations[compiled.job_operations[job][position]].alternatives)


def _random(_: CompiledProblem, __: int, ___: int, rng: random.Random) -> float:
    return rng.random()


def _work_left(compiled: CompiledProblem, job: int, position: int) -> int:
    """The least processing time from the job's next operation to its end."""
    operation = compiled.job_operations[job][position]
    return compiled.tails[operation] + compiled.operations[operation].min_duration


def _operation_due(compiled: CompiledProblem, job: int, position: int) -> int:
    """When the job's next operation must end for the job to be on time."""
    due = compiled.dues[job]
    operation = compiled.job_operations[job][position]
    return (due if due is not None else compiled.safe_horizon) - compiled.tails[operation]


def _earliest_due_date(
    compiled: CompiledProblem, job: int, position: int, _: random.Random, __: int
) -> float:
    return _operation_due(compiled, job, position)


def _weighted_modified_due_date(
    compiled: CompiledProblem, job: int, position: int, _: random.Random, now: int
) -> float:
    """Modified operation due date ``max(d, now + p)`` per unit of weight (smallest first)."""
    weight = compiled.weights[job] if compiled.dues[job] is not None else 0
    duration = compiled.operations[compiled.job_operations[job][position]].min_duration
    value = max(_operation_due(compiled, job, position), now + duration) - now
    return value / weight if weight > 0 else math.inf


def _apparent_tardiness_cost(k: float) -> TimedPriority:
    """ATC (Vepsalainen and Morton): ``w / p * exp(-slack+ / (k * mean p))``, largest first,
    the slack counting the least work left in the job."""

    # The mean operation duration of the last problem seen (one entry: no problem is kept
    # alive for long; a tuple is replaced atomically, so threads may share it).
    last: list[tuple[CompiledProblem | None, float]] = [(None, 1.0)]

    def priority(
        compiled: CompiledProblem, job: int, position: int, _: random.Random, now: int
    ) -> float:
        due = compiled.dues[job]
        weight = compiled.weights[job] if due is not None else 0
        if due is None or weight <= 0:
            return 0.0
        cached = last[0]
        if cached[0] is not compiled:
            durations = [op.min_duration for op in compiled.operations]
            cached = last[0] = (compiled, max(1.0, sum(durations) / len(durations)))
        duration = max(1, compiled.operations[compiled.job_operations[job][position]].min_duration)
        slack = max(0, due - _work_left(compiled, job, position) - now)
        return -weight / duration * math.exp(-slack / (k * cached[1]))

    return priority


RULES: dict[str, Priority] = {
    "most_work_remaining": _most_work_remaining,
    "most_operations_remaining": _most_operations_remaining,
    "least_slack": _least_slack,
    "shortest_operation": _shortest_operation,
    "fewest_alternatives": _fewest_alternatives,
}


# For weighted tardiness: rules that look at due dates, weights and the current time.
DUE_DATE_RULES: dict[str, TimedPriority] = {
    "earliest_due_date": _earliest_due_date,
    "weighted_modified_due_date": _weighted_modified_due_date,
    **{f"apparent_tardiness_cost_{k}": _apparent_tardiness_cost(k) for k in (0.5, 1, 2, 4, 8)},
}


def dispatch(
    compiled: CompiledProblem,
    priority: Priority | None,
    rng: random.Random,
    noise: float = 0.0,
    timed: TimedPriority | None = None,
) -> Solution | None:
    """One schedule from one rule (``priority``, or ``timed`` for a rule that also sees the
    candidate's start); ``None`` if calendars leave an operation no room."""
    if timed is None:
        if priority is None:
            raise ValueError("dispatch needs a priority rule or a timed rule")
        rule = priority

        def rank(c: tuple[int, int, int, int]) -> float:
            return rule(compiled, c[0], next_position[c[0]], rng)
    else:
        timed_rule = timed

        def rank(c: tuple[int, int, int, int]) -> float:
            return timed_rule(compiled, c[0], next_position[c[0]], rng, c[2])

    timelines = [Timeline(resource) for resource in compiled.resources]
    count = len(compiled.operations)
    alternatives = [0] * count
    starts = [0] * count
    _book_frozen(compiled, timelines, alternatives, starts)
    next_position = [0] * len(compiled.job_operations)
    # Each job's best placement stays valid until its resource takes another booking
    # (bookings elsewhere only make other alternatives worse), so few are recomputed.
    candidates: dict[int, tuple[int, int, int]] = {}
    while len(candidates) or not all(
        next_position[job] == len(chain) for job, chain in enumerate(compiled.job_operations)
    ):
        for job, chain in enumerate(compiled.job_operations):
            if job in candidates or next_position[job] == len(chain):
                continue
            candidate = _best_placement(
                compiled, timelines, job, next_position[job], alternatives, starts
            )
            if candidate is None:
                return None
            candidates[job] = candidate
        earliest_finish = min(finish for _, _, finish in candidates.values())
        conflict = [
            (job, *candidate)
            for job, candidate in candidates.items()
            if candidate[1] < earliest_finish
        ] or [(job, *candidate) for job, candidate in candidates.items()]
        job, alternative, start, finish = min(
            conflict,
            key=lambda c: (
                rank(c) * (1 + noise * rng.random())
                if timed is not None
                else rank(c) + noise * rng.random(),
                c[3],
                c[0],
            ),
        )
        operation = compiled.job_operations[job][next_position[job]]
        resource = compiled.operations[operation].alternatives[alternative].resource
        if compiled.operations[operation].frozen_start is None:
            timelines[resource].book(start, finish)
        alternatives[operation] = alternative
        starts[operation] = start
        next_position[job] += 1
        del candidates[job]
        for other, (other_alternative, _, _) in list(candidates.items()):
            other_op = compiled.operations[compiled.job_operations[other][next_position[other]]]
            if other_op.alternatives[other_alternative].resource == resource:
                del candidates[other]
    return Solution(tuple(alternatives), tuple(starts))


def _book_frozen(
    compiled: CompiledProblem, timelines: list[Timeline], alternatives: list[int], starts: list[int]
) -> None:
    for op in compiled.operations:
        if op.frozen_alternative is None or op.frozen_start is None:
            continue
        alternative = op.alternatives[op.frozen_alternative]
        timelines[alternative.resource].book(
            op.frozen_start, op.frozen_start + alternative.duration
        )
        alternatives[op.index] = op.frozen_alternative
        starts[op.index] = op.frozen_start


def _best_placement(
    compiled: CompiledProblem,
    timelines: list[Timeline],
    job: int,
    position: int,
    alternatives: list[int],
    starts: list[int],
) -> tuple[int, int, int] | None:
    """(alternative, start, finish) with the earliest finish for the job's next operation."""
    operation = compiled.operations[compiled.job_operations[job][position]]
    previous = compiled.job_operations[job][position - 1] if position > 0 else None
    if operation.frozen_alternative is not None and operation.frozen_start is not None:
        alternative = operation.alternatives[operation.frozen_alternative]
        if _ready_time(compiled, job, previous, alternative.resource, alternatives, starts) > (
            operation.frozen_start
        ):
            return None  # the frozen start leaves its predecessor no room
        finish = operation.frozen_start + alternative.duration
        return operation.frozen_alternative, operation.frozen_start, finish
    best = None
    for number, alternative in enumerate(operation.alternatives):
        ready = _ready_time(compiled, job, previous, alternative.resource, alternatives, starts)
        start = timelines[alternative.resource].earliest_start(ready, alternative.duration)
        if start is None:
            continue
        key = (start + alternative.duration, alternative.duration, number)
        if best is None or key < best[0]:
            best = (key, number, start, start + alternative.duration)
    return None if best is None else best[1:]


def _ready_time(
    compiled: CompiledProblem,
    job: int,
    previous: int | None,
    resource: int,
    alternatives: list[int],
    starts: list[int],
) -> int:
    ready = compiled.releases[job]
    if previous is not None:
        previous_alternative = compiled.operations[previous].alternatives[alternatives[previous]]
        lag = compiled.lags[previous_alternative.resource][resource]
        ready = max(ready, starts[previous] + previous_alternative.duration + lag)
    return ready


def construct(
    compiled: CompiledProblem,
    objectives: tuple[str, ...],
    seed: int,
    time_budget: float,
    randomised_runs: int = 12,
) -> Solution | None:
    """The best schedule over every rule and a few noisy runs, within ``time_budget`` s.

    When weighted tardiness comes first, the due-date rules run too, and the noisy runs
    perturb whichever due-date rule did best (its priorities scaled by a random factor)."""
    deadline = time.monotonic() + time_budget
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    runs: list[tuple[Priority | None, float, TimedPriority | None]] = [
        (rule, 0.0, None) for rule in RULES.values()
    ]
    tardiness_first = objectives[0] == "tardiness" and any(due is not None for due in compiled.dues)
    if tardiness_first:
        runs += [(None, 0.0, rule) for rule in DUE_DATE_RULES.values()]
    runs += [(_random, 0.0, None)]
    if not tardiness_first:
        runs += [(RULES["most_work_remaining"], 0.3, None)] * randomised_runs
    best: tuple[tuple[int, ...], Solution] | None = None
    best_timed: tuple[tuple[int, ...], TimedPriority] | None = None
    for rule, noise, timed in runs:
        if best is not None and time.monotonic() > deadline:
            break
        scale = noise * max(1, max(op.min_duration for op in compiled.operations)) * 3
        solution = dispatch(compiled, rule, rng, scale, timed)
        if solution is None:
            continue
        score = objective_values(compiled, solution, objectives)
        if best is None or score < best[0]:
            best = (score, solution)
        if timed is not None and (best_timed is None or score < best_timed[0]):
            best_timed = (score, timed)
    if best_timed is not None:
        for run in range(randomised_runs):
            if time.monotonic() > deadline:
                break
            noise = 0.1 if run % 2 == 0 else 0.3
            solution = dispatch(compiled, None, rng, noise, best_timed[1])
            if solution is None:
                continue
            score = objective_values(compiled, solution, objectives)
            if best is None or score < best[0]:
                best = (score, solution)
    return None if best is None else best[1]


def compact(compiled: CompiledProblem, solution: Solution) -> Solution:
    """Shift every operation as early as its resource sequence and job allow.

    CP-SAT returns any start within an operation's slack; left-justified schedules make
    critical paths and time windows meaningful for the next neighbourhood, and never
    worsen makespan or tardiness. The order on each resource is kept (operations are
    re-placed in order of their current start); the input is returned if anything fails.
    """
    timelines = [Timeline(resource) for resource in compiled.resources]
    starts = list(solution.starts)
    alternatives = list(solution.alternatives)
    _book_frozen(compiled, timelines, alternatives, starts)
    sequence_end = [0] * len(timelines)  # keeps each unary resource's order unchanged
    for operation in sorted(range(len(starts)), key=lambda op: (solution.starts[op], op)):
        op = compiled.operations[operation]
        if op.frozen_start is not None:
            continue
        alternative = op.alternatives[alternatives[operation]]
        previous = compiled.predecessor(operation)
        ready = _ready_time(compiled, op.job, previous, alternative.resource, alternatives, starts)
        if compiled.resources[alternative.resource].capacity == 1:
            ready = max(ready, sequence_end[alternative.resource])
        start = timelines[alternative.resource].earliest_start(ready, alternative.duration)
        if start is None or start > solution.starts[operation]:
            return solution
        timelines[alternative.resource].book(start, start + alternative.duration)
        sequence_end[alternative.resource] = start + alternative.duration
        starts[operation] = start
    return Solution(solution.alternatives, tuple(starts))
