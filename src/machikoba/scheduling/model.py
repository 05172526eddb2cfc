"""The scheduling problem and its answer, as plain immutable dataclasses.

A problem is a flexible job shop: each job is a chain of operations, and each operation
can be done on one of several alternative resources (a machine in the shop, or a partner
shop), each alternative with its own duration and cost. Time is an integer: minutes from
the planning origin in the product, abstract units in the academic benchmarks.

Rules the engine enforces (and the validator checks independently):

* an operation runs once, on one of its alternatives, for exactly that alternative's
  duration, without interruption;
* operations of a job run in order; when two consecutive operations are on different
  resources, the transport time between those resources must pass in between;
* the first operation of a job starts no earlier than the job's release time;
* a resource of capacity 1 runs one operation at a time; capacity ``k`` allows ``k`` at
  once; capacity ``None`` is unlimited (a partner shop that takes any amount of work);
* a resource with a calendar only works inside its working windows, and an operation
  must lie inside a single window: it may not span a break, a night or a holiday. An
  alternative longer than every window of its resource can therefore never be used; the
  engine drops it, and an operation left without alternatives is an input error;
* frozen operations (already started when re-planning) keep their resource and start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

ResourceId = str
JobId = str
Window = tuple[int, int]

OBJECTIVES = ("makespan", "tardiness", "cost")


@dataclass(frozen=True)
class Alternative:
    """One way to do an operation: on ``resource`` for ``duration`` time units."""

    resource: ResourceId
    duration: int
    cost: int = 0


@dataclass(frozen=True)
class Operation:
    alternatives: tuple[Alternative, ...]
    name: str = ""


@dataclass(frozen=True)
class Job:
    """A chain of operations done in order.

    ``due`` is optional; weighted tardiness counts ``weight * max(0, completion - due)``.
    """

    id: JobId
    operations: tuple[Operation, ...]
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Resource:
    """A machine or a partner shop.

    ``windows`` are the half-open working intervals ``[start, end)``; ``None`` means the
    resource is always available. Build them with :mod:`machikoba.scheduling.calendars`.
    """

    id: ResourceId
    capacity: int | None = 1
    windows: tuple[Window, ...] | None = None


@dataclass(frozen=True)
class FrozenOperation:
    """An operation already under way: it stays on ``resource`` starting at ``start``.

    ``operation`` is the 0-based position of the operation in its job.
    """

    job: JobId
    operation: int
    resource: ResourceId
    start: int


@dataclass(frozen=True)
class TransportTimes:
    """Time to move work between two different resources.

    ``between`` holds directed pairs ``(from, to)``; other pairs of different resources
    take ``default``. Consecutive operations on the same resource need no transport.
    """

    default: int = 0
    between: Mapping[tuple[ResourceId, ResourceId], int] = field(default_factory=dict)

    def lag(self, source: ResourceId, target: ResourceId) -> int:
        if source == target:
            return 0
        return self.between.get((source, target), self.default)


@dataclass(frozen=True)
class Problem:
    jobs: tuple[Job, ...]
    resources: tuple[Resource, ...]
    transport: TransportTimes = field(default_factory=TransportTimes)
    frozen: tuple[FrozenOperation, ...] = ()
    name: str = ""

    def operation_count(self) -> int:
        return sum(len(job.operations) for job in self.jobs)


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Assignment:
    job: JobId
    operation: int
    resource: ResourceId
    start: int
    end: int


@dataclass(frozen=True)
class Progress:
    """A snapshot for a progress bar: the best objective so far and the proven bound.

    For a lexicographic objective, ``objective`` and ``bound`` are those of the stage
    being optimised (``stage`` is its name).
    """

    objective: int | None
    bound: int | None
    elapsed: float
    stage: str
    improved: bool


@dataclass(frozen=True)
class SolveResult:
    status: Status
    assignments: tuple[Assignment, ...]
    objectives: Mapping[str, int]
    lower_bound: int | None
    seconds: float
    statistics: Mapping[str, int | float | str] = field(default_factory=dict)

    @property
    def makespan(self) -> int | None:
        if not self.assignments:
            return None
        return max(assignment.end for assignment in self.assignments)
