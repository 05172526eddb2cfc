"""Writes for orders: award an RFQ, change, cancel and accept an order, and the
business match a first award records."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company
from machikoba.drawings.services import grant_revoke
from machikoba.network.choices import (
    OrderEventKind,
    OrderOrigin,
    OrderStatus,
    PaymentMethod,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.internal import order_issue
from machikoba.network.models import (
    BusinessMatch,
    Order,
    Quote,
    Rfq,
    RfqRecipient,
    Step,
)
from machikoba.network.order_terms import ORDER_TERMS, order_event_record, order_terms_errors
from machikoba.network.selectors import (
    work_content_of,
)
from machikoba.network.services._guards import (
    _require_job_editor,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User


@transaction.atomic
def rfq_award(
    *,
    actor: User,
    rfq: Rfq,
    winner: RfqRecipient,
    delivery_date: dt.date,
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    work_content: str = "",
    outcome_note: str = "",
) -> Order:
    """Choose the winning quote: the order (注文書) is issued to the winner, the others are
    told the outcome and lose their access to the drawings, and a first award between the
    two companies is recorded as a new business match."""
    _require_job_editor(actor, rfq.job)
    today = timezone.localdate()
    errors = order_terms_errors(
        delivery_date=delivery_date,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        delivery_place=delivery_place,
        today=today,
    )
    if errors:
        raise invalid_input(NetworkErrorCode.ORDER_INVALID, **errors)
    rfq, winner, quote = _lock_award(rfq, winner, today=today)
    if not winner.company.is_active:
        raise ApplicationError(
            NetworkErrorCode.COMPANY_DEACTIVATED,
            _("%(company)s は利用停止中のため、発注できません。")
            % {"company": winner.company.name},
        )
    steps = list(rfq.steps.select_for_update().order_by("position"))
    job = rfq.job
    order = order_issue(
        actor=actor,
        job=job,
        rfq=rfq,
        buyer=job.company,
        supplier=winner.company,
        steps=steps,
        work_content=work_content.strip() or work_content_of(job, steps),
        price=quote.price,
        delivery_date=delivery_date,
        delivery_place=delivery_place,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        origin=OrderOrigin.RFQ,
    )
    now = timezone.now()
    rfq.status, rfq.awarded_at = RfqStatus.AWARDED, now
    rfq.save(update_fields=["status", "awarded_at", "updated_at"])
    winner.status = RecipientStatus.AWARDED
    winner.save(update_fields=["status", "updated_at"])
    notify_company(
        company=winner.company,
        kind="awarded",
        params={"buyer": job.company.name, "part": job.part_name, "order": order.number},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    _award_tell_others(actor, rfq, winner, outcome_note)
    Step.objects.filter(pk__in=[s.pk for s in steps]).update(
        performer=winner.company, updated_at=now
    )
    business_match_record(order=order)
    audit_record(actor=actor, verb="rfq.award", target=order, company=job.company)
    return order


def _lock_award(
    rfq: Rfq, winner: RfqRecipient, *, today: dt.date
) -> tuple[Rfq, RfqRecipient, Quote]:
    """The RFQ (locked) if still open, the winner and its quote if it quoted in time."""
    rfq = Rfq.objects.select_for_update().select_related("job").get(pk=rfq.pk)
    if rfq.status != RfqStatus.OPEN:
        raise ApplicationError(
            NetworkErrorCode.RFQ_ALREADY_AWARDED, _("この見積依頼の発注先はすでに決まっています。")
        )
    winner = RfqRecipient.objects.select_related("company").get(pk=winner.pk, rfq=rfq)
    quote = Quote.objects.filter(recipient=winner).first()
    if quote is None or winner.status != RecipientStatus.QUOTED:
        raise ApplicationError(
            NetworkErrorCode.QUOTE_MISSING, _("見積を提出した企業だけに発注できます。")
        )
    if quote.valid_until < today:
        raise ApplicationError(
            NetworkErrorCode.QUOTE_EXPIRED,
            _("この見積は有効期限 (%(date)s) を過ぎています。")
            % {"date": format_date(quote.valid_until)},
        )
    return rfq, winner, quote


def _award_tell_others(actor: User, rfq: Rfq, winner: RfqRecipient, outcome_note: str) -> None:
    """Every other shop asked: told it was not chosen (if it was still in the running),
    given the note, and its access to the drawings revoked."""

    job = rfq.job
    for other in (
        rfq.recipients.exclude(pk=winner.pk).select_related("company").prefetch_related("grants")
    ):
        if other.status in (RecipientStatus.INVITED, RecipientStatus.QUOTED):
            other.status = RecipientStatus.NOT_AWARDED
            notify_company(
                company=other.company,
                kind="not_awarded",
                params={
                    "buyer": job.company.name,
                    "part": job.part_name,
                    "note": outcome_note.strip(),
                },
                path=reverse("network:rfq_detail", args=[rfq.pk]),
            )
        other.outcome_note = outcome_note.strip()[:500]
        other.save(update_fields=["status", "outcome_note", "updated_at"])
        for grant in other.grants.filter(revoked_at__isnull=True):
            grant_revoke(actor=actor, grant=grant)


def _require_buyer(actor: User, order: Order) -> None:
    if not has_role(actor, order.buyer, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_BUYER,
            _("注文を変更・取り消しできるのは、発注企業の経営者とスタッフだけです。"),
        )


@transaction.atomic
def order_change(*, actor: User, order: Order, reason: str, **terms: Any) -> Order:
    """A change order: a new version of the order the supplier must accept again. Only
    before the parts have shipped."""
    _require_buyer(actor, order)
    unknown = set(terms) - set(ORDER_TERMS)
    if unknown:
        raise ValueError(f"not order terms: {sorted(unknown)}")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise ApplicationError(
            NetworkErrorCode.ORDER_CANCELLED, _("取り消した注文は変更できません。")
        )
    if order.steps.filter(
        status__in=(StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
    ).exists():
        raise ApplicationError(
            NetworkErrorCode.ORDER_DELIVERED,
            _("出荷済みの注文は変更できません。受注企業と相談してください。"),
        )
    if not reason.strip():
        raise invalid_input(
            NetworkErrorCode.ORDER_INVALID, reason=_("変更の理由を入力してください。")
        )
    merged = {name: terms.get(name, getattr(order, name)) for name in ORDER_TERMS}
    errors = order_terms_errors(
        delivery_date=merged["delivery_date"],
        inspection_date=merged["inspection_date"],
        payment_date=merged["payment_date"],
        payment_method=merged["payment_method"],
        delivery_place=merged["delivery_place"],
        today=timezone.localdate(),
    )
    if merged["price"] is None or merged["price"] < 1:
        errors["price"] = _("金額は 1 円以上で入力してください。")
    if errors:
        raise invalid_input(NetworkErrorCode.ORDER_INVALID, **errors)
    for name, value in merged.items():
        setattr(order, name, value.strip() if isinstance(value, str) else value)
    order.version += 1
    order.status, order.accepted_at, order.accepted_by = OrderStatus.ISSUED, None, None
    full_clean_or_raise(order, code=NetworkErrorCode.ORDER_INVALID)
    order.save()
    order_event_record(order, OrderEventKind.CHANGED, actor, reason.strip()[:500])
    audit_record(actor=actor, verb="order.change", target=order, company=order.buyer)
    notify_company(
        company=order.supplier,
        kind="order_changed",
        params={"buyer": order.buyer.name, "order": order.number, "reason": reason.strip()},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str) -> Order:
    """Cancel before work starts: the steps go back to planning (the owner can ask
    again), and the supplier loses access to the drawings."""

    _require_buyer(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise ApplicationError(
            NetworkErrorCode.ORDER_CANCELLED, _("この注文はすでに取り消されています。")
        )
    # The buyer's order to a board team's lead (ordered by someone other than the job's
    # owner): withdrawn from the board, which tells the team. The lead's orders to its
    # members are cancelled here like any other.
    if order.origin == OrderOrigin.BOARD and order.buyer_id != order.job.company_id:
        raise ApplicationError(
            NetworkErrorCode.ORDER_FROM_BOARD,
            _(
                "共同受注の注文は、引き合いの画面から取り下げてください"
                " (チームへの連絡も行います)。"
            ),
        )
    if not reason.strip():
        raise invalid_input(
            NetworkErrorCode.ORDER_INVALID, reason=_("取り消しの理由を入力してください。")
        )
    steps = list(order.steps.select_for_update())
    if any(s.status not in (StepStatus.REQUESTED, StepStatus.ORDERED) for s in steps):
        raise ApplicationError(
            NetworkErrorCode.ORDER_STARTED,
            _("受注企業が加工を始めているため、取り消せません。受注企業と相談してください。"),
        )
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    Step.objects.filter(pk__in=[s.pk for s in steps]).update(
        status=StepStatus.PLANNED, performer=None, updated_at=timezone.now()
    )
    if order.rfq is not None:
        winner = order.rfq.recipients.filter(company=order.supplier).first()
        if winner is not None:
            for grant in winner.grants.filter(revoked_at__isnull=True):
                grant_revoke(actor=actor, grant=grant)
    order_event_record(order, OrderEventKind.CANCELLED, actor, reason.strip()[:500])
    audit_record(actor=actor, verb="order.cancel", target=order, company=order.buyer)
    notify_company(
        company=order.supplier,
        kind="order_cancelled",
        params={"buyer": order.buyer.name, "order": order.number, "reason": reason.strip()},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order


def business_match_record(*, order: Order) -> BusinessMatch | None:
    """The first award between two companies, in either direction, is a new business
    match; later awards between them are not. Returns the new match, or None."""
    low, high = sorted((order.buyer_id, order.supplier_id))
    match, created = BusinessMatch.objects.get_or_create(
        company_low_id=low,
        company_high_id=high,
        defaults={"first_order": order, "matched_at": order.created_at},
    )
    return match if created else None


@transaction.atomic
def order_accept(*, actor: User, order: Order) -> Order:
    """注文請書: the supplier accepts the order; its steps become "ordered"."""
    if not has_role(actor, order.supplier, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_SUPPLIER,
            _("注文を請けられるのは、受注企業の経営者とスタッフだけです。"),
        )
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.ISSUED:
        raise ApplicationError(
            NetworkErrorCode.ORDER_NOT_OPEN,
            _("この注文はすでに請けているか、取り消されています。画面を更新してください。"),
        )
    order.status, order.accepted_at, order.accepted_by = OrderStatus.ACCEPTED, timezone.now(), actor
    order.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    order_event_record(order, OrderEventKind.ACCEPTED, actor)
    order.steps.filter(status=StepStatus.REQUESTED).update(
        status=StepStatus.ORDERED, updated_at=timezone.now()
    )
    audit_record(actor=actor, verb="order.accept", target=order, company=order.supplier)
    notify_company(
        company=order.buyer,
        kind="order_accepted",
        params={
            "supplier": order.supplier.name,
            "order": order.number,
            "part": order.job.part_name,
        },
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order
