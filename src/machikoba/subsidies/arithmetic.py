"""The subsidy's arithmetic (補助金額の計算), in integer yen, exact, with no Django and no
floating point. Nothing else in the project computes a subsidy: the applicant's live
breakdown, the officer's selection within budget, the 交付決定 and the 額の確定 all call
these two functions.

- ``subsidy_amount``: the stage's rate applied to the eligible cost, limited by the stage's
  cap and rounded down to the stage's rounding unit (¥1,000 by default).
- ``breakdown``: the category rules applied to the expense lines first (unknown categories
  excluded, per-category yen ceilings, share caps such as 外注費 ≤ 1/2 of the eligible total,
  quotes counted), then ``subsidy_amount`` on the eligible total.

All amounts are tax-exclusive yen (税抜). Every input is checked and refused with
``ValueError``: callers (forms, services) validate first and show their own message; a
wrong value reaching this module is a bug, not a user error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

# --- checks shared by the functions and the rule types ---------------------------------


def _is_int(value: object) -> bool:
    # bool is an int subclass; True is not ¥1.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_positive_int(value: int, name: str) -> None:
    if not _is_int(value):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")


def _check_non_negative_int(value: int, name: str) -> None:
    if not _is_int(value):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


def _check_share(value: Fraction, name: str) -> None:
    """A rate or a share: a ``Fraction`` with 0 < value <= 1.

    Only ``Fraction`` is accepted. A float (0.75) cannot hold 2/3 exactly; a bool, an int
    or a Decimal is refused too, so that a rate read from data is always a Fraction and
    100% is spelled ``Fraction(1)``.
    """
    if not isinstance(value, Fraction):
        raise ValueError(f"{name} must be a fractions.Fraction, got {type(value).__name__}")
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be > 0 and <= 1, got {value}")


def _floor_to(value: Fraction, step: int) -> int:
    """The largest multiple of ``step`` that is <= ``value`` (exact: Fraction floor)."""
    return math.floor(value / step) * step


# --- the one subsidy formula -----------------------------------------------------------


def _exact_subsidy(eligible_cost: int, rate: Fraction) -> Fraction:
    return eligible_cost * rate


def subsidy_amount(eligible_cost: int, *, rate: Fraction, cap: int, rounding: int = 1000) -> int:
    """The subsidy in yen: ``min(cap, eligible_cost × rate)`` rounded down to a multiple of
    ``rounding``.

    The minimum is taken before rounding, so the result is always a multiple of
    ``rounding`` and never above the cap: with a cap of ¥500,500 and ¥1,000 rounding the
    most a stage pays is ¥500,000; a cap smaller than ``rounding`` pays ¥0.

    Exact: ¥1,500,000 at 2/3 is ¥1,000,000 (a float product would give 999,999.99… and
    round down to ¥999,000).

    Raises ValueError for an eligible cost, cap or rounding that is not an int > 0, and for
    a rate that is not a ``Fraction`` with 0 < rate <= 1 (float, bool, int and Decimal
    rates are refused).
    """
    _check_positive_int(eligible_cost, "eligible_cost")
    _check_share(rate, "rate")
    _check_positive_int(cap, "cap")
    _check_positive_int(rounding, "rounding")
    return _floor_to(min(Fraction(cap), _exact_subsidy(eligible_cost, rate)), rounding)


# --- the rules a call's stage holds as data --------------------------------------------


@dataclass(frozen=True)
class CategoryRule:
    """An eligible expense category of a stage (機械装置・システム構築費, 外注費 …).

    ``max_share``: the category may be at most this share of the eligible total of the
    project, itself included (外注費 ≤ 1/2). ``max_amount``: an absolute yen ceiling for
    the category. ``quotes_required``: quotes needed per line (2 = 相見積); counted and
    reported, never deducted from the money.
    """

    code: str
    name: str  # display name, already translated by the caller
    max_share: Fraction | None = None
    quotes_required: int = 0
    max_amount: int | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a category needs a code")
        if self.max_share is not None:
            _check_share(self.max_share, "max_share")
        _check_non_negative_int(self.quotes_required, "quotes_required")
        if self.max_amount is not None:
            _check_positive_int(self.max_amount, "max_amount")


@dataclass(frozen=True)
class StageRule:
    """A stage's money rules: the rate, the cap, the minimum eligible project cost."""

    rate: Fraction
    cap: int
    min_project_cost: int = 0
    rounding: int = 1000

    def __post_init__(self) -> None:
        _check_share(self.rate, "rate")
        _check_positive_int(self.cap, "cap")
        _check_non_negative_int(self.min_project_cost, "min_project_cost")
        _check_positive_int(self.rounding, "rounding")


@dataclass(frozen=True)
class ExpenseInput:
    """One expense line as the applicant typed it (tax-exclusive yen)."""

    category: str  # a CategoryRule.code; any other code is ineligible
    amount: int
    quotes: int = 0  # quotes attached to this line

    def __post_init__(self) -> None:
        _check_positive_int(self.amount, "amount")
        _check_non_negative_int(self.quotes, "quotes")


# --- what the applicant sees -----------------------------------------------------------


class Reduction(StrEnum):
    """Why a category's eligible amount is below what was claimed."""

    SHARE_CAP = "share_cap"  # over its share of the eligible total
    AMOUNT_CAP = "amount_cap"  # over the category's yen ceiling


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    claimed: int
    eligible: int
    reduction: Reduction | None
    # floor(max_share × total_eligible): the most this category may be, for display;
    # None for a category without a share cap.
    share_limit: int | None

    @property
    def reduced_by(self) -> int:
        return self.claimed - self.eligible


@dataclass(frozen=True)
class IneligibleLine:
    index: int  # position in the ``lines`` passed to ``breakdown``
    category: str
    amount: int


@dataclass(frozen=True)
class MissingQuotes:
    index: int  # position in the ``lines`` passed to ``breakdown``
    category: str
    required: int
    attached: int


@dataclass(frozen=True)
class Breakdown:
    rows: tuple[CategoryRow, ...]  # categories with at least one line, in rule order
    ineligible: tuple[IneligibleLine, ...]
    missing_quotes: tuple[MissingQuotes, ...]
    total_claimed: int  # every line, ineligible ones included
    total_eligible: int
    below_minimum: bool  # total_eligible < the stage's min_project_cost
    subsidy: int
    capped_by_stage: bool  # total_eligible × rate exceeds the stage's cap


# --- the share caps: a fixed point ------------------------------------------------------


def _share_capped_total(*, uncapped_total: int, capped: Sequence[tuple[int, Fraction]]) -> int:
    """The eligible total T when some categories may be at most a share of T itself.

    ``uncapped_total`` is U, the eligible sum of the categories without a share cap;
    ``capped`` holds (a_i, s_i): a share-capped category's amount after its yen ceiling and
    its share. T must satisfy

        T = G(T),  G(T) = U + Σ min(a_i, ⌊s_i·T⌋)

    and we want the greatest such T (each category then gets as much as the rules allow:
    any integer allocation e with e_i <= a_i and e_i <= s_i·Σe has Σe <= that T).

    Termination and correctness. G is non-decreasing in T. Start at T_0 = U + Σ a_i, the
    total with no share cap; G(T_0) <= T_0. Each step sets
    T_{k+1} = min(G(T_k), ⌊B_k⌋), where B_k is a bound derived from the categories binding
    at T_k (set K, shares summing to S_K < 1): since min(a_i, ⌊s_i·T⌋) <= s_i·T for i in K
    and <= a_i otherwise, every fixed point satisfies T <= U + Σ_{i∉K} a_i + S_K·T, i.e.
    T <= B_k = (U + Σ_{i∉K} a_i) / (1 − S_K): the exact solution of the linear equation,
    which is the answer itself when no floor and no change of binding set intervenes.
    Invariants: (1) every fixed point T* is <= T_k (T* = G(T*) <= G(T_k) by monotony and
    T* <= B_k, an integer <= ⌊B_k⌋); (2) G(T_k) <= T_k (for T_k = G(T_{k−1}) by monotony;
    for T_k = ⌊B⌋ because G(⌊B⌋) <= U + Σ_{i∉K} a_i + S_K·⌊B⌋ = ⌊B⌋ + (1 − S_K)(B − ⌊B⌋)
    < ⌊B⌋ + 1 and G is an integer). So the sequence is a non-increasing sequence of
    integers, strictly decreasing until G(T_k) = T_k, bounded below by the greatest fixed
    point (which exists: G maps [0, T_0] into itself). It therefore stops, at the greatest
    fixed point. The bound is only a shortcut: plain iteration T_{k+1} = G(T_k) reaches the
    same point, but slowly when the binding shares add up to nearly 1; with the bound the
    remaining steps only absorb the floors.
    """
    total = uncapped_total + sum(amount for amount, _share in capped)
    while True:
        limits = [min(a, math.floor(s * total)) for a, s in capped]
        next_total = uncapped_total + sum(limits)
        if next_total == total:
            return total
        # The categories held below their amount by their share at this total.
        binding_share = Fraction(0)
        not_binding = uncapped_total
        for (a, s), limit in zip(capped, limits, strict=True):
            if limit < a:
                binding_share += s
            else:
                not_binding += a
        if binding_share < 1:
            next_total = min(next_total, math.floor(not_binding / (1 - binding_share)))
        total = next_total


# --- the breakdown -----------------------------------------------------------------------


def breakdown(
    lines: Sequence[ExpenseInput],
    *,
    categories: Sequence[CategoryRule],
    stage: StageRule,
) -> Breakdown:
    """Apply the stage's category rules to the expense lines, then ``subsidy_amount``.

    - A line whose category is not among ``categories`` is ineligible: listed, counted in
      ``total_claimed``, excluded from the eligible total.
    - A category's claim is first limited by its ``max_amount``, then, if it has a
      ``max_share``, to ⌊max_share × total_eligible⌋, the total including the category
      itself (solved exactly, see ``_share_capped_total``). Several share-capped categories
      are solved together.
    - Lines with fewer quotes than their category requires are reported, not deducted.
    - ``subsidy`` is ``subsidy_amount(total_eligible, …)`` with the stage's rate, cap and
      rounding; it is 0 when nothing is eligible or when the eligible total is below the
      stage's minimum project cost (``below_minimum``); ``capped_by_stage`` is then False.

    Raises ValueError for two categories with the same code (a bad line or rule cannot be
    built: the dataclasses check themselves).
    """
    rules: dict[str, CategoryRule] = {}
    for rule in categories:
        if rule.code in rules:
            raise ValueError(f"category code {rule.code!r} appears twice")
        rules[rule.code] = rule

    claimed: dict[str, int] = {}
    ineligible: list[IneligibleLine] = []
    missing_quotes: list[MissingQuotes] = []
    for index, line in enumerate(lines):
        line_rule = rules.get(line.category)
        if line_rule is None:
            ineligible.append(IneligibleLine(index, line.category, line.amount))
            continue
        claimed[line.category] = claimed.get(line.category, 0) + line.amount
        if line.quotes < line_rule.quotes_required:
            missing_quotes.append(
                MissingQuotes(index, line.category, line_rule.quotes_required, line.quotes)
            )

    used = [rule for rule in categories if rule.code in claimed]
    # After the yen ceiling, before the share cap.
    ceiled = {
        rule.code: min(claimed[rule.code], rule.max_amount)
        if rule.max_amount is not None
        else claimed[rule.code]
        for rule in used
    }
    total_eligible = _share_capped_total(
        uncapped_total=sum(ceiled[rule.code] for rule in used if rule.max_share is None),
        capped=[(ceiled[rule.code], rule.max_share) for rule in used if rule.max_share is not None],
    )

    rows: list[CategoryRow] = []
    for rule in used:
        share_limit = (
            math.floor(rule.max_share * total_eligible) if rule.max_share is not None else None
        )
        eligible = ceiled[rule.code] if share_limit is None else min(ceiled[rule.code], share_limit)
        if eligible < ceiled[rule.code]:
            reduction: Reduction | None = Reduction.SHARE_CAP
        elif eligible < claimed[rule.code]:
            reduction = Reduction.AMOUNT_CAP
        else:
            reduction = None
        rows.append(
            CategoryRow(
                code=rule.code,
                name=rule.name,
                claimed=claimed[rule.code],
                eligible=eligible,
                reduction=reduction,
                share_limit=share_limit,
            )
        )

    below_minimum = total_eligible < stage.min_project_cost
    if total_eligible == 0 or below_minimum:
        subsidy, capped_by_stage = 0, False
    else:
        subsidy = subsidy_amount(
            total_eligible, rate=stage.rate, cap=stage.cap, rounding=stage.rounding
        )
        capped_by_stage = _exact_subsidy(total_eligible, stage.rate) > stage.cap

    return Breakdown(
        rows=tuple(rows),
        ineligible=tuple(ineligible),
        missing_quotes=tuple(missing_quotes),
        total_claimed=sum(line.amount for line in lines),
        total_eligible=total_eligible,
        below_minimum=below_minimum,
        subsidy=subsidy,
        capped_by_stage=capped_by_stage,
    )
