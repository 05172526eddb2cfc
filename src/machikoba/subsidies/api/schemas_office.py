"""What the office's operations on a call read and take: the call with its dashboard, its
stages with their expense categories and required attachments, the rubric and the bonus
points. Every input rule JSON Schema can state is stated here (bounds, lengths, the
category code's characters); what depends on the stored rows (the rules lock, dates in
order, budgets adding up) is the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from machikoba.core.api_fields import SOME_TEXT
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.subsidies.selectors import CallDashboard, CallRubric, StageRules
from machikoba.subsidies.selectors.breakdown import rate_label
from machikoba.subsidies.selectors.office import Money, ReviewerProgress

# The office's forms take yen up to this (a typing slip beyond).
MAX_YEN = 100_000_000_000
# An expense category's code: what Django's SlugField takes.
SLUG = r"^[-a-zA-Z0-9_]+$"
BonusKindChoice = Literal["dojo_graduate", "claimed"]


# --- what is read back -------------------------------------------------------------------


class SubsidyRulesLockOut(Schema):
    code: str
    message: str = Field(description="why the rules applicants rely on may no longer change")


class SubsidyOfficeCallFieldsOut(Schema):
    id: int
    municipality_id: int
    municipality_name: str
    fiscal_year: int
    name: str
    description: str
    budget: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    screening_on: dt.date
    decision_on: dt.date
    requires_gbiz_verified: bool


class SubsidyOfficeStageOut(Schema):
    id: int
    call_id: int
    number: int
    name: str
    purpose: str
    rate_numerator: int
    rate_denominator: int
    rate_label: str
    cap: int
    min_project_cost: int
    rounding: int
    budget: int
    requires_expert_evaluation: bool
    allows_partners: bool


class SubsidyMoneyOut(Schema):
    budget: int
    decided: int = Field(description="交付決定額")
    committed: int = Field(description="執行見込額: confirmed where fixed, else decided")
    paid: int
    candidates: int = Field(description="requested by 交付候補 not yet decided")
    remaining: int = Field(description="budget − committed")


class SubsidyPipelineOut(Schema):
    status: str
    label: str
    count: int
    requested: int


class SubsidyReviewerBehindOut(Schema):
    reviewer_id: int
    name: str
    pending: int


class SubsidyReviewerProgressOut(Schema):
    assigned: int
    cleared: int
    submitted: int
    conflicted: int
    behind: list[SubsidyReviewerBehindOut]


class SubsidyStageCardOut(Schema):
    stage: SubsidyOfficeStageOut
    pipeline: list[SubsidyPipelineOut] = Field(description="every status with an application")
    drafts: int
    filed: int
    requested: int
    selected: int
    decided: int
    confirmed: int
    paid: int
    money: SubsidyMoneyOut
    reviewers: SubsidyReviewerProgressOut


class SubsidyCallDashboardOut(Schema):
    call: SubsidyOfficeCallFieldsOut
    phase: str = Field(description="where the call stands, in words")
    stages: list[SubsidyStageCardOut]
    money: SubsidyMoneyOut
    stage_budgets: int = Field(description="the stages' budgets together")
    filed: int
    overdue_reports: int = Field(description="事業化状況報告 past their due day")
    rules_lock: SubsidyRulesLockOut | None = Field(description="null while the rules may change")


class SubsidyCategoryOut(Schema):
    id: int
    stage_id: int
    code: str
    name: str
    help_text: str
    max_share_percent: int | None
    max_amount: int | None
    quotes_required: int
    order: int


class SubsidyRequirementOut(Schema):
    id: int
    stage_id: int
    name: str
    help_text: str
    order: int


class SubsidyStageRulesOut(Schema):
    stage: SubsidyOfficeStageOut
    categories: list[SubsidyCategoryOut]
    attachments: list[SubsidyRequirementOut]
    rules_lock: SubsidyRulesLockOut | None


class SubsidyCriterionOut(Schema):
    id: int
    call_id: int
    name: str
    description: str
    max_score: int
    order: int


class SubsidyBonusOut(Schema):
    id: int
    call_id: int
    kind: str = Field(description="dojo_graduate (verified from the records) or claimed")
    name: str
    description: str
    points: int
    order: int


class SubsidyRubricOut(Schema):
    call_id: int
    criteria: list[SubsidyCriterionOut]
    bonuses: list[SubsidyBonusOut]
    max_total: int = Field(description="the rubric's points together")
    rules_lock: SubsidyRulesLockOut | None


def lock_out(lock: ApplicationError | None) -> SubsidyRulesLockOut | None:
    if lock is None:
        return None
    return SubsidyRulesLockOut(code=str(lock.code), message=str(lock.message))


def call_fields_out(call: Call) -> SubsidyOfficeCallFieldsOut:
    return SubsidyOfficeCallFieldsOut(
        id=call.pk,
        municipality_id=call.municipality_id,
        municipality_name=call.municipality.name,
        fiscal_year=call.fiscal_year,
        name=call.name,
        description=call.description,
        budget=call.budget,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        screening_on=call.screening_on,
        decision_on=call.decision_on,
        requires_gbiz_verified=call.requires_gbiz_verified,
    )


def stage_out(stage: Stage) -> SubsidyOfficeStageOut:
    return SubsidyOfficeStageOut(
        id=stage.pk,
        call_id=stage.call_id,
        number=stage.number,
        name=stage.name,
        purpose=stage.purpose,
        rate_numerator=stage.rate_numerator,
        rate_denominator=stage.rate_denominator,
        rate_label=str(rate_label(stage)),
        cap=stage.cap,
        min_project_cost=stage.min_project_cost,
        rounding=stage.rounding,
        budget=stage.budget,
        requires_expert_evaluation=stage.requires_expert_evaluation,
        allows_partners=stage.allows_partners,
    )


def _money_out(money: Money) -> SubsidyMoneyOut:
    return SubsidyMoneyOut(
        budget=money.budget,
        decided=money.decided,
        committed=money.committed,
        paid=money.paid,
        candidates=money.candidates,
        remaining=money.remaining,
    )


def _reviewers_out(progress: ReviewerProgress) -> SubsidyReviewerProgressOut:
    return SubsidyReviewerProgressOut(
        assigned=progress.assigned,
        cleared=progress.cleared,
        submitted=progress.submitted,
        conflicted=progress.conflicted,
        behind=[
            SubsidyReviewerBehindOut(reviewer_id=b.reviewer_id, name=b.name, pending=b.pending)
            for b in progress.behind
        ],
    )


def dashboard_out(page: CallDashboard) -> SubsidyCallDashboardOut:
    return SubsidyCallDashboardOut(
        call=call_fields_out(page.call),
        phase=str(page.phase),
        stages=[
            SubsidyStageCardOut(
                stage=stage_out(card.stage),
                pipeline=[
                    SubsidyPipelineOut(
                        status=row.status, label=row.label, count=row.count, requested=row.requested
                    )
                    for row in card.pipeline
                ],
                drafts=card.drafts,
                filed=card.filed,
                requested=card.requested,
                selected=card.selected,
                decided=card.decided,
                confirmed=card.confirmed,
                paid=card.paid,
                money=_money_out(card.money),
                reviewers=_reviewers_out(card.reviewers),
            )
            for card in page.stages
        ],
        money=_money_out(page.money),
        stage_budgets=page.stage_budgets,
        filed=page.filed,
        overdue_reports=page.overdue_reports,
        rules_lock=lock_out(page.rules_lock),
    )


def category_out(category: ExpenseCategory) -> SubsidyCategoryOut:
    return SubsidyCategoryOut(
        id=category.pk,
        stage_id=category.stage_id,
        code=category.code,
        name=category.name,
        help_text=category.help_text,
        max_share_percent=category.max_share_percent,
        max_amount=category.max_amount,
        quotes_required=category.quotes_required,
        order=category.order,
    )


def requirement_out(requirement: AttachmentRequirement) -> SubsidyRequirementOut:
    return SubsidyRequirementOut(
        id=requirement.pk,
        stage_id=requirement.stage_id,
        name=requirement.name,
        help_text=requirement.help_text,
        order=requirement.order,
    )


def stage_rules_out(rules: StageRules) -> SubsidyStageRulesOut:
    return SubsidyStageRulesOut(
        stage=stage_out(rules.stage),
        categories=[category_out(c) for c in rules.categories],
        attachments=[requirement_out(r) for r in rules.attachments],
        rules_lock=lock_out(rules.rules_lock),
    )


def criterion_out(criterion: RubricCriterion) -> SubsidyCriterionOut:
    return SubsidyCriterionOut(
        id=criterion.pk,
        call_id=criterion.call_id,
        name=criterion.name,
        description=criterion.description,
        max_score=criterion.max_score,
        order=criterion.order,
    )


def bonus_out(bonus: BonusCriterion) -> SubsidyBonusOut:
    return SubsidyBonusOut(
        id=bonus.pk,
        call_id=bonus.call_id,
        kind=bonus.kind,
        name=bonus.name,
        description=bonus.description,
        points=bonus.points,
        order=bonus.order,
    )


def rubric_out(rubric: CallRubric) -> SubsidyRubricOut:
    return SubsidyRubricOut(
        call_id=rubric.call.pk,
        criteria=[criterion_out(c) for c in rubric.criteria],
        bonuses=[bonus_out(b) for b in rubric.bonuses],
        max_total=rubric.max_total,
        rules_lock=lock_out(rubric.rules_lock),
    )


# --- what is taken -----------------------------------------------------------------------


class SubsidyCallCopyIn(Schema):
    """A call's fields (a copy takes its ward from the call it copies)."""

    fiscal_year: int = Field(ge=2000, le=2100)
    name: str = Field(min_length=1, max_length=120, pattern=SOME_TEXT)
    description: str = Field("", max_length=4000)
    budget: int = Field(ge=1, le=MAX_YEN, description="yen; the stages' budgets within it")
    opens_at: AwareDatetime = Field(description="in the future (the stages are set before)")
    closes_at: AwareDatetime = Field(description="after opens_at")
    screening_on: dt.date = Field(description="on or after the closing day (JST)")
    decision_on: dt.date = Field(description="on or after screening_on")
    requires_gbiz_verified: bool = Field(
        False, description="only a GビズID-verified representative submits"
    )


class SubsidyCallIn(SubsidyCallCopyIn):
    municipality_id: BodyId = Field(description="a ward the officer serves")


class SubsidyCallPatchIn(Schema):
    """The call's fields to change; a field not sent (or null) keeps its value. The
    rules (fiscal year, GビズID) change only until they are fixed; a date only while it
    is still to come."""

    fiscal_year: int | None = Field(None, ge=2000, le=2100)
    name: str | None = Field(None, min_length=1, max_length=120, pattern=SOME_TEXT)
    description: str | None = Field(None, max_length=4000)
    budget: int | None = Field(None, ge=1, le=MAX_YEN)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    screening_on: dt.date | None = None
    decision_on: dt.date | None = None
    requires_gbiz_verified: bool | None = None


class SubsidyStageIn(Schema):
    number: int = Field(ge=1, le=9, description="unique within the call")
    name: str = Field(min_length=1, max_length=80, pattern=SOME_TEXT)
    purpose: str = Field("", max_length=2000)
    rate_numerator: int = Field(ge=1, le=100, description="3 of 3/4; at most the denominator")
    rate_denominator: int = Field(ge=1, le=100)
    cap: int = Field(ge=1, le=MAX_YEN, description="補助上限額, within the stage's budget")
    min_project_cost: int = Field(0, ge=0, le=MAX_YEN)
    rounding: int = Field(1000, ge=1, le=1_000_000, description="the subsidy rounded down to it")
    budget: int = Field(ge=1, le=MAX_YEN, description="the stages together within the call's")
    requires_expert_evaluation: bool = False
    allows_partners: bool = False


class SubsidyStagePatchIn(Schema):
    """The stage's fields to change; a field not sent (or null) keeps its value. Its
    name, purpose and budget may always change, its rules until they are fixed."""

    number: int | None = Field(None, ge=1, le=9)
    name: str | None = Field(None, min_length=1, max_length=80, pattern=SOME_TEXT)
    purpose: str | None = Field(None, max_length=2000)
    rate_numerator: int | None = Field(None, ge=1, le=100)
    rate_denominator: int | None = Field(None, ge=1, le=100)
    cap: int | None = Field(None, ge=1, le=MAX_YEN)
    min_project_cost: int | None = Field(None, ge=0, le=MAX_YEN)
    rounding: int | None = Field(None, ge=1, le=1_000_000)
    budget: int | None = Field(None, ge=1, le=MAX_YEN)
    requires_expert_evaluation: bool | None = None
    allows_partners: bool | None = None


class SubsidyCategoryIn(Schema):
    code: str = Field(min_length=1, max_length=40, pattern=SLUG, description="e.g. software")
    name: str = Field(min_length=1, max_length=80, pattern=SOME_TEXT)
    help_text: str = Field("", max_length=300)
    max_share_percent: int | None = Field(
        None, ge=1, le=100, description="its share of the eligible cost at most (null: none)"
    )
    max_amount: int | None = Field(None, ge=1, le=MAX_YEN, description="null: no limit")
    quotes_required: int = Field(1, ge=0, le=5, description="per expense line; 2 = 相見積")


class SubsidyCategoryPatchIn(Schema):
    """The category's fields to change; a field not sent keeps its value (null clears
    ``max_share_percent`` and ``max_amount``, and keeps the others)."""

    code: str | None = Field(None, min_length=1, max_length=40, pattern=SLUG)
    name: str | None = Field(None, min_length=1, max_length=80, pattern=SOME_TEXT)
    help_text: str | None = Field(None, max_length=300)
    max_share_percent: int | None = Field(None, ge=1, le=100)
    max_amount: int | None = Field(None, ge=1, le=MAX_YEN)
    quotes_required: int | None = Field(None, ge=0, le=5)


class SubsidyRequirementIn(Schema):
    name: str = Field(min_length=1, max_length=120, pattern=SOME_TEXT, description="e.g. 決算書")
    help_text: str = Field("", max_length=300)


class SubsidyCriterionIn(Schema):
    name: str = Field(min_length=1, max_length=120, pattern=SOME_TEXT)
    description: str = Field("", max_length=400)
    max_score: int = Field(ge=1, le=100)


class SubsidyCriterionPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=120, pattern=SOME_TEXT)
    description: str | None = Field(None, max_length=400)
    max_score: int | None = Field(None, ge=1, le=100)


class SubsidyBonusIn(Schema):
    kind: BonusKindChoice = Field(description="one dojo_graduate per call at most")
    name: str = Field(min_length=1, max_length=120, pattern=SOME_TEXT)
    description: str = Field("", max_length=400)
    points: int = Field(ge=1, le=100)


class SubsidyBonusPatchIn(Schema):
    kind: BonusKindChoice | None = None
    name: str | None = Field(None, min_length=1, max_length=120, pattern=SOME_TEXT)
    description: str | None = Field(None, max_length=400)
    points: int | None = Field(None, ge=1, le=100)


def merged(
    current: object, names: list[str], payload: Schema, *, nullable: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The values to save: the row's current ones (as the page's form shows them), those
    sent replacing them; a null sent keeps the current value unless the field is
    ``nullable`` (then it clears it)."""
    values = {name: getattr(current, name) for name in names}
    for name, value in payload.dict(exclude_unset=True).items():
        if value is not None or name in nullable:
            values[name] = value
    return values
