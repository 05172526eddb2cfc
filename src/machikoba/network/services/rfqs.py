"""Writes for RFQs: send (one by one or from a network plan), quote and decline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date, format_datetime
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.drawings.services import grant_create
from machikoba.network.choices import (
    RecipientStatus,
    StepStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import (
    Job,
    Quote,
    Rfq,
    RfqRecipient,
    Step,
)
from machikoba.network.services._guards import (
    _lock_answerable,
    _require_job_editor,
    _require_open,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


@transaction.atomic
def rfq_send(
    *,
    actor: User,
    job: Job,
    steps: list[Step],
    recipients: list[Company],
    deadline: dt.datetime,
    message: str = "",
    questions_public: bool = True,
    ip_address: str | None = None,
) -> Rfq:
    """Ask shops for quotes on partner steps. Each recipient gets view-only access to the
    job's drawings (through the document store: it must accept the owner's NDA first)."""
    _require_job_editor(actor, job)
    _require_open(job)
    errors = _rfq_errors(job=job, steps=steps, recipients=recipients, deadline=deadline)
    if errors:
        raise invalid_input(NetworkErrorCode.RFQ_INVALID, **errors)
    locked = list(Step.objects.select_for_update().filter(pk__in=[s.pk for s in steps]))
    if any(s.status != StepStatus.PLANNED for s in locked):
        raise ApplicationError(
            NetworkErrorCode.STEP_ALREADY_REQUESTED,
            _("この工程はすでに見積依頼されています。画面を更新してください。"),
        )
    rfq = Rfq(
        job=job,
        deadline=deadline,
        message=message.strip(),
        questions_public=questions_public,
        created_by=actor,
    )
    full_clean_or_raise(rfq, code=NetworkErrorCode.RFQ_INVALID)
    rfq.save()
    rfq.steps.set(locked)
    _invite(actor, rfq, list(dict.fromkeys(recipients)), ip_address=ip_address)
    Step.objects.filter(pk__in=[s.pk for s in locked]).update(
        status=StepStatus.REQUESTED, updated_at=timezone.now()
    )
    audit_record(actor=actor, verb="rfq.send", target=rfq, company=job.company)
    for company in dict.fromkeys(recipients):
        notify_company(
            company=company,
            kind="rfq_received",
            params={
                "buyer": job.company.name,
                "part": job.part_name,
                "steps": "・".join(s.process.name_ja for s in locked),
                "deadline": format_datetime(deadline),
            },
            path=reverse("network:rfq_detail", args=[rfq.pk]),
        )
    return rfq


def _rfq_errors(
    *, job: Job, steps: list[Step], recipients: list[Company], deadline: dt.datetime
) -> dict[str, str]:
    errors = {}
    if not steps:
        errors["steps"] = _("見積を依頼する工程を選んでください。")
    elif any(s.job_id != job.pk for s in steps):
        errors["steps"] = _("この案件の工程を選んでください。")
    elif any(s.in_house for s in steps):
        errors["steps"] = _("社内で行う工程は見積依頼できません。")
    elif any(s.status != StepStatus.PLANNED for s in steps):
        errors["steps"] = _("見積依頼できるのは「計画」の工程だけです。")
    if not recipients:
        errors["recipients"] = _("依頼先を 1 社以上選んでください。")
    elif any(c.pk == job.company_id for c in recipients):
        errors["recipients"] = _("自社には見積を依頼できません。")
    elif any(not c.is_active for c in recipients):
        errors["recipients"] = _("利用停止中の企業には見積を依頼できません。")
    if deadline <= timezone.now():
        errors["deadline"] = _("回答期限には未来の日時を指定してください。")
    return errors


def _invite(actor: User, rfq: Rfq, companies: list[Company], *, ip_address: str | None) -> None:
    """A recipient row per company, each with view-only grants on the job's drawings."""

    job = rfq.job
    # Only the owner's own drawings: a buyer's drawings on a job won through the board
    # are shared by the buyer, not passed on by the lead.
    documents = list(job.documents.filter(destroyed_at__isnull=True, company=job.company))
    for company in companies:
        recipient = RfqRecipient.objects.create(rfq=rfq, company=company)
        grants = [
            grant_create(
                actor=actor,
                document=document,
                grantee=company,
                can_download=False,
                ip_address=ip_address,
            )
            for document in documents
        ]
        recipient.grants.set(grants)


@dataclass(frozen=True)
class PlannedRequest:
    """One row of a network plan to turn into an RFQ: the step, the shop proposed for it
    and the proposed dates (they become the step's planned dates)."""

    step: Step
    company: Company
    start: dt.date | None = None
    end: dt.date | None = None


@transaction.atomic
def plan_rfqs_send(
    *,
    actor: User,
    job: Job,
    rows: list[PlannedRequest],
    deadline: dt.datetime,
    message: str = "",
    ip_address: str | None = None,
) -> list[Rfq]:
    """ネットワーク計画 → RFQs in one action: one ``rfq_send`` per proposed shop, with the
    steps proposed for it and the proposed dates in its message; the steps take the
    proposed dates as planned dates. All or nothing: a step already asked or ordered
    since the plan was made refuses the whole action."""
    _require_job_editor(actor, job)
    _require_open(job)
    _check_plan_rows(job, rows, deadline)
    locked = _lock_plan_steps(rows)
    now = timezone.now()
    for row in rows:
        if row.start and row.end:
            Step.objects.filter(pk=row.step.pk).update(
                planned_start=row.start, planned_end=row.end, updated_at=now
            )
            audit_record(actor=actor, verb="step.update", target=row.step, company=job.company)
    by_company: dict[int, tuple[Company, list[PlannedRequest]]] = {}
    for row in sorted(rows, key=lambda r: locked[r.step.pk].position):
        by_company.setdefault(row.company.pk, (row.company, []))[1].append(row)
    return [
        rfq_send(
            actor=actor,
            job=job,
            steps=[locked[row.step.pk] for row in planned],
            recipients=[company],
            deadline=deadline,
            message=_plan_message(planned, locked, message),
            ip_address=ip_address,
        )
        for company, planned in by_company.values()
    ]


def _check_plan_rows(job: Job, rows: list[PlannedRequest], deadline: dt.datetime) -> None:
    if not rows:
        raise ApplicationError(
            NetworkErrorCode.PLAN_EMPTY,
            _("見積を依頼する工程がありません。計画を作り直してください。"),
        )
    if deadline <= timezone.now():
        raise ApplicationError(
            NetworkErrorCode.PLAN_INVALID,
            _("回答期限には未来の日時を指定してください。"),
            fields={"deadline": [_("回答期限には未来の日時を指定してください。")]},
        )
    if any(r.step.job_id != job.pk for r in rows) or len({r.step.pk for r in rows}) != len(rows):
        raise ApplicationError(
            NetworkErrorCode.PLAN_INVALID, _("この案件の工程を 1 回ずつ指定してください。")
        )
    if any(r.company.pk == job.company_id for r in rows):
        raise ApplicationError(NetworkErrorCode.PLAN_INVALID, _("自社には見積を依頼できません。"))
    if any(r.start and r.end and r.start > r.end for r in rows):
        raise ApplicationError(
            NetworkErrorCode.PLAN_INVALID, _("開始予定日は完了予定日以前にしてください。")
        )


def _lock_plan_steps(rows: list[PlannedRequest]) -> dict[int, Step]:
    """The rows' steps, locked, if every one is still planned and unassigned."""
    locked = {
        s.pk: s
        for s in Step.objects.select_for_update()
        .select_related("process")
        .filter(pk__in=[r.step.pk for r in rows])
    }
    stale = [
        s
        for s in locked.values()
        if s.status != StepStatus.PLANNED or s.in_house or s.performer_id is not None
    ]
    if stale:
        step = min(stale, key=lambda s: s.position)
        raise ApplicationError(
            NetworkErrorCode.PLAN_OUTDATED,
            _(
                "%(position)d. %(process)s はすでに見積依頼・発注されています。"
                "計画を作り直してください (何も送っていません)。"
            )
            % {"position": step.position, "process": step.process},
        )
    return locked


def _plan_message(planned: list[PlannedRequest], locked: dict[int, Step], message: str) -> str:
    """The RFQ's message: the proposed dates of each step, then the owner's own words."""
    lines = [_("ネットワーク計画による見積依頼です。希望する日程:")]
    for row in planned:
        step = locked[row.step.pk]
        if row.start and row.end:
            lines.append(
                _("%(position)d. %(process)s: %(start)s 着手 〜 %(end)s 完了")
                % {
                    "position": step.position,
                    "process": step.process,
                    "start": format_date(row.start),
                    "end": format_date(row.end),
                }
            )
        else:
            lines.append(f"{step.position}. {step.process}")
    if message.strip():
        lines += ["", message.strip()]
    return "\n".join(lines)


def _require_recipient_editor(actor: User, recipient: RfqRecipient) -> None:
    if not has_role(actor, recipient.company, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_RECIPIENT_EDITOR,
            _("見積に回答できるのは、依頼先企業の経営者とスタッフだけです。"),
        )


def _recipient_for_answer(actor: User, recipient: RfqRecipient) -> RfqRecipient:
    _require_recipient_editor(actor, recipient)
    return _lock_answerable(recipient)


def _clean_breaks(quantity_breaks: list[dict[str, Any]] | None) -> list[dict[str, int]]:
    cleaned = []
    for row in quantity_breaks or []:
        quantity, price = int(row["quantity"]), int(row["price"])
        if quantity < 1 or price < 1:
            raise invalid_input(
                NetworkErrorCode.QUOTE_INVALID,
                quantity_breaks=_("数量別の金額は、数量・金額とも 1 以上にしてください。"),
            )
        cleaned.append({"quantity": quantity, "price": price})
    return sorted(cleaned, key=lambda row: row["quantity"])


# Upper bounds a real quote never reaches; beyond them the database (PostgreSQL) would
# refuse the value with an error instead of a message.
MAX_QUOTE_PRICE = 100_000_000_000


MAX_LEAD_TIME_DAYS = 3650


def _check_quote(
    *, price: int | None, lead_time_days: int | None, valid_until: dt.date | None
) -> None:
    errors = {}
    if price is None or price < 1:
        errors["price"] = _("金額は 1 円以上で入力してください。")
    elif price > MAX_QUOTE_PRICE:
        errors["price"] = _("金額が大きすぎます。入力を確かめてください。")
    if lead_time_days is None or lead_time_days < 1:
        errors["lead_time_days"] = _("納期は 1 日以上で入力してください。")
    elif lead_time_days > MAX_LEAD_TIME_DAYS:
        errors["lead_time_days"] = _("納期は 3650 日以内で入力してください。")
    if valid_until is None or valid_until < timezone.localdate():
        errors["valid_until"] = _("有効期限には今日以降の日付を指定してください。")
    if errors:
        raise invalid_input(NetworkErrorCode.QUOTE_INVALID, **errors)


def _quote_write(
    *,
    actor: User | None,
    recipient: RfqRecipient,
    price: int,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str,
    quantity_breaks: list[dict[str, Any]] | None,
    audit_extra: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> Quote:
    """Store the quote of a locked, answerable recipient (whoever answers for it: a
    member, or the holder of its one-time link with ``actor=None``) and tell the owner."""
    quote = Quote(
        recipient=recipient,
        price=price,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        conditions=conditions.strip(),
        quantity_breaks=_clean_breaks(quantity_breaks),
        submitted_by=actor,
    )
    full_clean_or_raise(
        quote,
        code=NetworkErrorCode.QUOTE_INVALID,
        duplicate_code=NetworkErrorCode.RFQ_ALREADY_ANSWERED,
        duplicate_message=_("この見積依頼には、すでに回答しています。"),
    )
    try:
        with transaction.atomic():
            quote.save()
    except IntegrityError:
        raise ApplicationError(
            NetworkErrorCode.RFQ_ALREADY_ANSWERED, _("この見積依頼には、すでに回答しています。")
        ) from None
    recipient.status = RecipientStatus.QUOTED
    recipient.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="quote.submit",
        target=quote,
        company=recipient.company,
        after=audit_extra,
        ip_address=ip_address,
    )
    job = recipient.rfq.job
    notify_company(
        company=job.company,
        kind="quote_received",
        params={
            "supplier": recipient.company.name,
            "part": job.part_name,
            "price": format_yen(price),
        },
        path=reverse("network:rfq_detail", args=[recipient.rfq_id]),
    )
    return quote


@transaction.atomic
def quote_submit(
    *,
    actor: User,
    recipient: RfqRecipient,
    price: int,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str = "",
    quantity_breaks: list[dict[str, Any]] | None = None,
) -> Quote:
    _check_quote(price=price, lead_time_days=lead_time_days, valid_until=valid_until)
    recipient = _recipient_for_answer(actor, recipient)
    return _quote_write(
        actor=actor,
        recipient=recipient,
        price=price,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        conditions=conditions,
        quantity_breaks=quantity_breaks,
    )


def _check_decline(reason: str) -> None:
    if not reason.strip():
        raise invalid_input(
            NetworkErrorCode.DECLINE_INVALID, reason=_("辞退の理由を入力してください。")
        )


def _decline_write(
    *,
    actor: User | None,
    recipient: RfqRecipient,
    reason: str,
    audit_extra: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> RfqRecipient:
    recipient.status = RecipientStatus.DECLINED
    recipient.decline_reason = reason.strip()[:500]
    recipient.save(update_fields=["status", "decline_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="quote.decline",
        target=recipient,
        company=recipient.company,
        after=audit_extra,
        ip_address=ip_address,
    )
    return recipient


@transaction.atomic
def quote_decline(*, actor: User, recipient: RfqRecipient, reason: str) -> RfqRecipient:
    _check_decline(reason)
    recipient = _recipient_for_answer(actor, recipient)
    return _decline_write(actor=actor, recipient=recipient, reason=reason)
