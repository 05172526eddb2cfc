"""Neighbourhoods for large-neighbourhood search: which operations to free from the incumbent.

Each picks about ``target`` operations:

* ``jobs``: every operation of a few random jobs (re-route whole jobs);
* ``window``: operations that start close together in time (re-sequence a time slice);
* ``resources``: everything on a few random resources (re-balance machines);
* ``critical``: a stretch of a critical path (for makespan, the chain of operations and
  waits that ends at the makespan; for tardiness, the chain ending a late job), grown by
  the operations that share a resource with it. Only they can shorten the objective;
* ``late`` (weighted tardiness only): operations of late jobs that wait for their
  resource, each with a few of the operations it waits for (preferring those of jobs
  that are on time), so a late job can overtake work that has slack: those nearest in
  time to one drawn in proportion to its job's weighted tardiness.

Sizes adapt: each neighbourhood keeps a fraction of the operations to free, grown when
its sub-problems are solved to optimality within their limit (the neighbourhood was too
easy to move far) and shrunk when they are not. Which neighbourhood to try next is chosen
in proportion to its recent rate of improvement, with a floor so none starves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .compiled import CompiledProblem
from .solution import Solution

MIN_FRACTION = 0.02
MAX_FRACTION = 0.9


@dataclass
class Neighbourhood:
    name: str
    fraction: float
    score: float = 1.0
    tries: int = 0
    improvements: int = 0
    history: list[int] = field(default_factory=list)

    def target(self, operation_count: int) -> int:
        return max(2, min(operation_count, round(self.fraction * operation_count)))

    def learn(self, solved_fully: bool, improvement: float) -> None:
        self.tries += 1
        self.fraction *= 1.15 if solved_fully else 1 / 1.15
        self.fraction = min(MAX_FRACTION, max(MIN_FRACTION, self.fraction))
        if improvement > 0:
            self.improvements += 1
        # An exponential moving average of relative improvement, so the choice follows
        # whichever neighbourhood pays off at this stage of the search.
        self.score = 0.8 * self.score + 0.2 * min(1.0, 100 * improvement)


def initial_neighbourhoods(objective: str, operation_count: int) -> list[Neighbourhood]:
    # About a dozen freed operations first: sub-problems of that size solve in a blink.
    fraction = min(0.5, max(MIN_FRACTION, 12 / operation_count))
    names = ["jobs", "window", "resources"]
    if objective in ("makespan", "tardiness"):
        names.append("critical")
    if objective == "tardiness":
        names.append("late")
    return [Neighbourhood(name, fraction) for name in names]


def choose(neighbourhoods: list[Neighbourhood], rng: random.Random) -> Neighbourhood:
    weights = [0.1 + n.score for n in neighbourhoods]
    return rng.choices(neighbourhoods, weights=weights)[0]


def free_operations(
    name: str,
    compiled: CompiledProblem,
    incumbent: Solution,
    objective: str,
    target: int,
    rng: random.Random,
) -> set[int]:
    pickers = {
        "jobs": _free_jobs,
        "window": _free_window,
        "resources": _free_resources,
        "critical": _free_critical,
        "late": _free_late,
    }
    free = pickers[name](compiled, incumbent, objective, target, rng)
    frozen = {op.index for op in compiled.operations if op.frozen_start is not None}
    return free - frozen


def _free_jobs(
    compiled: CompiledProblem, _: Solution, __: str, target: int, rng: random.Random
) -> set[int]:
    jobs = list(range(len(compiled.job_operations)))
    rng.shuffle(jobs)
    free: set[int] = set()
    for job in jobs:
        if len(free) >= target:
            break
        free.update(compiled.job_operations[job])
    return free


def _free_window(
    compiled: CompiledProblem, incumbent: Solution, _: str, target: int, rng: random.Random
) -> set[int]:
    by_start = sorted(range(len(compiled.operations)), key=lambda op: incumbent.starts[op])
    first = rng.randrange(max(1, len(by_start) - target + 1))
    return set(by_start[first : first + target])


def _free_resources(
    compiled: CompiledProblem, incumbent: Solution, _: str, target: int, rng: random.Random
) -> set[int]:
    on_resource: dict[int, list[int]] = {}
    for op in range(len(compiled.operations)):
        on_resource.setdefault(incumbent.resource(compiled, op), []).append(op)
    resources = sorted(on_resource)
    rng.shuffle(resources)
    free: set[int] = set()
    for resource in resources:
        if len(free) >= target:
            break
        free.update(on_resource[resource])
    return free


def _free_critical(
    compiled: CompiledProblem,
    incumbent: Solution,
    objective: str,
    target: int,
    rng: random.Random,
) -> set[int]:
    path = _critical_path(compiled, incumbent, objective, rng)
    if not path:
        return _free_jobs(compiled, incumbent, objective, target, rng)
    if len(path) > target:
        # A contiguous stretch keeps the freed operations related to each other.
        first = rng.randrange(len(path) - target + 1)
        return set(path[first : first + target])
    free = set(path)
    neighbours = _resource_neighbours(compiled, incumbent, path)
    rng.shuffle(neighbours)
    for op in neighbours:
        if len(free) >= target:
            break
        free.add(op)
    return free


def _free_late(
    compiled: CompiledProblem,
    incumbent: Solution,
    objective: str,
    target: int,
    rng: random.Random,
) -> set[int]:
    lateness = _weighted_lateness(compiled, incumbent)
    waiting = [
        (op, ready)
        for job, value in enumerate(lateness)
        if value > 0
        for op in compiled.job_operations[job]
        if incumbent.starts[op] > (ready := _ready(compiled, incumbent, op))
    ]
    if not waiting:
        return _free_jobs(compiled, incumbent, objective, target, rng)
    weights = [lateness[compiled.operations[op].job] for op, _ in waiting]
    anchor = incumbent.starts[rng.choices(waiting, weights=weights)[0][0]]
    # The waiting operations closest in time to the anchor: a compact sub-problem.
    waiting.sort(key=lambda item: (abs(incumbent.starts[item[0]] - anchor), rng.random()))
    on_resource: dict[int, list[int]] = {}
    for op in range(len(compiled.operations)):
        on_resource.setdefault(incumbent.resource(compiled, op), []).append(op)
    free: set[int] = set()
    for op, ready in waiting:
        if len(free) >= target:
            break
        start = incumbent.starts[op]
        free.add(op)
        blocking = [
            other
            for other in on_resource[incumbent.resource(compiled, op)]
            if other not in free
            and incumbent.starts[other] < start
            and incumbent.end(compiled, other) > ready
        ]
        # The nearest ones before it, those of jobs that are on time first (they can
        # give way at no cost).
        blocking.sort(key=lambda other: -incumbent.starts[other])
        blocking = blocking[:6]
        blocking.sort(
            key=lambda other: (lateness[compiled.operations[other].job] > 0, rng.random())
        )
        free.update(blocking[: max(1, min(3, target - len(free)))])
    return free


def _ready(compiled: CompiledProblem, incumbent: Solution, op: int) -> int:
    """When ``op``'s job lets it start (release, or job predecessor's end plus transport)."""
    before = compiled.predecessor(op)
    if before is None:
        return compiled.releases[compiled.operations[op].job]
    lag = compiled.lags[incumbent.resource(compiled, before)][incumbent.resource(compiled, op)]
    return incumbent.end(compiled, before) + lag


def _weighted_lateness(compiled: CompiledProblem, incumbent: Solution) -> list[int]:
    """Per job, its weighted tardiness in the incumbent."""
    values = []
    for job, chain in enumerate(compiled.job_operations):
        due = compiled.dues[job]
        end = incumbent.end(compiled, chain[-1])
        values.append(0 if due is None else compiled.weights[job] * max(0, end - due))
    return values


def _critical_path(
    compiled: CompiledProblem, incumbent: Solution, objective: str, rng: random.Random
) -> list[int]:
    """Walk back from the operation that sets the objective along tight links."""
    ends = [incumbent.end(compiled, op) for op in range(len(compiled.operations))]
    lasts = compiled.last_operations()
    if objective == "tardiness":
        late = [
            (op, compiled.weights[job] * (ends[op] - due))
            for job, (op, due) in enumerate(zip(lasts, compiled.dues, strict=True))
            if due is not None and ends[op] > due and compiled.weights[job] > 0
        ]
        if not late:
            return []
        current = rng.choices([op for op, _ in late], weights=[w for _, w in late])[0]
    else:
        makespan = max(ends)
        current = rng.choice([op for op in lasts if ends[op] == makespan])
    finishing_at: dict[tuple[int, int], list[int]] = {}
    for op in range(len(compiled.operations)):
        finishing_at.setdefault((incumbent.resource(compiled, op), ends[op]), []).append(op)
    path = [current]
    seen = {current}
    while True:
        start = incumbent.starts[current]
        links = list(finishing_at.get((incumbent.resource(compiled, current), start), []))
        before = compiled.predecessor(current)
        if before is not None:
            lag = compiled.lags[incumbent.resource(compiled, before)][
                incumbent.resource(compiled, current)
            ]
            if ends[before] + lag == start:
                links.append(before)
        links = [op for op in links if op not in seen]  # zero-length operations could cycle
        if not links:
            break
        current = rng.choice(links)
        seen.add(current)
        path.append(current)
    path.reverse()
    return path


def _resource_neighbours(
    compiled: CompiledProblem, incumbent: Solution, path: list[int]
) -> list[int]:
    on_path = set(path)
    resources = {incumbent.resource(compiled, op) for op in path}
    lowest = min(incumbent.starts[op] for op in path)
    highest = max(incumbent.end(compiled, op) for op in path)
    return [
        op
        for op in range(len(compiled.operations))
        if op not in on_path
        and incumbent.resource(compiled, op) in resources
        and incumbent.starts[op] < highest
        and incumbent.end(compiled, op) > lowest
    ]
