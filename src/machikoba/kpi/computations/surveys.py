"""Figures from the yearly company survey: the DX take-up share and the value-added
panels (a company's answers in two rounds) behind both KGIs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min, QuerySet

from machikoba.kpi.choices import Reason, ResponseStatus
from machikoba.kpi.computations.base import Figure, Record, Scope, local_day, percent, share_figure
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.subsidies.choices import GRANTED_STATUSES
from machikoba.subsidies.models import Application


def answers(scope: Scope) -> QuerySet[SurveyResponse]:
    """The submitted answers of the scope's rounds of its fiscal year."""
    return SurveyResponse.objects.filter(
        scope.ward_q("round__municipality"),
        scope.company_q("company"),
        round__fiscal_year=scope.fiscal_year,
        status=ResponseStatus.SUBMITTED,
    ).select_related("round")


def has_round(scope: Scope) -> bool:
    return SurveyRound.objects.filter(
        scope.ward_q("municipality"), fiscal_year=scope.fiscal_year, sent_at__isnull=False
    ).exists()


def dx_engaged_share(scope: Scope, params: dict[str, Any]) -> Figure:
    counted_answers = set(params.get("answers", []))
    if not has_round(scope):
        return Figure(reason=Reason.NO_SURVEY)
    records = [
        Record(
            kind="survey",
            day=local_day(response.submitted_at),
            company=response.company_id,
            label=response.get_dx_engagement_display(),
            counted=response.dx_engagement in counted_answers,
            ref=response.pk,
        )
        for response in answers(scope).exclude(dx_engagement="")
    ]
    return share_figure(records, empty_reason=Reason.NO_DATA)


@dataclass(frozen=True)
class Answer:
    company: int
    value_added: int
    employees: int
    response: int

    @property
    def per_head(self) -> int:
        return self.value_added // self.employees if self.employees else 0


def _usable(scope: Scope, *, per_head: bool = True) -> tuple[dict[int, Answer], list[Record]]:
    """Each company's usable answer of the year (value added known, and with ``per_head``
    more than 0 employees), and a record for every answer left out, saying why."""
    usable: dict[int, Answer] = {}
    left_out: list[Record] = []
    for response in answers(scope):
        value = response.value_added(response.round.method)
        if value is None or (per_head and not response.employees):
            left_out.append(
                Record(
                    kind="survey",
                    day=None,
                    company=response.company_id,
                    label=str(scope.fiscal_year),
                    counted=False,
                    detail="no_employees" if value is not None else "no_figures",
                    ref=response.pk,
                )
            )
            continue
        usable[response.company_id] = Answer(
            response.company_id, value, response.employees or 0, response.pk
        )
    return usable, left_out


def base_year(scope: Scope, params: dict[str, Any]) -> int | None:
    """The year growth is measured from: the ward's or the definition's base year, or else
    the first round with answers in scope."""
    chosen = params.get("base_year")
    if chosen:
        return int(chosen)
    first = SurveyResponse.objects.filter(
        scope.ward_q("round__municipality"), status=ResponseStatus.SUBMITTED
    ).aggregate(first=Min("round__fiscal_year"))["first"]
    return int(first) if first is not None else None


def productivity_growth(scope: Scope, params: dict[str, Any]) -> Figure:
    """付加価値額 per employee of this year over the base year's, for the companies that
    answered both (numerator and denominator in yen per employee)."""
    base = base_year(scope, params)
    if not has_round(scope):
        return Figure(reason=Reason.NO_SURVEY)
    if base is None or base >= scope.fiscal_year:
        return Figure(reason=Reason.NO_COMPARISON, detail={"base_year": base})
    now, left_now = _usable(scope)
    then, left_then = _usable(scope.with_year(base))
    panel = sorted(set(now) & set(then))
    records = left_now + left_then
    if not panel:
        reason = Reason.NO_EMPLOYEES if records else Reason.NO_COMPARISON
        return Figure(reason=reason, records=records, detail={"base_year": base})
    now_per_head = Decimal(sum(now[c].value_added for c in panel)) / sum(
        now[c].employees for c in panel
    )
    then_per_head = Decimal(sum(then[c].value_added for c in panel)) / sum(
        then[c].employees for c in panel
    )
    records += [
        Record(
            kind="survey",
            day=None,
            company=c,
            label=str(scope.fiscal_year),
            detail=f"{now[c].per_head}/{then[c].per_head}",
            ref=now[c].response,
        )
        for c in panel
    ]
    figure = Figure(
        numerator=now_per_head.quantize(Decimal("1")),
        denominator=then_per_head.quantize(Decimal("1")),
        companies=frozenset(panel),
        records=records,
        detail={"base_year": base},
    )
    if then_per_head <= 0:
        figure.reason = Reason.ZERO_DENOMINATOR
        return figure
    figure.value = percent(now_per_head, then_per_head) - Decimal(100)
    return figure


def recipients(scope: Scope) -> set[int]:
    """Companies with a grant decided (and not withdrawn) by the end of the year."""
    return set(
        Application.objects.filter(
            status__in=GRANTED_STATUSES, decided_at__lt=scope.until
        ).values_list("company_id", flat=True)
    )


def _growth(now: dict[int, Answer], then: dict[int, Answer], group: list[int]) -> Decimal | None:
    before = sum(then[c].value_added for c in group)
    if not group or before <= 0:
        return None
    after = sum(now[c].value_added for c in group)
    return percent(Decimal(after - before), Decimal(before))


def recipient_growth_gap(scope: Scope, params: dict[str, Any]) -> Figure:
    """Recipients' value-added growth over the last year, minus the other companies'."""
    if not has_round(scope):
        return Figure(reason=Reason.NO_SURVEY)
    # The gap compares value added, not per head: an answer without employees still counts.
    now, left_now = _usable(scope, per_head=False)
    then, _left = _usable(scope.with_year(scope.fiscal_year - 1), per_head=False)
    panel = sorted(set(now) & set(then))
    granted = recipients(scope)
    with_grant = [c for c in panel if c in granted]
    without = [c for c in panel if c not in granted]
    records = [
        Record(
            kind="survey",
            day=None,
            company=c,
            label="recipient" if c in granted else "other",
            detail=f"{then[c].value_added}→{now[c].value_added}",
            ref=now[c].response,
        )
        for c in panel
    ] + left_now
    detail = {"recipients": len(with_grant), "others": len(without)}
    detail["smallest_group"] = min(len(with_grant), len(without))
    growth_with = _growth(now, then, with_grant)
    growth_without = _growth(now, then, without)
    figure = Figure(
        numerator=growth_with,
        denominator=growth_without,
        companies=frozenset(panel),
        records=records,
        detail=detail,
    )
    if growth_with is None or growth_without is None:
        figure.reason = Reason.NO_COMPARISON
        return figure
    figure.value = growth_with - growth_without
    return figure
