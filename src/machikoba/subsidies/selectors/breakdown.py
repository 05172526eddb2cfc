"""The money of an application in words, as the applicant (and every page that shows an
application's amounts) sees it: the stage's rate and cap, and ``arithmetic.Breakdown``
per expense category with why an amount counts less than claimed, the subsidy, and what
to fix. The arithmetic itself is ``subsidies.money``'s; nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from machikoba.core.money import format_yen
from machikoba.subsidies import money
from machikoba.subsidies.arithmetic import Breakdown, Reduction
from machikoba.subsidies.models import Stage


def man_yen(amount: int) -> str:
    """``50万円`` for a round amount of 万円 in Japanese, else ``1,234,567円`` (English has no
    万: it reads the full amount)."""
    if amount and amount % 10_000 == 0 and (get_language() or "ja").startswith("ja"):
        return _("%(amount)s万円") % {"amount": f"{amount // 10_000:,}"}
    return format_yen(amount)


def rate_label(stage: Stage) -> str:
    """「補助率 3/4・上限 50万円」."""
    return _("補助率 %(rate)s・上限 %(cap)s") % {
        "rate": f"{stage.rate_numerator}/{stage.rate_denominator}",
        "cap": man_yen(stage.cap),
    }


# --- the money, as the applicant sees it ---------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    name: str
    claimed: int
    eligible: int
    reduced_by: int
    reason: str  # why the eligible amount is below the claim; "" when it is not


@dataclass(frozen=True)
class BreakdownView:
    """``arithmetic.Breakdown`` in words: per category what was claimed, what counts and
    why not all of it; the subsidy; and what to fix (below the minimum, quotes missing,
    the stage's cap reached)."""

    rows: list[BreakdownRow]
    total_claimed: int
    total_eligible: int
    subsidy: int
    rate_label: str
    capped: bool
    warnings: list[str]


def breakdown_view(stage: Stage, breakdown: Breakdown) -> BreakdownView:
    percents = {c.code: c.max_share_percent for c in stage.categories.all()}
    rows = []
    for row in breakdown.rows:
        if row.reduction == Reduction.SHARE_CAP:
            reason = _("この区分は補助対象経費の %(percent)s%% (%(limit)s) までです") % {
                "percent": percents.get(row.code) or "",
                "limit": format_yen(row.share_limit or 0),
            }
        elif row.reduction == Reduction.AMOUNT_CAP:
            reason = _("この区分の上限額までです")
        else:
            reason = ""
        rows.append(
            BreakdownRow(
                name=row.name,
                claimed=row.claimed,
                eligible=row.eligible,
                reduced_by=row.reduced_by,
                reason=reason,
            )
        )
    warnings = []
    if breakdown.ineligible:
        warnings.append(_("このステージの補助対象ではない経費区分の経費があります。"))
    if breakdown.below_minimum and (breakdown.total_claimed or breakdown.rows):
        warnings.append(
            _("補助対象経費が下限の %(minimum)s に届いていません (あと %(short)s)。")
            % {
                "minimum": format_yen(stage.min_project_cost),
                "short": format_yen(stage.min_project_cost - breakdown.total_eligible),
            }
        )
    if breakdown.missing_quotes:
        warnings.append(
            _("見積書が足りない経費が %(n)s 行あります。") % {"n": len(breakdown.missing_quotes)}
        )
    if breakdown.capped_by_stage:
        warnings.append(
            _("補助の上限に達しています。補助金は上限の %(cap)s です。")
            % {"cap": man_yen(breakdown.subsidy)}
        )
    return BreakdownView(
        rows=rows,
        total_claimed=breakdown.total_claimed,
        total_eligible=breakdown.total_eligible,
        subsidy=breakdown.subsidy,
        rate_label=rate_label(stage),
        capped=breakdown.capped_by_stage,
        warnings=warnings,
    )


def typed_breakdown(stage: Stage, lines: list[tuple[str, int, int]]) -> BreakdownView:
    """The live preview while the applicant types: ``lines`` as (category code, amount,
    quotes attached)."""
    return breakdown_view(stage, money.lines_breakdown(stage, lines))
