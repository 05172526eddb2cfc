"""A schedule in index form (chosen alternative and start per operation) and its objectives."""

from __future__ import annotations

from dataclasses import dataclass

from .compiled import CompiledProblem
from .model import Assignment


@dataclass(frozen=True)
class Solution:
    alternatives: tuple[int, ...]
    starts: tuple[int, ...]

    def end(self, compiled: CompiledProblem, operation: int) -> int:
        alternative = compiled.operations[operation].alternatives[self.alternatives[operation]]
        return self.starts[operation] + alternative.duration

    def resource(self, compiled: CompiledProblem, operation: int) -> int:
        return compiled.operations[operation].alternatives[self.alternatives[operation]].resource


def objective_value(compiled: CompiledProblem, solution: Solution, objective: str) -> int:
    if objective == "makespan":
        return max(solution.end(compiled, op) for op in range(len(compiled.operations)))
    if objective == "tardiness":
        return sum(
            compiled.weights[job] * max(0, solution.end(compiled, chain[-1]) - due)
            for job, (chain, due) in enumerate(
                zip(compiled.job_operations, compiled.dues, strict=True)
            )
            if due is not None
        )
    if objective == "cost":
        return sum(
            op.alternatives[solution.alternatives[op.index]].cost for op in compiled.operations
        )
    raise ValueError(objective)


def objective_values(
    compiled: CompiledProblem, solution: Solution, objectives: tuple[str, ...]
) -> tuple[int, ...]:
    return tuple(objective_value(compiled, solution, name) for name in objectives)


def to_assignments(compiled: CompiledProblem, solution: Solution) -> tuple[Assignment, ...]:
    assignments = []
    for op in compiled.operations:
        alternative = op.alternatives[solution.alternatives[op.index]]
        start = solution.starts[op.index]
        assignments.append(
            Assignment(
                job=compiled.problem.jobs[op.job].id,
                operation=op.position,
                resource=compiled.resources[alternative.resource].id,
                start=start,
                end=start + alternative.duration,
            )
        )
    return tuple(assignments)


def total_completion(compiled: CompiledProblem, solution: Solution) -> int:
    """The tie-breaker of large-neighbourhood search (see ``cpsat.build_model``)."""
    return sum(solution.end(compiled, chain[-1]) for chain in compiled.job_operations)
