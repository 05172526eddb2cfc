"""Permission matrix of the office's pages of the DX subsidy. The officer of 大田区 (the
call's ward) gets every page and every button works for them; another ward's officer
gets its own lists (without 大田区's calls) and "not found" for 大田区's call, stage or
rules; everyone else signed in is refused (403, as the ward's other pages), a reviewer
of the ward included; anonymous visitors are sent to sign in.

NOTE for the lead: ``core/tests/test_url_coverage.py`` collects ``MATRIX`` from modules
named ``test_permissions*``; this module is named by the office helper's brief
(``test_office_*``). Re-export or rename it so the coverage test sees these routes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.core.testing.factories import force_login_with_mfa, give_totp, ward
from machikoba.core.testing.factories_subsidies import make_application, make_reviewer
from machikoba.core.testing.factories_subsidies_office import (
    call_form_data,
    make_future_paper_call,
    stage_form_data,
)
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    ReviewerAssignment,
    RubricCriterion,
    Stage,
)

CALL_NAME = "DX導入補助金 (権限の確認)"


def _call(w):
    """大田区's call, its window still to come (its rules may change), with 5M of its
    budget not yet given to a stage."""
    return Call.objects.filter(name=CALL_NAME).first() or make_future_paper_call(
        name=CALL_NAME, budget=70_000_000
    )


def _stage(w, number=1):
    return _call(w).stages.get(number=number)


def _category(w):
    return _stage(w).categories.get(code="devices")


def _attachment(w):
    return _stage(w).attachment_requirements.first()


def _criterion(w):
    return _call(w).rubric.first()


def _bonus(w):
    return _call(w).bonus_criteria.get(points=2)


def _call_url(name):
    return lambda w: reverse(f"subsidies:{name}", args=[_call(w).pk])


def _stage_url(name):
    return lambda w: reverse(f"subsidies:{name}", args=[_stage(w).pk])


def _data_with_ward(w):
    return call_form_data(municipality=str(ward().pk))


# Officer pages: the ward's officer 200, another ward's officer 200 on lists, everyone
# else signed in 403.
OFFICE_LIST = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OFFICE_ROW = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404})
OFFICE_POST = posted(OFFICE_ROW, **{OFFICER: DONE})

MATRIX = [
    Case("subsidies:office_home", lambda w: reverse("subsidies:office_home"), OFFICE_LIST),
    Case(
        "subsidies:office_call_create",
        lambda w: reverse("subsidies:office_call_create"),
        OFFICE_LIST,
    ),
    Case(
        "subsidies:office_call_create",
        lambda w: reverse("subsidies:office_call_create"),
        # Another ward's officer may not pick 大田区: the form says so (200), nothing made.
        posted(OFFICE_LIST, **{OFFICER: DONE}),
        method="POST",
        data=_data_with_ward,
        effect=lambda w: Call.objects.count(),
    ),
    Case(
        "subsidies:office_call_create",
        lambda w: reverse("subsidies:office_call_create") + f"?from={_call(w).pk}",
        OFFICE_ROW,
        note="copy",
    ),
    Case(
        "subsidies:office_call_create",
        lambda w: reverse("subsidies:office_call_create") + f"?from={_call(w).pk}",
        OFFICE_POST,
        method="POST",
        data=lambda w: call_form_data(name="翌年度の公募", budget="70,000,000"),
        effect=lambda w: Stage.objects.count(),
        note="copy",
    ),
    Case("subsidies:office_call", _call_url("office_call"), OFFICE_ROW),
    Case("subsidies:office_call_edit", _call_url("office_call_edit"), OFFICE_ROW),
    Case(
        "subsidies:office_call_edit",
        _call_url("office_call_edit"),
        OFFICE_POST,
        method="POST",
        data=lambda w: call_form_data(name="改名した公募", budget="70,000,000"),
        effect=lambda w: Call.objects.filter(name="改名した公募").count(),
    ),
    Case("subsidies:office_stage_create", _call_url("office_stage_create"), OFFICE_ROW),
    Case(
        "subsidies:office_stage_create",
        _call_url("office_stage_create"),
        OFFICE_POST,
        method="POST",
        data=lambda w: stage_form_data(),
        effect=lambda w: Stage.objects.count(),
    ),
    Case("subsidies:office_stage_edit", _stage_url("office_stage_edit"), OFFICE_ROW),
    Case(
        "subsidies:office_stage_edit",
        _stage_url("office_stage_edit"),
        OFFICE_POST,
        method="POST",
        data=lambda w: stage_form_data(
            number="1", name="はじめの一歩 (改)", rate_numerator="3", rate_denominator="4"
        ),
        effect=lambda w: Stage.objects.filter(name="はじめの一歩 (改)").count(),
    ),
    Case(
        "subsidies:office_stage_delete",
        lambda w: reverse("subsidies:office_stage_delete", args=[_stage(w, 3).pk]),
        OFFICE_POST,
        method="POST",
        effect=lambda w: Stage.objects.count(),
    ),
    Case("subsidies:office_rules", _stage_url("office_rules"), OFFICE_ROW),
    Case(
        "subsidies:office_rules",
        _stage_url("office_rules"),
        OFFICE_POST,
        method="POST",
        data=lambda w: {
            "form": "category",
            "category-code": "training",
            "category-name": "研修費",
            "category-quotes_required": "1",
        },
        effect=lambda w: ExpenseCategory.objects.count(),
        note="category",
    ),
    Case(
        "subsidies:office_rules",
        _stage_url("office_rules"),
        OFFICE_POST,
        method="POST",
        data=lambda w: {"form": "attachment", "attachment-name": "履歴事項全部証明書"},
        effect=lambda w: AttachmentRequirement.objects.count(),
        note="attachment",
    ),
    Case(
        "subsidies:office_category_edit",
        lambda w: reverse("subsidies:office_category_edit", args=[_category(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "subsidies:office_category_edit",
        lambda w: reverse("subsidies:office_category_edit", args=[_category(w).pk]),
        OFFICE_POST,
        method="POST",
        data=lambda w: {"code": "devices", "name": "機器購入費", "quotes_required": "2"},
        effect=lambda w: ExpenseCategory.objects.filter(name="機器購入費").count(),
    ),
    Case(
        "subsidies:office_category_delete",
        lambda w: reverse("subsidies:office_category_delete", args=[_category(w).pk]),
        OFFICE_POST,
        method="POST",
        effect=lambda w: ExpenseCategory.objects.count(),
    ),
    Case(
        "subsidies:office_attachment_delete",
        lambda w: reverse("subsidies:office_attachment_delete", args=[_attachment(w).pk]),
        OFFICE_POST,
        method="POST",
        effect=lambda w: AttachmentRequirement.objects.count(),
    ),
    Case("subsidies:office_rubric", _call_url("office_rubric"), OFFICE_ROW),
    Case(
        "subsidies:office_rubric",
        _call_url("office_rubric"),
        OFFICE_POST,
        method="POST",
        data=lambda w: {"form": "rubric", "rubric-name": "新規性", "rubric-max_score": "5"},
        effect=lambda w: RubricCriterion.objects.count(),
        note="rubric",
    ),
    Case(
        "subsidies:office_rubric",
        _call_url("office_rubric"),
        OFFICE_POST,
        method="POST",
        data=lambda w: {
            "form": "bonus",
            "bonus-kind": "claimed",
            "bonus-name": "健康経営",
            "bonus-points": "2",
        },
        effect=lambda w: BonusCriterion.objects.count(),
        note="bonus",
    ),
    Case(
        "subsidies:office_rubric_edit",
        lambda w: reverse("subsidies:office_rubric_edit", args=[_criterion(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "subsidies:office_rubric_edit",
        lambda w: reverse("subsidies:office_rubric_edit", args=[_criterion(w).pk]),
        OFFICE_POST,
        method="POST",
        data=lambda w: {"name": "課題の明確さ (改)", "max_score": "20"},
        effect=lambda w: RubricCriterion.objects.filter(max_score=20).count(),
    ),
    Case(
        "subsidies:office_rubric_delete",
        lambda w: reverse("subsidies:office_rubric_delete", args=[_criterion(w).pk]),
        OFFICE_POST,
        method="POST",
        effect=lambda w: RubricCriterion.objects.count(),
    ),
    Case(
        "subsidies:office_bonus_edit",
        lambda w: reverse("subsidies:office_bonus_edit", args=[_bonus(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "subsidies:office_bonus_edit",
        lambda w: reverse("subsidies:office_bonus_edit", args=[_bonus(w).pk]),
        OFFICE_POST,
        method="POST",
        data=lambda w: {"kind": "claimed", "name": "事業継続力強化計画", "points": "4"},
        effect=lambda w: BonusCriterion.objects.filter(points=4).count(),
    ),
    Case(
        "subsidies:office_bonus_delete",
        lambda w: reverse("subsidies:office_bonus_delete", args=[_bonus(w).pk]),
        OFFICE_POST,
        method="POST",
        effect=lambda w: BonusCriterion.objects.count(),
    ),
    Case("subsidies:office_applications", _call_url("office_applications"), OFFICE_ROW),
    Case(
        "subsidies:office_call_export",
        lambda w: reverse("subsidies:office_call_export", args=[_call(w).pk, "csv"]),
        OFFICE_ROW,
        note="csv",
    ),
    Case(
        "subsidies:office_call_export",
        lambda w: reverse("subsidies:office_call_export", args=[_call(w).pk, "xlsx"]),
        OFFICE_ROW,
        note="xlsx",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


@pytest.mark.django_db
def test_a_reviewer_of_the_ward_is_refused_every_office_page(world):
    """Reviewers score the applications assigned to them; the office's pages are not
    theirs, even for the call they review (and with their second factor passed)."""
    reviewer = make_reviewer()
    give_totp(reviewer)
    client = Client()
    force_login_with_mfa(client, reviewer)
    application = make_application(_stage(world), world.company, status=ApplicationStatus.SCREENING)
    ReviewerAssignment.objects.create(
        application=application, reviewer=reviewer, status=AssignmentStatus.CLEARED
    )
    for case in MATRIX:
        response = getattr(client, case.method.lower())(
            case.url(world), data=case.data(world) if case.data else None
        )
        assert response.status_code == 403, case.id


@pytest.mark.django_db
def test_an_unknown_export_format_is_not_found(world):
    client = world.client_for(OFFICER)
    url = reverse("subsidies:office_call_export", args=[_call(world).pk, "pdf"])
    assert client.get(url).status_code == 404
