"""The terms an order must state and the 中小受託取引適正化法 checks on them, shared by
the checked services and the caller-trusted ones."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.network.choices import PaymentMethod
from machikoba.network.models import Order, OrderEvent

if TYPE_CHECKING:
    from machikoba.accounts.models import User

# 中小受託取引適正化法: payment within 60 days of receiving the work.
MAX_PAYMENT_DAYS = 60


def order_terms_errors(
    *,
    delivery_date: dt.date,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str,
    delivery_place: str,
    today: dt.date | None = None,
) -> dict[str, str]:
    """The 中小受託取引適正化法 checks of an order's dates, place and payment method
    (``today``: the local date unless given)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if delivery_date < today:
        errors["delivery_date"] = _("納期には今日以降の日付を指定してください。")
    if not delivery_place.strip():
        errors["delivery_place"] = _("納入場所を入力してください。")
    if inspection_date < delivery_date:
        errors["inspection_date"] = _("検査完了日は納期 (受領日) 以降にしてください。")
    if payment_date < delivery_date:
        errors["payment_date"] = _("支払期日は納期 (受領日) 以降にしてください。")
    elif (payment_date - delivery_date).days > MAX_PAYMENT_DAYS:
        errors["payment_date"] = _(
            "支払期日は受領日から60日以内にしてください (中小受託取引適正化法)。"
        )
    if payment_method not in PaymentMethod.values:
        errors["payment_method"] = _("支払方法を選んでください (手形による支払いはできません)。")
    return errors


ORDER_TERMS = (
    "work_content",
    "quantity",
    "price",
    "delivery_date",
    "delivery_place",
    "inspection_date",
    "payment_date",
    "payment_method",
)


def order_event_record(order: Order, kind: str, actor: User | None, reason: str = "") -> OrderEvent:
    """The order's terms as they are now, appended to its history."""
    terms = {
        name: value if isinstance(value := getattr(order, name), int) else str(value)
        for name in ORDER_TERMS
    }
    return OrderEvent.objects.create(
        order=order, version=order.version, kind=kind, terms=terms, reason=reason, actor=actor
    )
