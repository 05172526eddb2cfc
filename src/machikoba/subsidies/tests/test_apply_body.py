"""The application body every page of an application shows (the applicant's, the officer's
screening page, the reviewer's): what it holds, who may read it, the resubmission diff, and
a bounded number of queries."""

import pytest
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from machikoba.core.access import forget_cached_roles
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_apply import attach, make_ready_application
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus, DocumentKind
from machikoba.subsidies.models import ApplicationSnapshot, ReviewerAssignment
from machikoba.subsidies.selectors.body import application_body


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def call(db):
    return make_paper_call()


@pytest.fixture
def company(db):
    return CompanyFactory(name="蒲田精機株式会社")


@pytest.fixture
def owner(company):
    return MembershipFactory(company=company, role="owner").user


def _render(body) -> str:
    return render_to_string("subsidies/apply/_application_body.html", {"body": body})


def test_the_body_holds_the_plan_lines_quotes_documents_and_money(call, company, owner):
    stage2 = call.stages.get(number=2)
    application = make_application(
        stage2, company, lines=[("system", 3_000_000), ("outsourcing", 2_000_000)]
    )
    system = application.expenses.order_by("order").first()
    attach(application, DocumentKind.QUOTE, expense=system, name="見積A.pdf")

    body = application_body(owner, application)

    assert [row.category_name for row in body.expenses] == [
        "機械装置・システム構築費",
        "外注費",
    ]
    assert [len(row.quotes) for row in body.expenses] == [1, 0]
    assert [row.quotes_missing for row in body.expenses] == [1, 2]  # 相見積: 2 each
    assert [row.present for row in body.attachments] == [False]
    assert body.expert_required
    assert not body.expert_documents
    # 外注費 is at most half of the eligible total: 2,000,000 of 5,000,000 passes.
    assert body.breakdown.total_eligible == 5_000_000
    assert body.breakdown.subsidy == 3_333_000  # 2/3, rounded down to ¥1,000
    assert body.rate_label == "補助率 2/3・上限 500万円"
    html = _render(body)
    assert "見積A.pdf" in html
    assert "相見積が必要 (2通)" in html
    assert "見積書があと 2 通必要です" in html
    assert "3,333,000円" in html


def test_the_live_breakdown_says_why_a_category_is_reduced_and_when_the_cap_is_reached(
    call, company, owner
):
    stage1 = call.stages.get(number=1)
    application = make_application(
        stage1, company, lines=[("software", 300_000), ("devices", 600_000)]
    )

    live = application_body(owner, application).live

    devices = next(row for row in live.rows if row.name.startswith("機器"))
    assert devices.eligible == 300_000  # at most 50% of the eligible total
    assert "50%" in devices.reason
    assert live.subsidy == 450_000
    application = make_application(
        call.stages.get(number=1), CompanyFactory(), lines=[("software", 900_000)]
    )
    capped = application_body(make_officer(), application).live
    assert capped.capped
    assert any("上限" in warning for warning in capped.warnings)


def test_the_body_of_a_resubmission_shows_the_diff(call, company, owner):
    application = make_ready_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SUBMITTED
    )
    line = {
        "category": "software",
        "category_name": "ソフトウェア購入費・クラウド利用費",
        "description": "日報アプリ",
        "vendor": "城南ソフト",
        "amount": 400_000,
    }
    ApplicationSnapshot.objects.create(
        application=application,
        version=1,
        data={"plan": {"title": "日報の電子化", "effect_after": "5"}, "lines": [line]},
        submitted_at=application.submitted_at,
    )
    ApplicationSnapshot.objects.create(
        application=application,
        version=2,
        data={
            "plan": {"title": "日報の電子化", "effect_after": "2"},
            "lines": [{**line, "amount": 350_000}],
        },
        submitted_at=application.submitted_at,
    )

    body = application_body(owner, application)

    assert [(c.label, c.old, c.new) for c in body.diff.fields] == [("導入後の目標値", "5", "2")]
    html = _render(body)
    assert "第1版 → 第2版" in html
    assert html.count('data-testid="diff-line-removed"') == 1
    assert html.count('data-testid="diff-line-added"') == 1
    assert "350,000円" in html


def test_a_first_submission_has_no_diff(call, company, owner):
    application = make_application(call.stages.get(number=1), company)
    body = application_body(owner, application)
    assert body.diff is None
    assert 'data-testid="body-diff"' not in _render(body)


def test_the_body_is_read_with_a_bounded_number_of_queries(
    call, company, owner, django_assert_max_num_queries
):
    stage2 = call.stages.get(number=2)
    small = make_ready_application(stage2, company, lines=[("system", 2_000_000)])
    large = make_ready_application(
        stage2,
        CompanyFactory(),
        lines=[("system", 500_000), ("cloud", 400_000), ("expert", 100_000)] * 3,
    )
    officer = make_officer()

    def count(application, user) -> int:
        forget_cached_roles(user)
        with CaptureQueriesContext(connection) as queries:
            application_body(user, application)
        return len(queries)

    assert count(large, officer) == count(small, officer)
    with django_assert_max_num_queries(15):
        application_body(owner, small)


def test_the_body_is_not_opened_by_those_who_may_not_read_the_application(call, company):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SCREENING
    )
    stranger = MembershipFactory(company=CompanyFactory()).user
    sumida_officer = make_officer(municipality=ward(SUMIDA))
    unassigned = make_reviewer()
    undeclared = make_reviewer()
    ReviewerAssignment.objects.create(application=application, reviewer=undeclared)
    for user in (stranger, sumida_officer, unassigned, undeclared):
        with pytest.raises(Http404):
            application_body(user, application)

    cleared = make_reviewer()
    ReviewerAssignment.objects.create(
        application=application, reviewer=cleared, status=AssignmentStatus.CLEARED
    )
    assert application_body(cleared, application).application == application
    assert application_body(make_officer(), application).application == application
