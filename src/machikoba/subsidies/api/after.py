"""After the 採択: the grant steps (交付申請, 交付決定 and its notice, changes of plan), the
completion report (実績報告) with its actual expenses and their proofs (the same upload
service and size limit as the page), the 確定検査 and the payment. The company's owner
and staff and the officers of the call's ward; anyone else gets nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.accounts.rules import is_ward_officer
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.api_fields import EffectDecimal
from machikoba.core.api_uploads import upload_limit
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import content_disposition
from machikoba.drawings.sniffing import too_large_message
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.schemas import (
    ApplicationSummaryOut,
    BreakdownOut,
    SubsidiesDocumentOut,
    application_summary_out,
    breakdown_out,
    document_out,
)
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode
from machikoba.subsidies.grant_notice_pdf import grant_notice_pdf
from machikoba.subsidies.models import Application, ExpenseCategory

MAX_YEN = 10_000_000_000


def _company(request: Any, pk: int) -> Application:
    """For a company's button: 404 unless the caller sees the grant steps, 403 for the
    office."""
    application = selectors.after_application(request.user, pk)
    if not selectors.is_company_editor(request.user, application):
        raise PermissionDenied
    return application


def _office(request: Any, pk: int) -> Application:
    if not is_ward_officer(request.user):
        raise PermissionDenied
    application = selectors.after_application(request.user, pk)
    if not selectors.is_office(request.user, application):
        raise PermissionDenied
    return application


# --- the grant steps ---------------------------------------------------------------------


class SubsidiesStepOut(Schema):
    label: str
    state: str = Field(description="done, current or todo")
    on: str | None = Field(description="the date or moment it happened (ISO 8601)")
    note: str


class ChangeRequestOut(Schema):
    id: int
    status: str
    description: str
    reason: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_comment: str


class PaymentOut(Schema):
    amount: int
    paid_on: dt.date
    reference: str


class ActionsOut(Schema):
    grant_request: bool
    grant_decide: bool
    change_request_file: bool
    change_request_decide: bool
    report_edit: bool
    inspect: bool
    payment_record: bool
    notice: bool


class GrantStepsOut(Schema):
    application: ApplicationSummaryOut
    is_company: bool
    is_office: bool
    steps: list[SubsidiesStepOut]
    next_text: str
    requested: int | None
    decided: int | None
    confirmed: int | None
    paid: int | None
    planned_total: int
    decision_reason: str
    change_requests: list[ChangeRequestOut]
    expense_total: int
    recomputed: int | None = Field(description="what 額の確定 would fix now")
    payment: PaymentOut | None
    actions: ActionsOut = Field(description="the buttons the caller may press now")


def _steps_out(request: Any, application_id: int) -> GrantStepsOut:
    application = selectors.after_application(request.user, application_id)
    page = selectors.grant_steps_page(request.user, application)
    a = page.actions
    return GrantStepsOut(
        application=application_summary_out(page.application),
        is_company=page.is_company,
        is_office=page.is_office,
        steps=[
            SubsidiesStepOut(
                label=str(s.label),
                state=str(s.state).lower(),
                on=s.on.isoformat() if s.on is not None else None,
                note=str(s.note),
            )
            for s in page.steps
        ],
        next_text=str(page.next_text),
        requested=page.requested,
        decided=page.decided,
        confirmed=page.confirmed,
        paid=page.paid,
        planned_total=page.planned_total,
        decision_reason=page.decision_reason,
        change_requests=[
            ChangeRequestOut(
                id=c.pk,
                status=c.status,
                description=c.description,
                reason=c.reason,
                requested_at=c.requested_at,
                decided_at=c.decided_at,
                decision_comment=c.decision_comment,
            )
            for c in page.change_requests
        ],
        expense_total=page.expense_total,
        recomputed=page.recomputed,
        payment=PaymentOut(
            amount=page.payment.amount,
            paid_on=page.payment.paid_on,
            reference=page.payment.reference,
        )
        if page.payment
        else None,
        actions=ActionsOut(
            grant_request=a.grant_request,
            grant_decide=a.grant_decide,
            change_request_file=a.change_request_file,
            change_request_decide=a.change_request_decide,
            report_edit=a.report_edit,
            inspect=a.inspect,
            payment_record=a.payment_record,
            notice=a.notice,
        ),
    )


@router.get(
    "/applications/{application_id}/grant",
    response=GrantStepsOut,
    summary="The grant steps of a selected application, and the caller's buttons",
)
def subsidies_grant(request: Any, application_id: PathId) -> GrantStepsOut:
    return _steps_out(request, application_id)


class GrantRequestIn(Schema):
    confirm: bool = Field(description="the plan and amount are checked (must be true)")


@router.post(
    "/applications/{application_id}/grant/request",
    response=GrantStepsOut,
    summary="交付申請: the company asks for the grant decision",
)
def subsidies_grant_request(
    request: Any, application_id: PathId, payload: GrantRequestIn
) -> GrantStepsOut:
    application = _company(request, application_id)
    services.grant_request(actor=request.user, application=application, confirm=payload.confirm)
    return _steps_out(request, application_id)


class GrantDecideIn(Schema):
    amount: int | None = Field(None, ge=0, le=MAX_YEN, description="null: the requested amount")
    reason: str = Field("", max_length=1500, description="required when lower than requested")


@router.post(
    "/applications/{application_id}/grant/decide",
    response=GrantStepsOut,
    summary="交付決定: the office grants the requested (or a lower) amount",
)
def subsidies_grant_decide(
    request: Any, application_id: PathId, payload: GrantDecideIn
) -> GrantStepsOut:
    application = _office(request, application_id)
    services.grant_decide(
        actor=request.user, application=application, amount=payload.amount, reason=payload.reason
    )
    return _steps_out(request, application_id)


@router.get(
    "/applications/{application_id}/grant/notice.pdf",
    response={200: None},
    summary="The 交付決定通知書 (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the notice",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def subsidies_grant_notice(request: Any, application_id: PathId) -> HttpResponse:
    application = selectors.granted_application(request.user, application_id)
    notice = selectors.grant_notice(request.user, application)
    response = HttpResponse(grant_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        _("交付決定通知書_%(reference)s.pdf")
        % {"reference": application.reference or application.pk}
    )
    response["Cache-Control"] = "private, no-store"
    return response


class ChangeRequestIn(Schema):
    description: str = Field(min_length=1, max_length=3000)
    reason: str = Field(min_length=1, max_length=3000)


@router.post(
    "/applications/{application_id}/grant/changes",
    response={201: GrantStepsOut},
    summary="File a change of plan while the grant stands",
)
def subsidies_change_request_file(
    request: Any, application_id: PathId, payload: ChangeRequestIn
) -> Status[GrantStepsOut]:
    application = _company(request, application_id)
    services.change_request_file(
        actor=request.user,
        application=application,
        description=payload.description,
        reason=payload.reason,
    )
    return Status(201, _steps_out(request, application_id))


class ChangeDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    comment: str = Field("", max_length=2000, description="required to reject")
    decided_amount: int | None = Field(None, ge=0, le=MAX_YEN, description="only to lower it")


@router.post(
    "/change-requests/{change_id}/decide",
    response=GrantStepsOut,
    summary="Approve or reject a change of plan (the office)",
)
def subsidies_change_request_decide(
    request: Any, change_id: PathId, payload: ChangeDecisionIn
) -> GrantStepsOut:
    if not is_ward_officer(request.user):
        raise PermissionDenied
    change = selectors.change_request_for_office(request.user, change_id)
    _office(request, change.application_id)
    services.change_request_decide(
        actor=request.user,
        change_request=change,
        approve=payload.decision == "approve",
        comment=payload.comment,
        decided_amount=payload.decided_amount,
    )
    return _steps_out(request, change.application_id)


# --- 確定検査 and payment ------------------------------------------------------------------


class InspectionIn(Schema):
    decision: Literal["accept", "return"]
    comment: str = Field("", max_length=3000, description="required to return it")


@router.post(
    "/applications/{application_id}/inspection",
    response=GrantStepsOut,
    summary="確定検査: accept the completion report (fixing the amount) or return it",
)
def subsidies_inspection(
    request: Any, application_id: PathId, payload: InspectionIn
) -> GrantStepsOut:
    application = _office(request, application_id)
    write = (
        services.inspection_accept if payload.decision == "accept" else services.inspection_return
    )
    write(actor=request.user, application=application, comment=payload.comment)
    return _steps_out(request, application_id)


class PaymentIn(Schema):
    paid_on: dt.date
    reference: str = Field("", max_length=60, description="支出命令番号 or the like")


@router.post(
    "/applications/{application_id}/payment",
    response=GrantStepsOut,
    summary="Record the payment of the confirmed amount",
)
def subsidies_payment_record(
    request: Any, application_id: PathId, payload: PaymentIn
) -> GrantStepsOut:
    application = _office(request, application_id)
    services.payment_record(
        actor=request.user,
        application=application,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )
    return _steps_out(request, application_id)


# --- the completion report ---------------------------------------------------------------


class ActualExpenseOut(Schema):
    id: int
    category_id: int | None
    description: str
    vendor: str
    amount: int
    paid_on: dt.date
    receipts: list[SubsidiesDocumentOut]
    payment_proofs: list[SubsidiesDocumentOut]
    missing: list[str] = Field(description="the proofs still missing, in words")


class ReportProblemOut(Schema):
    code: str
    message: str


class SubsidiesReportOut(Schema):
    application_id: int
    status: str | None = Field(description="null before the first save")
    completed_on: dt.date | None
    felt_efficiency: bool
    felt_cost_reduction: bool
    felt_productivity: bool
    felt_other: str
    effect_actual: Decimal | None
    comment: str
    expenses: list[ActualExpenseOut]
    expense_total: int
    planned_total: int
    actual: BreakdownOut | None = Field(description="what the actual expenses would give")
    problems: list[ReportProblemOut] = Field(description="what still stops the submission")
    editable: bool


def _report_out(request: Any, application_id: int) -> SubsidiesReportOut:
    application = selectors.after_application(request.user, application_id)
    page = selectors.report_page(request.user, application)
    report = page.report
    return SubsidiesReportOut(
        application_id=application.pk,
        status=report.status if report else None,
        completed_on=report.completed_on if report else None,
        felt_efficiency=bool(report and report.felt_efficiency),
        felt_cost_reduction=bool(report and report.felt_cost_reduction),
        felt_productivity=bool(report and report.felt_productivity),
        felt_other=report.felt_other if report else "",
        effect_actual=report.effect_actual if report else None,
        comment=report.comment if report else "",
        expenses=[
            ActualExpenseOut(
                id=row.expense.pk,
                category_id=row.expense.category_id,
                description=row.expense.description,
                vendor=row.expense.vendor,
                amount=row.expense.amount,
                paid_on=row.expense.paid_on,
                receipts=[document_out(d) for d in row.receipts],
                payment_proofs=[document_out(d) for d in row.payment_proofs],
                missing=row.missing,
            )
            for row in page.expenses
        ],
        expense_total=page.expense_total,
        planned_total=page.planned_total,
        actual=breakdown_out(page.actual) if page.actual else None,
        problems=[
            ReportProblemOut(code=str(p.code), message=str(p.message)) for p in page.problems
        ],
        editable=page.editable,
    )


@router.get(
    "/applications/{application_id}/report",
    response=SubsidiesReportOut,
    summary="The 実績報告 (completion report) with its expenses and proofs",
)
def subsidies_report(request: Any, application_id: PathId) -> SubsidiesReportOut:
    return _report_out(request, application_id)


class ReportIn(Schema):
    completed_on: dt.date | None = Field(None, description="required to submit")
    felt_efficiency: bool
    felt_cost_reduction: bool
    felt_productivity: bool
    felt_other: str = Field("", max_length=200)
    effect_actual: EffectDecimal | None = Field(None, description="required to submit")
    comment: str = Field("", max_length=2000)
    submit: bool = Field(False, description="true: save and submit for the 確定検査")


@router.put(
    "/applications/{application_id}/report",
    response=SubsidiesReportOut,
    summary="Save the completion report (and submit it with submit=true)",
)
def subsidies_report_save(
    request: Any, application_id: PathId, payload: ReportIn
) -> SubsidiesReportOut:
    application = _company(request, application_id)
    values = payload.dict(exclude={"submit"})
    write = (
        services.completion_report_save_and_submit
        if payload.submit
        else services.completion_report_save
    )
    write(actor=request.user, application=application, **values)
    return _report_out(request, application_id)


class ActualExpenseIn(Schema):
    category_id: BodyId
    description: str = Field(min_length=1, max_length=200)
    vendor: str = Field(min_length=1, max_length=120)
    amount: int = Field(ge=0, le=MAX_YEN, description="yen, tax excluded")
    paid_on: dt.date


@router.post(
    "/applications/{application_id}/report/expenses",
    response={201: ActualExpenseOut},
    summary="Add an actual expense to the completion report (proofs follow by upload)",
)
def subsidies_actual_expense_add(
    request: Any, application_id: PathId, payload: ActualExpenseIn
) -> Status[ActualExpenseOut]:
    application = _company(request, application_id)
    category = get_for_user_or_404(
        ExpenseCategory, request.user, VIEW, pk=payload.category_id, stage_id=application.stage_id
    )
    expense = services.actual_expense_add(
        actor=request.user,
        application=application,
        category=category,
        description=payload.description,
        vendor=payload.vendor,
        amount=payload.amount,
        paid_on=payload.paid_on,
    )
    report = _report_out(request, application_id)
    return Status(201, next(e for e in report.expenses if e.id == expense.pk))


def _company_expense(request: Any, expense_id: int) -> Any:
    expense = selectors.expense_for_company(request.user, expense_id)
    _company(request, expense.report.application_id)
    return expense


@router.delete(
    "/actual-expenses/{expense_id}",
    response={204: None},
    summary="Remove an actual expense of the draft report, with its proofs",
)
def subsidies_actual_expense_remove(request: Any, expense_id: PathId) -> Status[None]:
    expense = _company_expense(request, expense_id)
    services.actual_expense_remove(actor=request.user, expense=expense)
    return Status(204, None)


@router.post(
    "/actual-expenses/{expense_id}/proofs",
    response={201: SubsidiesDocumentOut},
    summary="Attach a receipt or a payment proof to an actual expense (PDF, PNG or JPEG)",
)
@decorate_view(
    upload_limit(
        services.proof_max_bytes,
        code=AfterSelectionErrorCode.PROOF_INVALID,
        message=too_large_message,
    )
)
def subsidies_proof_add(
    request: Any,
    expense_id: PathId,
    kind: Annotated[Literal["receipt", "payment_proof"], Form(...)],
    file: Annotated[UploadedFile, File(..., description="PDF, PNG or JPEG")],
) -> Status[SubsidiesDocumentOut]:
    expense = _company_expense(request, expense_id)
    document = services.actual_expense_proof_add(
        actor=request.user, expense=expense, kind=kind, upload=file
    )
    return Status(201, document_out(document))


@router.delete(
    "/proofs/{document_id}",
    response={204: None},
    summary="Remove a receipt or payment proof of the draft report",
)
def subsidies_proof_remove(request: Any, document_id: PathId) -> Status[None]:
    document = selectors.proof_document(request.user, document_id)
    _company(request, document.application_id)
    services.actual_expense_proof_remove(actor=request.user, document=document)
    return Status(204, None)
