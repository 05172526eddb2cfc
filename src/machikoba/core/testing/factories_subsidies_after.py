"""Factories for what follows the selection: an application standing at any step from
採択 to payment, a 実績報告 with its lines and proofs. Rows are written directly (dates
built from today); tests of a step call its service."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.factories_subsidies import make_application, make_paper_call
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind, ReportStatus
from machikoba.subsidies.models import Application, ApplicationDocument, Stage
from machikoba.subsidies.models_after import ActualExpense, CompletionReport

# Stage 1 of the paper (3/4 up to ¥500,000): a plan of ¥700,000 asks for the cap.
PLAN_LINES = [("software", 700_000)]
REQUESTED = 500_000


def paper_stage(number: int = 1, **call_fields) -> Stage:
    return make_paper_call(**call_fields).stages.get(number=number)


def proof_upload(name: str = "receipt.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def make_after(
    stage: Stage | None = None,
    company=None,
    *,
    status: str = ApplicationStatus.GRANTED,
    lines: list[tuple[str, int]] | None = None,
    requested: int = REQUESTED,
    decided: int | None = None,
    decided_days_ago: int = 60,
    **fields,
) -> Application:
    """An application at ``status`` after the selection: the requested amount fixed; from
    GRANTED on, decided (``decided`` or the requested amount) ``decided_days_ago`` days
    ago; from CONFIRMED on, confirmed at the decided amount (unless given)."""
    stage = stage or paper_stage()
    values: dict = {"requested_amount": requested}
    granted = status in (
        ApplicationStatus.GRANTED,
        ApplicationStatus.REPORTED,
        ApplicationStatus.CONFIRMED,
        ApplicationStatus.PAID,
    )
    if granted:
        values["decided_amount"] = requested if decided is None else decided
        values["decided_at"] = timezone.now() - dt.timedelta(days=decided_days_ago)
    if status in (ApplicationStatus.CONFIRMED, ApplicationStatus.PAID):
        values["confirmed_amount"] = values["decided_amount"]
    values.update(fields)
    return make_application(
        stage, company, status=status, lines=PLAN_LINES if lines is None else lines, **values
    )


def add_proof(expense: ActualExpense, kind: str, *, user=None) -> ApplicationDocument:
    data = jpeg_bytes()
    document = ApplicationDocument(
        application_id=expense.report.application_id,
        kind=kind,
        actual_expense=expense,
        title=f"{kind}: {expense.description}",
        original_name=f"{kind}.jpg",
        mime="image/jpeg",
        size=len(data),
        sha256="0" * 64,
        uploaded_by=user,
    )
    document.file.save(f"{kind}.jpg", ContentFile(data), save=False)
    document.save()
    return document


def make_report(
    application: Application,
    *,
    lines: list[tuple[str, int]] | None = None,
    proofs: bool = True,
    completed_days_ago: int | None = 10,
    answered: bool = True,
    status: str = ReportStatus.DRAFT,
) -> CompletionReport:
    """A 実績報告 of ``application`` with its actual expenses (the plan's lines by
    default), each with a receipt and a payment proof unless ``proofs`` is False."""
    today = timezone.localdate()
    report = CompletionReport.objects.create(
        application=application,
        status=status,
        completed_on=today - dt.timedelta(days=completed_days_ago)
        if completed_days_ago is not None
        else None,
        felt_efficiency=answered,
        felt_productivity=answered,
        effect_actual=3 if answered else None,
        submitted_at=timezone.now() if status != ReportStatus.DRAFT else None,
    )
    for code, amount in PLAN_LINES if lines is None else lines:
        expense = ActualExpense.objects.create(
            report=report,
            category=application.stage.categories.get(code=code),
            description=f"{code} の支払",
            vendor="テスト商事株式会社",
            amount=amount,
            paid_on=today - dt.timedelta(days=20),
        )
        if proofs:
            add_proof(expense, DocumentKind.RECEIPT)
            add_proof(expense, DocumentKind.PAYMENT_PROOF)
    return report
