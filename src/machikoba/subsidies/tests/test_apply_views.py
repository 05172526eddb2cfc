"""The applicant's pages through HTTP: the calls with their rates, the wizard saving each
step, a line with its quote, a bad file refused with nothing stored, the live breakdown,
submitting, the detail page's banner and buttons, the download, and who gets a 404."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_apply import (
    attach,
    fake_pdf_upload,
    make_company_advisor,
    make_ready_application,
    pdf_upload,
)
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus, DocumentKind
from machikoba.subsidies.models import Application, ApplicationDocument, ReviewerAssignment


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def call(db):
    return make_paper_call()


@pytest.fixture
def company(db):
    return CompanyFactory(name="蒲田精機株式会社")


@pytest.fixture
def owner(company):
    return MembershipFactory(company=company, role="owner").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _step(application, step) -> str:
    return reverse("subsidies:wizard", args=[application.pk, step])


def test_the_calls_show_each_stage_with_its_rate_and_cap(owner_client, call):
    response = owner_client.get(reverse("subsidies:calls"))
    assert response.status_code == 200
    text = response.text
    assert "補助率 3/4・上限 50万円" in text
    assert "補助率 2/3・上限 500万円" in text
    assert "補助率 1/2・上限 1,000万円" in text
    assert "相見積が必要 (2通)" in text
    assert text.count('data-testid="stage-apply"') == 3


def test_a_stage_already_applied_to_links_to_the_application(owner_client, call, company):
    application = make_application(call.stages.get(number=1), company)
    response = owner_client.get(reverse("subsidies:call_detail", args=[call.pk]))
    assert reverse("subsidies:application_detail", args=[application.pk]) in response.text
    assert response.text.count('data-testid="stage-apply"') == 2


def test_start_then_each_step_saves_and_goes_on(owner_client, call, company):
    stage = call.stages.get(number=1)
    response = owner_client.post(reverse("subsidies:application_start", args=[stage.pk]))
    application = Application.objects.get(company=company)
    assert response.url == _step(application, 1)

    response = owner_client.post(
        _step(application, 1),
        {
            "baseline_sales": "120000000",
            "baseline_external_costs": "70000000",
            "baseline_employees": "12",
            "action": "next",
        },
    )
    assert response.url == _step(application, 2)
    response = owner_client.post(
        _step(application, 2), {"title": "日報の電子化", "action": "suspend"}
    )
    assert response.url == reverse("subsidies:my_applications")
    application.refresh_from_db()
    assert (application.baseline_sales, application.title) == (120_000_000, "日報の電子化")
    assert application.wizard_step == 2

    # Back keeps what was typed.
    response = owner_client.post(
        _step(application, 2), {"title": "日報の電子化と勤怠", "action": "back"}
    )
    assert response.url == _step(application, 1)
    application.refresh_from_db()
    assert application.title == "日報の電子化と勤怠"


def test_a_line_is_added_with_its_quote_and_a_bad_file_stores_nothing(
    owner_client, call, company, media
):
    stage = call.stages.get(number=1)
    application = make_application(stage, company, lines=[])
    software = stage.categories.get(code="software")
    line = {
        "category": software.pk,
        "description": "日報アプリ",
        "vendor": "城南ソフト",
        "amount": "400000",
        "action": "add",
    }
    refused = owner_client.post(_step(application, 3), {**line, "quote": fake_pdf_upload()})
    assert refused.status_code == 400
    assert "書類は PDF・PNG・JPEG のいずれかのファイルにしてください。" in refused.text
    assert not application.expenses.exists()
    assert [p for p in Path(media).rglob("*") if p.is_file()] == []

    response = owner_client.post(_step(application, 3), {**line, "quote": pdf_upload()})
    assert response.status_code == 302
    added = application.expenses.get()
    assert added.quotes.get().original_name == "見積書.pdf"


def test_the_live_breakdown_counts_what_is_being_typed(owner_client, call, company):
    stage = call.stages.get(number=1)
    application = make_application(stage, company, lines=[("software", 300_000)])
    devices = stage.categories.get(code="devices")
    response = owner_client.get(
        reverse("subsidies:breakdown_preview", args=[application.pk]),
        {"category": devices.pk, "amount": "400000"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    # devices may be half of the eligible total: 300,000 of 600,000; 3/4 of that.
    assert "450,000円" in response.text
    assert "breakdown-reduction" in response.text


def test_submitting_from_the_last_step(owner_client, call, company):
    application = make_ready_application(call.stages.get(number=1), company)
    page = owner_client.get(_step(application, 5))
    assert 'data-testid="submit-ready"' in page.text

    response = owner_client.post(reverse("subsidies:application_submit", args=[application.pk]))

    application.refresh_from_db()
    assert response.url == reverse("subsidies:application_detail", args=[application.pk])
    assert application.status == ApplicationStatus.SUBMITTED
    detail = owner_client.get(response.url)
    assert application.reference in detail.text
    assert "区が要件を確認しています" in detail.text


def test_a_refused_submission_lists_what_to_fix(owner_client, call, company):
    application = make_application(call.stages.get(number=1), company, title="")
    page = owner_client.get(_step(application, 5))
    assert 'data-testid="submit-problems"' in page.text
    assert "事業の名称" in page.text
    assert "wizard-submit" not in page.text

    response = owner_client.post(reverse("subsidies:application_submit", args=[application.pk]))
    assert response.url == _step(application, 5)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_the_detail_page_says_what_happens_next(owner_client, call, company):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.RETURNED
    )
    response = owner_client.get(reverse("subsidies:application_detail", args=[application.pk]))
    assert "コメントを読んで直し" in response.text
    assert 'data-testid="continue-editing"' in response.text
    assert 'data-testid="withdraw"' in response.text


def test_a_document_is_downloaded_under_its_original_name(owner_client, call, company):
    application = make_application(call.stages.get(number=1), company)
    document = attach(
        application,
        DocumentKind.ATTACHMENT,
        requirement=application.stage.attachment_requirements.get(),
        name="決算書 2025.pdf",
    )
    response = owner_client.get(reverse("subsidies:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E6%B1%BA%E7%AE%97%E6%9B%B8%202025.pdf"
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- who may open what --------------------------------------------------------------------------


def _client_for(client, user, *, mfa: bool = False):
    if mfa:
        give_totp(user)
        force_login_with_mfa(client, user)
    else:
        client.force_login(user)
    return client


def test_a_visitor_is_sent_to_sign_in(client, call, company):
    application = make_application(call.stages.get(number=1), company)
    for url in (
        reverse("subsidies:calls"),
        reverse("subsidies:application_detail", args=[application.pk]),
        _step(application, 1),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


def test_another_company_gets_a_404(client, call, company):
    application = make_application(call.stages.get(number=1), company)
    document = attach(application, DocumentKind.QUOTE, expense=application.expenses.get())
    _client_for(client, MembershipFactory(company=CompanyFactory()).user)
    for url in (
        reverse("subsidies:application_detail", args=[application.pk]),
        _step(application, 2),
        reverse("subsidies:document_download", args=[document.pk]),
        reverse("subsidies:breakdown_preview", args=[application.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("subsidies:application_submit", args=[application.pk]))
    assert response.status_code == 404


def test_officers_read_their_wards_applications_only_and_never_edit_them(client, call, company):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SUBMITTED
    )
    document = attach(application, DocumentKind.QUOTE, expense=application.expenses.get())
    _client_for(client, make_officer(municipality=ward(SUMIDA)), mfa=True)
    assert (
        client.get(reverse("subsidies:application_detail", args=[application.pk])).status_code
        == 404
    )
    assert client.get(reverse("subsidies:document_download", args=[document.pk])).status_code == 404

    _client_for(client, make_officer(), mfa=True)
    assert (
        client.get(reverse("subsidies:application_detail", args=[application.pk])).status_code
        == 200
    )
    assert client.get(reverse("subsidies:document_download", args=[document.pk])).status_code == 200
    assert client.get(_step(application, 2)).status_code == 403


def test_a_reviewer_opens_only_an_assigned_application_after_declaring_no_conflict(
    client, call, company
):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SCREENING
    )
    document = attach(application, DocumentKind.QUOTE, expense=application.expenses.get())
    reviewer = make_reviewer()
    _client_for(client, reviewer)
    detail = reverse("subsidies:application_detail", args=[application.pk])
    download = reverse("subsidies:document_download", args=[document.pk])
    assert client.get(detail).status_code == 404  # not assigned

    assignment = ReviewerAssignment.objects.create(application=application, reviewer=reviewer)
    assert client.get(detail).status_code == 404  # assigned, no declaration yet
    assert client.get(download).status_code == 404

    assignment.status = AssignmentStatus.CLEARED
    assignment.save()
    assert client.get(detail).status_code == 200
    assert client.get(download).status_code == 200


def test_removing_a_document_of_another_company_is_a_404(client, call, company):
    application = make_application(call.stages.get(number=1), company)
    document = attach(application, DocumentKind.QUOTE, expense=application.expenses.get())
    _client_for(client, MembershipFactory(company=CompanyFactory()).user)
    response = client.post(reverse("subsidies:document_remove", args=[document.pk]))
    assert response.status_code == 404
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


def test_my_applications_are_listed_with_a_constant_number_of_queries(owner_client, call, company):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(reverse("subsidies:my_applications")).status_code == 200
        return len(queries)

    make_application(call.stages.get(number=1), company)
    one = count()
    for number in (2, 3):
        make_application(
            call.stages.get(number=number),
            company,
            filed_by=MembershipFactory(company=company).user,
        )
    assert count() == one


@pytest.mark.parametrize(
    ("status", "links"),
    [
        (ApplicationStatus.DRAFT, {"bonus-claim-link"}),
        (ApplicationStatus.SCREENING, set()),
        (ApplicationStatus.SELECTED, {"grant-steps-link", "decision-notice-link"}),
        (ApplicationStatus.NOT_SELECTED, {"decision-notice-link"}),
        (ApplicationStatus.GRANTED, {"grant-steps-link"}),
    ],
)
def test_the_detail_page_links_to_the_next_pages_its_status_opens(
    owner_client, call, company, status, links
):
    application = make_application(call.stages.get(number=1), company, status=status)
    response = owner_client.get(reverse("subsidies:application_detail", args=[application.pk]))
    shown = {
        name
        for name in ("grant-steps-link", "decision-notice-link", "bonus-claim-link")
        if f'data-testid="{name}"' in response.text
    }
    assert shown == links


def test_an_advisor_files_for_the_company_and_the_owner_consents_on_the_page(
    client, call, company, owner
):
    advisor = make_company_advisor(company)
    _client_for(client, advisor)
    page = client.get(reverse("subsidies:call_detail", args=[call.pk]))
    assert f'<option value="{company.pk}">{company.name}</option>' in page.text
    stage = call.stages.get(number=1)
    client.post(reverse("subsidies:application_start", args=[stage.pk]), {"company": company.pk})
    application = Application.objects.get(company=company, filed_by=advisor)

    _client_for(client, owner)
    detail = client.get(reverse("subsidies:application_detail", args=[application.pk]))
    assert 'data-testid="consent-give"' in detail.text
    assert "代表者が同意してください" in detail.text
    client.post(reverse("subsidies:application_consent", args=[application.pk]))
    application.refresh_from_db()
    assert application.consent_by == owner
