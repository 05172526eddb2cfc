"""Cheap lower bounds, valid before any search, to report and to stop early at.

Makespan: no job finishes before its release plus its shortest total processing time;
and any set ``S`` of unary, calendar-free resources must process every operation that can
only run on ``S``, so the makespan is at least the least such work divided by ``|S|``
(taken for each operation's own resource set and for the set of all such resources).
Cost: each operation's cheapest alternative. Tardiness: zero (the search provides more).
"""

from __future__ import annotations

import math

from .compiled import CompiledProblem


def lower_bound(compiled: CompiledProblem, objective: str) -> int:
    if objective == "makespan":
        return max(_job_bound(compiled), _resource_set_bound(compiled))
    if objective == "cost":
        return sum(min(a.cost for a in op.alternatives) for op in compiled.operations)
    return 0


def _job_bound(compiled: CompiledProblem) -> int:
    return max(
        compiled.heads[chain[-1]] + compiled.operations[chain[-1]].min_duration
        for chain in compiled.job_operations
    )


def _resource_set_bound(compiled: CompiledProblem) -> int:
    simple = {
        number
        for number, resource in enumerate(compiled.resources)
        if resource.capacity == 1 and resource.windows is None
    }
    resource_sets = []
    for op in compiled.operations:
        resources = frozenset(a.resource for a in op.alternatives)
        resource_sets.append(resources if resources <= simple else None)
    candidates = {s for s in resource_sets if s is not None}
    if simple and all(s is not None for s in resource_sets):
        candidates.add(frozenset(simple))
    best = 0
    for candidate in candidates:
        work = sum(
            op.min_duration
            for op, resources in zip(compiled.operations, resource_sets, strict=True)
            if resources is not None and resources <= candidate
        )
        best = max(best, math.ceil(work / len(candidate)))
    return best
