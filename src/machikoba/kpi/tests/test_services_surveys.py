"""The yearly company survey: creating, sending, answering, reminding and closing a round,
the answer's pre-fill, and the pages' bad input (nothing is written, a clear message)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.models import DXStageAssessment
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.fiscal import fiscal_year
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.kpi.choices import (
    DxEngagement,
    ExpectedSupport,
    ResponseStatus,
    RoundStatus,
    ValueAddedMethod,
)
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.forms_surveys import SurveyAnswerForm
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.kpi.selectors import surveys as selectors
from machikoba.kpi.services import surveys as services

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

DEDUCTION_ANSWER = {
    "dx_engagement": DxEngagement.CONSIDERING,
    "dx_stage": 2,
    "dx_needed": True,
    "expected_support": [ExpectedSupport.TRAINING, ExpectedSupport.SUBSIDY],
    "sales": 120_000_000,
    "external_costs": 70_000_000,
    "employees": 10,
}


def this_year() -> int:
    return fiscal_year(timezone.localdate())


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def officer():
    return WardRoleFactory(role=WardRole.OFFICER).user


@pytest.fixture
def shop():
    company = CompanyFactory(name="蒲田精機株式会社", employees=8)
    company.owner = MembershipFactory(company=company, role=CompanyRole.OWNER).user
    return company


@pytest.fixture
def notices():
    """The survey notices the companies' people have received: the deliveries a service
    queued after its commit run as the worker runs them, and the real notification rows
    are returned. (A test without a captured commit queues nothing: its services' notices
    stay unsent, as in a rolled-back transaction.)"""

    def delivered():
        run_queued_tasks("notification")
        return Notification.objects.filter(kind=services.NOTICE_KIND).order_by("id")

    return delivered


def make_round(officer, *, year=None, method=ValueAddedMethod.DEDUCTION, due=30, send=True):
    survey = services.survey_round_create(
        actor=officer,
        municipality=ward(),
        fiscal_year=this_year() if year is None else year,
        method=method,
        due_on=in_days(due),
        message="ご協力をお願いします。",
    )
    if send:
        services.survey_round_send(actor=officer, survey=survey)
        survey.refresh_from_db()
    return survey


def response_of(survey, company) -> SurveyResponse:
    return SurveyResponse.objects.get(round=survey, company=company)


def refused(call, code) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


# --- the round -------------------------------------------------------------------------------


def test_an_officer_creates_a_draft_round(officer):
    survey = make_round(officer, send=False)
    assert survey.status == RoundStatus.DRAFT
    assert survey.method == ValueAddedMethod.DEDUCTION
    assert survey.responses.count() == 0
    assert AuditEvent.objects.filter(verb="kpi.survey_round.create").count() == 1


@pytest.mark.parametrize("offset", [1, -6])
def test_a_year_outside_this_one_and_the_five_before_is_refused(officer, offset):
    error = refused(
        lambda: make_round(officer, year=this_year() + offset, send=False),
        KpiErrorCode.SURVEY_ROUND_INVALID,
    )
    assert "から" in error.fields["fiscal_year"][0]
    assert not SurveyRound.objects.exists()


def test_five_years_back_is_allowed(officer):
    assert make_round(officer, year=this_year() - 5, send=False).fiscal_year == this_year() - 5


def test_a_second_round_of_the_same_year_is_refused(officer):
    make_round(officer, send=False)
    error = refused(lambda: make_round(officer, send=False), KpiErrorCode.SURVEY_ROUND_EXISTS)
    assert "もうあります" in error.fields["fiscal_year"][0]
    assert SurveyRound.objects.count() == 1


@pytest.mark.parametrize(("days", "words"), [(-1, "過去"), (400, "1年以内")])
def test_a_due_date_in_the_past_or_too_far_is_refused(officer, days, words):
    error = refused(
        lambda: make_round(officer, due=days, send=False), KpiErrorCode.SURVEY_ROUND_INVALID
    )
    assert words in error.fields["due_on"][0]
    assert not SurveyRound.objects.exists()


def test_today_is_a_valid_due_date(officer):
    assert make_round(officer, due=0, send=False).due_on == timezone.localdate()


def test_an_unknown_method_is_refused(officer):
    refused(
        lambda: make_round(officer, method="guess", send=False), KpiErrorCode.SURVEY_ROUND_INVALID
    )


def test_another_wards_officer_may_not_create_or_send(officer):
    other = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user
    with pytest.raises(PermissionRefused):
        make_round(other, send=False)
    survey = make_round(officer, send=False)
    with pytest.raises(PermissionRefused):
        services.survey_round_send(actor=other, survey=survey)
    assert survey.responses.count() == 0


def test_sending_asks_every_registered_company_of_the_ward_once(
    officer, shop, notices, django_capture_on_commit_callbacks
):
    buyer = CompanyFactory(kind=CompanyKind.BUYER)
    buyer_owner = MembershipFactory(company=buyer, role=CompanyRole.OWNER).user
    CompanyFactory(is_active=False)
    CompanyFactory(verified_at=None)
    CompanyFactory(kind=CompanyKind.VENDOR)
    CompanyFactory(kind=CompanyKind.BANK)
    CompanyFactory(ward=ward(SUMIDA))
    survey = make_round(officer, send=False)

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.survey_round_send(actor=officer, survey=survey)

    assert {r.company for r in sent} == {shop, buyer}
    survey.refresh_from_db()
    assert survey.status == RoundStatus.OPEN
    assert survey.sent_at is not None
    assert survey.sent_by == officer
    assert all(r.status == ResponseStatus.REQUESTED for r in sent)
    received = {notice.user: notice for notice in notices()}
    assert set(received) == {shop.owner, buyer_owner}
    mine = next(r for r in sent if r.company == shop)
    assert received[shop.owner].url == reverse("kpi:my_survey", args=[mine.pk])
    assert "企業調査" in received[shop.owner].title

    # Again: nothing new; then a newly registered company only.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.survey_round_send(actor=officer, survey=survey) == []
    newcomer = CompanyFactory(name="新規登録工業")
    newcomer_owner = MembershipFactory(company=newcomer, role=CompanyRole.OWNER).user
    with django_capture_on_commit_callbacks(execute=True):
        again = services.survey_round_send(actor=officer, survey=survey)
    assert [r.company for r in again] == [newcomer]
    assert survey.responses.count() == 3
    assert notices().count() == 3
    assert notices().filter(user=newcomer_owner).count() == 1


def test_a_closed_round_or_one_past_its_due_date_is_not_sent(officer, shop, notices):
    survey = make_round(officer)
    SurveyRound.objects.filter(pk=survey.pk).update(due_on=in_days(-1))
    CompanyFactory()
    refused(
        lambda: services.survey_round_send(actor=officer, survey=survey),
        KpiErrorCode.SURVEY_DUE_PASSED,
    )
    services.survey_round_update(actor=officer, survey=survey, due_on=in_days(10))
    services.survey_round_close(actor=officer, survey=survey)
    refused(
        lambda: services.survey_round_send(actor=officer, survey=survey),
        KpiErrorCode.SURVEY_ROUND_STATE,
    )
    assert survey.responses.count() == 1


def test_the_method_may_change_only_before_sending(officer, shop, notices):
    survey = make_round(officer, send=False)
    services.survey_round_update(
        actor=officer, survey=survey, due_on=in_days(20), method=ValueAddedMethod.ADDITION
    )
    survey.refresh_from_db()
    assert (survey.method, survey.due_on) == (ValueAddedMethod.ADDITION, in_days(20))
    services.survey_round_send(actor=officer, survey=survey)
    error = refused(
        lambda: services.survey_round_update(
            actor=officer, survey=survey, due_on=in_days(20), method=ValueAddedMethod.DEDUCTION
        ),
        KpiErrorCode.SURVEY_ROUND_INVALID,
    )
    assert "method" in error.fields
    survey.refresh_from_db()
    assert survey.method == ValueAddedMethod.ADDITION


def test_closing_only_an_open_round(officer, shop, notices):
    draft = make_round(officer, send=False)
    refused(
        lambda: services.survey_round_close(actor=officer, survey=draft),
        KpiErrorCode.SURVEY_ROUND_STATE,
    )
    services.survey_round_send(actor=officer, survey=draft)
    closed = services.survey_round_close(actor=officer, survey=draft)
    assert closed.status == RoundStatus.CLOSED
    refused(
        lambda: services.survey_round_update(actor=officer, survey=draft, due_on=in_days(5)),
        KpiErrorCode.SURVEY_ROUND_STATE,
    )


# --- the answer ------------------------------------------------------------------------------


def submit(company, survey, actor=None, **changes):
    answer = {**DEDUCTION_ANSWER, **changes}
    return services.survey_response_submit(
        actor=actor or company.owner, response=response_of(survey, company), **answer
    )


def test_the_owner_answers_and_the_dx_stage_joins_the_history(officer, shop, notices):
    survey = make_round(officer)
    response = submit(shop, survey)
    assert response.status == ResponseStatus.SUBMITTED
    assert response.submitted_by == shop.owner
    assert response.value_added(survey.method) == 50_000_000
    assert response.productivity(survey.method) == 5_000_000
    assert response.expected_support == [ExpectedSupport.SUBSIDY, ExpectedSupport.TRAINING]
    assessment = DXStageAssessment.objects.get(company=shop)
    assert assessment.stage == 2
    assert assessment.recorded_by == shop.owner
    assert AuditEvent.objects.filter(verb="kpi.survey_response.submit").count() == 1

    # The same stage again adds nothing to the history; a corrected answer is audited.
    submit(shop, survey, sales=130_000_000)
    assert DXStageAssessment.objects.filter(company=shop).count() == 1
    event = AuditEvent.objects.get(verb="kpi.survey_response.correct")
    assert event.before["sales"] == 120_000_000
    assert event.after["sales"] == 130_000_000
    submit(shop, survey, dx_stage=3)
    assert list(DXStageAssessment.objects.filter(company=shop).values_list("stage", flat=True)) == [
        3,
        2,
    ]


def test_staff_may_answer_but_not_a_floor_worker_nor_the_officer(officer, shop, notices):
    survey = make_round(officer)
    worker = MembershipFactory(company=shop, role=CompanyRole.FLOOR_WORKER).user
    staff = MembershipFactory(company=shop, role=CompanyRole.STAFF).user
    for actor in (worker, officer):
        with pytest.raises(PermissionRefused) as caught:
            submit(shop, survey, actor=actor)
        assert caught.value.code == KpiErrorCode.NOT_SURVEY_COMPANY
    assert response_of(survey, shop).status == ResponseStatus.REQUESTED
    assert submit(shop, survey, actor=staff).submitted_by == staff


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"employees": 0}, "employees", "従業員数は1以上"),
        ({"employees": None}, "employees", "従業員数を入力"),
        ({"employees": 1_000_001}, "employees", "大きすぎ"),
        ({"sales": -1}, "sales", "マイナス"),
        ({"sales": 10**12 + 1}, "sales", "大きすぎ"),
        ({"external_costs": None}, "external_costs", "外部購入費用を入力"),
        ({"sales": 1.5}, "sales", "整数"),
        ({"dx_engagement": ""}, "dx_engagement", "DXへの取り組み"),
        ({"dx_stage": 5}, "dx_stage", "0〜4"),
        ({"dx_stage": None}, "dx_stage", "0〜4"),
        ({"dx_needed": None}, "dx_needed", "必要性"),
        ({"expected_support": ["money"]}, "expected_support", "一覧"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(
    officer, shop, notices, changes, field, words
):
    survey = make_round(officer)
    error = refused(lambda: submit(shop, survey, **changes), KpiErrorCode.SURVEY_ANSWER_INVALID)
    assert words in error.fields[field][0]
    response = response_of(survey, shop)
    assert response.status == ResponseStatus.REQUESTED
    assert response.sales is None
    assert response.dx_stage is None
    assert not DXStageAssessment.objects.filter(company=shop).exists()
    assert not AuditEvent.objects.filter(verb__startswith="kpi.survey_response.s").exists()


def test_external_costs_above_sales_give_a_negative_value_added(officer, shop, notices):
    survey = make_round(officer)
    response = submit(shop, survey, sales=10_000_000, external_costs=12_500_000, employees=2)
    assert response.value_added(survey.method) == -2_500_000
    page = selectors.my_survey_page(shop.owner, response)
    assert page.negative
    assert page.productivity == -1_250_000


def test_the_addition_method_asks_its_six_figures_and_allows_a_loss(officer, shop, notices):
    survey = make_round(officer, method=ValueAddedMethod.ADDITION)
    figures = {
        "operating_profit": -3_000_000,
        "personnel_costs": 40_000_000,
        "depreciation": 5_000_000,
        "rent": 2_000_000,
        "interest": 500_000,
        "taxes": 500_000,
        "employees": 9,
    }
    refused(lambda: submit(shop, survey), KpiErrorCode.SURVEY_ANSWER_INVALID)
    response = submit(shop, survey, sales=None, external_costs=None, **figures)
    assert response.value_added(survey.method) == 45_000_000
    assert response.sales is None
    error = refused(
        lambda: submit(shop, survey, sales=None, external_costs=None, **{**figures, "rent": -1}),
        KpiErrorCode.SURVEY_ANSWER_INVALID,
    )
    assert "rent" in error.fields


def test_the_figures_of_the_other_method_are_cleared(officer, shop, notices):
    survey = make_round(officer)
    response = submit(shop, survey, operating_profit=1_000)
    assert response.operating_profit is None


def test_a_closed_round_refuses_answers_and_corrections(officer, shop, notices):
    survey = make_round(officer)
    submit(shop, survey)
    services.survey_round_close(actor=officer, survey=survey)
    error = refused(lambda: submit(shop, survey, sales=1), KpiErrorCode.SURVEY_CLOSED)
    assert error.status_code == 409
    assert response_of(survey, shop).sales == 120_000_000


# --- reminders -------------------------------------------------------------------------------


def test_the_scheduler_reminds_unanswered_requests_due_soon_once_a_week(
    officer, shop, notices, django_capture_on_commit_callbacks
):
    answered = CompanyFactory()
    answered.owner = MembershipFactory(company=answered).user
    survey = make_round(officer, due=40)
    submit(answered, survey)
    start = timezone.now()
    SurveyResponse.objects.update(requested_at=start - dt.timedelta(days=1))

    # Due in 40 days: too early.
    assert services.survey_remind_due(now=start) == 0
    # 26 days later the due day is 14 days off: reminded, once.
    day_26 = start + dt.timedelta(days=26)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.survey_remind_due(now=day_26) == 1
    assert [notice.user for notice in notices()] == [shop.owner]
    response = response_of(survey, shop)
    assert response.reminders_sent == 1
    assert response.last_reminded_at == day_26
    assert services.survey_remind_due(now=day_26 + dt.timedelta(days=6)) == 0
    # A week on, and once more after the due date has passed.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.survey_remind_due(now=day_26 + dt.timedelta(days=7)) == 1
        assert services.survey_remind_due(now=day_26 + dt.timedelta(days=20)) == 1
    response.refresh_from_db()
    assert response.reminders_sent == 3
    assert notices().filter(user=shop.owner).count() == 3
    assert not notices().filter(user=answered.owner).exists()
    assert response_of(survey, answered).reminders_sent == 0
    assert AuditEvent.objects.filter(verb="kpi.survey_response.remind").count() == 3

    # A closed round is reminded no more.
    services.survey_round_close(actor=officer, survey=survey)
    assert services.survey_remind_due(now=day_26 + dt.timedelta(days=40)) == 0


def test_a_request_just_sent_is_not_reminded_the_same_week(officer, shop, notices):
    make_round(officer, due=5)
    assert services.survey_remind_due() == 0
    later = timezone.now() + dt.timedelta(days=7)
    assert services.survey_remind_due(now=later) == 1


def test_the_officers_remind_now_skips_companies_told_within_a_day(officer, shop, notices):
    survey = make_round(officer)
    fresh = CompanyFactory()
    services.survey_round_send(actor=officer, survey=survey)  # asks ``fresh`` now
    SurveyResponse.objects.filter(company=shop).update(
        requested_at=timezone.now() - dt.timedelta(days=2)
    )
    assert services.survey_round_remind(actor=officer, survey=survey) == 1
    assert response_of(survey, shop).reminders_sent == 1
    assert response_of(survey, fresh).reminders_sent == 0
    assert services.survey_round_remind(actor=officer, survey=survey) == 0
    services.survey_round_close(actor=officer, survey=survey)
    refused(
        lambda: services.survey_round_remind(actor=officer, survey=survey),
        KpiErrorCode.SURVEY_ROUND_STATE,
    )


# --- reads -----------------------------------------------------------------------------------


def test_the_response_rate_is_answered_over_sent(officer, shop, notices):
    CompanyFactory()
    CompanyFactory()
    survey = make_round(officer)
    submit(shop, survey)
    [row] = selectors.survey_rounds(officer)
    assert (row.sent, row.submitted, row.waiting) == (3, 1, 2)
    assert str(row.rate) == "33.3"
    page = selectors.survey_round_page(officer, survey)
    assert page.rows[-1].response.company == shop  # the answered come last
    assert page.rows[-1].value_added == 50_000_000
    assert selectors.rate(0, 0) is None
    assert str(selectors.rate(2, 3)) == "66.7"


def test_the_form_is_pre_filled_from_last_years_answer_of_any_ward(officer, shop, notices):
    sumida = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user
    last = services.survey_round_create(
        actor=sumida,
        municipality=ward(SUMIDA),
        fiscal_year=this_year() - 1,
        due_on=in_days(10),
    )
    SurveyResponse.objects.create(
        round=last,
        company=shop,
        status=ResponseStatus.SUBMITTED,
        dx_engagement=DxEngagement.DONE,
        dx_stage=3,
        dx_needed=False,
        expected_support=[ExpectedSupport.LAB],
        sales=90_000_000,
        external_costs=50_000_000,
        employees=7,
        requested_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    survey = make_round(officer)
    page = selectors.my_survey_page(shop.owner, response_of(survey, shop))
    assert page.prefilled_from == selectors.FROM_LAST_YEAR
    assert page.previous_year == this_year() - 1
    assert page.initial == {
        "dx_engagement": DxEngagement.DONE,
        "dx_stage": 3,
        "dx_needed": "no",
        "expected_support": [ExpectedSupport.LAB],
        "sales": 90_000_000,
        "external_costs": 50_000_000,
        "employees": 7,
    }


def test_without_last_year_the_form_starts_from_the_profile(officer, shop, notices):
    survey = make_round(officer)
    page = selectors.my_survey_page(shop.owner, response_of(survey, shop))
    assert page.prefilled_from == selectors.FROM_PROFILE
    assert page.initial == {"employees": 8}
    DXStageAssessment.objects.create(company=shop, stage=1)
    page = selectors.my_survey_page(shop.owner, response_of(survey, shop))
    assert page.initial == {"employees": 8, "dx_stage": 1}


def test_the_company_list_shows_only_its_own_requests(officer, shop, notices):
    other = CompanyFactory()
    other_owner = MembershipFactory(company=other).user
    make_round(officer)
    [row] = selectors.my_surveys(shop.owner, shop)
    assert row.response.company == shop
    assert selectors.my_surveys(other_owner, shop) == []
    worker = MembershipFactory(company=shop, role=CompanyRole.FLOOR_WORKER).user
    assert selectors.my_surveys(worker, shop) == []


# --- the form --------------------------------------------------------------------------------


def form_data(**changes):
    data = {
        "dx_engagement": "done",
        "dx_stage": "2",
        "dx_needed": "yes",
        "expected_support": ["subsidy"],
        "sales": "1,200,000",
        "external_costs": "８００，０００円",
        "employees": "3人",
    }
    data.update(changes)
    return data


def test_the_form_reads_figures_as_people_type_them():
    form = SurveyAnswerForm(form_data(), figures=services.DEDUCTION_FIGURES)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sales"] == 1_200_000
    assert form.cleaned_data["external_costs"] == 800_000
    assert form.cleaned_data["employees"] == 3
    assert form.cleaned_data["dx_needed"] is True
    assert form.cleaned_data["dx_stage"] == 2


@pytest.mark.parametrize("typed", ["1.5", "12万", "abc", "-100"])
def test_the_form_refuses_what_is_not_a_whole_number(typed):
    form = SurveyAnswerForm(form_data(sales=typed), figures=services.DEDUCTION_FIGURES)
    assert not form.is_valid()
    assert "整数" in form.errors["sales"][0]


@pytest.mark.parametrize(("typed", "value"), [("△500,000", -500_000), ("-1,000", -1000)])
def test_a_loss_may_be_typed_with_a_minus_or_a_triangle(typed, value):
    figures = {**dict.fromkeys(services.ADDITION_FIGURES, "1"), "operating_profit": typed}
    form = SurveyAnswerForm(form_data(**figures), figures=services.ADDITION_FIGURES)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["operating_profit"] == value


# --- the pages -------------------------------------------------------------------------------


def test_the_owner_answers_on_the_page_and_sees_the_value_added(client, officer, shop, notices):
    survey = make_round(officer)
    response = response_of(survey, shop)
    client.force_login(shop.owner)
    url = reverse("kpi:my_survey", args=[response.pk])
    page = client.get(url)
    assert "会社のプロフィールの従業員数" in page.content.decode()

    bad = client.post(url, form_data(employees="0"))
    assert bad.status_code == 200
    assert "従業員数は1以上で入力してください" in bad.content.decode()
    response.refresh_from_db()
    assert response.status == ResponseStatus.REQUESTED
    assert response.sales is None

    done = client.post(url, form_data(external_costs="1,500,000"), follow=True)
    text = done.content.decode()
    assert "ご回答ありがとうございました" in text
    assert "-300,000円" in text  # 付加価値額
    assert "-100,000円" in text  # per employee
    assert 'data-testid="negative-note"' in text
    response.refresh_from_db()
    assert (response.sales, response.external_costs, response.employees) == (
        1_200_000,
        1_500_000,
        3,
    )


def test_a_closed_round_page_shows_the_answer_and_takes_no_post(client, officer, shop, notices):
    survey = make_round(officer)
    submit(shop, survey)
    services.survey_round_close(actor=officer, survey=survey)
    client.force_login(shop.owner)
    url = reverse("kpi:my_survey", args=[response_of(survey, shop).pk])
    text = client.get(url).content.decode()
    assert 'data-testid="survey-answer"' in text
    assert "survey-form" not in text
    posted = client.post(url, form_data(sales="1"), follow=True)
    assert "締め切られました" in posted.content.decode()
    assert response_of(survey, shop).sales == 120_000_000


def test_the_officer_creates_sends_and_closes_through_the_pages(client, officer, shop, notices):
    give_totp(officer)
    force_login_with_mfa(client, officer)
    bad = client.post(
        reverse("kpi:survey_round_create"),
        {
            "municipality": ward().pk,
            "fiscal_year": this_year(),
            "method": "deduction",
            "due_on": in_days(-3).isoformat(),
        },
    )
    assert bad.status_code == 200
    assert "回答期限に過去の日付は指定できません" in bad.content.decode()
    assert not SurveyRound.objects.exists()

    created = client.post(
        reverse("kpi:survey_round_create"),
        {
            "municipality": ward().pk,
            "fiscal_year": this_year(),
            "method": "addition",
            "due_on": in_days(20).isoformat(),
            "message": "",
        },
    )
    survey = SurveyRound.objects.get()
    assert created.headers["Location"] == reverse("kpi:survey_round", args=[survey.pk])
    assert survey.method == ValueAddedMethod.ADDITION

    client.post(reverse("kpi:survey_round_send", args=[survey.pk]))
    assert survey.responses.count() == 1
    page = client.get(reverse("kpi:survey_round", args=[survey.pk])).content.decode()
    assert "回答 0 社 / 送付 1 社" in page
    assert "蒲田精機株式会社" in page

    unconfirmed = client.post(reverse("kpi:survey_round_close", args=[survey.pk]), follow=True)
    assert "確認の欄にチェック" in unconfirmed.content.decode()
    client.post(reverse("kpi:survey_round_close", args=[survey.pk]), {"confirm": "on"})
    survey.refresh_from_db()
    assert survey.status == RoundStatus.CLOSED
    listing = client.get(reverse("kpi:survey_rounds")).content.decode()
    assert "締切済み" in listing
