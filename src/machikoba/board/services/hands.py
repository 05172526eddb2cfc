"""Hands: a shop raises one hand per process (raising again is refused with a pointer to
changing the hand it has); on a shop's posted job the owner asks the hands for quotes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Hand, RequestProcess
from machikoba.board.services._guards import (
    _require_open,
    _require_poster,
    _require_shop,
    _require_visible,
    _save_once,
)
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.network.services import rfq_send

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company
    from machikoba.network.models import Rfq


def _hand_errors(price: int | None, lead_time_days: int | None, comment: str) -> dict[str, str]:
    errors = {}
    if price is None and lead_time_days is None and not comment.strip():
        errors["comment"] = _("参考価格・参考納期・コメントのどれかを入力してください。")
    if price is not None and price < 1:
        errors["price"] = _("参考価格は 1 円以上で入力してください。")
    if lead_time_days is not None and not 1 <= lead_time_days <= 365:
        errors["lead_time_days"] = _("参考納期は 1〜365 日で入力してください。")
    return errors


@transaction.atomic
def hand_raise(
    *,
    actor: User,
    company: Company,
    process: RequestProcess,
    price: int | None = None,
    lead_time_days: int | None = None,
    comment: str = "",
) -> Hand:
    _require_shop(actor, company)
    request = process.request
    _require_visible(actor, request)
    _require_open(request)
    if request.company_id == company.pk:
        raise ApplicationError(
            BoardErrorCode.OWN_REQUEST, _("自社の引き合いには手を挙げられません。")
        )
    if request.answer_by < timezone.localdate():
        raise ApplicationError(BoardErrorCode.REQUEST_CLOSED, _("回答期限を過ぎています。"))
    errors = _hand_errors(price, lead_time_days, comment)
    if errors:
        raise invalid_input(BoardErrorCode.HAND_INVALID, **errors)
    hand = Hand(
        process=process,
        company=company,
        price=price,
        lead_time_days=lead_time_days,
        comment=comment.strip(),
        raised_by=actor,
    )
    twice = _(
        "この工程にはすでに手を挙げています。内容を変えるときは「手挙げを変更」を使ってください。"
    )
    full_clean_or_raise(
        hand,
        code=BoardErrorCode.HAND_INVALID,
        duplicate_code=BoardErrorCode.HAND_EXISTS,
        duplicate_message=twice,
    )
    _save_once(hand, code="hand_exists", message=twice)
    audit_record(actor=actor, verb="hand.raise", target=hand, company=company)
    notify_company(
        company=request.company,
        kind="board_hand",
        params={"part": request.part_name, "process": process.process.name_ja, "company": company},
        path=reverse("board:request_detail", args=[request.pk]),
    )
    return hand


@transaction.atomic
def hand_update(
    *, actor: User, hand: Hand, price: int | None, lead_time_days: int | None, comment: str
) -> Hand:
    _require_shop(actor, hand.company)
    _require_open(hand.process.request)
    errors = _hand_errors(price, lead_time_days, comment)
    if errors:
        raise invalid_input(BoardErrorCode.HAND_INVALID, **errors)
    hand.price, hand.lead_time_days, hand.comment = price, lead_time_days, comment.strip()
    hand.raised_by = actor
    full_clean_or_raise(hand, code=BoardErrorCode.HAND_INVALID)
    hand.save()
    audit_record(actor=actor, verb="hand.raise", target=hand, company=hand.company)
    return hand


@transaction.atomic
def hand_withdraw(*, actor: User, hand: Hand) -> None:
    _require_shop(actor, hand.company)
    audit_record(actor=actor, verb="hand.withdraw", target=hand, company=hand.company)
    hand.delete()


@transaction.atomic
def hand_rfq(
    *, actor: User, process: RequestProcess, hands: list[Hand], deadline: dt.datetime
) -> Rfq:
    """On a posted job, ask the shops whose hands the owner picked for a quote: an
    ordinary RFQ on the job's step, with the drawings shared as every RFQ does."""
    request = process.request
    _require_poster(actor, request)
    if request.job is None or process.step is None:
        raise ApplicationError(
            BoardErrorCode.NOT_A_JOB_POSTING,
            _("チームで答える引き合いでは、見積はチームから届きます。"),
        )
    if not hands or any(h.process_id != process.pk for h in hands):
        raise invalid_input(
            BoardErrorCode.HAND_RFQ_INVALID, hands=_("この工程に手を挙げた企業を選んでください。")
        )
    rfq = rfq_send(
        actor=actor,
        job=request.job,
        steps=[process.step],
        recipients=[h.company for h in hands],
        deadline=deadline,
        message=request.description,
    )
    audit_record(actor=actor, verb="hand.rfq", target=rfq, company=request.company)
    return rfq
