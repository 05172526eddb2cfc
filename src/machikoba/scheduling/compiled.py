"""Input checks and the index-based form of a problem the heuristic and CP-SAT share.

``compile_problem`` rejects unusable input with a :class:`SchedulingInputError` that says
what is wrong and where, then turns ids into list indices, merges touching calendar
windows, drops alternatives that fit in no working window, and precomputes the bounds
the model tightens its variables with (the earliest start of each operation from its
job's release and the minimum durations before it, and the least work after it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SchedulingInputError
from .model import OBJECTIVES, Alternative, FrozenOperation, Problem, Window

MAX_TIME_VALUE = 10**9  # far beyond any plan in minutes (1,900 years); keeps sums in int64


@dataclass(frozen=True)
class CompiledAlternative:
    resource: int
    duration: int
    cost: int


@dataclass(frozen=True)
class CompiledOperation:
    index: int
    job: int
    position: int
    alternatives: tuple[CompiledAlternative, ...]
    frozen_alternative: int | None = None
    frozen_start: int | None = None

    @property
    def min_duration(self) -> int:
        return min(alternative.duration for alternative in self.alternatives)


@dataclass(frozen=True)
class CompiledResource:
    id: str
    capacity: int | None
    windows: tuple[Window, ...] | None

    @property
    def is_unary(self) -> bool:
        return self.capacity == 1


@dataclass(frozen=True)
class CompiledProblem:
    problem: Problem
    operations: tuple[CompiledOperation, ...]
    job_operations: tuple[tuple[int, ...], ...]
    resources: tuple[CompiledResource, ...]
    lags: tuple[tuple[int, ...], ...]
    has_lags: bool
    releases: tuple[int, ...]
    dues: tuple[int | None, ...]
    weights: tuple[int, ...]
    heads: tuple[int, ...]
    tails: tuple[int, ...]
    safe_horizon: int

    def predecessor(self, operation: int) -> int | None:
        op = self.operations[operation]
        return self.job_operations[op.job][op.position - 1] if op.position > 0 else None

    def successor(self, operation: int) -> int | None:
        op = self.operations[operation]
        chain = self.job_operations[op.job]
        return chain[op.position + 1] if op.position + 1 < len(chain) else None

    def last_operations(self) -> list[int]:
        return [chain[-1] for chain in self.job_operations]


def check_objectives(objective: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    names = (objective,) if isinstance(objective, str) else tuple(objective)
    if not names:
        raise SchedulingInputError("objective: give at least one of " + ", ".join(OBJECTIVES))
    for name in names:
        if name not in OBJECTIVES:
            raise SchedulingInputError(
                f"objective: unknown {name!r}; choose from " + ", ".join(OBJECTIVES)
            )
    if len(set(names)) != len(names):
        raise SchedulingInputError(f"objective: {list(names)} names an objective twice")
    return names


def check_size(problem: Problem, max_operations: int) -> None:
    """Refuse problems too big for an interactive solve (a guard for the web layer)."""
    count = problem.operation_count()
    if count > max_operations:
        raise SchedulingInputError(
            f"the problem has {count} operations; the limit is {max_operations}"
        )


def compile_problem(problem: Problem) -> CompiledProblem:
    resources, resource_index = _compile_resources(problem)
    _check_jobs(problem)
    frozen = _frozen_by_operation(problem)
    operations: list[CompiledOperation] = []
    job_operations: list[tuple[int, ...]] = []
    for job_number, job in enumerate(problem.jobs):
        chain = []
        for position, operation in enumerate(job.operations):
            where = f"job {job.id!r} operation {position}"
            alternatives = _compile_alternatives(operation.alternatives, resource_index, where)
            fitting = tuple(a for a in alternatives if _fits_some_window(resources[a.resource], a))
            if not fitting:
                raise SchedulingInputError(
                    f"{where}: no alternative fits in a working window of its resource "
                    "(an operation may not span non-working time)"
                )
            frozen_alternative, frozen_start = _compile_frozen(
                frozen.get((job.id, position)), fitting, resources, where
            )
            chain.append(len(operations))
            operations.append(
                CompiledOperation(
                    len(operations), job_number, position, fitting, frozen_alternative, frozen_start
                )
            )
        job_operations.append(tuple(chain))
    lags, has_lags = _compile_lags(problem, resource_index)
    compiled = CompiledProblem(
        problem=problem,
        operations=tuple(operations),
        job_operations=tuple(job_operations),
        resources=resources,
        lags=lags,
        has_lags=has_lags,
        releases=tuple(job.release for job in problem.jobs),
        dues=tuple(job.due for job in problem.jobs),
        weights=tuple(job.weight for job in problem.jobs),
        heads=(),
        tails=(),
        safe_horizon=0,
    )
    heads, tails = _heads_and_tails(compiled)
    return CompiledProblem(
        **{
            **compiled.__dict__,
            "heads": heads,
            "tails": tails,
            "safe_horizon": _safe_horizon(compiled),
        }
    )


def min_lag(compiled: CompiledProblem, before: int, after: int) -> int:
    """The least transport time between two consecutive operations over their choices."""
    if not compiled.has_lags:
        return 0
    return min(
        compiled.lags[a.resource][b.resource]
        for a in compiled.operations[before].alternatives
        for b in compiled.operations[after].alternatives
    )


def _check_time(value: object, what: str, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchedulingInputError(f"{what} must be an integer, not {value!r}")
    if not minimum <= value <= MAX_TIME_VALUE:
        raise SchedulingInputError(
            f"{what} is {value}; it must be in [{minimum}, {MAX_TIME_VALUE}]"
        )


def _compile_resources(problem: Problem) -> tuple[tuple[CompiledResource, ...], dict[str, int]]:
    if not problem.resources:
        raise SchedulingInputError("the problem has no resources")
    index: dict[str, int] = {}
    compiled: list[CompiledResource] = []
    for resource in problem.resources:
        if resource.id in index:
            raise SchedulingInputError(f"resource {resource.id!r} is listed twice")
        index[resource.id] = len(compiled)
        if resource.capacity is not None:
            _check_time(resource.capacity, f"resource {resource.id!r} capacity", minimum=1)
        windows = None
        if resource.windows is not None:
            windows = _merge_windows(resource.windows, f"resource {resource.id!r}")
        compiled.append(CompiledResource(resource.id, resource.capacity, windows))
    return tuple(compiled), index


def _merge_windows(windows: tuple[Window, ...], where: str) -> tuple[Window, ...]:
    for start, end in windows:
        _check_time(start, f"{where}: window start")
        _check_time(end, f"{where}: window end")
        if end <= start:
            raise SchedulingInputError(f"{where}: window [{start}, {end}) is empty or reversed")
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            # Touching or overlapping windows have no non-working time between them.
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        raise SchedulingInputError(f"{where}: the calendar has no working time")
    return tuple((start, end) for start, end in merged)


def _check_jobs(problem: Problem) -> None:
    if not problem.jobs:
        raise SchedulingInputError("the problem has no jobs")
    seen: set[str] = set()
    for job in problem.jobs:
        if job.id in seen:
            raise SchedulingInputError(f"job {job.id!r} is listed twice")
        seen.add(job.id)
        if not job.operations:
            raise SchedulingInputError(f"job {job.id!r} has no operations")
        _check_time(job.release, f"job {job.id!r} release")
        _check_time(job.weight, f"job {job.id!r} weight")
        if job.due is not None:
            _check_time(job.due, f"job {job.id!r} due date")
            if job.due < job.release:
                raise SchedulingInputError(
                    f"job {job.id!r}: due date {job.due} is before its release {job.release}"
                )


def _compile_alternatives(
    alternatives: tuple[Alternative, ...], resource_index: dict[str, int], where: str
) -> tuple[CompiledAlternative, ...]:
    if not alternatives:
        raise SchedulingInputError(f"{where} has no eligible resource")
    compiled = []
    for alternative in alternatives:
        if alternative.resource not in resource_index:
            raise SchedulingInputError(f"{where}: unknown resource {alternative.resource!r}")
        _check_time(alternative.duration, f"{where} duration on {alternative.resource!r}")
        _check_time(alternative.cost, f"{where} cost on {alternative.resource!r}")
        compiled.append(
            CompiledAlternative(
                resource_index[alternative.resource], alternative.duration, alternative.cost
            )
        )
    resources = [alternative.resource for alternative in compiled]
    if len(set(resources)) != len(resources):
        raise SchedulingInputError(f"{where} lists a resource twice among its alternatives")
    return tuple(compiled)


def _fits_some_window(resource: CompiledResource, alternative: CompiledAlternative) -> bool:
    if resource.windows is None:
        return True
    return any(end - start >= alternative.duration for start, end in resource.windows)


def fits_window(resource: CompiledResource, start: int, end: int) -> bool:
    if resource.windows is None:
        return True
    return any(w_start <= start and end <= w_end for w_start, w_end in resource.windows)


def _frozen_by_operation(problem: Problem) -> dict[tuple[str, int], FrozenOperation]:
    jobs = {job.id: job for job in problem.jobs}
    frozen: dict[tuple[str, int], FrozenOperation] = {}
    for entry in problem.frozen:
        if entry.job not in jobs:
            raise SchedulingInputError(f"frozen operation: unknown job {entry.job!r}")
        if not 0 <= entry.operation < len(jobs[entry.job].operations):
            raise SchedulingInputError(
                f"frozen operation: job {entry.job!r} has no operation {entry.operation}"
            )
        if (entry.job, entry.operation) in frozen:
            raise SchedulingInputError(
                f"frozen operation: job {entry.job!r} operation {entry.operation} frozen twice"
            )
        frozen[(entry.job, entry.operation)] = entry
    return frozen


def _compile_frozen(
    entry: FrozenOperation | None,
    alternatives: tuple[CompiledAlternative, ...],
    resources: tuple[CompiledResource, ...],
    where: str,
) -> tuple[int | None, int | None]:
    if entry is None:
        return None, None
    _check_time(entry.start, f"{where}: frozen start")
    for number, alternative in enumerate(alternatives):
        resource = resources[alternative.resource]
        if resource.id != entry.resource:
            continue
        if not fits_window(resource, entry.start, entry.start + alternative.duration):
            raise SchedulingInputError(
                f"{where}: frozen on {entry.resource!r} at {entry.start} lies outside its "
                "working windows"
            )
        return number, entry.start
    raise SchedulingInputError(
        f"{where}: frozen on {entry.resource!r}, which is not one of its usable alternatives"
    )


def _compile_lags(
    problem: Problem, resource_index: dict[str, int]
) -> tuple[tuple[tuple[int, ...], ...], bool]:
    transport = problem.transport
    _check_time(transport.default, "transport default time")
    for (source, target), value in transport.between.items():
        for resource in (source, target):
            if resource not in resource_index:
                raise SchedulingInputError(f"transport time: unknown resource {resource!r}")
        _check_time(value, f"transport time {source!r} → {target!r}")
    ids = [resource.id for resource in problem.resources]
    lags = tuple(tuple(transport.lag(source, target) for target in ids) for source in ids)
    return lags, any(any(row) for row in lags)


def _heads_and_tails(compiled: CompiledProblem) -> tuple[tuple[int, ...], tuple[int, ...]]:
    heads = [0] * len(compiled.operations)
    tails = [0] * len(compiled.operations)
    for job, chain in enumerate(compiled.job_operations):
        earliest = compiled.releases[job]
        for position, operation in enumerate(chain):
            if position > 0:
                before = chain[position - 1]
                earliest = heads[before] + compiled.operations[before].min_duration
                earliest += min_lag(compiled, before, operation)
            frozen_start = compiled.operations[operation].frozen_start
            heads[operation] = frozen_start if frozen_start is not None else earliest
        remaining = 0
        for position in range(len(chain) - 1, -1, -1):
            operation = chain[position]
            tails[operation] = remaining
            if position > 0:
                remaining += compiled.operations[operation].min_duration
                remaining += min_lag(compiled, chain[position - 1], operation)
    return tuple(heads), tuple(tails)


def _safe_horizon(compiled: CompiledProblem) -> int:
    """A time by which some optimal schedule of any objective has finished.

    In a left-justified schedule every start is a release, a window start, a frozen start
    or the end of an earlier operation plus a lag, so the latest of those plus every
    operation's longest duration and every largest lag bounds it.
    """
    anchors = [0, *compiled.releases]
    anchors += [op.frozen_start for op in compiled.operations if op.frozen_start is not None]
    for resource in compiled.resources:
        if resource.windows:
            anchors.append(resource.windows[-1][0])
    work = sum(max(a.duration for a in op.alternatives) for op in compiled.operations)
    largest_lag = max(max(row) for row in compiled.lags)
    return max(anchors) + work + largest_lag * len(compiled.operations)
