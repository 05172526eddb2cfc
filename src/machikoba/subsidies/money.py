"""The bridge between the stored rules and the pure arithmetic: a stage's rows become
``arithmetic.StageRule`` and ``CategoryRule``s, an application's expense lines (or a
実績報告's actual expenses) become ``ExpenseInput``s, and ``arithmetic.breakdown`` does the
rest. Every amount the subsidy process shows or fixes comes through here.

These are trusted reads: the caller has read the application or report through the access
layer."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from django.db.models import Count, Q

from machikoba.subsidies.arithmetic import (
    Breakdown,
    CategoryRule,
    ExpenseInput,
    StageRule,
    breakdown,
)
from machikoba.subsidies.choices import DocumentKind
from machikoba.subsidies.models import Application, ExpenseCategory, Stage
from machikoba.subsidies.models_after import CompletionReport


def stage_rule(stage: Stage) -> StageRule:
    return StageRule(
        rate=Fraction(stage.rate_numerator, stage.rate_denominator),
        cap=stage.cap,
        min_project_cost=stage.min_project_cost,
        rounding=stage.rounding,
    )


def _category_rule(category: ExpenseCategory) -> CategoryRule:
    share = category.max_share_percent
    return CategoryRule(
        code=category.code,
        name=category.name,
        max_share=Fraction(share, 100) if share is not None else None,
        quotes_required=category.quotes_required,
        max_amount=category.max_amount,
    )


def category_rules(stage: Stage) -> list[CategoryRule]:
    return [_category_rule(category) for category in stage.categories.all()]


def lines_breakdown(stage: Stage, lines: Iterable[tuple[str, int, int]]) -> Breakdown:
    """The breakdown of ``lines`` given as (category code, amount, quotes attached), for the
    applicant's live preview as they type. Lines with no positive amount are left out (the
    form reports them)."""
    inputs = [
        ExpenseInput(category=code, amount=amount, quotes=quotes)
        for code, amount, quotes in lines
        if isinstance(amount, int) and not isinstance(amount, bool) and amount > 0
    ]
    return breakdown(inputs, categories=category_rules(stage), stage=stage_rule(stage))


def application_breakdown(application: Application) -> Breakdown:
    """The breakdown of ``application``'s planned expense lines, each with the number of
    quotes attached to it."""
    lines = application.expenses.select_related("category").annotate(
        quote_count=Count("quotes", filter=Q(quotes__kind=DocumentKind.QUOTE))
    )
    return lines_breakdown(
        application.stage,
        [(line.category.code, line.amount, line.quote_count) for line in lines],
    )


def actual_breakdown(report: CompletionReport) -> Breakdown:
    """The breakdown of a 実績報告's actual expenses, under the rules of the application's
    stage: what 額の確定 is computed from (quotes are not asked again)."""
    stage = report.application.stage
    rules = category_rules(stage)
    inputs = [
        ExpenseInput(category=line.category.code, amount=line.amount, quotes=0)
        for line in report.expenses.select_related("category")
    ]
    relaxed = [
        CategoryRule(
            code=rule.code,
            name=rule.name,
            max_share=rule.max_share,
            quotes_required=0,
            max_amount=rule.max_amount,
        )
        for rule in rules
    ]
    return breakdown(inputs, categories=relaxed, stage=stage_rule(stage))
