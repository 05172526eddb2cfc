"""The permission matrix of the subsidies API's operations that mirror the office's set-up
of a call, the applicant's bonus claims, the 採択/不採択 notice and the value-added
reports. The office's operations: the officer of the call's ward gets them, another
ward's officer finds nothing (404), anyone else signed in is refused (403), a visitor must
sign in (401). The company's: its owner and staff; the ward's office reads what the pages
show it and is refused the company's buttons (403); another company, the metro viewer and
everyone else find nothing (404). Each actor runs in a rolled-back savepoint."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyKind
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import CompanyFactory, ward
from machikoba.core.testing.factories_subsidies import make_application
from machikoba.core.testing.factories_subsidies_after import make_after
from machikoba.core.testing.factories_subsidies_apply import pdf_upload
from machikoba.core.testing.factories_subsidies_office import (
    future_dates,
    make_future_paper_call,
)
from machikoba.core.testing.factories_subsidies_screening import assign
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusKind,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.models import ApplicationEvent, BonusCriterion, Call
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.services.payments import report_due_on

JSON = "application/json"
CALL_NAME = "DX導入補助金 (APIの権限の確認)"

# The office's operations on a row of 大田区.
OFFICE = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 404})
OFFICE_ADD = expect(403, **{ANONYMOUS: 401, OFFICER: 201, OTHER_WARD_OFFICER: 404})
OFFICE_REMOVE = expect(403, **{ANONYMOUS: 401, OFFICER: 204, OTHER_WARD_OFFICER: 404})
# The office's lists: each officer their own wards' (another ward's: its own, empty).
OFFICE_LIST = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200})
# The company's rows the ward's office reads too.
READERS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200})
# The company's buttons: the office sees the row and is refused.
COMPANY_WRITE = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403})


def _api(name, *args):
    return reverse(f"api:{name}", args=list(args))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- building on the world --------------------------------------------------------------------


def _call(w):
    """大田区's call whose window is still to come (its rules may change), 5M of its budget
    not yet given to a stage."""
    return Call.objects.filter(name=CALL_NAME).first() or make_future_paper_call(
        name=CALL_NAME, budget=70_000_000
    )


def _stage(w, number=1):
    return _call(w).stages.get(number=number)


def _world_stage(w, number):
    return w.subsidy_application.stage.call.stages.get(number=number)


def _call_body(**overrides):
    dates = future_dates()
    body = {
        "fiscal_year": dates["opens_at"].year,
        "name": "DX導入補助金 (API)",
        "budget": 65_000_000,
        "opens_at": dates["opens_at"].isoformat(),
        "closes_at": dates["closes_at"].isoformat(),
        "screening_on": dates["screening_on"].isoformat(),
        "decision_on": dates["decision_on"].isoformat(),
    }
    body.update(overrides)
    return body


def _stage_body():
    return {
        "number": 4,
        "name": "試行",
        "rate_numerator": 1,
        "rate_denominator": 2,
        "cap": 300_000,
        "budget": 1_000_000,
    }


def _draft(w):
    """A draft of the company for stage 2 (its stage 1 application is in screening)."""
    return make_application(_world_stage(w, 2), w.company, lines=[("cloud", 1_500_000)])


def _claimed_criterion(w):
    return BonusCriterion.objects.filter(
        call=w.subsidy_application.stage.call, kind=BonusKind.CLAIMED
    ).first()


def _decided(w):
    """A selected application of the company for stage 3, which the world's reviewer
    scored."""
    application = make_application(
        _world_stage(w, 3),
        w.company,
        status=ApplicationStatus.SELECTED,
        requested_amount=2_000_000,
    )
    ApplicationEvent.objects.create(
        application=application,
        from_status=ApplicationStatus.SCREENING,
        to_status=ApplicationStatus.SELECTED,
    )
    assign(application, w.users[REVIEWER], status=AssignmentStatus.SUBMITTED)
    return application


def _paid(w):
    return make_after(company=w.company, status=ApplicationStatus.PAID)


def _business_report(w, application=None):
    """The first 事業化状況報告 of a paid application of the company, requested."""
    application = application or _paid(w)
    year = fiscal_year(timezone.localdate()) - 1
    return ValueAddedReport.objects.create(
        company=w.company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=1,
        fiscal_year=year,
        status=ValueAddedStatus.REQUESTED,
        requested_at=timezone.now(),
        due_on=report_due_on(year),
    )


def _paid_with_report(w):
    application = _paid(w)
    _business_report(w, application)
    return application


def _survey_body(w):
    # A verified shop of the ward that received nothing: the survey goes to it.
    CompanyFactory(name="調査先製作所", kind=CompanyKind.SHOP)
    return {"municipality_id": ward().pk, "fiscal_year": fiscal_year(timezone.localdate()) - 1}


MATRIX = [
    # --- the office's call set-up --------------------------------------------------------------
    Case(
        "api:subsidies_office_call_create",
        lambda w: _api("subsidies_office_calls"),
        # Another ward's officer does not serve 大田区: not found.
        OFFICE_ADD,
        method="POST",
        data=lambda w: {**_call_body(), "municipality_id": ward().pk},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_call_copy",
        lambda w: _api("subsidies_office_call_copy", _call(w).pk),
        OFFICE_ADD,
        method="POST",
        data=lambda w: _call_body(budget=70_000_000),
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_call",
        lambda w: _api("subsidies_office_call", w.subsidy_application.stage.call_id),
        OFFICE,
    ),
    Case(
        "api:subsidies_office_call_update",
        lambda w: _api("subsidies_office_call", _call(w).pk),
        OFFICE,
        method="PATCH",
        data=lambda w: {"name": "DX導入補助金 (名称を変更)"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_call_export",
        lambda w: (
            _api("subsidies_office_call_export", w.subsidy_application.stage.call_id)
            + "?format=csv"
        ),
        OFFICE,
        note="csv",
    ),
    Case(
        "api:subsidies_office_call_export",
        lambda w: (
            _api("subsidies_office_call_export", w.subsidy_application.stage.call_id)
            + "?format=xlsx"
        ),
        OFFICE,
        note="xlsx",
    ),
    Case(
        "api:subsidies_office_stage_create",
        lambda w: _api("subsidies_office_stage_create", _call(w).pk),
        OFFICE_ADD,
        method="POST",
        data=lambda w: _stage_body(),
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_stage",
        lambda w: _api("subsidies_office_stage", _stage(w).pk),
        OFFICE,
    ),
    Case(
        "api:subsidies_office_stage_update",
        lambda w: _api("subsidies_office_stage", _stage(w).pk),
        OFFICE,
        method="PATCH",
        data=lambda w: {"name": "はじめの一歩 (改)"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_stage_delete",
        lambda w: _api("subsidies_office_stage", _stage(w, 3).pk),
        OFFICE_REMOVE,
        method="DELETE",
    ),
    Case(
        "api:subsidies_office_category_add",
        lambda w: _api("subsidies_office_category_add", _stage(w).pk),
        OFFICE_ADD,
        method="POST",
        data=lambda w: {"code": "training", "name": "研修費", "quotes_required": 1},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_category_update",
        lambda w: _api(
            "subsidies_office_category_update", _stage(w).categories.get(code="devices").pk
        ),
        OFFICE,
        method="PATCH",
        data=lambda w: {"quotes_required": 2},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_category_delete",
        lambda w: _api(
            "subsidies_office_category_update", _stage(w).categories.get(code="devices").pk
        ),
        OFFICE_REMOVE,
        method="DELETE",
    ),
    Case(
        "api:subsidies_office_attachment_add",
        lambda w: _api("subsidies_office_attachment_add", _stage(w).pk),
        OFFICE_ADD,
        method="POST",
        data=lambda w: {"name": "納税証明書"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_attachment_delete",
        lambda w: _api(
            "subsidies_office_attachment_delete", _stage(w).attachment_requirements.first().pk
        ),
        OFFICE_REMOVE,
        method="DELETE",
    ),
    Case(
        "api:subsidies_office_rubric",
        lambda w: _api("subsidies_office_rubric", w.subsidy_application.stage.call_id),
        OFFICE,
    ),
    Case(
        "api:subsidies_office_rubric_add",
        lambda w: _api("subsidies_office_rubric", _call(w).pk),
        OFFICE_ADD,
        method="POST",
        data=lambda w: {"name": "地域への波及", "max_score": 10},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_rubric_update",
        lambda w: _api("subsidies_office_rubric_update", _call(w).rubric.first().pk),
        OFFICE,
        method="PATCH",
        data=lambda w: {"max_score": 15},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_rubric_delete",
        lambda w: _api("subsidies_office_rubric_update", _call(w).rubric.first().pk),
        OFFICE_REMOVE,
        method="DELETE",
    ),
    Case(
        "api:subsidies_office_bonus_add",
        lambda w: _api("subsidies_office_bonus_add", _call(w).pk),
        OFFICE_ADD,
        method="POST",
        data=lambda w: {"kind": "claimed", "name": "事業継続力強化計画の認定", "points": 2},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_bonus_update",
        lambda w: _api(
            "subsidies_office_bonus_update",
            _call(w).bonus_criteria.filter(kind=BonusKind.CLAIMED).first().pk,
        ),
        OFFICE,
        method="PATCH",
        data=lambda w: {"points": 4},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_office_bonus_delete",
        lambda w: _api(
            "subsidies_office_bonus_update",
            _call(w).bonus_criteria.filter(kind=BonusKind.CLAIMED).first().pk,
        ),
        OFFICE_REMOVE,
        method="DELETE",
    ),
    # --- the applicant's bonus claims and the notice ------------------------------------------
    Case(
        "api:subsidies_bonus_claims",
        lambda w: _api("subsidies_bonus_claims", w.subsidy_application.pk),
        # The officer and the assigned reviewer see the application, may not claim.
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403, REVIEWER: 403}),
    ),
    Case(
        "api:subsidies_bonus_claim_add",
        lambda w: _api("subsidies_bonus_claims", _draft(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, OFFICER: 403}),
        method="POST",
        data=lambda w: {
            "criterion_id": _claimed_criterion(w).pk,
            "file": pdf_upload("賃上げ表明書.pdf"),
            "note": "賃上げを表明しました",
        },
    ),
    Case(
        "api:subsidies_decision_notice",
        lambda w: _api("subsidies_decision_notice", _decided(w).pk),
        # The reviewer who scored it no longer sees the application once it is decided.
        READERS,
    ),
    # --- value-added reports ------------------------------------------------------------------
    Case(
        "api:subsidies_value_added_due",
        lambda w: _api("subsidies_value_added_due"),
        # Everyone signed in gets their own company's list (empty without one).
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case(
        "api:subsidies_value_added_report",
        lambda w: _api("subsidies_value_added_report", _business_report(w).pk),
        READERS,
    ),
    Case(
        "api:subsidies_value_added_submit",
        lambda w: _api("subsidies_value_added_report", _business_report(w).pk),
        COMPANY_WRITE,
        method="PUT",
        data=lambda w: {"sales": 130_000_000, "external_costs": 72_000_000, "employees": 13},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_business_reports",
        lambda w: _api("subsidies_business_reports", _paid_with_report(w).pk),
        READERS,
    ),
    Case(
        "api:subsidies_office_value_added",
        lambda w: _api("subsidies_office_value_added"),
        OFFICE_LIST,
    ),
    Case(
        "api:subsidies_office_value_added_summary",
        lambda w: _api("subsidies_office_value_added_summary"),
        OFFICE_LIST,
    ),
    Case(
        "api:subsidies_value_added_survey_send",
        lambda w: _api("subsidies_value_added_survey_send"),
        # Another ward's officer does not serve 大田区: not found.
        OFFICE,
        method="POST",
        data=_survey_body,
        content_type=JSON,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_another_ward_s_officer_lists_nothing_of_the_ward(world):
    """The office's lists are per ward: 墨田区's officer sees none of 大田区's reports, and
    大田区's officer sees them."""
    _business_report(world)
    sumida = world.client_for(OTHER_WARD_OFFICER).get(_api("subsidies_office_value_added"))
    assert sumida.json()["count"] == 0
    summary = world.client_for(OTHER_WARD_OFFICER).get(_api("subsidies_office_value_added_summary"))
    assert summary.json()["summaries"] == []
    assert [w["name"] for w in summary.json()["wards"]] == ["墨田区"]
    ota = world.client_for(OFFICER).get(_api("subsidies_office_value_added"))
    assert ota.json()["count"] == 1
