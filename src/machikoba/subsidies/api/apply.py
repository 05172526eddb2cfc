"""The applicant's side: the calls a company may apply to, starting an application, the
draft's plan and expense lines, quotes and attachments (the same upload service and size
limit as the wizard), consent, submission, withdrawal, the company's applications and
every document's download."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from ninja import File, Form, Query, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.api_uploads import upload_limit
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import content_disposition
from machikoba.drawings.sniffing import too_large_message
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.schemas import (
    ApplicationSummaryOut,
    BodyOut,
    ExpenseOut,
    SubsidiesDocumentOut,
    application_summary_out,
    body_out,
    document_out,
)
from machikoba.subsidies.choices import DocumentKind
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import (
    Application,
    ApplicationDocument,
    AttachmentRequirement,
    Call,
    ExpenseCategory,
    ExpenseLine,
    Stage,
)
from machikoba.subsidies.selectors.plan import STEP_COMPANY, STEP_FIELDS, STEP_PLAN

MAX_YEN = 10_000_000_000


def _active_company(request: Any) -> Company | None:
    return getattr(request, "active_company", None) or None


# --- calls -------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    quotes_required: int
    max_share_percent: int | None
    max_amount: int | None


class RequirementOut(Schema):
    id: int
    name: str
    help_text: str


class StageOut(Schema):
    id: int
    number: int
    name: str
    purpose: str
    rate_label: str
    cap: int
    min_project_cost: int
    requires_expert_evaluation: bool
    allows_partners: bool
    categories: list[CategoryOut]
    attachments: list[RequirementOut]
    may_apply: bool = Field(description="whether the caller's company may start one now")
    refusal: str | None = Field(description="why not, in words")
    existing_application_id: int | None


class CallOut(Schema):
    id: int
    municipality_id: int
    fiscal_year: int
    name: str
    description: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    open: bool
    screening_on: dt.date
    decision_on: dt.date
    stages: list[StageOut]


class CriterionOut(Schema):
    name: str
    description: str
    points: int = Field(description="the rubric's maximum score, or a bonus's points")


class CallDetailOut(CallOut):
    rubric: list[CriterionOut]
    bonus: list[CriterionOut]
    companies: list[int] = Field(description="companies an advisor may apply for")


def _call_out(card: selectors.CallCard) -> dict[str, Any]:
    call = card.call
    return {
        "id": call.pk,
        "municipality_id": call.municipality_id,
        "fiscal_year": call.fiscal_year,
        "name": call.name,
        "description": call.description,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "open": card.open,
        "screening_on": call.screening_on,
        "decision_on": call.decision_on,
        "stages": [
            StageOut(
                id=s.stage.pk,
                number=s.stage.number,
                name=s.stage.name,
                purpose=s.stage.purpose,
                rate_label=str(s.rate_label),
                cap=s.stage.cap,
                min_project_cost=s.stage.min_project_cost,
                requires_expert_evaluation=s.stage.requires_expert_evaluation,
                allows_partners=s.stage.allows_partners,
                categories=[
                    CategoryOut(
                        id=c.pk,
                        code=c.code,
                        name=c.name,
                        quotes_required=c.quotes_required,
                        max_share_percent=c.max_share_percent,
                        max_amount=c.max_amount,
                    )
                    for c in s.categories
                ],
                attachments=[
                    RequirementOut(id=r.pk, name=r.name, help_text=r.help_text)
                    for r in s.attachments
                ],
                may_apply=s.may_apply,
                refusal=str(s.refusal) if s.refusal is not None else None,
                existing_application_id=s.existing.pk if s.existing else None,
            )
            for s in card.stages
        ],
    }


@router.get(
    "/calls",
    response=Page[CallOut],
    summary="Calls not closed yet for the caller's company's ward (open ones first)",
)
def subsidies_calls(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    cards = selectors.open_calls(request.user, _active_company(request))
    return page_of(cards, params, lambda card: CallOut(**_call_out(card)))


@router.get("/calls/{call_id}", response=CallDetailOut, summary="One call with its stages")
def subsidies_call(request: Any, call_id: PathId) -> CallDetailOut:
    call = get_for_user_or_404(Call, request.user, VIEW, pk=call_id)
    page = selectors.call_page(request.user, call, _active_company(request))
    return CallDetailOut(
        **_call_out(page.card),
        rubric=[
            CriterionOut(name=r.name, description=r.description, points=r.max_score)
            for r in page.rubric
        ],
        bonus=[
            CriterionOut(name=b.name, description=b.description, points=b.points)
            for b in page.bonus
        ],
        companies=[c.pk for c in page.companies],
    )


class SubsidiesStartIn(Schema):
    company_id: BodyId | None = Field(
        None, description="an advisor without an active company: the company they apply for"
    )


@router.post(
    "/stages/{stage_id}/applications",
    response={201: BodyOut},
    summary="Start a draft application to a stage (pre-filled from what is known)",
)
def subsidies_application_start(
    request: Any, stage_id: PathId, payload: SubsidiesStartIn
) -> Status[BodyOut]:
    stage = get_for_user_or_404(
        Stage.objects.select_related("call"), request.user, VIEW, pk=stage_id
    )
    company = _active_company(request)
    if company is None:
        company = next(
            (c for c in selectors.advised_companies(request.user) if c.pk == payload.company_id),
            None,
        )
        if company is None:
            raise PermissionDenied
    application = services.application_start(actor=request.user, stage=stage, company=company)
    return Status(201, _body(request, application.pk))


# --- the company's applications ----------------------------------------------------------


class MyApplicationOut(ApplicationSummaryOut):
    next_step: str = Field(description="what happens next, in words")
    consent_missing: bool = Field(description="filed by an advisor, the owner's consent due")


@router.get(
    "/applications",
    response=Page[MyApplicationOut],
    summary="The active company's applications (an advisor: those they filed), newest first",
)
def subsidies_applications(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    rows = selectors.my_applications(request.user, _active_company(request))
    return page_of(
        rows,
        params,
        lambda row: MyApplicationOut(
            **application_summary_out(row.application).dict(),
            next_step=str(row.next_step),
            consent_missing=row.consent_missing,
        ),
    )


class ProblemOut(Schema):
    code: str
    message: str
    step: int | None


class DetailOut(BodyOut):
    next_step: str
    may_edit: bool
    may_withdraw: bool
    may_consent: bool
    may_request_consent: bool
    return_comment: str = Field(description="the office's words when it returned it")
    problems: list[ProblemOut] = Field(description="what still refuses a submission")


def _body(request: Any, pk: int) -> BodyOut:
    application = selectors.body_application(request.user, pk)
    return body_out(selectors.application_body(request.user, application))


@router.get(
    "/applications/{application_id}",
    response=DetailOut,
    summary="One application: its body, money, documents and what the caller may do",
)
def subsidies_application(request: Any, application_id: PathId) -> DetailOut:
    application = selectors.body_application(request.user, application_id)
    page = selectors.detail_page(request.user, application)
    return DetailOut(
        **body_out(page.body).dict(),
        next_step=str(page.next_step),
        may_edit=page.may_edit,
        may_withdraw=page.may_withdraw,
        may_consent=page.may_consent,
        may_request_consent=page.may_request_consent,
        return_comment=page.return_comment,
        problems=[
            ProblemOut(code=str(p.code), message=str(p.message), step=p.step) for p in page.problems
        ],
    )


class SubsidiesPlanIn(Schema):
    """The draft's fields; only those sent are saved (a draft may be half-filled)."""

    baseline_sales: int | None = Field(None, ge=0, le=MAX_YEN)
    baseline_external_costs: int | None = Field(None, ge=0, le=MAX_YEN)
    baseline_employees: int | None = Field(None, ge=0, le=100_000)
    title: str | None = Field(None, max_length=120)
    problem: str | None = Field(None, max_length=3000)
    tool: str | None = Field(None, max_length=3000)
    expected_effect: str | None = Field(None, max_length=3000)
    effect_metric: str | None = Field(None, max_length=80)
    effect_unit: str | None = Field(None, max_length=20)
    effect_before: Decimal | None = Field(None, max_digits=12, decimal_places=1)
    effect_after: Decimal | None = Field(None, max_digits=12, decimal_places=1)
    yearly_saving: int | None = Field(None, ge=0, le=MAX_YEN)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    partners: str | None = Field(None, max_length=1000, description="stages that allow it")
    expert_name: str | None = Field(None, max_length=120, description="stages that ask")


TEXT_FIELDS = ("title", "problem", "tool", "expected_effect", "effect_metric", "effect_unit")


@router.patch(
    "/applications/{application_id}",
    response=BodyOut,
    summary="Save fields of a draft or returned application (the wizard's steps 1, 2, 4)",
)
def subsidies_application_update(
    request: Any, application_id: PathId, payload: SubsidiesPlanIn
) -> BodyOut:
    application = selectors.editable_application(request.user, application_id)
    sent = payload.dict(exclude_unset=True)
    for name in (*TEXT_FIELDS, "partners", "expert_name"):
        if name in sent and sent[name] is None:
            sent[name] = ""
    for step in (STEP_COMPANY, STEP_PLAN, selectors.STEP_DOCUMENTS):
        data = {name: sent[name] for name in STEP_FIELDS[step] if name in sent}
        if data:
            application = services.application_save_step(
                actor=request.user, application=application, step=step, data=data, advance=False
            )
    return _body(request, application.pk)


# --- expense lines and documents ---------------------------------------------------------


class ExpenseIn(Schema):
    category_id: BodyId = Field(description="one of the stage's expense categories")
    description: str = Field("", max_length=200)
    vendor: str = Field("", max_length=120)
    amount: int = Field(ge=1, le=MAX_YEN, description="yen, tax excluded")


def _category(request: Any, application: Application, pk: int) -> ExpenseCategory:
    return get_for_user_or_404(
        ExpenseCategory, request.user, VIEW, pk=pk, stage_id=application.stage_id
    )


def _expense_out(request: Any, application_id: int, line_id: int) -> ExpenseOut:
    body = _body(request, application_id)
    return next(e for e in body.expenses if e.id == line_id)


@router.post(
    "/applications/{application_id}/expenses",
    response={201: ExpenseOut},
    summary="Add an expense line (its quotes follow through the quote upload)",
)
def subsidies_expense_add(
    request: Any, application_id: PathId, payload: ExpenseIn
) -> Status[ExpenseOut]:
    application = selectors.editable_application(request.user, application_id)
    line = services.expense_add(
        actor=request.user,
        application=application,
        category=_category(request, application, payload.category_id),
        description=payload.description,
        vendor=payload.vendor,
        amount=payload.amount,
    )
    return Status(201, _expense_out(request, application.pk, line.pk))


def _line(request: Any, pk: int) -> ExpenseLine:
    return get_for_user_or_404(
        ExpenseLine.objects.select_related("application"), request.user, CHANGE, pk=pk
    )


@router.put("/expenses/{expense_id}", response=ExpenseOut, summary="Change an expense line")
def subsidies_expense_update(request: Any, expense_id: PathId, payload: ExpenseIn) -> ExpenseOut:
    line = _line(request, expense_id)
    application = line.application
    services.expense_update(
        actor=request.user,
        expense=line,
        category=_category(request, application, payload.category_id),
        description=payload.description,
        vendor=payload.vendor,
        amount=payload.amount,
    )
    return _expense_out(request, application.pk, line.pk)


@router.delete(
    "/expenses/{expense_id}", response={204: None}, summary="Remove an expense line and its quotes"
)
def subsidies_expense_remove(request: Any, expense_id: PathId) -> Status[None]:
    services.expense_remove(actor=request.user, expense=_line(request, expense_id))
    return Status(204, None)


_LIMIT = upload_limit(
    services.document_max_bytes, code=ApplyErrorCode.DOCUMENT_INVALID, message=too_large_message
)
UploadFile = Annotated[UploadedFile, File(..., description="PDF, PNG or JPEG")]


@router.post(
    "/expenses/{expense_id}/quotes",
    response={201: SubsidiesDocumentOut},
    summary="Attach a quote to an expense line (PDF, PNG or JPEG)",
)
@decorate_view(_LIMIT)
def subsidies_quote_add(
    request: Any, expense_id: PathId, file: UploadFile
) -> Status[SubsidiesDocumentOut]:
    line = _line(request, expense_id)
    document = services.document_add(
        actor=request.user,
        application=line.application,
        kind=DocumentKind.QUOTE,
        upload=file,
        expense=line,
    )
    return Status(201, document_out(document))


# An id a form may leave out. A form has no null, so the schema states none (an
# ``int | None`` would say "integer or null", and a client that sends "null" is refused).
OptionalFormId = Annotated[int, Form(None, ge=1, le=2**63 - 1)]


@router.post(
    "/applications/{application_id}/documents",
    response={201: SubsidiesDocumentOut},
    summary="Attach a required document (requirement_id) or, without one, the expert's evaluation",
)
@decorate_view(_LIMIT)
def subsidies_document_add(
    request: Any,
    application_id: PathId,
    file: UploadFile,
    requirement_id: OptionalFormId = None,  # type: ignore[assignment]
) -> Status[SubsidiesDocumentOut]:
    application = selectors.editable_application(request.user, application_id)
    requirement = None
    if requirement_id is not None:
        requirement = get_for_user_or_404(
            AttachmentRequirement,
            request.user,
            VIEW,
            pk=requirement_id,
            stage_id=application.stage_id,
        )
    document = services.document_add(
        actor=request.user,
        application=application,
        kind=DocumentKind.ATTACHMENT if requirement else DocumentKind.EXPERT_EVALUATION,
        upload=file,
        requirement=requirement,
    )
    return Status(201, document_out(document))


@router.get(
    "/documents/{document_id}",
    response={200: None},
    summary="Download an application's document (whoever may read it)",
)
def subsidies_document_download(request: Any, document_id: PathId) -> FileResponse:
    document = get_for_user_or_404(ApplicationDocument, request.user, VIEW, pk=document_id)
    if not document.file.name:
        raise Http404
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=document.mime)
    response["Content-Disposition"] = content_disposition(document.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete(
    "/documents/{document_id}",
    response={204: None},
    summary="Remove a quote or attachment of a draft",
)
def subsidies_document_remove(request: Any, document_id: PathId) -> Status[None]:
    document = get_for_user_or_404(
        ApplicationDocument.objects.select_related("application"),
        request.user,
        CHANGE,
        pk=document_id,
    )
    services.document_remove(actor=request.user, document=document)
    return Status(204, None)


# --- consent, submission, withdrawal -----------------------------------------------------


class ApplicationActionIn(Schema):
    action: Literal["submit", "consent", "consent_request", "withdraw"] = Field(
        description="submit (or resubmit a returned one); consent (the owner, when an"
        " advisor filed it); consent_request (ask the owner); withdraw"
    )
    reason: str = Field("", max_length=300, description="withdraw: why (optional)")


@router.post(
    "/applications/{application_id}/actions",
    response=BodyOut,
    summary="Submit, consent to, ask consent for or withdraw an application",
)
def subsidies_application_action(
    request: Any, application_id: PathId, payload: ApplicationActionIn
) -> BodyOut:
    user = request.user
    if payload.action == "consent":
        application = selectors.body_application(user, application_id)
        services.application_consent(actor=user, application=application)
    else:
        application = selectors.editable_application(user, application_id)
        if payload.action == "submit":
            services.application_submit(actor=user, application=application)
        elif payload.action == "consent_request":
            services.application_consent_request(actor=user, application=application)
        else:
            services.application_withdraw(
                actor=user, application=application, reason=payload.reason
            )
    return _body(request, application_id)
