"""The office's writes of a call's stages and each stage's rules: the stage itself (its
rate as an exact fraction, cap, minimum project cost, rounding and budget), its eligible
expense categories and the documents every application of it must attach.

The rules may change only until they are fixed (``selectors.office.rules_lock``); a
stage's name, purpose and budget may always change, the budget within the call's and not
below what is already decided. A rule an application already uses is not removed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, full_clean_or_raise
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
from machikoba.subsidies.services._call_checks import (
    _invalid,
    _locked_call,
    _next_order,
    _refuse,
    _refuse_in_use,
    _require_rules_open,
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
MAX_STAGE_NUMBER = 9
MAX_RATE_DENOMINATOR = 100
MAX_ROUNDING = 1_000_000
MAX_QUOTES = 5


# --- stages -----------------------------------------------------------------------------


def _check_stage(
    *,
    number: int,
    rate_numerator: int,
    rate_denominator: int,
    cap: int,
    min_project_cost: int,
    rounding: int,
    budget: int,
) -> None:
    errors: dict[str, str] = {}
    if not 1 <= number <= MAX_STAGE_NUMBER:
        errors["number"] = _("ステージの番号は 1〜9 にしてください。")
    if cap < 1:
        errors["cap"] = _("補助上限額は 1 円以上にしてください。")
    if min_project_cost < 0:
        errors["min_project_cost"] = _("補助対象経費の下限は 0 円以上にしてください。")
    if not 1 <= rounding <= MAX_ROUNDING:
        errors["rounding"] = _("端数の切捨て単位は 1〜1,000,000 円にしてください (例: 1000)。")
    if budget < 1:
        errors["budget"] = _("ステージの予算額は 1 円以上にしてください。")
    elif cap > budget:
        errors["cap"] = _("補助上限額は、このステージの予算額以下にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.STAGE_INVALID, **errors)
    if not (1 <= rate_numerator <= rate_denominator <= MAX_RATE_DENOMINATOR):
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


def _save_stage(stage: Stage) -> None:
    if Stage.objects.filter(call=stage.call, number=stage.number).exclude(pk=stage.pk).exists():
        raise _refuse(
            CallOfficeErrorCode.STAGE_NUMBER_TAKEN,
            _("この公募にはステージ%(number)d がすでにあります。別の番号にしてください。")
            % {"number": stage.number},
            "number",
        )
    full_clean_or_raise(stage, code=CallOfficeErrorCode.STAGE_INVALID)
    stage.save()


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
    call = _locked_call(actor, call)
    _require_rules_open(call)
    _check_stage(
        number=number,
        rate_numerator=rate_numerator,
        rate_denominator=rate_denominator,
        cap=cap,
        min_project_cost=min_project_cost,
        rounding=rounding,
        budget=budget,
    )
    _check_stage_budget(call, budget)
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
    _save_stage(stage)
    audit_record(
        actor=actor, verb="subsidy_stage.create", target=stage, after=snapshot(stage, STAGE_FIELDS)
    )
    return stage


def _decided_in(stage: Stage) -> int:
    return (
        Application.objects.filter(stage=stage, status__in=GRANTED_STATUSES).aggregate(
            total=Sum("decided_amount")
        )["total"]
        or 0
    )


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
    the call's and not below what is already decided); its rules only until they are
    fixed (``rules_lock``)."""
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
    _check_stage(
        number=number,
        rate_numerator=rate_numerator,
        rate_denominator=rate_denominator,
        cap=cap,
        min_project_cost=min_project_cost,
        rounding=rounding,
        budget=budget,
    )
    _check_stage_budget(call, budget, stage=stage)
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
    before = snapshot(stage, STAGE_FIELDS)
    stage.name = name.strip()
    stage.purpose = purpose.strip()
    stage.budget = budget
    for field_name, value in new_rules.items():
        setattr(stage, field_name, value)
    _save_stage(stage)
    audit_record(
        actor=actor,
        verb="subsidy_stage.update",
        target=stage,
        before=before,
        after=snapshot(stage, STAGE_FIELDS),
    )
    return stage


@transaction.atomic
def stage_delete(*, actor: User, stage: Stage) -> None:
    """Delete a stage (with its categories and attachments) while the rules may change and
    no application names it."""
    call = _locked_call(actor, stage.call)
    _require_rules_open(call)
    if Application.objects.filter(stage=stage).exists():
        raise _refuse_in_use(str(stage))
    before = snapshot(stage, STAGE_FIELDS)
    audit_record(actor=actor, verb="subsidy_stage.delete", target=stage, before=before)
    stage.delete()


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


def _save_category(category: ExpenseCategory) -> None:
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
    full_clean_or_raise(category, code=CallOfficeErrorCode.CATEGORY_INVALID)
    category.save()


def _stage_of(actor: User, stage: Stage) -> Stage:
    """``stage`` once its call is locked, the actor proved its officer and the rules open."""
    call = _locked_call(actor, stage.call)
    _require_rules_open(call)
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
    _save_category(category)
    audit_record(
        actor=actor,
        verb="subsidy_category.add",
        target=category,
        after=snapshot(category, CATEGORY_FIELDS),
    )
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
    _save_category(category)
    audit_record(
        actor=actor,
        verb="subsidy_category.update",
        target=category,
        before=before,
        after=snapshot(category, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def category_remove(*, actor: User, category: ExpenseCategory) -> None:
    _stage_of(actor, category.stage)
    in_use = (
        ExpenseLine.objects.filter(category=category).exists()
        or ActualExpense.objects.filter(category=category).exists()
    )
    if in_use:
        raise _refuse_in_use(category.name)
    audit_record(
        actor=actor,
        verb="subsidy_category.remove",
        target=category,
        before=snapshot(category, CATEGORY_FIELDS),
    )
    category.delete()


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
    full_clean_or_raise(requirement, code=CallOfficeErrorCode.ATTACHMENT_INVALID)
    requirement.save()
    audit_record(
        actor=actor,
        verb="subsidy_attachment.add",
        target=requirement,
        after=snapshot(requirement, ["name", "help_text", "order"]),
    )
    return requirement


@transaction.atomic
def attachment_requirement_remove(*, actor: User, requirement: AttachmentRequirement) -> None:
    _stage_of(actor, requirement.stage)
    if ApplicationDocument.objects.filter(requirement=requirement).exists():
        raise _refuse_in_use(requirement.name)
    audit_record(
        actor=actor,
        verb="subsidy_attachment.remove",
        target=requirement,
        before=snapshot(requirement, ["name", "help_text", "order"]),
    )
    requirement.delete()
