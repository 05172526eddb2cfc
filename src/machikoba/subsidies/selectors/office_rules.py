"""The office's pages of a call's rules: each stage's expense categories and required
attachments, the rubric and the bonus criteria, each with whether the rules may still
change (``office.rules_lock``). Read with ``CHANGE``: only the calls of the wards the
officer serves."""

from __future__ import annotations

from dataclasses import dataclass

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE
from machikoba.core.errors import ApplicationError
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.subsidies.selectors.office import rules_lock


def call_stages(*, user: User, call: Call) -> list[Stage]:
    return list(Stage.objects.for_user(user, CHANGE).filter(call=call).order_by("number"))


@dataclass(frozen=True)
class StageRules:
    stage: Stage
    categories: list[ExpenseCategory]
    attachments: list[AttachmentRequirement]
    rules_lock: ApplicationError | None


def stage_rules(*, user: User, stage: Stage) -> StageRules:
    """A stage's expense categories and required attachments, and whether they may still
    change."""
    return StageRules(
        stage=stage,
        categories=list(
            ExpenseCategory.objects.for_user(user, CHANGE)
            .filter(stage=stage)
            .order_by("order", "pk")
        ),
        attachments=list(
            AttachmentRequirement.objects.for_user(user, CHANGE)
            .filter(stage=stage)
            .order_by("order", "pk")
        ),
        rules_lock=rules_lock(stage.call),
    )


@dataclass(frozen=True)
class CallRubric:
    call: Call
    criteria: list[RubricCriterion]
    bonuses: list[BonusCriterion]
    max_total: int
    rules_lock: ApplicationError | None


def call_rubric(*, user: User, call: Call) -> CallRubric:
    criteria = list(
        RubricCriterion.objects.for_user(user, CHANGE).filter(call=call).order_by("order", "pk")
    )
    return CallRubric(
        call=call,
        criteria=criteria,
        bonuses=list(
            BonusCriterion.objects.for_user(user, CHANGE).filter(call=call).order_by("order", "pk")
        ),
        max_total=sum(c.max_score for c in criteria),
        rules_lock=rules_lock(call),
    )
