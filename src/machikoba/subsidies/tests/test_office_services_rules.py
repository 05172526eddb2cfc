"""The office's writes of a call's rules: stages, expense categories, attachments, the
rubric and bonus points. The rules are fixed once the window opened or an application
was submitted; a rule in use is not removed; every refusal leaves nothing changed; every
change is audited; another ward's officer can do nothing here."""

from __future__ import annotations

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.factories import ward
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_paper_call,
)
from machikoba.core.testing.factories_subsidies_office import make_future_paper_call
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus, BonusKind
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode as Code
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusClaim,
    BonusCriterion,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.subsidies.tests.conftest import (
    audit_verbs,
    call_fields,
    refused,
    stage_update_fields,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _stage_fields(**overrides):
    fields = {
        "number": 1,
        "name": "はじめの一歩",
        "purpose": "",
        "rate_numerator": 3,
        "rate_denominator": 4,
        "cap": 500_000,
        "min_project_cost": 100_000,
        "rounding": 1000,
        "budget": 5_000_000,
        "requires_expert_evaluation": False,
        "allows_partners": False,
    }
    fields.update(overrides)
    return fields


# --- the rules lock -------------------------------------------------------------------------


def test_a_submitted_application_fixes_the_rules_even_before_the_opening(officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=1)
    make_application(stage, status=ApplicationStatus.SUBMITTED)
    make_application(stage, status=ApplicationStatus.WITHDRAWN, submitted_at=timezone.now())
    error = refused(
        Code.RULES_LOCKED_SUBMITTED,
        services.stage_update,
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, rate_numerator=2, rate_denominator=3),
    )
    assert "2 件" in str(error.message)
    stage.refresh_from_db()
    assert stage.rate == stage.rate.__class__(3, 4)


def test_a_draft_does_not_fix_the_rules(officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=1)
    make_application(stage)  # a draft, never submitted
    services.stage_update(
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, rate_numerator=2, rate_denominator=3),
    )
    stage.refresh_from_db()
    assert (stage.rate_numerator, stage.rate_denominator) == (2, 3)


@pytest.mark.parametrize(
    "change",
    [
        {"rate_numerator": 2, "rate_denominator": 3},
        {"cap": 400_000},
        {"min_project_cost": 50_000},
        {"rounding": 100},
        {"requires_expert_evaluation": True},
        {"allows_partners": True},
        {"number": 7},
    ],
    ids=lambda c: next(iter(c)),
)
def test_after_opening_a_stages_rules_stay(officer, change):
    call = make_paper_call()
    stage = call.stages.get(number=1)
    before = Stage.objects.values().get(pk=stage.pk)
    refused(
        Code.RULES_LOCKED_OPEN,
        services.stage_update,
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, **change),
    )
    assert Stage.objects.values().get(pk=stage.pk) == before


def test_after_opening_a_stages_name_and_budget_still_change(officer):
    call = make_paper_call()
    stage = call.stages.get(number=1)
    services.stage_update(
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, name="はじめの一歩 (改)", budget=14_000_000),
    )
    stage.refresh_from_db()
    assert (stage.name, stage.budget) == ("はじめの一歩 (改)", 14_000_000)
    assert audit_verbs() == ["subsidy_stage.update"]


def test_after_opening_no_stage_category_attachment_rubric_or_bonus_is_added(officer):
    call = make_paper_call()
    stage = call.stages.get(number=1)
    attempts = [
        lambda: services.stage_create(
            actor=officer, call=call, **_stage_fields(number=4, budget=1)
        ),
        lambda: services.category_add(actor=officer, stage=stage, code="new", name="新しい区分"),
        lambda: services.attachment_requirement_add(actor=officer, stage=stage, name="登記簿"),
        lambda: services.rubric_criterion_add(actor=officer, call=call, name="新規性", max_score=5),
        lambda: services.bonus_criterion_add(
            actor=officer, call=call, kind=BonusKind.CLAIMED, name="認定", points=1
        ),
        lambda: services.stage_delete(actor=officer, stage=call.stages.get(number=3)),
        lambda: services.category_remove(actor=officer, category=stage.categories.first()),
        lambda: services.rubric_criterion_remove(actor=officer, criterion=call.rubric.first()),
        lambda: services.bonus_criterion_remove(actor=officer, bonus=call.bonus_criteria.first()),
    ]
    counts = (
        Stage.objects.count(),
        ExpenseCategory.objects.count(),
        AttachmentRequirement.objects.count(),
        RubricCriterion.objects.count(),
        BonusCriterion.objects.count(),
    )
    for attempt in attempts:
        with pytest.raises(ApplicationError) as caught:
            attempt()
        assert caught.value.code == Code.RULES_LOCKED_OPEN
    assert counts == (
        Stage.objects.count(),
        ExpenseCategory.objects.count(),
        AttachmentRequirement.objects.count(),
        RubricCriterion.objects.count(),
        BonusCriterion.objects.count(),
    )
    assert audit_verbs() == []


# --- stages -----------------------------------------------------------------------------------


@pytest.fixture
def empty_call(officer):
    return services.call_create(actor=officer, municipality=ward(), **call_fields())


def test_an_officer_adds_a_stage_with_an_exact_rate(officer, empty_call):
    stage = services.stage_create(
        actor=officer, call=empty_call, **_stage_fields(rate_numerator=2, rate_denominator=3)
    )
    assert stage.rate == stage.rate.__class__(2, 3)
    assert audit_verbs() == ["subsidy_call.create", "subsidy_stage.create"]


@pytest.mark.parametrize(
    ("numerator", "denominator"), [(4, 3), (0, 3), (1, 101)], ids=["n>d", "zero", "d>100"]
)
def test_a_rate_out_of_range_is_refused(officer, empty_call, numerator, denominator):
    error = refused(
        Code.STAGE_RATE_INVALID,
        services.stage_create,
        actor=officer,
        call=empty_call,
        **_stage_fields(rate_numerator=numerator, rate_denominator=denominator),
    )
    assert "分子" in str(error.message)
    assert not Stage.objects.exists()


def test_a_rate_of_one_whole_is_allowed(officer, empty_call):
    stage = services.stage_create(
        actor=officer, call=empty_call, **_stage_fields(rate_numerator=1, rate_denominator=1)
    )
    assert stage.rate == 1


def test_stage_budgets_above_the_call_budget_are_refused(officer, empty_call):
    services.stage_create(actor=officer, call=empty_call, **_stage_fields(budget=6_000_000))
    error = refused(
        Code.STAGE_BUDGETS_ABOVE_CALL,
        services.stage_create,
        actor=officer,
        call=empty_call,
        **_stage_fields(number=2, budget=4_000_001),
    )
    assert "10,000,001円" in str(error.message)
    assert "4,000,000円" in str(error.message)  # what is left for this stage
    assert Stage.objects.count() == 1
    # Exactly the call's budget fits.
    services.stage_create(
        actor=officer, call=empty_call, **_stage_fields(number=2, budget=4_000_000)
    )


def test_raising_a_stage_budget_above_the_call_is_refused(officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=1)
    refused(
        Code.STAGE_BUDGETS_ABOVE_CALL,
        services.stage_update,
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, budget=stage.budget + 1),
    )
    stage.refresh_from_db()
    assert stage.budget == 15_000_000


def test_a_stage_number_is_one_per_call(officer, empty_call):
    services.stage_create(actor=officer, call=empty_call, **_stage_fields(budget=1_000_000))
    error = refused(
        Code.STAGE_NUMBER_TAKEN,
        services.stage_create,
        actor=officer,
        call=empty_call,
        **_stage_fields(budget=1_000_000),
    )
    assert "number" in error.fields


def test_a_cap_above_the_stage_budget_is_refused(officer, empty_call):
    error = refused(
        Code.STAGE_INVALID,
        services.stage_create,
        actor=officer,
        call=empty_call,
        **_stage_fields(cap=600_000, budget=500_000),
    )
    assert "cap" in error.fields


def test_a_stage_budget_below_what_is_decided_is_refused(officer):
    call = make_paper_call()
    stage = call.stages.get(number=1)
    for _ in range(2):
        make_application(
            stage,
            status=ApplicationStatus.GRANTED,
            requested_amount=400_000,
            decided_amount=300_000,
        )
    error = refused(
        Code.STAGE_BUDGET_BELOW_DECIDED,
        services.stage_update,
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, budget=599_999),
    )
    assert "600,000円" in str(error.message)
    services.stage_update(actor=officer, stage=stage, **stage_update_fields(stage, budget=600_000))


def test_a_stage_is_deleted_with_its_categories_before_the_opening(officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=3)
    services.stage_delete(actor=officer, stage=stage)
    assert not Stage.objects.filter(pk=stage.pk).exists()
    assert not ExpenseCategory.objects.filter(stage_id=stage.pk).exists()
    assert audit_verbs() == ["subsidy_stage.delete"]


def test_a_stage_an_application_names_is_not_deleted(officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=3)
    make_application(stage)  # a draft (the rules are still open)
    error = refused(Code.RULE_IN_USE, services.stage_delete, actor=officer, stage=stage)
    assert "ステージ3" in str(error.message)
    assert Stage.objects.filter(pk=stage.pk).exists()


def test_another_wards_officer_may_not_touch_a_stage(sumida_officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=1)
    for attempt in (
        lambda: services.stage_create(actor=sumida_officer, call=call, **_stage_fields(number=4)),
        lambda: services.stage_update(
            actor=sumida_officer, stage=stage, **stage_update_fields(stage, name="x")
        ),
        lambda: services.stage_delete(actor=sumida_officer, stage=stage),
        lambda: services.category_add(actor=sumida_officer, stage=stage, code="x", name="x"),
        lambda: services.rubric_criterion_add(
            actor=sumida_officer, call=call, name="x", max_score=1
        ),
    ):
        with pytest.raises(PermissionRefused) as caught:
            attempt()
        assert caught.value.code == Code.OFFICE_NOT_ALLOWED
    assert Stage.objects.filter(call=call).count() == 3
    assert audit_verbs() == []


# --- categories and attachments ---------------------------------------------------------------


def test_categories_are_added_changed_and_removed(officer):
    call = make_future_paper_call()
    stage = call.stages.get(number=2)
    category = services.category_add(
        actor=officer,
        stage=stage,
        code="training",
        name="研修費",
        max_share_percent=10,
        max_amount=300_000,
        quotes_required=2,
    )
    assert category.order == 4  # after the four of the paper
    services.category_update(
        actor=officer,
        category=category,
        code="training",
        name="研修・教育費",
        max_share_percent=None,
        max_amount=None,
        quotes_required=1,
    )
    category.refresh_from_db()
    assert (category.name, category.max_share_percent, category.quotes_required) == (
        "研修・教育費",
        None,
        1,
    )
    services.category_remove(actor=officer, category=category)
    assert not ExpenseCategory.objects.filter(pk=category.pk).exists()
    assert audit_verbs() == [
        "subsidy_category.add",
        "subsidy_category.update",
        "subsidy_category.remove",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"max_share_percent": 0}, "max_share_percent"),
        ({"max_share_percent": 101}, "max_share_percent"),
        ({"max_amount": 0}, "max_amount"),
        ({"quotes_required": 6}, "quotes_required"),
    ],
    ids=["share-0", "share-101", "amount-0", "quotes-6"],
)
def test_a_category_out_of_range_is_refused(officer, fields, field):
    stage = make_future_paper_call().stages.get(number=1)
    error = refused(
        Code.CATEGORY_INVALID,
        services.category_add,
        actor=officer,
        stage=stage,
        code="x",
        name="x",
        **fields,
    )
    assert field in error.fields
    assert stage.categories.count() == 3


def test_a_category_code_is_one_per_stage(officer):
    stage = make_future_paper_call().stages.get(number=1)
    error = refused(
        Code.CATEGORY_CODE_TAKEN,
        services.category_add,
        actor=officer,
        stage=stage,
        code="software",
        name="ソフトウェア",
    )
    assert "software" in str(error.message)


def test_a_category_with_an_invalid_code_is_refused(officer):
    stage = make_future_paper_call().stages.get(number=1)
    error = refused(
        Code.CATEGORY_INVALID,
        services.category_add,
        actor=officer,
        stage=stage,
        code="ソフト ウェア",
        name="ソフトウェア",
    )
    assert "code" in error.fields


def test_a_category_an_expense_line_uses_is_not_removed(officer):
    stage = make_future_paper_call().stages.get(number=1)
    make_application(stage, lines=[("devices", 200_000)])
    category = stage.categories.get(code="devices")
    refused(Code.RULE_IN_USE, services.category_remove, actor=officer, category=category)
    assert ExpenseCategory.objects.filter(pk=category.pk).exists()


def test_attachments_are_added_and_removed(officer):
    stage = make_future_paper_call().stages.get(number=1)
    requirement = services.attachment_requirement_add(
        actor=officer, stage=stage, name="履歴事項全部証明書", help_text="3か月以内"
    )
    assert requirement.order == 1
    refused(
        Code.ATTACHMENT_INVALID,
        services.attachment_requirement_add,
        actor=officer,
        stage=stage,
        name="  ",
    )
    services.attachment_requirement_remove(actor=officer, requirement=requirement)
    assert list(stage.attachment_requirements.values_list("name", flat=True)) == [
        "直近1期分の決算書 (または確定申告書)"
    ]
    assert audit_verbs() == ["subsidy_attachment.add", "subsidy_attachment.remove"]


# --- rubric and bonus points -------------------------------------------------------------------


def test_rubric_lines_are_added_changed_and_removed(officer):
    call = make_future_paper_call()
    criterion = services.rubric_criterion_add(
        actor=officer, call=call, name="新規性", description="", max_score=5
    )
    services.rubric_criterion_update(
        actor=officer, criterion=criterion, name="新規性・独自性", description="", max_score=10
    )
    criterion.refresh_from_db()
    assert (criterion.name, criterion.max_score, criterion.order) == ("新規性・独自性", 10, 5)
    refused(
        Code.RUBRIC_INVALID,
        services.rubric_criterion_update,
        actor=officer,
        criterion=criterion,
        name="新規性",
        max_score=0,
    )
    services.rubric_criterion_remove(actor=officer, criterion=criterion)
    assert call.rubric.count() == 5
    assert audit_verbs() == ["subsidy_rubric.add", "subsidy_rubric.update", "subsidy_rubric.remove"]


def test_bonus_points_are_added_changed_and_removed(officer):
    call = make_future_paper_call()
    bonus = services.bonus_criterion_add(
        actor=officer, call=call, kind=BonusKind.CLAIMED, name="健康経営優良法人", points=2
    )
    services.bonus_criterion_update(
        actor=officer, bonus=bonus, kind=BonusKind.CLAIMED, name="健康経営優良法人の認定", points=3
    )
    bonus.refresh_from_db()
    assert (bonus.name, bonus.points) == ("健康経営優良法人の認定", 3)
    services.bonus_criterion_remove(actor=officer, bonus=bonus)
    assert audit_verbs() == ["subsidy_bonus.add", "subsidy_bonus.update", "subsidy_bonus.remove"]


def test_one_dojo_bonus_per_call(officer):
    call = make_future_paper_call()  # has the DX道場 bonus
    error = refused(
        Code.BONUS_INVALID,
        services.bonus_criterion_add,
        actor=officer,
        call=call,
        kind=BonusKind.DOJO_GRADUATE,
        name="道場 (2つめ)",
        points=5,
    )
    assert "kind" in error.fields
    # The existing one may still be changed.
    dojo = call.bonus_criteria.get(kind=BonusKind.DOJO_GRADUATE)
    services.bonus_criterion_update(
        actor=officer, bonus=dojo, kind=BonusKind.DOJO_GRADUATE, name=dojo.name, points=4
    )


@pytest.mark.parametrize("points", [0, 101])
def test_bonus_points_out_of_range_are_refused(officer, points):
    call = make_future_paper_call()
    refused(
        Code.BONUS_INVALID,
        services.bonus_criterion_add,
        actor=officer,
        call=call,
        kind=BonusKind.CLAIMED,
        name="x",
        points=points,
    )
    assert call.bonus_criteria.count() == 3


def test_a_bonus_claimed_by_an_application_is_not_removed(officer):
    call = make_future_paper_call()
    bonus = call.bonus_criteria.get(kind=BonusKind.CLAIMED, points=3)
    application = make_application(call.stages.get(number=1))
    BonusClaim.objects.create(application=application, criterion=bonus)
    refused(Code.RULE_IN_USE, services.bonus_criterion_remove, actor=officer, bonus=bonus)
    assert BonusCriterion.objects.filter(pk=bonus.pk).exists()
