"""Review fixes after the selection: the 交付決定 amount (and a 計画変更's lowered one) is a
multiple of the stage's rounding unit; the 実績報告 above the plan says to enter the actual
costs within the plan (a 計画変更 cannot raise the plan's total); and a 実績報告 write that
fails after storing its proofs leaves neither row nor file (and a Word file is refused in
the proofs' words, not the drawings')."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_after import make_after, proof_upload
from machikoba.subsidies.choices import ApplicationStatus, ChangeRequestStatus
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode as E
from machikoba.subsidies.models import ApplicationDocument
from machikoba.subsidies.models_after import ActualExpense, ChangeRequest
from machikoba.subsidies.selectors.completion_report import report_problems
from machikoba.subsidies.services import reports
from machikoba.subsidies.services.grants import change_request_decide, grant_decide
from machikoba.subsidies.services.reports import actual_expense_add, actual_expense_proof_add

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def _refused(code, service, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        service(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- 10: the decided amount is a multiple of the stage's rounding unit -----------------------


def test_a_decided_amount_off_the_rounding_unit_is_refused(db):
    application = make_after(status=ApplicationStatus.GRANT_REQUESTED, requested=500_000)
    assert application.stage.rounding == 1000
    officer = make_officer()
    error = _refused(
        E.GRANT_AMOUNT_INVALID,
        grant_decide,
        actor=officer,
        application=application,
        amount=463_500,
        reason="一部の経費は対象外",
    )
    message = str(error.fields["amount"][0])
    assert "463,500円" in message
    assert "1,000円 単位" in message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANT_REQUESTED
    assert application.decided_amount is None

    grant_decide(actor=officer, application=application, amount=463_000, reason="一部は対象外")
    application.refresh_from_db()
    assert application.decided_amount == 463_000


def test_the_rounding_unit_is_the_stages(db):
    application = make_after(status=ApplicationStatus.GRANT_REQUESTED, requested=500_000)
    stage = application.stage
    stage.rounding = 10_000
    stage.save(update_fields=["rounding"])
    officer = make_officer()
    _refused(
        E.GRANT_AMOUNT_INVALID,
        grant_decide,
        actor=officer,
        application=application,
        amount=463_000,
        reason="一部は対象外",
    )
    grant_decide(actor=officer, application=application, amount=460_000, reason="一部は対象外")


def test_a_change_may_lower_the_decided_amount_only_to_the_rounding_unit(db):
    application = make_after(status=ApplicationStatus.GRANTED, requested=500_000)
    change = ChangeRequest.objects.create(
        application=application, description="台数を減らす", reason="価格が上がった"
    )
    officer = make_officer()
    error = _refused(
        E.CHANGE_DECISION_INVALID,
        change_request_decide,
        actor=officer,
        change_request=change,
        approve=True,
        decided_amount=450_500,
    )
    assert "450,500円" in str(error.fields["decided_amount"][0])
    change.refresh_from_db()
    application.refresh_from_db()
    assert change.status == ChangeRequestStatus.PENDING
    assert application.decided_amount == 500_000


# --- 8: above the plan, enter the actual costs within it ---------------------------------------


def test_a_report_above_the_plan_does_not_send_the_company_to_a_change_of_plan(db):
    application = make_after(status=ApplicationStatus.GRANTED)  # a plan of ¥700,000
    owner = make_applicant(application.company)
    for description in ("日報アプリ", "タブレット"):
        actual_expense_add(
            actor=owner,
            application=application,
            category=application.stage.categories.get(code="software"),
            description=description,
            vendor="城南ソフト",
            amount=400_000,
            paid_on=timezone.localdate() - dt.timedelta(days=3),
        )
    report = application.completion_report
    above = next(p for p in report_problems(application, report) if p.code == E.REPORT_ABOVE_PLAN)
    assert "実績の経費の合計 (800,000円) が計画の合計 (700,000円) を 100,000円" in above.message
    assert "実績を計画の範囲で入力してください" in above.message
    assert "区の担当者にご相談ください" in above.message
    assert "計画変更" not in above.message


# --- 11: a write that fails after storing its proofs leaves no file ----------------------------


def test_a_line_whose_second_proof_fails_to_record_leaves_no_row_and_no_file(
    db, media, monkeypatch
):
    application = make_after(status=ApplicationStatus.GRANTED)
    owner = make_applicant(application.company)
    recorded = []

    def record_then_fail(*args):
        recorded.append(args)
        if len(recorded) == 2:
            raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(reports, "_record_proof", record_then_fail)
    with pytest.raises(RuntimeError):
        actual_expense_add(
            actor=owner,
            application=application,
            category=application.stage.categories.get(code="software"),
            description="日報アプリ",
            vendor="城南ソフト",
            amount=300_000,
            paid_on=timezone.localdate() - dt.timedelta(days=3),
            receipt=proof_upload("receipt.jpg"),
            payment_proof=proof_upload("transfer.jpg"),
        )
    assert len(recorded) == 2  # the first proof was stored before the second failed
    assert not ActualExpense.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []


def test_a_proof_whose_write_fails_after_storing_leaves_no_file(db, media, monkeypatch):
    application = make_after(status=ApplicationStatus.GRANTED)
    owner = make_applicant(application.company)
    expense = actual_expense_add(
        actor=owner,
        application=application,
        category=application.stage.categories.get(code="software"),
        description="日報アプリ",
        vendor="城南ソフト",
        amount=300_000,
        paid_on=timezone.localdate() - dt.timedelta(days=3),
    )

    def stored_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        assert _stored_files(media)  # the file is on disk when the write fails
        raise RuntimeError("the disk filled up")

    original = reports._store_proofs
    monkeypatch.setattr(reports, "_store_proofs", stored_then_fail)
    with pytest.raises(RuntimeError):
        actual_expense_proof_add(
            actor=owner, expense=expense, kind="receipt", upload=proof_upload("receipt.jpg")
        )
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []


def test_a_word_file_as_a_receipt_is_refused_in_the_proofs_words(db, media):
    application = make_after(status=ApplicationStatus.GRANTED)
    owner = make_applicant(application.company)
    word = SimpleUploadedFile("領収書.docx", b"PK\x03\x04" + b"word/document.xml" * 40)
    error = _refused(
        E.PROOF_INVALID,
        actual_expense_add,
        actor=owner,
        application=application,
        category=application.stage.categories.get(code="software"),
        description="日報アプリ",
        vendor="城南ソフト",
        amount=300_000,
        paid_on=timezone.localdate() - dt.timedelta(days=3),
        receipt=word,
        payment_proof=proof_upload("transfer.jpg"),
    )
    assert error.fields == {
        "receipt": ["領収書・支払の証憑は PDF・PNG・JPEG のファイルにしてください。"]
    }
    assert not ActualExpense.objects.exists()
    assert _stored_files(media) == []
