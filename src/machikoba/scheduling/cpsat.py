"""The CP-SAT model of a compiled problem, whole or as a large-neighbourhood sub-problem.

Per operation: one start variable shared by an optional fixed-size interval per
alternative, with exactly one alternative present, and an end equal to the start plus the
chosen duration. Per resource: NoOverlap (capacity 1) or Cumulative (capacity k, or
unlimited capacity with a calendar), in which the non-working time is fixed intervals, so
an operation must lie inside one working window. Consecutive operations of a job are
ordered, with the transport time enforced by the pair of chosen resources. Start domains
are narrowed by the release plus the least work before the operation and the least work
after it; a redundant Cumulative over all unary resources without calendars (capacity =
their number) strengthens the load bound on makespan.

A sub-problem is the same model in which the operations outside the neighbourhood keep
their resource (a single, present interval) and their order on each unary resource, but
not their start times: they can still shift, and the freed operations can be inserted
anywhere. Every variable carries the incumbent as a hint.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ortools.sat.python import cp_model

from .compiled import CompiledProblem
from .solution import Solution


class _AlwaysTrue:
    """Stands for the alternative an operation is fixed to: no literal exists for it."""


_TRUE = _AlwaysTrue()

# What stands for "this operation runs on this alternative": a literal, _TRUE for the one
# alternative a fixed operation has, None for an alternative that was left out.
Presence = cp_model.IntVar | _AlwaysTrue | None


@dataclass
class SubProblem:
    """What to keep from the incumbent.

    Operations not in ``free`` keep their resource and their order on it; ``pinned`` ones
    keep their start too (the part of the schedule that is over before the freed
    operations begin: fixing it leaves CP-SAT a much smaller problem).
    """

    incumbent: Solution
    free: Collection[int]
    pinned: Collection[int] = ()


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    presences: list[list[Presence]]
    objective_terms: dict[str, cp_model.LinearExprT]

    def solution(self, solver: cp_model.CpSolver) -> Solution:
        alternatives = []
        for literals in self.presences:
            chosen = [
                number
                for number, literal in enumerate(literals)
                if literal is _TRUE
                or (isinstance(literal, cp_model.IntVar) and solver.boolean_value(literal))
            ]
            alternatives.append(chosen[0])
        starts = tuple(solver.value(start) for start in self.starts)
        return Solution(tuple(alternatives), starts)


def build_model(
    compiled: CompiledProblem,
    horizon: int,
    objective: str,
    stage_limits: Mapping[str, int],
    upper_bound: int | None = None,
    hint: Solution | None = None,
    sub_problem: SubProblem | None = None,
    redundant_load: bool = True,
    tie_break: Sequence[int] | None = None,
) -> BuiltModel:
    """``stage_limits`` caps objectives optimised in earlier lexicographic stages.

    With ``tie_break`` (a weight per job), among schedules of equal objective the one
    with the least weighted sum of job completion times is preferred (scaled so it never
    trades against the objective): while the objective sits on a plateau, this pulls
    work forward and so makes room for the next neighbourhood to improve it.
    """
    model = cp_model.CpModel()
    builder = _Builder(compiled, model, horizon, sub_problem)
    builder.add_operations()
    builder.add_precedences()
    builder.add_resources(redundant_load)
    if sub_problem is not None:
        builder.keep_order(sub_problem.incumbent)
    terms = builder.objective_terms(set(stage_limits) | {objective})
    for name, limit in stage_limits.items():
        model.add(terms[name] <= limit)
    if upper_bound is not None:
        model.add(terms[objective] <= upper_bound)
    if tie_break is not None:
        completions = [builder.ends[chain[-1]] for chain in compiled.job_operations]
        weight = sum(tie_break) * horizon + 1
        secondary = cp_model.LinearExpr.weighted_sum(completions, list(tie_break))
        model.minimize(cp_model.LinearExpr.weighted_sum([terms[objective], secondary], [weight, 1]))
    else:
        model.minimize(terms[objective])
    built = BuiltModel(model, builder.starts, builder.presences, terms)
    if hint is not None:
        builder.add_hint(hint)
    return built


class _Builder:
    def __init__(
        self,
        compiled: CompiledProblem,
        model: cp_model.CpModel,
        horizon: int,
        sub_problem: SubProblem | None,
    ) -> None:
        self.compiled = compiled
        self.model = model
        self.horizon = horizon
        self.sub_problem = sub_problem
        self.free = None if sub_problem is None else set(sub_problem.free)
        self.pinned = set() if sub_problem is None else set(sub_problem.pinned)
        self.starts: list[cp_model.IntVar] = []
        self.ends: list[cp_model.LinearExprT] = []
        self.presences: list[list[Presence]] = []
        self.intervals_by_resource: dict[int, list[cp_model.IntervalVar]] = {}
        self.hint_vars: list[tuple[cp_model.IntVar, int]] = []
        self.end_vars: list[tuple[int, cp_model.IntVar]] = []
        self.objective_vars: dict[str, cp_model.IntVar] = {}
        self.tardiness_vars: list[tuple[int, cp_model.IntVar]] = []

    def kept_alternative(self, operation: int) -> int | None:
        """The alternative an operation is fixed to: frozen, or kept by the sub-problem."""
        op = self.compiled.operations[operation]
        if op.frozen_alternative is not None:
            return op.frozen_alternative
        if self.sub_problem is not None and self.free is not None and operation not in self.free:
            return self.sub_problem.incumbent.alternatives[operation]
        return None

    def add_operations(self) -> None:
        for op in self.compiled.operations:
            kept = self.kept_alternative(op.index)
            candidates = (
                list(enumerate(op.alternatives))
                if kept is None
                else [(kept, op.alternatives[kept])]
            )
            shortest = min(alternative.duration for _, alternative in candidates)
            longest = max(alternative.duration for _, alternative in candidates)
            latest = self.horizon - self.compiled.tails[op.index] - shortest
            earliest = self.compiled.heads[op.index]
            if op.frozen_start is not None:
                earliest = latest = op.frozen_start
            elif self.sub_problem is not None and op.index in self.pinned:
                earliest = latest = self.sub_problem.incumbent.starts[op.index]
            start = self.model.new_int_var(earliest, max(earliest, latest), f"s{op.index}")
            self.starts.append(start)
            literals: list[Presence] = [None] * len(op.alternatives)
            if len(candidates) == 1:
                number, alternative = candidates[0]
                interval = self.model.new_fixed_size_interval_var(start, alternative.duration, "")
                self.intervals_by_resource.setdefault(alternative.resource, []).append(interval)
                self.ends.append(start + alternative.duration)
                literals[number] = _TRUE
            else:
                end = self.model.new_int_var(
                    earliest + shortest, max(earliest, latest) + longest, f"e{op.index}"
                )
                durations = []
                for number, alternative in candidates:
                    literal = self.model.new_bool_var(f"p{op.index}_{number}")
                    literals[number] = literal
                    interval = self.model.new_optional_fixed_size_interval_var(
                        start, alternative.duration, literal, ""
                    )
                    self.intervals_by_resource.setdefault(alternative.resource, []).append(interval)
                    durations.append(alternative.duration * literal)
                self.model.add_exactly_one(
                    lit for lit in literals if isinstance(lit, cp_model.IntVar)
                )
                self.model.add(end == start + sum(durations))
                self.ends.append(end)
                self.end_vars.append((op.index, end))
            self.presences.append(literals)

    def add_precedences(self) -> None:
        compiled = self.compiled
        for chain in compiled.job_operations:
            for before, after in pairwise(chain):
                self.model.add(self.starts[after] >= self.ends[before])
                if compiled.has_lags:
                    self._add_lags(before, after)

    def _add_lags(self, before: int, after: int) -> None:
        operations = self.compiled.operations
        for number_a, alternative_a in enumerate(operations[before].alternatives):
            literal_a = self.presences[before][number_a]
            if literal_a is None:
                continue
            for number_b, alternative_b in enumerate(operations[after].alternatives):
                literal_b = self.presences[after][number_b]
                lag = self.compiled.lags[alternative_a.resource][alternative_b.resource]
                if literal_b is None or lag == 0:
                    continue
                enforcement = [
                    lit for lit in (literal_a, literal_b) if isinstance(lit, cp_model.IntVar)
                ]
                constraint = self.model.add(self.starts[after] >= self.ends[before] + lag)
                if enforcement:
                    constraint.only_enforce_if(enforcement)

    def add_resources(self, redundant_load: bool) -> None:
        unary_without_calendar = []
        for number, resource in enumerate(self.compiled.resources):
            intervals = self.intervals_by_resource.get(number, [])
            if not intervals:
                continue
            breaks = self._breaks(resource.windows)
            if resource.capacity == 1:
                self.model.add_no_overlap(intervals + breaks)
                if not breaks:
                    unary_without_calendar.extend(intervals)
            elif resource.capacity is not None:
                capacity = resource.capacity
                demands = [1] * len(intervals) + [capacity] * len(breaks)
                self.model.add_cumulative(intervals + breaks, demands, capacity)
            elif breaks:
                # Unlimited capacity: only the calendar binds, so the breaks fill it up.
                capacity = len(intervals)
                demands = [1] * len(intervals) + [capacity] * len(breaks)
                self.model.add_cumulative(intervals + breaks, demands, capacity)
        unary_count = sum(
            1
            for number, resource in enumerate(self.compiled.resources)
            if resource.capacity == 1
            and resource.windows is None
            and number in self.intervals_by_resource
        )
        if redundant_load and self.free is None and unary_count > 1:
            self.model.add_cumulative(
                unary_without_calendar, [1] * len(unary_without_calendar), unary_count
            )

    def _breaks(self, windows: tuple[tuple[int, int], ...] | None) -> list[cp_model.IntervalVar]:
        if windows is None:
            return []
        gaps = []
        previous_end = 0
        for start, end in windows:
            if start > previous_end:
                gaps.append((previous_end, start))
            previous_end = end
        if previous_end < self.horizon:
            gaps.append((previous_end, self.horizon))
        return [
            self.model.new_fixed_size_interval_var(start, end - start, "break")
            for start, end in gaps
        ]

    def keep_order(self, incumbent: Solution) -> None:
        """Outside the neighbourhood, operations keep their sequence on unary resources."""
        sequences: dict[int, list[tuple[int, int]]] = {}
        free = self.free if self.free is not None else set()
        for op in self.compiled.operations:
            if op.index in free:
                continue
            resource = incumbent.resource(self.compiled, op.index)
            if self.compiled.resources[resource].capacity == 1:
                sequences.setdefault(resource, []).append((incumbent.starts[op.index], op.index))
        for sequence in sequences.values():
            sequence.sort()
            for (_, before), (_, after) in pairwise(sequence):
                if self.compiled.successor(before) != after:  # already a job precedence
                    self.model.add(self.starts[after] >= self.ends[before])

    def objective_terms(self, names: set[str]) -> dict[str, cp_model.LinearExprT]:
        terms: dict[str, cp_model.LinearExprT] = {}
        lasts = self.compiled.last_operations()
        if "makespan" in names:
            lower = max(
                self.compiled.heads[op] + self.compiled.operations[op].min_duration for op in lasts
            )
            makespan = self.model.new_int_var(lower, self.horizon, "makespan")
            self.model.add_max_equality(makespan, [self.ends[op] for op in lasts])
            terms["makespan"] = makespan
            self.objective_vars["makespan"] = makespan
        if "tardiness" in names:
            terms["tardiness"] = self._weighted_tardiness(lasts)
        if "cost" in names:
            terms["cost"] = self._cost()
        return terms

    def _cost(self) -> cp_model.LinearExprT:
        fixed = 0
        chosen = []
        for op in self.compiled.operations:
            for alternative, literal in zip(op.alternatives, self.presences[op.index], strict=True):
                if literal is _TRUE:
                    fixed += alternative.cost
                elif isinstance(literal, cp_model.IntVar) and alternative.cost:
                    chosen.append(alternative.cost * literal)
        return fixed + sum(chosen)

    def _weighted_tardiness(self, lasts: list[int]) -> cp_model.LinearExprT:
        parts = []
        for job, last in enumerate(lasts):
            due = self.compiled.dues[job]
            weight = self.compiled.weights[job]
            if due is None or weight == 0:
                continue
            tardiness = self.model.new_int_var(0, max(0, self.horizon - due), f"t{job}")
            self.model.add(tardiness >= self.ends[last] - due)
            parts.append(weight * tardiness)
            self.tardiness_vars.append((job, tardiness))
        return sum(parts)

    def add_hint(self, hint: Solution) -> None:
        """A complete hint (every variable), so CP-SAT can take it as its first solution."""
        for op in self.compiled.operations:
            self.model.add_hint(self.starts[op.index], hint.starts[op.index])
            for number, literal in enumerate(self.presences[op.index]):
                if isinstance(literal, cp_model.IntVar):
                    self.model.add_hint(literal, number == hint.alternatives[op.index])
        for operation, end in self.end_vars:
            self.model.add_hint(end, hint.end(self.compiled, operation))
        lasts = self.compiled.last_operations()
        if "makespan" in self.objective_vars:
            makespan = max(hint.end(self.compiled, op) for op in lasts)
            self.model.add_hint(self.objective_vars["makespan"], makespan)
        for job, tardiness in self.tardiness_vars:
            due = self.compiled.dues[job]
            if due is None:  # tardiness variables exist only for jobs with a due date
                continue
            late = hint.end(self.compiled, lasts[job]) - due
            self.model.add_hint(tardiness, max(0, late))
