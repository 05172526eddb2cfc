"""Network API: jobs, steps, RFQs, quotes, awards, orders and step transitions, through
the same services and the same access layer as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from machikoba.companies.models import Company, Material, ProcessCategory
from machikoba.core.access import CHANGE, MEMBER_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import active_company_or_403
from machikoba.network import selectors, services
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import Job, Order, Rfq, RfqRecipient, Step
from machikoba.network.selectors.pages import quote_shown, rfq_form_choices

router = Router(tags=["network"])


# --- schemas ----------------------------------------------------------------------------


class StepOut(Schema):
    id: int
    position: int
    process: str = Field(description="process code")
    process_name: str
    spec: str
    in_house: bool
    performer_id: int | None
    performer_name: str | None
    status: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    shipped_quantity: int | None
    good_quantity: int | None
    defect_quantity: int | None
    actions: list[str] = Field(
        description="progress actions the caller may take now (start, finish, ship, receive,"
        " allow_early_start)"
    )


class JobSummaryOut(Schema):
    id: int
    company_id: int
    company_name: str
    part_name: str
    drawing_number: str
    quantity: int
    due_date: dt.date
    status: str


class JobOut(JobSummaryOut):
    material: str | None
    material_note: str
    steps: list[StepOut] = Field(description="all steps for the owner; a partner's own only")


class JobIn(Schema):
    part_name: str = Field(min_length=1, max_length=200)
    drawing_number: str = Field("", max_length=100)
    material: str | None = Field(None, description="material code, e.g. SUS304")
    material_note: str = Field("", max_length=100)
    quantity: int = Field(ge=1, le=2_147_483_647)
    size_mm: int | None = Field(
        None, ge=0, le=2_147_483_647, description="the part's largest dimension"
    )
    due_date: dt.date = Field(description="today or later")
    notes: str = Field("", max_length=5000)


class StepIn(Schema):
    process: str = Field(description="process code")
    spec: str = Field("", max_length=2000)
    in_house: bool = False
    position: int | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


class TransitionIn(Schema):
    action: Literal["start", "finish", "ship", "receive"]
    quantity: int | None = Field(None, description="ship: how many")
    good_quantity: int | None = Field(None, description="receive: good parts")
    defect_quantity: int = Field(0, description="receive: defective parts")
    note: str = Field("", max_length=1000)


class RfqIn(Schema):
    step_ids: list[BodyId] = Field(min_length=1, description="the job's steps to quote")
    recipient_ids: list[BodyId] = Field(min_length=1, description="the shops asked")
    deadline: dt.datetime = Field(description="in the future")
    message: str = Field("", max_length=5000)
    questions_public: bool = True


class QuoteOut(Schema):
    price: int
    lead_time_days: int
    valid_until: dt.date
    conditions: str


class RecipientOut(Schema):
    company_id: int
    company_name: str
    status: str
    decline_reason: str
    quote: QuoteOut | None


class RfqOut(Schema):
    id: int
    job_id: int
    part_name: str
    quantity: int
    status: str
    deadline: dt.datetime
    step_ids: list[int]
    recipients: list[RecipientOut] = Field(
        description="every shop asked for the owner; only its own answer for a recipient"
    )


class QuoteIn(Schema):
    price: int = Field(ge=1, le=9_223_372_036_854_775_807, description="yen, before tax")
    lead_time_days: int = Field(ge=1, le=32_767)
    valid_until: dt.date = Field(description="today or later")
    conditions: str = Field("", max_length=2000)


class DeclineIn(Schema):
    reason: str = Field(max_length=500)


class AwardIn(Schema):
    winner_company_id: BodyId
    delivery_date: dt.date
    delivery_place: str = Field(max_length=300)
    inspection_date: dt.date
    payment_date: dt.date
    payment_method: str = "bank_transfer"
    outcome_note: str = Field("", max_length=500)


class OrderOut(Schema):
    id: int
    number: str
    job_id: int
    buyer_id: int
    supplier_id: int
    status: str
    ordered_on: dt.date
    work_content: str
    quantity: int
    price: int
    delivery_date: dt.date
    delivery_place: str
    inspection_date: dt.date
    payment_date: dt.date
    payment_method: str


# --- helpers ----------------------------------------------------------------------------


def _step_out(
    request,
    step: Step,
    route: dict[int, int | None] | None = None,
    statuses: dict[int, str] | None = None,
) -> StepOut:
    return StepOut(
        id=step.pk,
        position=step.position,
        process=step.process.code,
        process_name=step.process.name,
        spec=step.spec,
        in_house=step.in_house,
        performer_id=step.performer_id,
        performer_name=step.performer.name if step.performer else None,
        status=step.status,
        planned_start=step.planned_start,
        planned_end=step.planned_end,
        shipped_quantity=step.shipped_quantity,
        good_quantity=step.good_quantity,
        defect_quantity=step.defect_quantity,
        actions=sorted(selectors.step_actions(request.user, step, route=route, statuses=statuses)),
    )


def _summary(job: Job) -> dict:
    return {
        "id": job.pk,
        "company_id": job.company_id,
        "company_name": job.company.name,
        "part_name": job.part_name,
        "drawing_number": job.drawing_number,
        "quantity": job.quantity,
        "due_date": job.due_date,
        "status": job.status,
    }


def _job_out(request, job: Job) -> JobOut:
    steps = list(selectors.visible_steps(user=request.user, job=job))
    route, statuses = selectors.route_of(job)
    for step in steps:
        step.job = job
    return JobOut(
        **_summary(job),
        material=job.material.code if job.material else None,
        material_note=job.material_note,
        steps=[_step_out(request, s, route, statuses) for s in steps],
    )


def _rfq_out(request, rfq: Rfq) -> RfqOut:
    owner = has_role(request.user, rfq.job.company, MEMBER_ROLES, VIEW)
    recipients = RfqRecipient.objects.for_user(request.user, VIEW).filter(rfq=rfq)
    if not owner:
        recipients = recipients.filter(company=active_company_or_403(request))
    rows = []
    for r in recipients.select_related("company", "quote").order_by("id"):
        quote = quote_shown(r)
        rows.append(
            RecipientOut(
                company_id=r.company_id,
                company_name=r.company.name,
                status=r.status,
                decline_reason=r.decline_reason,
                quote=QuoteOut(
                    price=quote.price,
                    lead_time_days=quote.lead_time_days,
                    valid_until=quote.valid_until,
                    conditions=quote.conditions,
                )
                if quote
                else None,
            )
        )
    return RfqOut(
        id=rfq.pk,
        job_id=rfq.job_id,
        part_name=rfq.job.part_name,
        quantity=rfq.job.quantity,
        status=rfq.status,
        deadline=rfq.deadline,
        step_ids=list(rfq.steps.values_list("pk", flat=True)),
        recipients=rows,
    )


def _order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.pk,
        number=order.number,
        job_id=order.job_id,
        buyer_id=order.buyer_id,
        supplier_id=order.supplier_id,
        status=order.status,
        ordered_on=order.ordered_on,
        work_content=order.work_content,
        quantity=order.quantity,
        price=order.price,
        delivery_date=order.delivery_date,
        delivery_place=order.delivery_place,
        inspection_date=order.inspection_date,
        payment_date=order.payment_date,
        payment_method=order.payment_method,
    )


# --- jobs and steps ---------------------------------------------------------------------


@router.get("/jobs", response=list[JobSummaryOut], summary="Our jobs and the jobs we work on")
def network_jobs(request):
    company = active_company_or_403(request)
    own = selectors.jobs_of(user=request.user, company=company).select_related("company")
    performing = selectors.jobs_performing(user=request.user, company=company)
    return [_summary(job) for job in [*own, *performing]]


@router.post("/jobs", response={201: JobOut}, summary="Register a job")
def network_job_create(request, payload: JobIn):
    company = active_company_or_403(request)
    material = None
    if payload.material:
        material = get_for_user_or_404(Material, request.user, VIEW, code=payload.material)
    job = services.job_create(
        actor=request.user,
        company=company,
        part_name=payload.part_name,
        drawing_number=payload.drawing_number,
        material=material,
        material_note=payload.material_note,
        quantity=payload.quantity,
        size_mm=payload.size_mm,
        due_date=payload.due_date,
        notes=payload.notes,
    )
    return Status(201, _job_out(request, job))


@router.get("/jobs/{job_id}", response=JobOut, summary="One job with the steps you may see")
def network_job(request, job_id: PathId):
    job = get_for_user_or_404(
        Job.objects.select_related("company", "material"), request.user, VIEW, pk=job_id
    )
    return _job_out(request, job)


@router.post("/jobs/{job_id}/steps", response={201: StepOut}, summary="Add or insert a step")
def network_step_add(request, job_id: PathId, payload: StepIn):
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=job_id)
    process = get_for_user_or_404(ProcessCategory, request.user, VIEW, code=payload.process)
    step = services.step_add(
        actor=request.user,
        job=job,
        process=process,
        spec=payload.spec,
        in_house=payload.in_house,
        position=payload.position,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
    )
    step.refresh_from_db()
    return Status(201, _step_out(request, step))


@router.post("/steps/{step_id}/transitions", response=StepOut, summary="Move a step on")
def network_step_transition(request, step_id: PathId, payload: TransitionIn):
    step = get_for_user_or_404(
        Step.objects.select_related("job", "process", "performer"), request.user, VIEW, pk=step_id
    )
    if payload.action == "start":
        step = services.step_start(actor=request.user, step=step)
    elif payload.action == "finish":
        step = services.step_finish(actor=request.user, step=step)
    elif payload.action == "ship":
        step = services.step_ship(actor=request.user, step=step, quantity=payload.quantity)
    else:
        step = services.step_receive(
            actor=request.user,
            step=step,
            good_quantity=payload.good_quantity,
            defect_quantity=payload.defect_quantity,
            note=payload.note,
        )
    return _step_out(request, step)


# --- RFQs, quotes, award, orders --------------------------------------------------------


@router.post("/jobs/{job_id}/rfqs", response={201: RfqOut}, summary="Send an RFQ")
def network_rfq_send(request, job_id: PathId, payload: RfqIn):
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=job_id)
    if not rfq_form_choices(request.user, job)["steps"].exists():
        # The job's state: no partner step waits in the plan (409, whatever was asked).
        raise ApplicationError(
            NetworkErrorCode.RFQ_NOTHING_TO_QUOTE,
            _("この案件には、見積を依頼できる工程 (外注する「計画」の工程) がありません。"),
        )
    steps = list(Step.objects.for_user(request.user, VIEW).filter(job=job, pk__in=payload.step_ids))
    recipients = list(
        Company.objects.for_user(request.user, VIEW).filter(
            pk__in=payload.recipient_ids, is_active=True
        )
    )
    rfq = services.rfq_send(
        actor=request.user,
        job=job,
        steps=steps,
        recipients=recipients,
        deadline=payload.deadline,
        message=payload.message,
        questions_public=payload.questions_public,
    )
    return Status(201, _rfq_out(request, rfq))


@router.get("/rfqs/{rfq_id}", response=RfqOut, summary="An RFQ with the answers you may see")
def network_rfq(request, rfq_id: PathId):
    rfq = get_for_user_or_404(
        Rfq.objects.select_related("job__company"), request.user, VIEW, pk=rfq_id
    )
    return _rfq_out(request, rfq)


def _my_recipient(request, rfq_id: int) -> RfqRecipient:
    return get_for_user_or_404(
        RfqRecipient.objects.select_related("rfq__job", "company"),
        request.user,
        VIEW,
        rfq_id=rfq_id,
        company=active_company_or_403(request),
    )


@router.post("/rfqs/{rfq_id}/quote", response={201: RfqOut}, summary="Quote (as the shop asked)")
def network_quote(request, rfq_id: PathId, payload: QuoteIn):
    recipient = _my_recipient(request, rfq_id)
    services.quote_submit(
        actor=request.user,
        recipient=recipient,
        price=payload.price,
        lead_time_days=payload.lead_time_days,
        valid_until=payload.valid_until,
        conditions=payload.conditions,
    )
    return Status(201, _rfq_out(request, recipient.rfq))


@router.post("/rfqs/{rfq_id}/decline", response=RfqOut, summary="Decline (as the shop asked)")
def network_decline(request, rfq_id: PathId, payload: DeclineIn):
    recipient = _my_recipient(request, rfq_id)
    services.quote_decline(actor=request.user, recipient=recipient, reason=payload.reason)
    return _rfq_out(request, recipient.rfq)


@router.post("/rfqs/{rfq_id}/award", response={201: OrderOut}, summary="Award and issue the order")
def network_award(request, rfq_id: PathId, payload: AwardIn):
    rfq = get_for_user_or_404(Rfq.objects.select_related("job"), request.user, CHANGE, pk=rfq_id)
    winner = get_for_user_or_404(
        RfqRecipient, request.user, VIEW, rfq=rfq, company_id=payload.winner_company_id
    )
    order = services.rfq_award(
        actor=request.user,
        rfq=rfq,
        winner=winner,
        delivery_date=payload.delivery_date,
        delivery_place=payload.delivery_place,
        inspection_date=payload.inspection_date,
        payment_date=payload.payment_date,
        payment_method=payload.payment_method,
        outcome_note=payload.outcome_note,
    )
    return Status(201, _order_out(order))


@router.get("/orders/{order_id}", response=OrderOut, summary="An order (buyer and supplier)")
def network_order(request, order_id: PathId):
    return _order_out(get_for_user_or_404(Order, request.user, VIEW, pk=order_id))


@router.post("/orders/{order_id}/accept", response=OrderOut, summary="Accept (as the supplier)")
def network_order_accept(request, order_id: PathId):
    order = get_for_user_or_404(
        Order.objects.select_related("job"), request.user, VIEW, pk=order_id
    )
    return _order_out(services.order_accept(actor=request.user, order=order))
