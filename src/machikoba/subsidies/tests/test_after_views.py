"""The pages after the selection through the test client: which buttons the company and
the office see at each step (from the state machine's table), the forms' refusals shown
on the page with nothing changed, the 交付決定通知書 PDF, the value-added pages, and
bounded query counts."""

import datetime as dt

import pypdfium2
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyKind
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import (
    CompanyFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import (
    make_after,
    make_report,
    proof_upload,
)
from machikoba.subsidies.choices import (
    ApplicationStatus,
    ReportStatus,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.models_after import ActualExpense, ValueAddedReport
from machikoba.subsidies.services.grants import grant_decide, grant_request
from machikoba.subsidies.services.payments import report_due_on

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

BUTTONS = {
    "grant-request-submit",
    "grant-decide-submit",
    "report-open",
    "inspection-accept",
    "payment-submit",
    "change-file",
    "grant-notice-link",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _clients(application, client_factory):
    owner = make_applicant(application.company)
    officer = make_officer()
    give_totp(officer)
    company = client_factory()
    company.force_login(owner)
    office = client_factory()
    force_login_with_mfa(office, officer)
    return company, office, owner, officer


@pytest.fixture
def client_factory():
    return Client


def _buttons(response):
    html = response.content.decode()
    return {name for name in BUTTONS if f'data-testid="{name}"' in html}


@pytest.mark.parametrize(
    ("status", "company_buttons", "office_buttons"),
    [
        (ApplicationStatus.SELECTED, {"grant-request-submit"}, set()),
        (ApplicationStatus.GRANT_REQUESTED, set(), {"grant-decide-submit"}),
        (
            ApplicationStatus.GRANTED,
            {"report-open", "change-file", "grant-notice-link"},
            {"grant-notice-link"},
        ),
        (
            ApplicationStatus.REPORTED,
            {"grant-notice-link"},
            {"inspection-accept", "grant-notice-link"},
        ),
        (
            ApplicationStatus.CONFIRMED,
            {"grant-notice-link"},
            {"payment-submit", "grant-notice-link"},
        ),
    ],
)
def test_each_sees_the_buttons_the_table_allows(
    status, company_buttons, office_buttons, client_factory
):
    application = make_after(status=status)
    if status in (ApplicationStatus.REPORTED, ApplicationStatus.CONFIRMED):
        make_report(
            application,
            status=ReportStatus.SUBMITTED
            if status == ApplicationStatus.REPORTED
            else ReportStatus.ACCEPTED,
        )
    company, office, _owner, _officer = _clients(application, client_factory)
    url = reverse("subsidies:grant_steps", args=[application.pk])
    company_page = company.get(url)
    office_page = office.get(url)
    assert company_page.status_code == office_page.status_code == 200
    assert _buttons(company_page) == company_buttons
    assert _buttons(office_page) == office_buttons


def test_request_decide_and_notice_through_the_pages(client_factory):
    application = make_after(status=ApplicationStatus.SELECTED)
    company, office, _owner, _officer = _clients(application, client_factory)
    # Without the tick: the page says why, nothing moves.
    response = company.post(reverse("subsidies:grant_request", args=[application.pk]), {})
    assert response.status_code == 200
    assert "チェックを入れてください" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED
    response = company.post(
        reverse("subsidies:grant_request", args=[application.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANT_REQUESTED
    # Above the requested amount: refused on the page.
    decide = reverse("subsidies:grant_decide", args=[application.pk])
    response = office.post(decide, {"amount": "600000"})
    assert "申請額 500,000円 を超えられません" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANT_REQUESTED
    response = office.post(decide, {"amount": "450000", "reason": "タブレット1台は対象外"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.decided_amount == 450_000
    # The notice, in Japanese with the embedded font.
    response = company.get(reverse("subsidies:grant_notice", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "補助金交付決定通知書" in text
    assert "450,000円" in text
    assert "500,000円" in text  # the amount applied for
    assert "タブレット1台は対象外" in text
    assert application.company.name in text
    assert "計画変更申請" in text  # the conditions
    fonts = response.content.count(b"/FontFile2")
    assert fonts >= 1  # the Japanese font is embedded


def test_notice_exists_only_once_granted(client_factory):
    application = make_after(status=ApplicationStatus.GRANT_REQUESTED)
    company, _office, _owner, _officer = _clients(application, client_factory)
    response = company.get(reverse("subsidies:grant_notice", args=[application.pk]))
    assert response.status_code == 404


def test_report_page_adds_a_line_with_files_and_refuses_a_bad_one(client_factory, tmp_path):
    application = make_after(status=ApplicationStatus.GRANTED)
    company, _office, _owner, _officer = _clients(application, client_factory)
    page = company.get(reverse("subsidies:grant_report", args=[application.pk]))
    assert page.status_code == 200
    assert 'data-testid="expense-add-form"' in page.content.decode()
    add = reverse("subsidies:actual_expense_add", args=[application.pk])
    category = application.stage.categories.get(code="software")
    line = {
        "expense-category": category.pk,
        "expense-description": "日報アプリ",
        "expense-vendor": "クラウド日報株式会社",
        "expense-amount": "600000",
        "expense-paid_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
    }
    response = company.post(add, {**line, "expense-amount": "-1"})
    assert response.status_code == 200
    assert "1 円以上" in response.content.decode()
    assert not ActualExpense.objects.exists()
    response = company.post(
        add,
        {
            **line,
            "expense-receipt": proof_upload("r.jpg"),
            "expense-payment_proof": proof_upload("p.jpg"),
        },
    )
    assert response.status_code == 302
    expense = ActualExpense.objects.get()
    assert expense.proofs.count() == 2


def test_report_submitted_from_the_page_shows_every_problem(client_factory):
    application = make_after(status=ApplicationStatus.GRANTED)
    make_report(application, proofs=False, answered=False)
    company, _office, _owner, _officer = _clients(application, client_factory)
    response = company.post(
        reverse("subsidies:grant_report", args=[application.pk]),
        {
            "completed_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            "felt_efficiency": "yes",
            "felt_cost_reduction": "no",
            "felt_productivity": "yes",
            "and_submit": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "領収書・請求書・支払の証憑 (振込記録など) を添付してください" in html
    assert "成果のアンケートに答えてください" in html
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED


def test_inspection_page_shows_the_recomputed_amount(client_factory):
    application = make_after(status=ApplicationStatus.REPORTED, lines=[("software", 800_000)])
    make_report(application, lines=[("software", 600_000)], status=ReportStatus.SUBMITTED)
    _company, office, _owner, _officer = _clients(application, client_factory)
    response = office.get(reverse("subsidies:grant_steps", args=[application.pk]))
    html = response.content.decode()
    assert 'data-testid="inspection-amount">450,000円' in html
    assert 'data-testid="breakdown-eligible">600,000円' in html


def _survey_report(company, *, year, status=ValueAddedStatus.REQUESTED, **fields):
    return ValueAddedReport.objects.create(
        company=company,
        municipality=ward(),
        kind=ValueAddedKind.SURVEY,
        fiscal_year=year,
        status=status,
        requested_at=timezone.now(),
        due_on=report_due_on(year),
        **fields,
    )


def test_value_added_page_shows_last_years_answer_and_takes_three_numbers(client_factory):
    application = make_after(status=ApplicationStatus.PAID)
    company, office, _owner, _officer = _clients(application, client_factory)
    year = fiscal_year(timezone.localdate()) - 1
    _survey_report(
        application.company,
        year=year - 1,
        status=ValueAddedStatus.SUBMITTED,
        sales=90_000_000,
        external_costs=60_000_000,
        employees=9,
    )
    report = _survey_report(application.company, year=year)
    url = reverse("subsidies:value_added_report", args=[report.pk])
    html = company.get(url).content.decode()
    assert 'data-testid="value-added-hint"' in html
    assert "90,000,000円" in html
    response = company.post(url, {"sales": "", "external_costs": "5", "employees": "3"})
    assert "売上高を入力してください" in response.content.decode()
    response = company.post(url, {"sales": "10", "external_costs": "-5", "employees": "3"})
    assert "外部購入費用にマイナスは入力できません" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ValueAddedStatus.REQUESTED
    response = company.post(
        url, {"sales": "100000000", "external_costs": "65000000", "employees": "10"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.value_added == 35_000_000
    # The office reads it, and may not answer.
    assert office.get(url).status_code == 200
    assert (
        office.post(url, {"sales": "1", "external_costs": "1", "employees": "1"}).status_code == 403
    )


def test_office_list_and_survey_sending(client_factory):
    application = make_after(status=ApplicationStatus.PAID)
    _company, office, _owner, _officer = _clients(application, client_factory)
    CompanyFactory(ward=ward(), kind=CompanyKind.SHOP)
    year = fiscal_year(timezone.localdate()) - 1
    page = office.get(reverse("subsidies:office_value_added"))
    assert page.status_code == 200
    send = reverse("subsidies:value_added_survey_send")
    data = {"fiscal_year": str(year), "municipality": str(ward().pk)}
    response = office.post(send, data, follow=True)
    assert "年次調査を 1 社に送りました" in response.content.decode()
    response = office.post(send, data, follow=True)
    assert "新しく送る企業はありませんでした" in response.content.decode()
    assert ValueAddedReport.objects.filter(kind=ValueAddedKind.SURVEY).count() == 1
    listed = office.get(reverse("subsidies:office_value_added") + f"?fiscal_year={year}")
    assert listed.content.decode().count('data-testid="value-added-row"') == 1


def _queries_of_grant_steps(lines, client_factory):
    application = make_after(status=ApplicationStatus.REPORTED)
    make_report(application, lines=[("software", 100_000)] * lines, status=ReportStatus.SUBMITTED)
    _company, office, _owner, _officer = _clients(application, client_factory)
    url = reverse("subsidies:grant_steps", args=[application.pk])
    office.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as captured:
        assert office.get(url).status_code == 200
    return len(captured)


def test_grant_steps_page_query_count_does_not_grow_with_the_lines(client_factory):
    one = _queries_of_grant_steps(1, client_factory)
    assert one <= 25
    assert _queries_of_grant_steps(6, client_factory) == one


def test_grant_through_services_shows_the_history(client_factory):
    application = make_after(status=ApplicationStatus.SELECTED)
    company, _office, owner, officer = _clients(application, client_factory)
    grant_request(actor=owner, application=application, confirm=True)
    grant_decide(actor=officer, application=application)
    html = company.get(reverse("subsidies:grant_steps", args=[application.pk])).content.decode()
    assert html.count('data-state="done"') == 3  # 採択, 交付申請, 交付決定
