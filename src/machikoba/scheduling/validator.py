"""An independent check of a schedule against its problem.

This module reads only the public dataclasses of :mod:`.model` and re-derives every rule
from them, on purpose sharing no code with the model builder or the heuristic: a fault in
the solver's reading of the problem would otherwise be repeated here and go unnoticed.
The solve function runs it on every schedule it returns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .errors import InvalidScheduleError
from .model import Assignment, Job, Problem, Resource

OperationKey = tuple[str, int]


class Fault(str):
    """One broken rule: the message (for developers and logs), plus what a user interface
    needs to flag it: a ``kind``, the operations involved and the resource.

    Kinds: ``unknown``, ``twice``, ``unscheduled``, ``ineligible``, ``duration``,
    ``negative``, ``release``, ``precedence``, ``frozen``, ``overlap``, ``capacity``,
    ``calendar``.
    """

    kind: str
    operations: tuple[OperationKey, ...]
    resource: str | None

    def __new__(
        cls,
        message: str,
        kind: str,
        operations: tuple[OperationKey, ...] = (),
        resource: str | None = None,
    ) -> Fault:
        fault = super().__new__(cls, message)
        fault.kind, fault.operations, fault.resource = kind, operations, resource
        return fault


def check_schedule(problem: Problem, assignments: Iterable[Assignment]) -> None:
    faults = schedule_faults(problem, assignments)
    if faults:
        raise InvalidScheduleError(faults)


def schedule_faults(problem: Problem, assignments: Iterable[Assignment]) -> list[Fault]:
    """Every broken rule, one :class:`Fault` each; an empty list means the schedule is valid."""
    assignments = list(assignments)
    faults: list[Fault] = []
    by_operation = _each_operation_once(problem, assignments, faults)
    jobs = {job.id: job for job in problem.jobs}
    resources = {resource.id: resource for resource in problem.resources}
    for (job_id, position), assignment in by_operation.items():
        _check_alternative(jobs[job_id], position, assignment, faults)
    _check_job_order(problem, by_operation, faults)
    _check_frozen(problem, by_operation, faults)
    by_resource: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in by_operation.values():
        by_resource[assignment.resource].append(assignment)
    for resource_id, booked in by_resource.items():
        resource = resources.get(resource_id)
        if resource is None:
            continue  # reported as an ineligible resource already
        _check_capacity(resource, booked, faults)
        _check_calendar(resource, booked, faults)
    return faults


def objectives_of(problem: Problem, assignments: Iterable[Assignment]) -> dict[str, int]:
    """Makespan, weighted tardiness and cost of a (valid) schedule, computed from scratch."""
    assignments = list(assignments)
    ends = {(a.job, a.operation): a.end for a in assignments}
    tardiness = 0
    cost = 0
    for job in problem.jobs:
        if job.due is not None:
            tardiness += job.weight * max(0, ends[(job.id, len(job.operations) - 1)] - job.due)
    jobs = {job.id: job for job in problem.jobs}
    for assignment in assignments:
        job = jobs[assignment.job]
        for alternative in job.operations[assignment.operation].alternatives:
            if alternative.resource == assignment.resource:
                cost += alternative.cost
    return {
        "makespan": max(a.end for a in assignments),
        "tardiness": tardiness,
        "cost": cost,
    }


def _label(job_id: str, position: int) -> str:
    return f"job {job_id!r} operation {position}"


def _each_operation_once(
    problem: Problem, assignments: list[Assignment], faults: list[Fault]
) -> dict[tuple[str, int], Assignment]:
    expected = {(job.id, p) for job in problem.jobs for p in range(len(job.operations))}
    found: dict[tuple[str, int], Assignment] = {}
    for assignment in assignments:
        key = (assignment.job, assignment.operation)
        if key not in expected:
            faults.append(Fault(f"{_label(*key)} is not in the problem", "unknown", (key,)))
        elif key in found:
            faults.append(Fault(f"{_label(*key)} is scheduled more than once", "twice", (key,)))
        else:
            found[key] = assignment
    for key in sorted(expected - found.keys()):
        faults.append(Fault(f"{_label(*key)} is not scheduled", "unscheduled", (key,)))
    return found


def _check_alternative(
    job: Job, position: int, assignment: Assignment, faults: list[Fault]
) -> None:
    label = _label(job.id, position)
    options = {a.resource: a.duration for a in job.operations[position].alternatives}
    if assignment.resource not in options:
        faults.append(
            Fault(
                f"{label} is on {assignment.resource!r}, which is not eligible",
                "ineligible",
                ((job.id, position),),
                assignment.resource,
            )
        )
        return
    if assignment.end - assignment.start != options[assignment.resource]:
        faults.append(
            Fault(
                f"{label} lasts {assignment.end - assignment.start} on {assignment.resource!r}; "
                f"its duration there is {options[assignment.resource]}",
                "duration",
                ((job.id, position),),
                assignment.resource,
            )
        )
    if assignment.start < 0:
        faults.append(
            Fault(
                f"{label} starts at {assignment.start}, before time 0",
                "negative",
                ((job.id, position),),
                assignment.resource,
            )
        )


def _check_job_order(
    problem: Problem, by_operation: dict[tuple[str, int], Assignment], faults: list[Fault]
) -> None:
    transport = problem.transport
    for job in problem.jobs:
        first = by_operation.get((job.id, 0))
        if first is not None and first.start < job.release:
            faults.append(
                Fault(
                    f"{_label(job.id, 0)} starts at {first.start}, before the release "
                    f"{job.release}",
                    "release",
                    ((job.id, 0),),
                    first.resource,
                )
            )
        for position in range(1, len(job.operations)):
            before = by_operation.get((job.id, position - 1))
            after = by_operation.get((job.id, position))
            if before is None or after is None:
                continue
            lag = 0
            if before.resource != after.resource:
                lag = transport.between.get((before.resource, after.resource), transport.default)
            if after.start < before.end + lag:
                faults.append(
                    Fault(
                        f"{_label(job.id, position)} starts at {after.start}, before its "
                        f"predecessor ends ({before.end}) plus transport ({lag})",
                        "precedence",
                        ((job.id, position - 1), (job.id, position)),
                        after.resource,
                    )
                )


def _check_frozen(
    problem: Problem, by_operation: dict[tuple[str, int], Assignment], faults: list[Fault]
) -> None:
    for frozen in problem.frozen:
        assignment = by_operation.get((frozen.job, frozen.operation))
        if assignment is None:
            continue
        if (assignment.resource, assignment.start) != (frozen.resource, frozen.start):
            faults.append(
                Fault(
                    f"{_label(frozen.job, frozen.operation)} is frozen on {frozen.resource!r} "
                    f"at {frozen.start} but scheduled on {assignment.resource!r} at "
                    f"{assignment.start}",
                    "frozen",
                    ((frozen.job, frozen.operation),),
                    assignment.resource,
                )
            )


def _check_capacity(resource: Resource, booked: list[Assignment], faults: list[Fault]) -> None:
    if resource.capacity is None:
        return
    if resource.capacity == 1:
        ordered = sorted(booked, key=lambda a: (a.start, a.end))
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                if second.start >= first.end:
                    break
                if _overlap(first, second):
                    faults.append(
                        Fault(
                            f"{_label(first.job, first.operation)} and "
                            f"{_label(second.job, second.operation)} overlap on {resource.id!r}",
                            "overlap",
                            ((first.job, first.operation), (second.job, second.operation)),
                            resource.id,
                        )
                    )
        return
    # Ends sort before starts at the same instant: back-to-back work does not overlap.
    events = sorted(
        [(a.end, 0) for a in booked if a.end > a.start]
        + [(a.start, 1) for a in booked if a.end > a.start]
    )
    running = 0
    for time, is_start in events:
        running += 1 if is_start else -1
        if running > resource.capacity:
            faults.append(
                Fault(
                    f"{running} operations run at once on {resource.id!r} at {time}; "
                    f"its capacity is {resource.capacity}",
                    "capacity",
                    tuple((a.job, a.operation) for a in booked if a.start <= time < a.end),
                    resource.id,
                )
            )
            return


def _overlap(first: Assignment, second: Assignment) -> bool:
    return first.start < second.end and second.start < first.end


def _check_calendar(resource: Resource, booked: list[Assignment], faults: list[Fault]) -> None:
    if resource.windows is None:
        return
    windows = _joined(resource.windows)
    for assignment in booked:
        if not any(s <= assignment.start and assignment.end <= e for s, e in windows):
            faults.append(
                Fault(
                    f"{_label(assignment.job, assignment.operation)} on {resource.id!r} "
                    f"[{assignment.start}, {assignment.end}) is not inside one working window",
                    "calendar",
                    ((assignment.job, assignment.operation),),
                    resource.id,
                )
            )


def _joined(windows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Windows that touch are one stretch of working time."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined
