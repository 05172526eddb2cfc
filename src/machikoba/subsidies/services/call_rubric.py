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
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import full_clean_or_raise
from machikoba.subsidies.choices import BonusKind
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import BonusClaim, BonusCriterion, Call, RubricCriterion, Score
from machikoba.subsidies.services._call_checks import (
    _invalid,
    _locked_call,
    _next_order,
    _refuse_in_use,
    _require_rules_open,
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


def _open_call(actor: User, call: Call) -> Call:
    call = _locked_call(actor, call)
    _require_rules_open(call)
    return call


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
    full_clean_or_raise(criterion, code=CallOfficeErrorCode.RUBRIC_INVALID)
    criterion.save()
    audit_record(
        actor=actor,
        verb="subsidy_rubric.add",
        target=criterion,
        after=snapshot(criterion, RUBRIC_FIELDS),
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
    full_clean_or_raise(criterion, code=CallOfficeErrorCode.RUBRIC_INVALID)
    criterion.save()
    audit_record(
        actor=actor,
        verb="subsidy_rubric.update",
        target=criterion,
        before=before,
        after=snapshot(criterion, RUBRIC_FIELDS),
    )
    return criterion


@transaction.atomic
def rubric_criterion_remove(*, actor: User, criterion: RubricCriterion) -> None:
    _open_call(actor, criterion.call)
    if Score.objects.filter(criterion=criterion).exists():
        raise _refuse_in_use(criterion.name)
    audit_record(
        actor=actor,
        verb="subsidy_rubric.remove",
        target=criterion,
        before=snapshot(criterion, RUBRIC_FIELDS),
    )
    criterion.delete()


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
    full_clean_or_raise(bonus, code=CallOfficeErrorCode.BONUS_INVALID)
    bonus.save()
    audit_record(
        actor=actor, verb="subsidy_bonus.add", target=bonus, after=snapshot(bonus, BONUS_FIELDS)
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
    full_clean_or_raise(bonus, code=CallOfficeErrorCode.BONUS_INVALID)
    bonus.save()
    audit_record(
        actor=actor,
        verb="subsidy_bonus.update",
        target=bonus,
        before=before,
        after=snapshot(bonus, BONUS_FIELDS),
    )
    return bonus


@transaction.atomic
def bonus_criterion_remove(*, actor: User, bonus: BonusCriterion) -> None:
    _open_call(actor, bonus.call)
    if BonusClaim.objects.filter(criterion=bonus).exists():
        raise _refuse_in_use(bonus.name)
    audit_record(
        actor=actor,
        verb="subsidy_bonus.remove",
        target=bonus,
        before=snapshot(bonus, BONUS_FIELDS),
    )
    bonus.delete()
