"""The rules of a call the ward office sets through the same services as its pages: each
stage's expense categories and required attachments, the call's rubric (審査項目) and its
bonus points (加点). Each may be added, changed and deleted only until the rules are
fixed (the window opened or an application was submitted: 409), and a rule an
application already uses is not deleted (409). Officers of the call's ward only."""

from __future__ import annotations

from typing import Any

from ninja import Status

from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.ids import PathId
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.office import office_call, office_stage, officer_only
from machikoba.subsidies.api.schemas_office import (
    SubsidyBonusIn,
    SubsidyBonusOut,
    SubsidyBonusPatchIn,
    SubsidyCategoryIn,
    SubsidyCategoryOut,
    SubsidyCategoryPatchIn,
    SubsidyCriterionIn,
    SubsidyCriterionOut,
    SubsidyCriterionPatchIn,
    SubsidyRequirementIn,
    SubsidyRequirementOut,
    SubsidyRubricOut,
    bonus_out,
    category_out,
    criterion_out,
    merged,
    requirement_out,
    rubric_out,
)
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusCriterion,
    ExpenseCategory,
    RubricCriterion,
)
from machikoba.subsidies.services.call_rubric import BONUS_FIELDS, RUBRIC_FIELDS
from machikoba.subsidies.services.call_rules import CATEGORY_FIELDS


def _editable(names: list[str]) -> list[str]:
    """A rule's fields the office edits (its place in the list is kept)."""
    return [name for name in names if name != "order"]


def _category(request: Any, pk: int) -> ExpenseCategory:
    officer_only(request)
    return get_for_user_or_404(
        ExpenseCategory.objects.select_related("stage__call"), request.user, CHANGE, pk=pk
    )


def _criterion(request: Any, pk: int) -> RubricCriterion:
    officer_only(request)
    return get_for_user_or_404(
        RubricCriterion.objects.select_related("call"), request.user, CHANGE, pk=pk
    )


def _bonus(request: Any, pk: int) -> BonusCriterion:
    officer_only(request)
    return get_for_user_or_404(
        BonusCriterion.objects.select_related("call"), request.user, CHANGE, pk=pk
    )


# --- a stage's expense categories and required attachments ----------------------------------


@router.post(
    "/office/stages/{stage_id}/categories",
    response={201: SubsidyCategoryOut},
    summary="Add an eligible expense category to a stage",
)
def subsidies_office_category_add(
    request: Any, stage_id: PathId, payload: SubsidyCategoryIn
) -> Status[SubsidyCategoryOut]:
    stage = office_stage(request, stage_id)
    category = services.category_add(actor=request.user, stage=stage, **payload.dict())
    return Status(201, category_out(category))


@router.patch(
    "/office/categories/{category_id}",
    response=SubsidyCategoryOut,
    summary="Change an expense category (until the rules are fixed)",
)
def subsidies_office_category_update(
    request: Any, category_id: PathId, payload: SubsidyCategoryPatchIn
) -> SubsidyCategoryOut:
    category = _category(request, category_id)
    values = merged(
        category,
        _editable(CATEGORY_FIELDS),
        payload,
        nullable=("max_share_percent", "max_amount"),
    )
    saved = services.category_update(actor=request.user, category=category, **values)
    return category_out(saved)


@router.delete(
    "/office/categories/{category_id}",
    response={204: None},
    summary="Delete an expense category no expense uses (until the rules are fixed)",
)
def subsidies_office_category_delete(request: Any, category_id: PathId) -> Status[None]:
    category = _category(request, category_id)
    services.category_remove(actor=request.user, category=category)
    return Status(204, None)


@router.post(
    "/office/stages/{stage_id}/attachments",
    response={201: SubsidyRequirementOut},
    summary="Add a document every application of the stage must attach",
)
def subsidies_office_attachment_add(
    request: Any, stage_id: PathId, payload: SubsidyRequirementIn
) -> Status[SubsidyRequirementOut]:
    stage = office_stage(request, stage_id)
    requirement = services.attachment_requirement_add(
        actor=request.user, stage=stage, **payload.dict()
    )
    return Status(201, requirement_out(requirement))


@router.delete(
    "/office/attachments/{requirement_id}",
    response={204: None},
    summary="Delete a required attachment no application has filed (until the rules are fixed)",
)
def subsidies_office_attachment_delete(request: Any, requirement_id: PathId) -> Status[None]:
    officer_only(request)
    requirement = get_for_user_or_404(
        AttachmentRequirement.objects.select_related("stage__call"),
        request.user,
        CHANGE,
        pk=requirement_id,
    )
    services.attachment_requirement_remove(actor=request.user, requirement=requirement)
    return Status(204, None)


# --- the rubric and the bonus points -------------------------------------------------------


@router.get(
    "/office/calls/{call_id}/rubric",
    response=SubsidyRubricOut,
    summary="A call's rubric and bonus points, and whether they may still change",
)
def subsidies_office_rubric(request: Any, call_id: PathId) -> SubsidyRubricOut:
    call = office_call(request, call_id)
    return rubric_out(selectors.call_rubric(user=request.user, call=call))


@router.post(
    "/office/calls/{call_id}/rubric",
    response={201: SubsidyCriterionOut},
    summary="Add a line to the call's rubric (what reviewers score)",
)
def subsidies_office_rubric_add(
    request: Any, call_id: PathId, payload: SubsidyCriterionIn
) -> Status[SubsidyCriterionOut]:
    call = office_call(request, call_id)
    criterion = services.rubric_criterion_add(actor=request.user, call=call, **payload.dict())
    return Status(201, criterion_out(criterion))


@router.patch(
    "/office/rubric/{criterion_id}",
    response=SubsidyCriterionOut,
    summary="Change a line of the rubric (until the rules are fixed)",
)
def subsidies_office_rubric_update(
    request: Any, criterion_id: PathId, payload: SubsidyCriterionPatchIn
) -> SubsidyCriterionOut:
    criterion = _criterion(request, criterion_id)
    values = merged(criterion, _editable(RUBRIC_FIELDS), payload)
    saved = services.rubric_criterion_update(actor=request.user, criterion=criterion, **values)
    return criterion_out(saved)


@router.delete(
    "/office/rubric/{criterion_id}",
    response={204: None},
    summary="Delete a line of the rubric nobody scored (until the rules are fixed)",
)
def subsidies_office_rubric_delete(request: Any, criterion_id: PathId) -> Status[None]:
    criterion = _criterion(request, criterion_id)
    services.rubric_criterion_remove(actor=request.user, criterion=criterion)
    return Status(204, None)


@router.post(
    "/office/calls/{call_id}/bonus",
    response={201: SubsidyBonusOut},
    summary="Add a bonus point (加点) to the call",
)
def subsidies_office_bonus_add(
    request: Any, call_id: PathId, payload: SubsidyBonusIn
) -> Status[SubsidyBonusOut]:
    call = office_call(request, call_id)
    bonus = services.bonus_criterion_add(actor=request.user, call=call, **payload.dict())
    return Status(201, bonus_out(bonus))


@router.patch(
    "/office/bonus/{bonus_id}",
    response=SubsidyBonusOut,
    summary="Change a bonus point (until the rules are fixed)",
)
def subsidies_office_bonus_update(
    request: Any, bonus_id: PathId, payload: SubsidyBonusPatchIn
) -> SubsidyBonusOut:
    bonus = _bonus(request, bonus_id)
    values = merged(bonus, _editable(BONUS_FIELDS), payload)
    saved = services.bonus_criterion_update(actor=request.user, bonus=bonus, **values)
    return bonus_out(saved)


@router.delete(
    "/office/bonus/{bonus_id}",
    response={204: None},
    summary="Delete a bonus point nobody claimed (until the rules are fixed)",
)
def subsidies_office_bonus_delete(request: Any, bonus_id: PathId) -> Status[None]:
    bonus = _bonus(request, bonus_id)
    services.bonus_criterion_remove(actor=request.user, bonus=bonus)
    return Status(204, None)
