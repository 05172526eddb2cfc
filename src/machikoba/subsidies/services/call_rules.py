"""The office's writes of a call's stages and each stage's rules: the stage itself (its
rate as an exact fraction, cap, minimum project cost, rounding and budget), its eligible
expense categories and the documents every application of it must attach.

The rules may change only until they are fixed (``selectors.office.rules_lock``); a
stage's name, purpose and budget may always change, the budget within the call's and not
below its confirmed selection's total or what is already decided. A rule an application
already uses is not removed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import snapshot
from machikoba.core.errors import ApplicationError
from machikoba.core.money import format_yen
from machikoba.subsidies.choices import GRANTED_STATUSES
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import (
    ActualExpense,
    Application,
    ApplicationDocument,
    AttachmentRequirement,
    Call,
    ExpenseCategory,
    ExpenseLine,
    Stage,
)
from machikoba.subsidies.models_screening import Selection
from machikoba.subsidies.services._call_checks import (
    _invalid,
    _locked_call,
    _next_order,
    _open_call,
    _refuse,
    _remove_rule,
    _require_rules_open,
    _save_rule,
    _stage_budgets,
)

STAGE_FIELDS = [
    "number",
    "name",
    "purpose",
    "rate_numerator",
    "rate_denominator",
    "cap",
    "min_project_cost",
    "rounding",
    "budget",
    "requires_expert_evaluation",
    "allows_partners",
]
STAGE_RULE_FIELDS = (
    "number",
    "rate_numerator",
    "rate_denominator",
    "cap",
    "min_project_cost",
    "rounding",
    "requires_expert_evaluation",
    "allows_partners",
)
CATEGORY_FIELDS = [
    "code",
    "name",
    "help_text",
    "max_share_percent",
    "max_amount",
    "quotes_required",
    "order",
]
ATTACHMENT_FIELDS = ["name", "help_text", "order"]
MAX_STAGE_NUMBER = 9
MAX_RATE_DENOMINATOR = 100
MAX_ROUNDING = 1_000_000
MAX_QUOTES = 5


# --- stages -----------------------------------------------------------------------------


def _check_stage(stage: Stage) -> None:
    """The stage's numbers (as about to be saved) within their bounds."""
    errors: dict[str, str] = {}
    if not 1 <= stage.number <= MAX_STAGE_NUMBER:
        errors["number"] = _("ステージの番号は 1〜9 にしてください。")
    if stage.cap < 1:
        errors["cap"] = _("補助上限額は 1 円以上にしてください。")
    if stage.min_project_cost < 0:
        errors["min_project_cost"] = _("補助対象経費の下限は 0 円以上にしてください。")
    if not 1 <= stage.rounding <= MAX_ROUNDING:
        errors["rounding"] = _("端数の切捨て単位は 1〜1,000,000 円にしてください (例: 1000)。")
    if stage.budget < 1:
        errors["budget"] = _("ステージの予算額は 1 円以上にしてください。")
    elif stage.cap > stage.budget:
        errors["cap"] = _("補助上限額は、このステージの予算額以下にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.STAGE_INVALID, **errors)
    if not (1 <= stage.rate_numerator <= stage.rate_denominator <= MAX_RATE_DENOMINATOR):
        message = _(
            "補助率は 3/4・2/3・1/2 のように、分子を 1 以上・分母以下にしてください "
            "(分母は 100 まで)。"
        )
        raise ApplicationError(
            CallOfficeErrorCode.STAGE_RATE_INVALID,
            message,
            fields={"rate_numerator": [message], "rate_denominator": [message]},
        )


def _check_stage_budget(call: Call, budget: int, *, stage: Stage | None = None) -> None:
    others = _stage_budgets(call, excluding=stage)
    if others + budget > call.budget:
        raise _refuse(
            CallOfficeErrorCode.STAGE_BUDGETS_ABOVE_CALL,
            _(
                "ステージの予算の合計 (%(total)s) が公募の予算額 (%(budget)s) を超えます。"
                "このステージに使えるのは %(free)s までです。"
            )
            % {
                "total": format_yen(others + budget),
                "budget": format_yen(call.budget),
                "free": format_yen(max(0, call.budget - others)),
            },
            "budget",
        )


def _save_stage(
    actor: User, stage: Stage, *, verb: str, before: dict[str, Any] | None = None
) -> None:
    if Stage.objects.filter(call=stage.call, number=stage.number).exclude(pk=stage.pk).exists():
        raise _refuse(
            CallOfficeErrorCode.STAGE_NUMBER_TAKEN,
            _("この公募にはステージ%(number)d がすでにあります。別の番号にしてください。")
            % {"number": stage.number},
            "number",
        )
    _save_rule(
        actor,
        stage,
        code=CallOfficeErrorCode.STAGE_INVALID,
        verb=verb,
        fields=STAGE_FIELDS,
        before=before,
    )


@transaction.atomic
def stage_create(
    *,
    actor: User,
    call: Call,
    number: int,
    name: str,
    purpose: str = "",
    rate_numerator: int,
    rate_denominator: int,
    cap: int,
    min_project_cost: int = 0,
    rounding: int = 1000,
    budget: int,
    requires_expert_evaluation: bool = False,
    allows_partners: bool = False,
) -> Stage:
    """A new stage of ``call`` with its rate (an exact fraction), cap, minimum project cost,
    rounding and budget (the stages together within the call's budget)."""
    call = _open_call(actor, call)
    stage = Stage(
        call=call,
        number=number,
        name=name.strip(),
        purpose=purpose.strip(),
        rate_numerator=rate_numerator,
        rate_denominator=rate_denominator,
        cap=cap,
        min_project_cost=min_project_cost,
        rounding=rounding,
        budget=budget,
        requires_expert_evaluation=requires_expert_evaluation,
        allows_partners=allows_partners,
    )
    _check_stage(stage)
    _check_stage_budget(call, budget)
    _save_stage(actor, stage, verb="subsidy_stage.create")
    return stage


def _decided_in(stage: Stage) -> int:
    return (
        Application.objects.filter(stage=stage, status__in=GRANTED_STATUSES).aggregate(
            total=Sum("decided_amount")
        )["total"]
        or 0
    )


def _selected_in(stage: Stage) -> int:
    """The total of the stage's confirmed selection (0 before it)."""
    return Selection.objects.filter(stage=stage).values_list("total_amount", flat=True).first() or 0


@transaction.atomic
def stage_update(
    *,
    actor: User,
    stage: Stage,
    number: int,
    name: str,
    purpose: str = "",
    rate_numerator: int,
    rate_denominator: int,
    cap: int,
    min_project_cost: int = 0,
    rounding: int = 1000,
    budget: int,
    requires_expert_evaluation: bool = False,
    allows_partners: bool = False,
) -> Stage:
    """Change a stage. Its name, purpose and budget may always change (the budget within
    the call's, and not below its confirmed selection's total nor what is already
    decided); its rules only until they are fixed (``rules_lock``)."""
    call = _locked_call(actor, stage.call)
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    new_rules = {
        "number": number,
        "rate_numerator": rate_numerator,
        "rate_denominator": rate_denominator,
        "cap": cap,
        "min_project_cost": min_project_cost,
        "rounding": rounding,
        "requires_expert_evaluation": requires_expert_evaluation,
        "allows_partners": allows_partners,
    }
    if any(getattr(stage, name) != value for name, value in new_rules.items()):
        _require_rules_open(call)
    before = snapshot(stage, STAGE_FIELDS)
    stage.name = name.strip()
    stage.purpose = purpose.strip()
    stage.budget = budget
    for field_name, value in new_rules.items():
        setattr(stage, field_name, value)
    _check_stage(stage)
    _check_stage_budget(call, budget, stage=stage)
    selected = _selected_in(stage)
    if budget < selected:
        raise _refuse(
            CallOfficeErrorCode.STAGE_BUDGET_BELOW_DECIDED,
            _(
                "このステージの採択は、採択額の合計 %(selected)s で確定しています。"
                "予算額は %(selected)s 以上にしてください。"
            )
            % {"selected": format_yen(selected)},
            "budget",
        )
    decided = _decided_in(stage)
    if budget < decided:
        raise _refuse(
            CallOfficeErrorCode.STAGE_BUDGET_BELOW_DECIDED,
            _(
                "このステージではすでに %(decided)s の交付を決定しています。"
                "予算額はそれ以上にしてください。"
            )
            % {"decided": format_yen(decided)},
            "budget",
        )
    _save_stage(actor, stage, verb="subsidy_stage.update", before=before)
    return stage


@transaction.atomic
def stage_delete(*, actor: User, stage: Stage) -> None:
    """Delete a stage (with its categories and attachments) while the rules may change and
    no application names it."""
    _open_call(actor, stage.call)
    _remove_rule(
        actor,
        stage,
        in_use=Application.objects.filter(stage=stage).exists(),
        verb="subsidy_stage.delete",
        fields=STAGE_FIELDS,
        what=str(stage),
    )


# --- expense categories and attachments ----------------------------------------------------


def _check_category(
    *, max_share_percent: int | None, max_amount: int | None, quotes_required: int
) -> None:
    errors: dict[str, str] = {}
    if max_share_percent is not None and not 1 <= max_share_percent <= 100:
        errors["max_share_percent"] = _("割合の上限は 1〜100 % にしてください (なければ空欄)。")
    if max_amount is not None and max_amount < 1:
        errors["max_amount"] = _("区分の上限額は 1 円以上にしてください (なければ空欄)。")
    if not 0 <= quotes_required <= MAX_QUOTES:
        errors["quotes_required"] = _("必要な見積書の数は 0〜5 にしてください (相見積は 2)。")
    if errors:
        raise _invalid(CallOfficeErrorCode.CATEGORY_INVALID, **errors)


def _save_category(
    actor: User, category: ExpenseCategory, *, verb: str, before: dict[str, Any] | None = None
) -> None:
    taken = (
        ExpenseCategory.objects.filter(stage=category.stage, code=category.code)
        .exclude(pk=category.pk)
        .exists()
    )
    if taken:
        raise _refuse(
            CallOfficeErrorCode.CATEGORY_CODE_TAKEN,
            _("このステージにはコード「%(code)s」の経費区分がすでにあります。")
            % {"code": category.code},
            "code",
        )
    _save_rule(
        actor,
        category,
        code=CallOfficeErrorCode.CATEGORY_INVALID,
        verb=verb,
        fields=CATEGORY_FIELDS,
        before=before,
    )


def _stage_of(actor: User, stage: Stage) -> Stage:
    """``stage`` once its call is locked, the actor proved its officer and the rules open."""
    _open_call(actor, stage.call)
    return Stage.objects.select_related("call").get(pk=stage.pk)


@transaction.atomic
def category_add(
    *,
    actor: User,
    stage: Stage,
    code: str,
    name: str,
    help_text: str = "",
    max_share_percent: int | None = None,
    max_amount: int | None = None,
    quotes_required: int = 1,
) -> ExpenseCategory:
    """An eligible expense category of ``stage`` with its own limits (a share of the
    eligible cost, an amount) and the quotes each line needs (2 = 相見積)."""
    stage = _stage_of(actor, stage)
    _check_category(
        max_share_percent=max_share_percent,
        max_amount=max_amount,
        quotes_required=quotes_required,
    )
    category = ExpenseCategory(
        stage=stage,
        code=code.strip(),
        name=name.strip(),
        help_text=help_text.strip(),
        max_share_percent=max_share_percent,
        max_amount=max_amount,
        quotes_required=quotes_required,
        order=_next_order(ExpenseCategory.objects.filter(stage=stage)),
    )
    _save_category(actor, category, verb="subsidy_category.add")
    return category


@transaction.atomic
def category_update(
    *,
    actor: User,
    category: ExpenseCategory,
    code: str,
    name: str,
    help_text: str = "",
    max_share_percent: int | None = None,
    max_amount: int | None = None,
    quotes_required: int = 1,
) -> ExpenseCategory:
    _stage_of(actor, category.stage)
    category = ExpenseCategory.objects.select_for_update().get(pk=category.pk)
    _check_category(
        max_share_percent=max_share_percent,
        max_amount=max_amount,
        quotes_required=quotes_required,
    )
    before = snapshot(category, CATEGORY_FIELDS)
    category.code = code.strip()
    category.name = name.strip()
    category.help_text = help_text.strip()
    category.max_share_percent = max_share_percent
    category.max_amount = max_amount
    category.quotes_required = quotes_required
    _save_category(actor, category, verb="subsidy_category.update", before=before)
    return category


@transaction.atomic
def category_remove(*, actor: User, category: ExpenseCategory) -> None:
    _stage_of(actor, category.stage)
    _remove_rule(
        actor,
        category,
        in_use=(
            ExpenseLine.objects.filter(category=category).exists()
            or ActualExpense.objects.filter(category=category).exists()
        ),
        verb="subsidy_category.remove",
        fields=CATEGORY_FIELDS,
        what=category.name,
    )


@transaction.atomic
def attachment_requirement_add(
    *, actor: User, stage: Stage, name: str, help_text: str = ""
) -> AttachmentRequirement:
    """A document every application of ``stage`` must attach (決算書, 協力同意書 …)."""
    stage = _stage_of(actor, stage)
    if not name.strip():
        raise _invalid(
            CallOfficeErrorCode.ATTACHMENT_INVALID, name=_("書類の名称を入力してください。")
        )
    requirement = AttachmentRequirement(
        stage=stage,
        name=name.strip(),
        help_text=help_text.strip(),
        order=_next_order(AttachmentRequirement.objects.filter(stage=stage)),
    )
    _save_rule(
        actor,
        requirement,
        code=CallOfficeErrorCode.ATTACHMENT_INVALID,
        verb="subsidy_attachment.add",
        fields=ATTACHMENT_FIELDS,
    )
    return requirement


@transaction.atomic
def attachment_requirement_remove(*, actor: User, requirement: AttachmentRequirement) -> None:
    _stage_of(actor, requirement.stage)
    _remove_rule(
        actor,
        requirement,
        in_use=ApplicationDocument.objects.filter(requirement=requirement).exists(),
        verb="subsidy_attachment.remove",
        fields=ATTACHMENT_FIELDS,
        what=requirement.name,
    )
