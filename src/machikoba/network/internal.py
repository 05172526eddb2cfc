"""Caller-trusted network writes. Other apps' services (the board) call these after they
have checked who may act; each function says what its caller must have checked. Views
and API handlers never import this module (an import-linter contract forbids it): they go
through ``network.services``, which checks the actor itself."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from machikoba.core.audit import audit_record
from machikoba.core.errors import full_clean_or_raise
from machikoba.core.notifications import notify_company
from machikoba.network.choices import (
    JobStatus,
    OrderEventKind,
    OrderStatus,
    PaymentMethod,
    StepStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import Job, Order, Rfq, Step
from machikoba.network.order_terms import order_event_record

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company, Material, ProcessCategory
    from machikoba.drawings.models import Document


def order_issue(
    *,
    actor: User | None,
    job: Job,
    buyer: Company,
    supplier: Company,
    steps: list[Step],
    work_content: str,
    price: int,
    delivery_date: dt.date,
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    origin: str,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    rfq: Rfq | None = None,
) -> Order:
    """Write a 注文書 and its "issued" event.

    The caller has checked that ``actor`` may order for ``buyer`` and the terms
    (``order_terms_errors``); the order still passes the model's own constraints.
    ``origin`` (``OrderOrigin``) says how the order came about."""
    today = timezone.localdate()
    order = Order(
        number=f"tmp-{uuid.uuid4().hex[:20]}",
        job=job,
        rfq=rfq,
        buyer=buyer,
        supplier=supplier,
        origin=origin,
        ordered_on=today,
        work_content=work_content,
        quantity=job.quantity,
        price=price,
        delivery_date=delivery_date,
        delivery_place=delivery_place.strip(),
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        issued_by=actor,
    )
    full_clean_or_raise(order, code=NetworkErrorCode.ORDER_INVALID)
    order.save()
    order.number = f"PO-{today:%Y%m%d}-{order.pk:06d}"
    order.save(update_fields=["number"])
    order.steps.set(steps)
    order_event_record(order, OrderEventKind.ISSUED, actor)
    return order


def order_void(*, actor: User | None, order: Order, reason: str) -> Order:
    """Cancel an order because the work above it was withdrawn (the buyer of a joint order
    cancelled, or the lead took a member off the team); the steps go back to planning,
    without performer.

    The caller has checked that ``actor`` may withdraw the work and that no step of the
    order has started."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        return order
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    order.steps.update(status=StepStatus.PLANNED, performer=None, updated_at=timezone.now())
    order_event_record(order, OrderEventKind.CANCELLED, actor, reason.strip()[:500])
    notify_company(
        company=order.supplier,
        kind="order_cancelled",
        params={"buyer": order.buyer.name, "order": order.number, "reason": reason.strip()},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order


def job_void(*, actor: User | None, job: Job) -> Job:
    """Mark a job cancelled because its buyer withdrew the work.

    The caller has checked that ``actor`` may withdraw the work above the job (the buyer
    of a board request) and that none of its steps has started."""
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, verb="job.cancel", target=job, company=job.company)
    return job


@dataclass(frozen=True)
class RoutedStep:
    """One step of a route decided elsewhere (a board team's assignment): who performs it
    and, for a partner step, the date its performer promised (and from when it works)."""

    position: int
    process: ProcessCategory
    spec: str
    performer: Company
    planned_end: dt.date | None
    planned_start: dt.date | None = None


@transaction.atomic
def job_create_routed(
    *,
    actor: User | None,
    company: Company,
    part_name: str,
    drawing_number: str,
    material: Material | None,
    material_note: str,
    quantity: int,
    due_date: dt.date,
    notes: str,
    documents: Iterable[Document],
    steps: Sequence[RoutedStep],
) -> tuple[Job, list[Step]]:
    """A job of ``company`` with its route and performers already decided: each step is
    planned when ``company`` does it itself, else requested from its performer (its order
    follows). The job and every step pass the models' validation (``job_invalid``,
    ``step_invalid``) and are recorded as ``job.create`` and ``step.add``.

    The caller has checked that ``actor`` may give ``company`` this work (the buyer of a
    board request awarding a team: the actor is not a member of ``company``) and that the
    documents may be shared with it."""
    job = Job(
        company=company,
        part_name=part_name,
        drawing_number=drawing_number,
        material=material,
        material_note=material_note,
        quantity=quantity,
        due_date=due_date,
        notes=notes,
    )
    full_clean_or_raise(job, code=NetworkErrorCode.JOB_INVALID)
    job.save()
    job.documents.set(documents)
    audit_record(actor=actor, verb="job.create", target=job, company=company)
    created = []
    for routed in steps:
        in_house = routed.performer.pk == company.pk
        step = Step(
            job=job,
            position=routed.position,
            process=routed.process,
            spec=routed.spec,
            in_house=in_house,
            performer=routed.performer,
            status=StepStatus.PLANNED if in_house else StepStatus.REQUESTED,
            planned_start=routed.planned_start,
            planned_end=routed.planned_end,
        )
        full_clean_or_raise(step, code=NetworkErrorCode.STEP_INVALID)
        step.save()
        audit_record(actor=actor, verb="step.add", target=step, company=company)
        created.append(step)
    return job, created
