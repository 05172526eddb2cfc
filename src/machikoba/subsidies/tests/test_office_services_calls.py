"""The office's writes of a call: its creation and changes (the dates in order, the
rules applicants rely on fixed once the window opened, the budget not below its
stages') and the copy for next year with its stages, rules, rubric and bonus points.
Every refusal leaves nothing changed; every change is audited; another ward's officer
can do nothing here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import ward
from machikoba.core.testing.factories_subsidies import (
    CallFactory,
    make_application,
    make_paper_call,
)
from machikoba.core.testing.factories_subsidies_office import future_dates, make_future_paper_call
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode as Code
from machikoba.subsidies.models import Call, Stage
from machikoba.subsidies.tests.conftest import (
    audit_verbs,
    call_fields,
    refused,
    stage_update_fields,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _update_fields(call, **overrides):
    fields = {
        "fiscal_year": call.fiscal_year,
        "name": call.name,
        "description": call.description,
        "budget": call.budget,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "screening_on": call.screening_on,
        "decision_on": call.decision_on,
        "requires_gbiz_verified": call.requires_gbiz_verified,
    }
    fields.update(overrides)
    return fields


# --- calls ----------------------------------------------------------------------------------


def test_an_officer_creates_a_call_of_their_ward(officer):
    call = services.call_create(actor=officer, municipality=ward(), **call_fields())
    assert call.municipality == ward()
    assert call.created_by == officer
    assert audit_verbs() == ["subsidy_call.create"]


def test_another_wards_officer_may_not_create_a_call_for_this_ward(sumida_officer):
    error = refused(
        Code.OFFICE_NOT_ALLOWED,
        services.call_create,
        actor=sumida_officer,
        municipality=ward(),
        **call_fields(),
    )
    assert isinstance(error, PermissionRefused)
    assert not Call.objects.exists()
    assert audit_verbs() == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: {"closes_at": d["opens_at"]}, "closes_at", "受付開始より後"),
        (
            lambda d: {"closes_at": d["opens_at"] - dt.timedelta(hours=1)},
            "closes_at",
            "受付開始より後",
        ),
        (
            lambda d: {"screening_on": timezone.localdate(d["closes_at"]) - dt.timedelta(days=1)},
            "screening_on",
            "受付締切の日",
        ),
        (
            lambda d: {"decision_on": d["screening_on"] - dt.timedelta(days=1)},
            "decision_on",
            "審査日以降",
        ),
    ],
    ids=["close-equals-open", "close-before-open", "screening-before-close", "decision-first"],
)
def test_dates_out_of_order_are_refused_with_the_field_named(officer, change, field, words):
    fields = call_fields()
    fields.update(change(fields))
    error = refused(
        Code.CALL_DATES_OUT_OF_ORDER,
        services.call_create,
        actor=officer,
        municipality=ward(),
        **fields,
    )
    assert words in str(error.fields[field][0])
    assert not Call.objects.exists()


def test_screening_on_the_closing_day_and_decision_on_the_screening_day_are_in_order(officer):
    fields = call_fields()
    fields["screening_on"] = timezone.localdate(fields["closes_at"])
    fields["decision_on"] = fields["screening_on"]
    assert services.call_create(actor=officer, municipality=ward(), **fields).pk


def test_a_call_must_open_in_the_future(officer):
    fields = call_fields(opens_at=timezone.now() - dt.timedelta(minutes=1))
    error = refused(
        Code.CALL_DATE_PASSED, services.call_create, actor=officer, municipality=ward(), **fields
    )
    assert "opens_at" in error.fields
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"budget": 0}, "budget"), ({"fiscal_year": 27}, "fiscal_year")],
)
def test_a_budget_of_nothing_or_a_two_digit_year_is_refused(officer, overrides, field):
    error = refused(
        Code.CALL_INVALID,
        services.call_create,
        actor=officer,
        municipality=ward(),
        **call_fields(**overrides),
    )
    assert field in error.fields


def test_a_second_call_of_the_same_name_and_year_is_refused(officer):
    services.call_create(actor=officer, municipality=ward(), **call_fields())
    error = refused(
        Code.CALL_NAME_TAKEN,
        services.call_create,
        actor=officer,
        municipality=ward(),
        **call_fields(),
    )
    assert "同じ名前" in str(error.message)
    assert Call.objects.count() == 1


def test_before_the_window_opens_everything_may_change(officer, gbizid_on):
    call = make_future_paper_call()
    later = future_dates(opens_in_days=14)
    services.call_update(
        actor=officer,
        call=call,
        **_update_fields(
            call,
            name="改名した公募",
            fiscal_year=call.fiscal_year + 1,
            requires_gbiz_verified=True,
            budget=70_000_000,
            **later,
        ),
    )
    call.refresh_from_db()
    assert call.name == "改名した公募"
    assert call.requires_gbiz_verified
    assert call.opens_at == later["opens_at"]
    assert audit_verbs() == ["subsidy_call.update"]
    event = AuditEvent.objects.get()
    assert event.before["name"] != event.after["name"]


def test_after_opening_the_name_budget_and_future_dates_change(officer):
    call = make_paper_call()  # opened a week ago
    closes_at = call.closes_at + dt.timedelta(days=3)
    services.call_update(
        actor=officer,
        call=call,
        **_update_fields(
            call,
            name="DX導入補助金 (延長)",
            description="締切を延ばしました。",
            budget=80_000_000,
            closes_at=closes_at,
        ),
    )
    call.refresh_from_db()
    assert (call.name, call.budget, call.closes_at) == (
        "DX導入補助金 (延長)",
        80_000_000,
        closes_at,
    )


def test_a_form_that_sends_times_to_the_minute_is_no_change_of_a_passed_opening(officer):
    call = make_paper_call(opens_at=timezone.now().replace(second=30) - dt.timedelta(days=7))
    opened = call.opens_at
    to_minute = timezone.localtime(call.opens_at).replace(second=0, microsecond=0)
    services.call_update(
        actor=officer, call=call, **_update_fields(call, opens_at=to_minute, name="名称だけ変更")
    )
    call.refresh_from_db()
    assert call.name == "名称だけ変更"
    assert call.opens_at == opened  # the stored time stays, seconds and all


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        (lambda c: {"fiscal_year": c.fiscal_year + 1}, Code.RULES_LOCKED_OPEN, None),
        (lambda c: {"requires_gbiz_verified": True}, Code.RULES_LOCKED_OPEN, None),
        (
            lambda c: {"opens_at": c.opens_at + dt.timedelta(days=1)},
            Code.CALL_DATE_PASSED,
            "opens_at",
        ),
        (
            lambda c: {"closes_at": timezone.now() - dt.timedelta(hours=1)},
            Code.CALL_DATE_PASSED,
            "closes_at",
        ),
    ],
    ids=["fiscal-year", "gbiz", "passed-opening", "close-into-the-past"],
)
def test_after_opening_rules_and_passed_dates_stay(officer, overrides, code, field):
    call = make_paper_call()
    before = Call.objects.values().get(pk=call.pk)
    error = refused(
        code,
        services.call_update,
        actor=officer,
        call=call,
        **_update_fields(call, name="変わらない", **overrides(call)),
    )
    if field:
        assert field in error.fields
    else:
        assert "受付が" in str(error.message)
    assert Call.objects.values().get(pk=call.pk) == before
    assert audit_verbs() == []


def test_a_budget_below_the_stages_is_refused(officer):
    call = make_future_paper_call()  # stages: 15M + 30M + 20M
    error = refused(
        Code.CALL_BUDGET_BELOW_STAGES,
        services.call_update,
        actor=officer,
        call=call,
        **_update_fields(call, budget=64_999_999),
    )
    assert "65,000,000円" in str(error.message)
    call.refresh_from_db()
    assert call.budget == 65_000_000


def test_another_wards_officer_may_not_change_a_call(sumida_officer):
    call = make_future_paper_call()
    refused(
        Code.OFFICE_NOT_ALLOWED,
        services.call_update,
        actor=sumida_officer,
        call=call,
        **_update_fields(call, name="乗っ取り"),
    )
    call.refresh_from_db()
    assert call.name != "乗っ取り"


# --- next year's call ---------------------------------------------------------------------------


def test_a_call_is_copied_with_its_stages_rules_rubric_and_bonus(officer):
    source = make_paper_call()  # open, with an application: its rules are fixed
    make_application(source.stages.get(number=1), status=ApplicationStatus.SUBMITTED)
    dates = future_dates(opens_in_days=300)
    copy = services.call_copy(
        actor=officer,
        source=source,
        **call_fields(
            fiscal_year=source.fiscal_year + 1, name=source.name, budget=70_000_000, **dates
        ),
    )
    assert copy.municipality == source.municipality
    assert copy.fiscal_year == source.fiscal_year + 1
    assert copy.opens_at == dates["opens_at"]

    def rules(call):
        return [
            (
                stage.number,
                stage.name,
                stage.rate,
                stage.cap,
                stage.min_project_cost,
                stage.budget,
                stage.requires_expert_evaluation,
                stage.allows_partners,
                list(stage.categories.values_list("code", "max_share_percent", "quotes_required")),
                list(stage.attachment_requirements.values_list("name", flat=True)),
            )
            for stage in call.stages.order_by("number")
        ]

    assert rules(copy) == rules(source)
    assert list(copy.rubric.values_list("name", "max_score")) == list(
        source.rubric.values_list("name", "max_score")
    )
    assert list(copy.bonus_criteria.values_list("kind", "name", "points")) == list(
        source.bonus_criteria.values_list("kind", "name", "points")
    )
    assert not copy.stages.filter(applications__isnull=False).exists()
    assert source.stages.count() == 3  # the source is untouched
    assert audit_verbs() == ["subsidy_call.create", "subsidy_call.copy"]
    # The copy's rules may change: its window is still to come.
    stage = copy.stages.get(number=1)
    services.stage_update(
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, rate_numerator=2, rate_denominator=3),
    )


def test_a_copy_with_a_budget_below_its_stages_is_refused(officer):
    source = make_paper_call()
    error = refused(
        Code.CALL_BUDGET_BELOW_STAGES,
        services.call_copy,
        actor=officer,
        source=source,
        **call_fields(fiscal_year=source.fiscal_year + 1, budget=10_000_000),
    )
    assert "65,000,000円" in str(error.message)
    assert Call.objects.count() == 1


def test_a_copy_with_dates_out_of_order_leaves_nothing(officer):
    source = make_paper_call()
    fields = call_fields(fiscal_year=source.fiscal_year + 1, budget=65_000_000)
    fields["decision_on"] = fields["screening_on"] - dt.timedelta(days=1)
    refused(
        Code.CALL_DATES_OUT_OF_ORDER, services.call_copy, actor=officer, source=source, **fields
    )
    assert Call.objects.count() == 1
    assert Stage.objects.count() == 3


def test_another_wards_officer_may_not_copy_a_call(sumida_officer):
    source = make_paper_call()
    refused(
        Code.OFFICE_NOT_ALLOWED,
        services.call_copy,
        actor=sumida_officer,
        source=source,
        **call_fields(fiscal_year=source.fiscal_year + 1, budget=65_000_000),
    )
    assert Call.objects.count() == 1


def test_a_call_factory_call_has_no_rules_to_copy(officer):
    source = CallFactory()
    copy = services.call_copy(
        actor=officer,
        source=source,
        **call_fields(fiscal_year=source.fiscal_year + 1, budget=1_000_000),
    )
    assert not copy.stages.exists()
