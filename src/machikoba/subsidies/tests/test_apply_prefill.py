"""A dojo graduate's application starts from its homework: the worksheet's 「すぐやる」
problems become the problem, the ROI estimate the tool, the yearly saving and a suggested
expense line of the investment cost. Read only: the homework does not change."""

import pytest

from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_subsidies import make_paper_call
from machikoba.core.testing.factories_subsidies_apply import make_dojo_graduate
from machikoba.programs.models_homework import RoiEstimate, WorksheetItem
from machikoba.subsidies.selectors.plan import STEP_EXPENSES
from machikoba.subsidies.selectors.wizard import wizard_page
from machikoba.subsidies.services.applications import application_start


@pytest.fixture
def stage1(db):
    return make_paper_call().stages.get(number=1)


@pytest.fixture
def graduate(db):
    company = CompanyFactory(name="蒲田精機株式会社")
    owner = MembershipFactory(company=company, role="owner").user
    make_dojo_graduate(company, owner)
    return company, owner


def test_the_plan_is_prefilled_from_the_worksheet_and_the_roi_estimate(stage1, graduate):
    company, owner = graduate
    items_before = list(WorksheetItem.objects.values())
    roi_before = list(RoiEstimate.objects.values())

    application = application_start(actor=owner, stage=stage1, company=company)

    # Only the 「すぐやる」 quadrant (impact 3-5, effort 1-3), in priority order.
    assert application.problem == (
        "・手書きの日報の集計に毎月20時間かかっている\n・見積の作成に1件2時間かかる"
    )
    assert application.tool == "クラウドの日報アプリとタブレット3台"
    assert application.title == "クラウドの日報アプリとタブレット3台の導入"
    assert application.yearly_saving == 500_000  # 200 h × ¥2,500
    assert "500,000円" in application.expected_effect
    assert list(WorksheetItem.objects.values()) == items_before
    assert list(RoiEstimate.objects.values()) == roi_before


def test_the_expense_step_suggests_the_investment_cost(stage1, graduate):
    company, owner = graduate
    application = application_start(actor=owner, stage=stage1, company=company)

    page = wizard_page(owner, application, STEP_EXPENSES)

    assert page.expense_prefill is not None
    assert page.expense_prefill.amount == 400_000
    assert page.expense_prefill.description == "クラウドの日報アプリとタブレット3台"
    assert page.expense_prefill.category == stage1.categories.order_by("order").first()


def test_the_expense_step_page_shows_the_suggestion(client, stage1, graduate):
    company, owner = graduate
    application = application_start(actor=owner, stage=stage1, company=company)
    client.force_login(owner)

    response = client.get(f"/subsidies/applications/{application.pk}/step/3/")

    assert response.status_code == 200
    assert 'value="400000"' in response.text
    assert "roi-prefill" in response.text


def test_a_company_without_homework_starts_from_its_profile_only(stage1):
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role="owner").user
    other = CompanyFactory()
    make_dojo_graduate(other, MembershipFactory(company=other).user)  # someone else's

    application = application_start(actor=owner, stage=stage1, company=company)

    assert (application.title, application.problem, application.tool) == ("", "", "")
    assert application.yearly_saving is None
    assert wizard_page(owner, application, STEP_EXPENSES).expense_prefill is None


def test_a_roi_that_never_pays_back_leaves_the_saving_empty(stage1):
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role="owner").user
    make_dojo_graduate(company, owner, hours_freed_per_year=0)

    application = application_start(actor=owner, stage=stage1, company=company)

    assert application.tool == "クラウドの日報アプリとタブレット3台"
    assert application.yearly_saving is None
    assert application.expected_effect == ""
