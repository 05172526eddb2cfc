"""The 実績報告 (draft, lines with receipts and payment proofs, submission and its precise
refusals) and 確定検査 (the amount recomputed from the actual expenses with the same
functions, never above the decided amount; the return with comments)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import Notification
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import (
    add_proof,
    make_after,
    make_report,
    proof_upload,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind, ReportStatus
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode as E
from machikoba.subsidies.models import ApplicationDocument
from machikoba.subsidies.models_after import ActualExpense, CompletionReport
from machikoba.subsidies.services.grants import change_request_file
from machikoba.subsidies.services.reports import (
    actual_expense_add,
    actual_expense_proof_add,
    actual_expense_proof_remove,
    actual_expense_remove,
    completion_report_save,
    completion_report_save_and_submit,
    completion_report_submit,
    inspection_accept,
    inspection_return,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


@pytest.fixture
def granted():
    application = make_after(status=ApplicationStatus.GRANTED)
    return application, make_applicant(application.company), make_officer()


def _survey(application, owner, **fields):
    values = {
        "completed_on": timezone.localdate() - dt.timedelta(days=5),
        "felt_efficiency": True,
        "felt_cost_reduction": False,
        "felt_productivity": True,
        "effect_actual": Decimal("3.0"),
    }
    values.update(fields)
    return completion_report_save(actor=owner, application=application, **values)


def _line(application, owner, **fields):
    values = {
        "category": application.stage.categories.get(code="software"),
        "description": "日報アプリ 1年分",
        "vendor": "クラウド日報株式会社",
        "amount": 600_000,
        "paid_on": timezone.localdate() - dt.timedelta(days=10),
        "receipt": proof_upload("receipt.jpg"),
        "payment_proof": proof_upload("transfer.jpg"),
    }
    values.update(fields)
    return actual_expense_add(actor=owner, application=application, **values)


# --- the draft -----------------------------------------------------------------------------------


def test_company_saves_a_draft_and_adds_a_line_with_its_proofs(granted, media):
    application, owner, _officer = granted
    report = _survey(application, owner)
    assert report.status == ReportStatus.DRAFT
    assert report.felt_efficiency
    assert not report.felt_cost_reduction
    expense = _line(application, owner)
    kinds = sorted(expense.proofs.values_list("kind", flat=True))
    assert kinds == [DocumentKind.PAYMENT_PROOF, DocumentKind.RECEIPT]
    assert len(_stored_files(media)) == 2
    assert ApplicationDocument.objects.filter(application=application).count() == 2


def test_a_bad_line_or_a_bad_file_stores_nothing(granted, media):
    application, owner, _officer = granted
    today = timezone.localdate()
    other_stage = application.stage.call.stages.get(number=2)
    cases = [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"description": " "}, "description"),
        ({"paid_on": today + dt.timedelta(days=1)}, "paid_on"),
        # Paid before 交付決定 (decided 60 days ago): not eligible.
        ({"paid_on": today - dt.timedelta(days=61)}, "paid_on"),
        ({"category": other_stage.categories.get(code="system")}, "category"),
    ]
    for fields, field in cases:
        with pytest.raises(ApplicationError) as caught:
            _line(application, owner, **fields)
        assert caught.value.code == E.ACTUAL_EXPENSE_INVALID, fields
        assert field in caught.value.fields
    text = SimpleUploadedFile("receipt.txt", b"just text, not a receipt", content_type="text/plain")
    with pytest.raises(ApplicationError) as caught:
        _line(application, owner, payment_proof=text)
    assert caught.value.code == E.PROOF_INVALID
    assert "payment_proof" in caught.value.fields
    assert ActualExpense.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0
    assert _stored_files(media) == []


def test_proofs_added_and_removed_later_and_a_line_removed_with_its_files(
    granted, media, django_capture_on_commit_callbacks
):
    application, owner, _officer = granted
    expense = _line(application, owner, receipt=None, payment_proof=None)
    document = actual_expense_proof_add(
        actor=owner, expense=expense, kind=DocumentKind.RECEIPT, upload=proof_upload()
    )
    assert document.actual_expense == expense
    with django_capture_on_commit_callbacks(execute=True):
        actual_expense_proof_remove(actor=owner, document=document)
    assert not expense.proofs.exists()
    assert _stored_files(media) == []
    actual_expense_proof_add(
        actor=owner, expense=expense, kind=DocumentKind.PAYMENT_PROOF, upload=proof_upload()
    )
    with django_capture_on_commit_callbacks(execute=True):
        actual_expense_remove(actor=owner, expense=expense)
    assert not ActualExpense.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []
    with pytest.raises(ApplicationError) as caught:
        actual_expense_proof_add(
            actor=owner, expense=_line(application, owner), kind="quote", upload=proof_upload()
        )
    assert caught.value.code == E.PROOF_INVALID


def test_the_draft_is_the_companys_and_only_while_the_grant_stands(granted):
    application, _owner, officer = granted
    with pytest.raises(ApplicationError) as caught:
        _survey(application, officer)
    assert caught.value.code == E.NOT_COMPANY
    requested = make_after(status=ApplicationStatus.GRANT_REQUESTED)
    with pytest.raises(ApplicationError) as caught:
        _survey(requested, make_applicant(requested.company))
    assert caught.value.code == E.REPORT_NOT_OPEN
    assert not CompletionReport.objects.exists()


def test_completion_before_the_grant_and_negative_effect_are_refused(granted):
    application, owner, _officer = granted
    with pytest.raises(ApplicationError) as caught:
        _survey(application, owner, completed_on=timezone.localdate() - dt.timedelta(days=90))
    assert caught.value.code == E.REPORT_INVALID
    with pytest.raises(ApplicationError) as caught:
        _survey(application, owner, effect_actual=Decimal("-1"))
    assert caught.value.code == E.REPORT_INVALID
    assert not CompletionReport.objects.exists()


# --- submission ----------------------------------------------------------------------------------


def _submit_refused(application, owner, code, text=""):
    before = (application.status, application.events.count())
    with pytest.raises(ApplicationError) as caught:
        completion_report_submit(actor=owner, application=application)
    assert caught.value.code == code
    if text:
        assert text in str(caught.value.message)
    application.refresh_from_db()
    assert (application.status, application.events.count()) == before
    assert CompletionReport.objects.get(application=application).status == ReportStatus.DRAFT
    return caught.value


def test_submission_moves_to_reported(granted):
    application, owner, _officer = granted
    _survey(application, owner)
    _line(application, owner)
    report = completion_report_submit(actor=owner, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == owner


def test_an_empty_report_is_refused(granted):
    application, owner, _officer = granted
    _survey(application, owner)
    _submit_refused(application, owner, E.REPORT_EMPTY)


def test_actual_cost_above_the_plan_is_refused(granted):
    application, owner, _officer = granted
    # The plan: ¥700,000. Two lines of ¥400,000 = ¥800,000.
    _survey(application, owner)
    _line(application, owner, amount=400_000)
    _line(application, owner, amount=400_000, description="タブレット")
    error = _submit_refused(application, owner, E.REPORT_ABOVE_PLAN)
    assert "800,000円" in error.message
    assert "700,000円" in error.message
    assert "100,000円" in error.message


def test_a_line_without_receipt_or_payment_proof_is_refused(granted):
    application, owner, _officer = granted
    _survey(application, owner)
    _line(application, owner, payment_proof=None)
    error = _submit_refused(application, owner, E.REPORT_PROOFS_MISSING)
    assert "支払の証憑" in error.message
    assert "1件目" in error.message


def test_completion_in_the_future_is_refused(granted):
    application, owner, _officer = granted
    _survey(application, owner, completed_on=timezone.localdate() + dt.timedelta(days=1))
    _line(application, owner)
    _submit_refused(application, owner, E.REPORT_COMPLETED_IN_FUTURE)


def test_unanswered_survey_is_refused(granted):
    application, owner, _officer = granted
    _survey(application, owner, effect_actual=None)
    _line(application, owner)
    _submit_refused(application, owner, E.REPORT_SURVEY_UNANSWERED)


def test_every_problem_is_named_at_once(granted):
    application, owner, _officer = granted
    _survey(application, owner, effect_actual=None, completed_on=None)
    _line(application, owner, amount=800_000, receipt=None)
    error = _submit_refused(application, owner, E.REPORT_ABOVE_PLAN)
    assert len(error.fields["report"]) == 4  # above plan, receipt, completion day, survey


def test_save_and_submit_is_both_or_neither(granted):
    application, owner, _officer = granted
    _line(application, owner)
    with pytest.raises(ApplicationError):
        completion_report_save_and_submit(
            actor=owner,
            application=application,
            completed_on=timezone.localdate() - dt.timedelta(days=3),
            felt_efficiency=True,
            felt_cost_reduction=True,
            felt_productivity=True,
            effect_actual=None,
        )
    report = CompletionReport.objects.get(application=application)
    assert report.completed_on is None  # the save was rolled back with the refusal
    completion_report_save_and_submit(
        actor=owner,
        application=application,
        completed_on=timezone.localdate() - dt.timedelta(days=3),
        felt_efficiency=True,
        felt_cost_reduction=True,
        felt_productivity=True,
        effect_actual=Decimal("2.5"),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED


def test_a_submitted_report_is_no_longer_editable(granted):
    application, owner, _officer = granted
    _survey(application, owner)
    expense = _line(application, owner)
    completion_report_submit(actor=owner, application=application)
    with pytest.raises(ApplicationError) as caught:
        actual_expense_remove(actor=owner, expense=expense)
    assert caught.value.code == E.REPORT_NOT_OPEN
    assert ActualExpense.objects.filter(pk=expense.pk).exists()


# --- 確定検査 ------------------------------------------------------------------------------------


def _reported(lines, decided=500_000, requested=500_000, plan=None):
    application = make_after(
        status=ApplicationStatus.REPORTED,
        requested=requested,
        decided=decided,
        lines=plan or [("software", 800_000)],
    )
    make_report(application, lines=lines, status=ReportStatus.SUBMITTED)
    return application, make_applicant(application.company), make_officer()


def test_confirmed_amount_is_recomputed_from_actual_costs(django_capture_on_commit_callbacks):
    # Decided ¥500,000 at 3/4; actual eligible ¥600,000 → ¥450,000.
    application, owner, officer = _reported([("software", 600_000)])
    with django_capture_on_commit_callbacks(execute=True):
        inspection_accept(actor=officer, application=application, comment="証憑を確認しました")
    run_queued_tasks("notification")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED
    assert application.confirmed_amount == 450_000
    report = application.completion_report
    assert report.status == ReportStatus.ACCEPTED
    assert report.inspected_by == officer
    notice = Notification.objects.get(kind="subsidy_amount_confirmed", user=owner)
    assert "450,000" in notice.body


def test_confirmed_amount_is_capped_at_the_decided_amount():
    # Actual ¥800,000 at 3/4 = ¥600,000 (stage cap ¥500,000), decided only ¥400,000.
    application, _owner, officer = _reported(
        [("software", 800_000)], decided=400_000, requested=500_000
    )
    inspection_accept(actor=officer, application=application)
    application.refresh_from_db()
    assert application.confirmed_amount == 400_000


def test_category_rules_apply_to_the_actual_costs():
    # devices may be at most 50% of the eligible total: ¥300,000 software + ¥500,000
    # devices → eligible 600,000 (devices 300,000) → 3/4 = ¥450,000.
    application, _owner, officer = _reported(
        [("software", 300_000), ("devices", 500_000)], decided=500_000
    )
    inspection_accept(actor=officer, application=application)
    application.refresh_from_db()
    assert application.confirmed_amount == 450_000


def test_nothing_eligible_is_refused_and_changes_nothing():
    # ¥80,000 is below the stage's ¥100,000 minimum: the subsidy would be 0.
    application, _owner, officer = _reported([("software", 80_000)])
    with pytest.raises(ApplicationError) as caught:
        inspection_accept(actor=officer, application=application)
    assert caught.value.code == E.CONFIRMED_AMOUNT_ZERO
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    assert application.confirmed_amount is None
    assert application.completion_report.status == ReportStatus.SUBMITTED


def test_inspection_refused_to_others_and_before_the_report():
    application, owner, _officer = _reported([("software", 600_000)])
    for actor in (owner, make_officer(ward(SUMIDA))):
        with pytest.raises(ApplicationError) as caught:
            inspection_accept(actor=actor, application=application)
        assert caught.value.code == E.NOT_OFFICER
    granted = make_after(status=ApplicationStatus.GRANTED)
    with pytest.raises(ApplicationError) as caught:
        inspection_accept(actor=make_officer(), application=granted)
    assert caught.value.code == SubsidyErrorCode.TRANSITION_NOT_ALLOWED
    application.refresh_from_db()
    assert application.confirmed_amount is None


def test_inspection_returns_the_report_for_correction(django_capture_on_commit_callbacks):
    application, owner, officer = _reported([("software", 600_000)])
    with pytest.raises(ApplicationError) as caught:
        inspection_return(actor=officer, application=application, comment=" ")
    assert caught.value.code == E.INSPECTION_COMMENT_REQUIRED
    with django_capture_on_commit_callbacks(execute=True):
        inspection_return(actor=officer, application=application, comment="領収書の宛名が違います")
    run_queued_tasks("notification")
    application.refresh_from_db()
    report = application.completion_report
    assert application.status == ApplicationStatus.GRANTED
    assert report.status == ReportStatus.RETURNED
    assert report.inspection_comment == "領収書の宛名が違います"
    assert Notification.objects.filter(kind="subsidy_report_returned", user=owner).exists()
    # The company fixes the draft and submits again.
    expense = report.expenses.get()
    add_proof(expense, DocumentKind.RECEIPT)
    completion_report_submit(actor=owner, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    # 交付決定 cannot be taken again on the way (GRANTED also follows GRANT_REQUESTED).
    with pytest.raises(ApplicationError) as caught:
        inspection_return(
            actor=officer,
            application=make_after(status=ApplicationStatus.GRANT_REQUESTED),
            comment="x",
        )
    assert caught.value.code == SubsidyErrorCode.TRANSITION_NOT_ALLOWED


def test_a_change_request_waiting_for_the_office_holds_the_report(granted):
    application, owner, _officer = granted
    _survey(application, owner)
    _line(application, owner)
    change_request_file(
        actor=owner, application=application, description="台数を減らす", reason="人が減った"
    )
    _submit_refused(application, owner, E.CHANGE_REQUEST_PENDING, "計画変更申請")
