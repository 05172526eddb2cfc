"""Factories of the DX subsidy: a call with the paper's three stages (from
``subsidies.demo_data``), applications in any state, reviewers. Dates are built from now,
never literal. Factories write rows directly; tests of a step call its service."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    ward,
)
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.demo_data import PAPER_BONUS, PAPER_RUBRIC, PAPER_STAGES
from machikoba.subsidies.models import (
    Application,
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    ExpenseLine,
    RubricCriterion,
    Stage,
)


class CallFactory(factory.django.DjangoModelFactory):
    """A call whose window is open now (opened a week ago, closes in three weeks); screening
    a month from now and the decision ten days after."""

    class Meta:
        model = Call

    municipality = factory.LazyFunction(ward)
    fiscal_year = factory.LazyFunction(lambda: fiscal_year(timezone.localdate()))
    name = factory.Sequence(lambda n: f"DX導入補助金 第{n + 1}回")
    budget = 65_000_000
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=21))
    screening_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    decision_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=40))


def make_stage(call: Call, spec: dict) -> Stage:
    numerator, denominator = spec["rate"]
    stage = Stage.objects.create(
        call=call,
        number=spec["number"],
        name=spec["name"],
        purpose=spec["purpose"],
        rate_numerator=numerator,
        rate_denominator=denominator,
        cap=spec["cap"],
        min_project_cost=spec["min_project_cost"],
        budget=spec["budget"],
        requires_expert_evaluation=spec["requires_expert_evaluation"],
        allows_partners=spec["allows_partners"],
    )
    for order, (code, name, share, quotes) in enumerate(spec["categories"]):
        ExpenseCategory.objects.create(
            stage=stage,
            code=code,
            name=name,
            max_share_percent=share,
            quotes_required=quotes,
            order=order,
        )
    for order, name in enumerate(spec["attachments"]):
        AttachmentRequirement.objects.create(stage=stage, name=name, order=order)
    return stage


def make_paper_call(**call_fields) -> Call:
    """A call with the paper's three stages, its rubric and bonus criteria."""
    call = CallFactory(**call_fields)
    for spec in PAPER_STAGES:
        make_stage(call, spec)
    for order, (name, description, max_score) in enumerate(PAPER_RUBRIC):
        RubricCriterion.objects.create(
            call=call, name=name, description=description, max_score=max_score, order=order
        )
    for order, (kind, name, description, points) in enumerate(PAPER_BONUS):
        BonusCriterion.objects.create(
            call=call, kind=kind, name=name, description=description, points=points, order=order
        )
    return call


def make_applicant(company=None, **user_fields):
    """The owner of ``company`` (a new company in the default ward unless given)."""
    company = company or CompanyFactory()
    owner = UserFactory(**user_fields)
    MembershipFactory(user=owner, company=company)
    return owner


def make_application(
    stage: Stage,
    company=None,
    *,
    status: str = ApplicationStatus.DRAFT,
    lines: list[tuple[str, int]] | None = None,
    **fields,
) -> Application:
    """An application of ``company`` to ``stage`` in ``status``, with expense lines given as
    (category code, amount); by default one line of the stage's first category at twice the
    minimum project cost (or ¥400,000). The amounts are not computed: tests of the money call
    the services."""
    company = company or CompanyFactory(ward=stage.call.municipality)
    if lines is None:
        first = stage.categories.first()
        lines = [(first.code, max(400_000, stage.min_project_cost * 2))]
    values = {
        "title": "日報の電子化",
        "problem": "手書きの日報の集計に毎月20時間かかっている。",
        "tool": "クラウドの日報アプリとタブレット3台",
        "expected_effect": "集計時間を月2時間に減らす。",
        "effect_metric": "日報の集計時間",
        "effect_unit": "時間/月",
        "effect_before": 20,
        "effect_after": 2,
        "planned_start": timezone.localdate() + dt.timedelta(days=60),
        "planned_end": timezone.localdate() + dt.timedelta(days=180),
        "baseline_sales": 120_000_000,
        "baseline_external_costs": 70_000_000,
        "baseline_employees": 12,
    }
    values.update(fields)
    if status != ApplicationStatus.DRAFT:
        values.setdefault("submitted_at", timezone.now() - dt.timedelta(days=3))
        values.setdefault(
            "reference", f"S{stage.call_id:03d}-{Application.objects.count() + 1:04d}"
        )
    application = Application.objects.create(stage=stage, company=company, status=status, **values)
    for order, (code, amount) in enumerate(lines):
        ExpenseLine.objects.create(
            application=application,
            category=stage.categories.get(code=code),
            description=f"{code} の経費",
            vendor="テスト商事株式会社",
            amount=amount,
            order=order,
        )
    return application


def make_reviewer(municipality=None, **user_fields):
    """A user holding the reviewer grant of ``municipality`` (the default ward)."""
    reviewer = UserFactory(**user_fields)
    WardRoleFactory(user=reviewer, role=WardRole.REVIEWER, municipality=municipality or ward())
    return reviewer


def make_officer(municipality=None, **user_fields):
    officer = UserFactory(**user_fields)
    WardRoleFactory(user=officer, role=WardRole.OFFICER, municipality=municipality or ward())
    return officer
