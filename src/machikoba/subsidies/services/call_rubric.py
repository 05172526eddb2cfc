"""The office's writes of what a call scores: its rubric (審査項目, each with the points a
reviewer gives at most) and its bonus points (加点): DX道場の修了, verified from the
programmes' records, or claimed by the applicant with evidence and verified by an
officer. Both are fixed with the rest of the rules (``selectors.office.rules_lock``); a
line already scored or claimed is not removed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import snapshot
from machikoba.subsidies.choices import BonusKind
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import BonusClaim, BonusCriterion, Call, RubricCriterion, Score
from machikoba.subsidies.services._call_checks import (
    _invalid,
    _next_order,
    _open_call,
    _remove_rule,
    _save_rule,
)

RUBRIC_FIELDS = ["name", "description", "max_score", "order"]
BONUS_FIELDS = ["kind", "name", "description", "points", "order"]
MAX_POINTS = 100


# --- rubric and bonus points ---------------------------------------------------------------


def _check_rubric(*, name: str, max_score: int) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("審査項目を入力してください。")
    if not 1 <= max_score <= MAX_POINTS:
        errors["max_score"] = _("配点は 1〜100 点にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.RUBRIC_INVALID, **errors)


@transaction.atomic
def rubric_criterion_add(
    *, actor: User, call: Call, name: str, description: str = "", max_score: int
) -> RubricCriterion:
    """A line of the call's rubric: what reviewers score, up to ``max_score``."""
    call = _open_call(actor, call)
    _check_rubric(name=name, max_score=max_score)
    criterion = RubricCriterion(
        call=call,
        name=name.strip(),
        description=description.strip(),
        max_score=max_score,
        order=_next_order(RubricCriterion.objects.filter(call=call)),
    )
    _save_rule(
        actor,
        criterion,
        code=CallOfficeErrorCode.RUBRIC_INVALID,
        verb="subsidy_rubric.add",
        fields=RUBRIC_FIELDS,
    )
    return criterion


@transaction.atomic
def rubric_criterion_update(
    *,
    actor: User,
    criterion: RubricCriterion,
    name: str,
    description: str = "",
    max_score: int,
) -> RubricCriterion:
    _open_call(actor, criterion.call)
    criterion = RubricCriterion.objects.select_for_update().get(pk=criterion.pk)
    _check_rubric(name=name, max_score=max_score)
    before = snapshot(criterion, RUBRIC_FIELDS)
    criterion.name = name.strip()
    criterion.description = description.strip()
    criterion.max_score = max_score
    _save_rule(
        actor,
        criterion,
        code=CallOfficeErrorCode.RUBRIC_INVALID,
        verb="subsidy_rubric.update",
        fields=RUBRIC_FIELDS,
        before=before,
    )
    return criterion


@transaction.atomic
def rubric_criterion_remove(*, actor: User, criterion: RubricCriterion) -> None:
    _open_call(actor, criterion.call)
    _remove_rule(
        actor,
        criterion,
        in_use=Score.objects.filter(criterion=criterion).exists(),
        verb="subsidy_rubric.remove",
        fields=RUBRIC_FIELDS,
        what=criterion.name,
    )


def _check_bonus(
    *, call: Call, kind: str, name: str, points: int, bonus: BonusCriterion | None
) -> None:
    errors: dict[str, str] = {}
    if kind not in BonusKind.values:
        errors["kind"] = _("確認の方法を選んでください。")
    elif kind == BonusKind.DOJO_GRADUATE:
        others = BonusCriterion.objects.filter(call=call, kind=BonusKind.DOJO_GRADUATE)
        if bonus is not None:
            others = others.exclude(pk=bonus.pk)
        if others.exists():
            errors["kind"] = _(
                "DX道場の修了による加点は、1つの公募に1つだけです (記録から自動で確認します)。"
            )
    if not name.strip():
        errors["name"] = _("加点項目を入力してください。")
    if not 1 <= points <= MAX_POINTS:
        errors["points"] = _("加点は 1〜100 点にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.BONUS_INVALID, **errors)


@transaction.atomic
def bonus_criterion_add(
    *, actor: User, call: Call, kind: str, name: str, description: str = "", points: int
) -> BonusCriterion:
    """A bonus point of the call: DX道場の修了 (verified from the programmes' records) or
    claimed by the applicant with evidence and verified by an officer."""
    call = _open_call(actor, call)
    _check_bonus(call=call, kind=kind, name=name, points=points, bonus=None)
    bonus = BonusCriterion(
        call=call,
        kind=kind,
        name=name.strip(),
        description=description.strip(),
        points=points,
        order=_next_order(BonusCriterion.objects.filter(call=call)),
    )
    _save_rule(
        actor,
        bonus,
        code=CallOfficeErrorCode.BONUS_INVALID,
        verb="subsidy_bonus.add",
        fields=BONUS_FIELDS,
    )
    return bonus


@transaction.atomic
def bonus_criterion_update(
    *,
    actor: User,
    bonus: BonusCriterion,
    kind: str,
    name: str,
    description: str = "",
    points: int,
) -> BonusCriterion:
    call = _open_call(actor, bonus.call)
    bonus = BonusCriterion.objects.select_for_update().get(pk=bonus.pk)
    _check_bonus(call=call, kind=kind, name=name, points=points, bonus=bonus)
    before = snapshot(bonus, BONUS_FIELDS)
    bonus.kind = kind
    bonus.name = name.strip()
    bonus.description = description.strip()
    bonus.points = points
    _save_rule(
        actor,
        bonus,
        code=CallOfficeErrorCode.BONUS_INVALID,
        verb="subsidy_bonus.update",
        fields=BONUS_FIELDS,
        before=before,
    )
    return bonus


@transaction.atomic
def bonus_criterion_remove(*, actor: User, bonus: BonusCriterion) -> None:
    _open_call(actor, bonus.call)
    _remove_rule(
        actor,
        bonus,
        in_use=BonusClaim.objects.filter(criterion=bonus).exists(),
        verb="subsidy_bonus.remove",
        fields=BONUS_FIELDS,
        what=bonus.name,
    )
