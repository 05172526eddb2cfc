"""The applicant's services up to a complete draft: starting (who, which ward, while
open, one per stage), the wizard's steps, expense lines and their quotes, documents.
Every refusal has its code and leaves nothing changed (no row, no file)."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.factories_subsidies import make_application, make_paper_call
from machikoba.core.testing.factories_subsidies_apply import (
    fake_pdf_upload,
    jpeg_upload,
    make_company_advisor,
    pdf_upload,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus, ValueAddedKind
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application, ApplicationDocument, ExpenseLine
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.tests.conftest import refused

pytestmark = pytest.mark.usefixtures("media")


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- start ----------------------------------------------------------------------------------


def test_an_owner_starts_a_draft_prefilled_from_the_company_profile(stage1, company, owner):
    application = services.application_start(actor=owner, stage=stage1, company=company)

    assert application.status == ApplicationStatus.DRAFT
    assert application.filed_by == owner
    assert application.wizard_step == 1
    assert application.baseline_employees == 14
    assert application.planned_start == stage1.call.decision_on + dt.timedelta(days=30)
    assert application.planned_end > application.planned_start
    assert AuditEvent.objects.filter(verb="subsidy_application.start").count() == 1


def test_the_baseline_comes_from_the_latest_answered_value_added_report(stage1, company, owner):
    for year, sales in ((2, 90_000_000), (1, 110_000_000)):
        ValueAddedReport.objects.create(
            company=company,
            municipality=company.ward,
            kind=ValueAddedKind.SURVEY,
            fiscal_year=timezone.localdate().year - year,
            status="submitted",
            due_on=timezone.localdate(),
            sales=sales,
            external_costs=60_000_000,
            employees=16,
        )

    application = services.application_start(actor=owner, stage=stage1, company=company)

    assert application.baseline_sales == 110_000_000
    assert application.baseline_external_costs == 60_000_000
    assert application.baseline_employees == 16


def test_another_companys_owner_may_not_start_for_the_company(stage1, company):
    stranger = MembershipFactory(company=CompanyFactory()).user
    refused(
        ApplyErrorCode.NOT_ALLOWED,
        services.application_start,
        actor=stranger,
        stage=stage1,
        company=company,
    )
    assert not Application.objects.exists()


def test_only_a_company_of_the_calls_ward_may_apply(stage1, owner):
    sumida = CompanyFactory(ward=ward(SUMIDA), municipality="墨田区")
    MembershipFactory(company=sumida, user=owner)
    error = refused(
        ApplyErrorCode.WRONG_WARD,
        services.application_start,
        actor=owner,
        stage=stage1,
        company=sumida,
    )
    assert "大田区" in str(error.message)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (dt.timedelta(days=1), dt.timedelta(days=20), ApplyErrorCode.CALL_NOT_OPEN),
        (dt.timedelta(days=-20), dt.timedelta(seconds=-1), ApplyErrorCode.DEADLINE_PASSED),
    ],
)
def test_a_draft_is_started_only_while_the_call_is_open(db, company, owner, opens, closes, code):
    now = timezone.now()
    stage = make_paper_call(opens_at=now + opens, closes_at=now + closes).stages.get(number=1)
    refused(code, services.application_start, actor=owner, stage=stage, company=company)
    assert not Application.objects.exists()


def test_one_live_application_per_company_and_stage_a_withdrawn_one_may_be_refiled(
    stage1, stage2, company, owner, staff
):
    first = services.application_start(actor=owner, stage=stage1, company=company)
    refused(
        ApplyErrorCode.ALREADY_APPLIED,
        services.application_start,
        actor=staff,
        stage=stage1,
        company=company,
    )
    assert Application.objects.count() == 1
    services.application_start(actor=staff, stage=stage2, company=company)  # another stage

    services.application_withdraw(actor=owner, application=first)
    again = services.application_start(actor=owner, stage=stage1, company=company)
    assert again.pk != first.pk


def test_an_advisor_supporting_the_company_starts_and_the_owner_is_asked_to_consent(
    stage1, company, owner, django_capture_on_commit_callbacks
):
    advisor = make_company_advisor(company)
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_start(actor=advisor, stage=stage1, company=company)
    run_queued_tasks("notification")

    assert application.filed_by == advisor
    notice = Notification.objects.get(user=owner, kind="subsidy_consent_requested")
    assert company.name in notice.body
    assert notice.url == f"/subsidies/applications/{application.pk}/"


def test_an_advisor_without_an_active_engagement_may_not_start(stage1, company):
    advisor = make_company_advisor(CompanyFactory())  # supports another company
    refused(
        ApplyErrorCode.NOT_ALLOWED,
        services.application_start,
        actor=advisor,
        stage=stage1,
        company=company,
    )


# --- the wizard's steps ---------------------------------------------------------------------


def test_a_step_saves_its_fields_and_remembers_where_the_applicant_is(stage1, company, owner):
    application = services.application_start(actor=owner, stage=stage1, company=company)
    services.application_save_step(
        actor=owner,
        application=application,
        step=2,
        data={"title": " 日報の電子化 ", "effect_before": 20, "effect_after": "2.5"},
    )
    application.refresh_from_db()
    assert application.title == "日報の電子化"
    assert str(application.effect_after) == "2.5"
    assert application.wizard_step == 3

    services.application_save_step(
        actor=owner, application=application, step=4, data={}, advance=False
    )
    application.refresh_from_db()
    assert application.wizard_step == 4
    assert application.title == "日報の電子化"  # other steps' fields stay


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"partners": "東京都立産業技術研究センター"}, ApplyErrorCode.PARTNERS_NOT_ALLOWED),
        ({"problem": "あ" * 3001}, ApplyErrorCode.PLAN_INVALID),
    ],
)
def test_a_step_refuses_what_the_stage_or_the_field_does_not_allow(
    stage1, company, owner, data, code
):
    application = make_application(stage1, company)
    before = Application.objects.values().get(pk=application.pk)
    refused(
        code,
        services.application_save_step,
        actor=owner,
        application=application,
        step=2,
        data=data,
    )
    assert Application.objects.values().get(pk=application.pk) == before


def test_the_end_date_must_follow_the_start_date(stage1, company, owner):
    application = make_application(stage1, company)
    error = refused(
        ApplyErrorCode.PLAN_INVALID,
        services.application_save_step,
        actor=owner,
        application=application,
        step=2,
        data={"planned_end": application.planned_start},
    )
    assert "planned_end" in error.fields


def test_a_submitted_application_is_not_edited(stage1, company, owner):
    application = make_application(stage1, company, status=ApplicationStatus.SUBMITTED)
    refused(
        ApplyErrorCode.NOT_EDITABLE,
        services.application_save_step,
        actor=owner,
        application=application,
        step=2,
        data={"title": "別の名前"},
    )
    application.refresh_from_db()
    assert application.title == "日報の電子化"


# --- expense lines and documents -------------------------------------------------------------


def test_an_expense_line_is_added_with_its_quotes(stage2, company, owner, media):
    application = make_application(stage2, company, lines=[])
    system = stage2.categories.get(code="system")
    line = services.expense_add(
        actor=owner,
        application=application,
        category=system,
        description="生産管理システム",
        vendor="城南システム株式会社",
        amount=1_800_000,
        quotes=[pdf_upload("見積A.pdf"), jpeg_upload("見積B.jpg")],
    )
    assert [q.original_name for q in line.quotes.order_by("pk")] == ["見積A.pdf", "見積B.jpg"]
    assert len(_stored_files(media)) == 2


def test_a_bad_quote_refuses_the_line_and_leaves_no_file(stage2, company, owner, media):
    application = make_application(stage2, company, lines=[])
    error = refused(
        ApplyErrorCode.DOCUMENT_INVALID,
        services.expense_add,
        actor=owner,
        application=application,
        category=stage2.categories.get(code="system"),
        description="生産管理システム",
        vendor="城南システム株式会社",
        amount=1_800_000,
        quotes=[pdf_upload(), fake_pdf_upload()],
    )
    assert error.fields == {"file": ["書類は PDF・PNG・JPEG のいずれかのファイルにしてください。"]}
    assert not ExpenseLine.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []


def test_a_category_of_another_stage_is_refused(stage1, stage2, company, owner):
    application = make_application(stage1, company, lines=[])
    error = refused(
        ApplyErrorCode.EXPENSE_INVALID,
        services.expense_add,
        actor=owner,
        application=application,
        category=stage2.categories.get(code="system"),
        description="生産管理システム",
        vendor="城南システム株式会社",
        amount=1_000_000,
    )
    assert "category" in error.fields
    assert not ExpenseLine.objects.exists()


def test_an_expense_line_is_changed_and_removed_with_its_quotes(stage1, company, owner, media):
    application = make_application(stage1, company)
    line = application.expenses.get()
    services.document_add(
        actor=owner, application=application, kind="quote", upload=pdf_upload(), expense=line
    )
    services.expense_update(
        actor=owner,
        expense=line,
        category=line.category,
        description="日報アプリ",
        vendor="城南ソフト",
        amount=420_000,
    )
    line.refresh_from_db()
    assert (line.description, line.amount) == ("日報アプリ", 420_000)

    services.expense_remove(actor=owner, expense=line)
    assert not ExpenseLine.objects.exists()
    assert not ApplicationDocument.objects.exists()


def test_documents_are_attached_to_what_the_stage_asks(stage1, stage2, company, owner, media):
    application = make_application(stage1, company)
    requirement = stage1.attachment_requirements.get()
    document = services.document_add(
        actor=owner,
        application=application,
        kind="attachment",
        upload=pdf_upload("決算書.pdf"),
        requirement=requirement,
    )
    assert document.title == requirement.name
    refused(
        ApplyErrorCode.DOCUMENT_INVALID,
        services.document_add,
        actor=owner,
        application=application,
        kind="attachment",
        upload=pdf_upload(),
        requirement=stage2.attachment_requirements.first(),
    )
    refused(
        ApplyErrorCode.DOCUMENT_INVALID,
        services.document_add,
        actor=owner,
        application=application,
        kind="expert_evaluation",
        upload=pdf_upload(),
    )
    refused(
        ApplyErrorCode.DOCUMENT_INVALID,
        services.document_add,
        actor=owner,
        application=application,
        kind="attachment",
        upload=fake_pdf_upload(),
        requirement=requirement,
    )
    assert ApplicationDocument.objects.count() == 1
    assert len(_stored_files(media)) == 1

    services.document_remove(actor=owner, document=document)
    assert not ApplicationDocument.objects.exists()
