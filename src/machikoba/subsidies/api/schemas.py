"""What the subsidies API reads back: an application with its body (the plan, the
expense lines with their quotes, the attachments, the money) and the documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from machikoba.subsidies.models import Application, ApplicationDocument
from machikoba.subsidies.selectors import ApplicationBody, BreakdownView


class SubsidiesDocumentOut(Schema):
    id: int
    kind: str = Field(
        description="quote, attachment, expert_evaluation, bonus_evidence, receipt or payment_proof"
    )
    title: str
    original_name: str
    mime: str
    size: int
    uploaded_at: dt.datetime


class ApplicationSummaryOut(Schema):
    id: int
    reference: str = Field(description="受付番号, once submitted")
    company_id: int
    company_name: str
    call_id: int
    call_name: str
    stage_id: int
    stage_number: int
    stage_name: str
    status: str
    title: str
    submitted_at: dt.datetime | None
    requested_amount: int | None
    decided_amount: int | None
    confirmed_amount: int | None


class SubsidiesPlanOut(Schema):
    baseline_sales: int | None
    baseline_external_costs: int | None
    baseline_employees: int | None
    title: str
    problem: str
    tool: str
    expected_effect: str
    effect_metric: str
    effect_unit: str
    effect_before: Decimal | None
    effect_after: Decimal | None
    yearly_saving: int | None
    planned_start: dt.date | None
    planned_end: dt.date | None
    partners: str
    expert_name: str


class ExpenseOut(Schema):
    id: int
    category_id: int
    category_name: str
    description: str
    vendor: str
    amount: int
    quotes: list[SubsidiesDocumentOut]
    quotes_required: int
    ineligible: bool


class SubsidiesAttachmentOut(Schema):
    requirement_id: int
    name: str
    documents: list[SubsidiesDocumentOut]


class BreakdownRowOut(Schema):
    name: str
    claimed: int
    eligible: int
    reduced_by: int
    reason: str


class BreakdownOut(Schema):
    rows: list[BreakdownRowOut]
    total_claimed: int
    total_eligible: int
    subsidy: int
    rate_label: str
    capped: bool
    warnings: list[str]


class BodyOut(ApplicationSummaryOut):
    wizard_step: int
    plan: SubsidiesPlanOut
    expenses: list[ExpenseOut]
    attachments: list[SubsidiesAttachmentOut]
    expert_required: bool
    expert_documents: list[SubsidiesDocumentOut]
    breakdown: BreakdownOut
    versions: int = Field(description="how many times it was submitted")
    filed_by_advisor: bool
    consent_at: dt.datetime | None


def document_out(document: ApplicationDocument) -> SubsidiesDocumentOut:
    return SubsidiesDocumentOut(
        id=document.pk,
        kind=document.kind,
        title=document.title,
        original_name=document.original_name,
        mime=document.mime,
        size=document.size,
        uploaded_at=document.uploaded_at,
    )


def summary_fields(application: Application) -> dict[str, object]:
    stage = application.stage
    return {
        "id": application.pk,
        "reference": application.reference,
        "company_id": application.company_id,
        "company_name": application.company.name,
        "call_id": stage.call_id,
        "call_name": stage.call.name,
        "stage_id": stage.pk,
        "stage_number": stage.number,
        "stage_name": stage.name,
        "status": application.status,
        "title": application.title,
        "submitted_at": application.submitted_at,
        "requested_amount": application.requested_amount,
        "decided_amount": application.decided_amount,
        "confirmed_amount": application.confirmed_amount,
    }


def application_summary_out(application: Application) -> ApplicationSummaryOut:
    return ApplicationSummaryOut(**summary_fields(application))  # type: ignore[arg-type]


def breakdown_out(view: BreakdownView) -> BreakdownOut:
    return BreakdownOut(
        rows=[
            BreakdownRowOut(
                name=str(r.name),
                claimed=r.claimed,
                eligible=r.eligible,
                reduced_by=r.reduced_by,
                reason=str(r.reason),
            )
            for r in view.rows
        ],
        total_claimed=view.total_claimed,
        total_eligible=view.total_eligible,
        subsidy=view.subsidy,
        rate_label=str(view.rate_label),
        capped=view.capped,
        warnings=[str(w) for w in view.warnings],
    )


def plan_out(application: Application) -> SubsidiesPlanOut:
    return SubsidiesPlanOut(
        **{name: getattr(application, name) for name in SubsidiesPlanOut.model_fields}
    )


def body_out(body: ApplicationBody) -> BodyOut:
    application = body.application
    return BodyOut(
        **summary_fields(application),  # type: ignore[arg-type]
        wizard_step=application.wizard_step,
        plan=plan_out(application),
        expenses=[
            ExpenseOut(
                id=row.line.pk,
                category_id=row.line.category_id,
                category_name=str(row.category_name),
                description=row.line.description,
                vendor=row.line.vendor,
                amount=row.line.amount,
                quotes=[document_out(d) for d in row.quotes],
                quotes_required=row.quotes_required,
                ineligible=row.ineligible,
            )
            for row in body.expenses
        ],
        attachments=[
            SubsidiesAttachmentOut(
                requirement_id=row.requirement.pk,
                name=row.requirement.name,
                documents=[document_out(d) for d in row.documents],
            )
            for row in body.attachments
        ],
        expert_required=body.expert_required,
        expert_documents=[document_out(d) for d in body.expert_documents],
        breakdown=breakdown_out(body.live),
        versions=body.versions,
        filed_by_advisor=body.filed_by_advisor,
        consent_at=application.consent_at,
    )
