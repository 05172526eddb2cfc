"""Factories of the applicant's side of the DX subsidy: uploads (a real PDF, a JPEG, a text
file pretending to be a PDF), documents attached directly, an application ready to submit,
a dojo graduate with its homework (worksheet, ROI estimate) and an advisor supporting a
company. Dates are built from now, never literal. Factories write rows directly; tests of a
step call its service."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.factories_programs import (
    AdvisorFactory,
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
    make_engagement,
    make_graduate,
)
from machikoba.core.testing.factories_subsidies import make_application
from machikoba.programs.models_homework import RoiEstimate, Worksheet, WorksheetItem
from machikoba.subsidies.choices import DocumentKind
from machikoba.subsidies.models import Application, ApplicationDocument


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "見積書.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def jpeg_upload(name: str = "見積書.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def fake_pdf_upload(name: str = "見積書.pdf") -> SimpleUploadedFile:
    """A text file named like a PDF: refused from its content."""
    return SimpleUploadedFile(name, b"not a pdf at all, just words\n" * 20, "application/pdf")


def attach(
    application: Application,
    kind: str,
    *,
    expense=None,
    requirement=None,
    name: str = "書類.pdf",
) -> ApplicationDocument:
    """A document of ``application`` stored directly (a small PDF)."""
    content = pdf_bytes()
    document = ApplicationDocument(
        application=application,
        kind=kind,
        expense=expense,
        requirement=requirement,
        title=name[:120],
        original_name=name,
        mime="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def complete_documents(application: Application) -> Application:
    """Every quote, attachment and (where the stage asks) the expert's evaluation that
    ``application`` needs to be submitted."""
    stage = application.stage
    for line in application.expenses.select_related("category"):
        for number in range(max(line.category.quotes_required, 1)):
            attach(application, DocumentKind.QUOTE, expense=line, name=f"見積書{number + 1}.pdf")
    for requirement in stage.attachment_requirements.all():
        attach(application, DocumentKind.ATTACHMENT, requirement=requirement, name="決算書.pdf")
    if stage.requires_expert_evaluation:
        attach(application, DocumentKind.EXPERT_EVALUATION, name="評価書.pdf")
        application.expert_name = "城南 花子 (ITコーディネータ)"
        application.save(update_fields=["expert_name"])
    return application


def make_ready_application(stage, company=None, **fields) -> Application:
    """A draft of ``company`` to ``stage`` with every field, line and document a
    submission needs (``make_application``'s lines unless ``lines`` is given)."""
    application = make_application(stage, company, **fields)
    return complete_documents(application)


def make_dojo_graduate(
    company,
    owner,
    *,
    tool: str = "クラウドの日報アプリとタブレット3台",
    investment_cost: int = 400_000,
    hours_freed_per_year: int = 200,
    hourly_wage: int = 2_500,
    problems: tuple[tuple[str, int, int], ...] = (
        ("手書きの日報の集計に毎月20時間かかっている", 5, 2),
        ("見積の作成に1件2時間かかる", 4, 3),
        ("設備の稼働が見えない", 4, 5),
        ("棚の整理", 1, 1),
    ),
):
    """``owner`` of ``company`` graduated from a DX道場 cohort a month ago, with a
    worksheet of ``problems`` (text, impact, effort) and an ROI estimate of ``tool``."""
    cohort = CohortFactory(program=ProgramFactory(name="DX道場"))
    application = ApplicationFactory(cohort=cohort, company=company, participant=owner)
    worksheet = Worksheet.objects.create(application=application)
    for problem, impact, effort in problems:
        WorksheetItem.objects.create(
            worksheet=worksheet, area="production", problem=problem, impact=impact, effort=effort
        )
    RoiEstimate.objects.create(
        application=application,
        tool=tool,
        investment_cost=investment_cost,
        hours_freed_per_year=hours_freed_per_year,
        hourly_wage=hourly_wage,
    )
    make_graduate(application)
    return application


def make_company_advisor(company):
    """An advisor of the company's ward on an active engagement with ``company``: their
    user."""
    advisor = AdvisorFactory()
    make_engagement(company, [advisor])
    return advisor.user
