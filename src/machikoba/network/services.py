"""Writes for jobs, routes, RFQs, quotes, orders and step progress. Views and the API
call only these. Every state change checks the allowed source state under a row lock,
so of two concurrent attempts exactly one wins and the other gets a clear message."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.money import format_yen
from machikoba.core.notifications import EVERYONE, notify_company
from machikoba.network.access import is_editor, is_member
from machikoba.network.choices import (
    GuestLinkChannel,
    JobStatus,
    OrderEventKind,
    OrderStatus,
    PaymentMethod,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)
from machikoba.network.models import (
    BusinessMatch,
    Claim,
    GuestLink,
    Job,
    Order,
    OrderEvent,
    Quote,
    Rating,
    Rfq,
    RfqQuestion,
    RfqRecipient,
    Step,
)

# 中小受託取引適正化法: payment within 60 days of receiving the work.
MAX_PAYMENT_DAYS = 60


def _require_job_editor(actor, job: Job) -> None:
    if not is_editor(actor, job.company):
        raise PermissionRefused(
            "not_job_editor", _("案件を変更できるのは、発注元企業の経営者とスタッフだけです。")
        )


def _require_open(job: Job) -> None:
    if job.status != JobStatus.OPEN:
        raise ApplicationError(
            "job_not_open", _("この案件は完了または中止しているため、変更できません。")
        )


# --- jobs and routes --------------------------------------------------------------------


@transaction.atomic
def job_create(
    *,
    actor,
    company,
    part_name: str,
    quantity: int,
    due_date: dt.date,
    size_mm: int | None = None,
    drawing_number: str = "",
    material=None,
    material_note: str = "",
    notes: str = "",
    documents=(),
) -> Job:
    if not is_editor(actor, company):
        raise PermissionRefused(
            "not_job_editor", _("案件を登録できるのは、企業の経営者とスタッフだけです。")
        )
    if due_date < timezone.localdate():
        raise invalid_input("job_invalid", due_date=_("納期には今日以降の日付を指定してください。"))
    job = Job(
        company=company,
        part_name=part_name.strip(),
        drawing_number=drawing_number.strip(),
        material=material,
        material_note=material_note.strip(),
        quantity=quantity,
        size_mm=size_mm,
        due_date=due_date,
        notes=notes.strip(),
        created_by=actor,
    )
    full_clean_or_raise(job, code="job_invalid")
    job.save()
    _attach_documents(job, documents)
    audit_record(actor=actor, verb="job.create", target=job, company=company)
    return job


def _attach_documents(job: Job, documents) -> None:
    foreign = [d for d in documents if d.company_id != job.company_id]
    if foreign:
        raise invalid_input("job_invalid", documents=_("自社の図面だけを添付できます。"))
    job.documents.set(documents)


@transaction.atomic
def job_update(*, actor, job: Job, documents=None, **fields) -> Job:
    _require_job_editor(actor, job)
    _require_open(job)
    allowed = {
        "part_name",
        "drawing_number",
        "material",
        "material_note",
        "quantity",
        "due_date",
        "notes",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if (
        "due_date" in fields
        and fields["due_date"] != job.due_date
        and fields["due_date"] < timezone.localdate()
    ):
        raise invalid_input("job_invalid", due_date=_("納期には今日以降の日付を指定してください。"))
    for name, value in fields.items():
        setattr(job, name, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(job, code="job_invalid")
    job.save()
    if documents is not None:
        _attach_documents(job, documents)
    audit_record(actor=actor, verb="job.update", target=job, company=job.company)
    return job


@transaction.atomic
def job_copy(*, actor, job: Job, due_date: dt.date, quantity: int | None = None) -> Job:
    """A repeat order (リピート品): the part, drawings and route again, nothing of the
    progress, orders or partners' answers."""
    copy = job_create(
        actor=actor,
        company=job.company,
        part_name=job.part_name,
        drawing_number=job.drawing_number,
        material=job.material,
        material_note=job.material_note,
        quantity=quantity or job.quantity,
        size_mm=job.size_mm,
        due_date=due_date,
        notes=job.notes,
        documents=list(job.documents.all()),
    )
    copy.copied_from = job
    copy.save(update_fields=["copied_from"])
    for step in job.steps.order_by("position"):
        Step.objects.create(
            job=copy,
            position=step.position,
            process=step.process,
            spec=step.spec,
            spec_fields=step.spec_fields,
            in_house=step.in_house,
            # An in-house step stays in-house; partners are asked again.
            performer=copy.company if step.in_house else None,
        )
    return copy


def _positions(job: Job) -> list[Step]:
    return list(Step.objects.select_for_update().filter(job=job).order_by("position"))


def _renumber(steps: list[Step]) -> None:
    """Write positions 1..n in the list's order (the unique constraint is deferred)."""
    for index, step in enumerate(steps, start=1):
        if step.position != index:
            step.position = index
            step.save(update_fields=["position", "updated_at"])


@transaction.atomic
def step_add(
    *,
    actor,
    job: Job,
    process,
    spec: str = "",
    spec_fields: dict | None = None,
    in_house: bool = False,
    position: int | None = None,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
) -> Step:
    """Add a step at the end of the route, or insert it at ``position`` (1-based)."""
    _require_job_editor(actor, job)
    _require_open(job)
    steps = _positions(job)
    if position is not None and not 1 <= position <= len(steps) + 1:
        raise invalid_input(
            "step_invalid",
            position=_("順番は 1 から %(n)d の間で指定してください。") % {"n": len(steps) + 1},
        )
    step = Step(
        job=job,
        position=len(steps) + 1,
        process=process,
        spec=spec.strip(),
        spec_fields=spec_fields or {},
        in_house=in_house,
        performer=job.company if in_house else None,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    full_clean_or_raise(step, code="step_invalid")
    step.save()
    if position is not None:
        _check_movable(steps[position - 1 :])
        steps.insert(position - 1, step)
        _renumber(steps)
    audit_record(actor=actor, verb="step.add", target=step, company=job.company)
    return step


def _check_movable(steps: list[Step]) -> None:
    fixed = [s for s in steps if not s.is_editable]
    if fixed:
        raise ApplicationError(
            "step_fixed",
            _("見積依頼・発注・着手した工程 (%(step)s) の順番は変えられません。")
            % {"step": fixed[0].process},
        )


@transaction.atomic
def step_update(
    *,
    actor,
    step: Step,
    spec: str,
    spec_fields: dict | None = None,
    in_house: bool | None = None,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
) -> Step:
    _require_job_editor(actor, step.job)
    _require_open(step.job)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if not step.is_editable and in_house is not None and in_house != step.in_house:
        raise ApplicationError("step_fixed", _("見積依頼・発注した工程の担当は変えられません。"))
    step.spec = spec.strip()
    if spec_fields is not None:
        step.spec_fields = spec_fields
    if in_house is not None and step.is_editable:
        step.in_house = in_house
        step.performer = step.job.company if in_house else None
    step.planned_start, step.planned_end = planned_start, planned_end
    full_clean_or_raise(step, code="step_invalid")
    step.save()
    audit_record(actor=actor, verb="step.update", target=step, company=step.job.company)
    return step


@transaction.atomic
def step_move(*, actor, step: Step, to_position: int) -> Step:
    _require_job_editor(actor, step.job)
    _require_open(step.job)
    steps = _positions(step.job)
    current = next(s for s in steps if s.pk == step.pk)
    if not 1 <= to_position <= len(steps):
        raise invalid_input(
            "step_invalid",
            position=_("順番は 1 から %(n)d の間で指定してください。") % {"n": len(steps)},
        )
    low, high = sorted((current.position, to_position))
    _check_movable(steps[low - 1 : high])
    steps.remove(current)
    steps.insert(to_position - 1, current)
    _renumber(steps)
    audit_record(actor=actor, verb="step.move", target=current, company=step.job.company)
    return current


@transaction.atomic
def step_remove(*, actor, step: Step) -> None:
    _require_job_editor(actor, step.job)
    _require_open(step.job)
    steps = _positions(step.job)
    current = next(s for s in steps if s.pk == step.pk)
    _check_movable(steps[current.position - 1 :])
    audit_record(actor=actor, verb="step.remove", target=current, company=step.job.company)
    steps.remove(current)
    current.delete()
    _renumber(steps)


# --- RFQs and quotes --------------------------------------------------------------------


@transaction.atomic
def rfq_send(
    *,
    actor,
    job: Job,
    steps: list[Step],
    recipients: list,
    deadline: dt.datetime,
    message: str = "",
    questions_public: bool = True,
    ip_address=None,
) -> Rfq:
    """Ask shops for quotes on partner steps. Each recipient gets view-only access to the
    job's drawings (through the document store: it must accept the owner's NDA first)."""
    from machikoba.drawings.services import grant_create

    _require_job_editor(actor, job)
    _require_open(job)
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
    if deadline <= timezone.now():
        errors["deadline"] = _("回答期限には未来の日時を指定してください。")
    if errors:
        raise invalid_input("rfq_invalid", **errors)
    locked = list(Step.objects.select_for_update().filter(pk__in=[s.pk for s in steps]))
    if any(s.status != StepStatus.PLANNED for s in locked):
        raise ApplicationError(
            "step_already_requested",
            _("この工程はすでに見積依頼されています。画面を更新してください。"),
        )
    rfq = Rfq(
        job=job,
        deadline=deadline,
        message=message.strip(),
        questions_public=questions_public,
        created_by=actor,
    )
    full_clean_or_raise(rfq, code="rfq_invalid")
    rfq.save()
    rfq.steps.set(locked)
    # Only the owner's own drawings: a buyer's drawings on a job won through the board
    # are shared by the buyer, not passed on by the lead.
    documents = list(job.documents.filter(destroyed_at__isnull=True, company=job.company))
    for company in dict.fromkeys(recipients):
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
                "deadline": f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}",
            },
            path=reverse("network:rfq_detail", args=[rfq.pk]),
        )
    return rfq


@dataclass(frozen=True)
class PlannedRequest:
    """One row of a network plan to turn into an RFQ: the step, the shop proposed for it
    and the proposed dates (they become the step's planned dates)."""

    step: Step
    company: object
    start: dt.date | None = None
    end: dt.date | None = None


@transaction.atomic
def plan_rfqs_send(
    *,
    actor,
    job: Job,
    rows: list[PlannedRequest],
    deadline: dt.datetime,
    message: str = "",
    ip_address=None,
) -> list[Rfq]:
    """ネットワーク計画 → RFQs in one action: one ``rfq_send`` per proposed shop, with the
    steps proposed for it and the proposed dates in its message; the steps take the
    proposed dates as planned dates. All or nothing: a step already asked or ordered
    since the plan was made refuses the whole action."""
    _require_job_editor(actor, job)
    _require_open(job)
    if not rows:
        raise ApplicationError(
            "plan_empty", _("見積を依頼する工程がありません。計画を作り直してください。")
        )
    if deadline <= timezone.now():
        raise ApplicationError(
            "plan_invalid",
            _("回答期限には未来の日時を指定してください。"),
            fields={"deadline": [_("回答期限には未来の日時を指定してください。")]},
        )
    if any(r.step.job_id != job.pk for r in rows) or len({r.step.pk for r in rows}) != len(rows):
        raise ApplicationError("plan_invalid", _("この案件の工程を 1 回ずつ指定してください。"))
    if any(r.company.pk == job.company_id for r in rows):
        raise ApplicationError("plan_invalid", _("自社には見積を依頼できません。"))
    if any(r.start and r.end and r.start > r.end for r in rows):
        raise ApplicationError("plan_invalid", _("開始予定日は完了予定日以前にしてください。"))
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
            "plan_outdated",
            _(
                "%(position)d. %(process)s はすでに見積依頼・発注されています。"
                "計画を作り直してください (何も送っていません)。"
            )
            % {"position": step.position, "process": step.process},
        )
    now = timezone.now()
    for row in rows:
        if row.start and row.end:
            Step.objects.filter(pk=row.step.pk).update(
                planned_start=row.start, planned_end=row.end, updated_at=now
            )
            audit_record(actor=actor, verb="step.update", target=row.step, company=job.company)
    by_company: dict[int, tuple[object, list[PlannedRequest]]] = {}
    for row in sorted(rows, key=lambda r: locked[r.step.pk].position):
        by_company.setdefault(row.company.pk, (row.company, []))[1].append(row)
    rfqs = []
    for company, planned in by_company.values():
        lines = [_("ネットワーク計画による見積依頼です。希望する日程:")]
        for row in planned:
            step = locked[row.step.pk]
            if row.start and row.end:
                lines.append(
                    _("%(position)d. %(process)s: %(start)s 着手 〜 %(end)s 完了")
                    % {
                        "position": step.position,
                        "process": step.process,
                        "start": f"{row.start:%Y/%m/%d}",
                        "end": f"{row.end:%Y/%m/%d}",
                    }
                )
            else:
                lines.append(f"{step.position}. {step.process}")
        if message.strip():
            lines += ["", message.strip()]
        rfqs.append(
            rfq_send(
                actor=actor,
                job=job,
                steps=[locked[row.step.pk] for row in planned],
                recipients=[company],
                deadline=deadline,
                message="\n".join(lines),
                ip_address=ip_address,
            )
        )
    return rfqs


def _require_recipient_editor(actor, recipient: RfqRecipient) -> None:
    if not is_editor(actor, recipient.company):
        raise PermissionRefused(
            "not_recipient_editor",
            _("見積に回答できるのは、依頼先企業の経営者とスタッフだけです。"),
        )


def _lock_answerable(recipient: RfqRecipient) -> RfqRecipient:
    """The recipient row, locked, if its RFQ still takes an answer from it."""
    locked = (
        RfqRecipient.objects.select_for_update()
        .select_related("rfq__job__company", "company")
        .get(pk=recipient.pk)
    )
    if locked.rfq.status != RfqStatus.OPEN:
        raise ApplicationError("rfq_closed", _("この見積依頼はすでに締め切られています。"))
    if locked.rfq.deadline <= timezone.now():
        raise ApplicationError("rfq_deadline_passed", _("回答期限を過ぎたため、回答できません。"))
    if locked.status != RecipientStatus.INVITED:
        raise ApplicationError(
            "rfq_already_answered", _("この見積依頼には、すでに回答しています。")
        )
    return locked


def _recipient_for_answer(actor, recipient: RfqRecipient) -> RfqRecipient:
    _require_recipient_editor(actor, recipient)
    return _lock_answerable(recipient)


def _clean_breaks(quantity_breaks) -> list[dict]:
    cleaned = []
    for row in quantity_breaks or []:
        quantity, price = int(row["quantity"]), int(row["price"])
        if quantity < 1 or price < 1:
            raise invalid_input(
                "quote_invalid",
                quantity_breaks=_("数量別の金額は、数量・金額とも 1 以上にしてください。"),
            )
        cleaned.append({"quantity": quantity, "price": price})
    return sorted(cleaned, key=lambda row: row["quantity"])


# Upper bounds a real quote never reaches; beyond them the database (PostgreSQL) would
# refuse the value with an error instead of a message.
MAX_QUOTE_PRICE = 100_000_000_000
MAX_LEAD_TIME_DAYS = 3650


def _check_quote(*, price, lead_time_days, valid_until) -> None:
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
        raise invalid_input("quote_invalid", **errors)


def _quote_write(
    *,
    actor,
    recipient: RfqRecipient,
    price: int,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str,
    quantity_breaks,
    audit_extra: dict | None = None,
    ip_address=None,
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
        code="quote_invalid",
        duplicate_code="rfq_already_answered",
        duplicate_message=_("この見積依頼には、すでに回答しています。"),
    )
    try:
        with transaction.atomic():
            quote.save()
    except IntegrityError:
        raise ApplicationError(
            "rfq_already_answered", _("この見積依頼には、すでに回答しています。")
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
    actor,
    recipient: RfqRecipient,
    price: int,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str = "",
    quantity_breaks=None,
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
        raise invalid_input("decline_invalid", reason=_("辞退の理由を入力してください。"))


def _decline_write(
    *, actor, recipient: RfqRecipient, reason: str, audit_extra=None, ip_address=None
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
def quote_decline(*, actor, recipient: RfqRecipient, reason: str) -> RfqRecipient:
    _check_decline(reason)
    recipient = _recipient_for_answer(actor, recipient)
    return _decline_write(actor=actor, recipient=recipient, reason=reason)


# --- award and order --------------------------------------------------------------------


def _order_errors(
    *, delivery_date, inspection_date, payment_date, payment_method, delivery_place, today
) -> dict:
    errors = {}
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


@transaction.atomic
def rfq_award(
    *,
    actor,
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
    from machikoba.drawings.services import grant_revoke

    _require_job_editor(actor, rfq.job)
    today = timezone.localdate()
    errors = _order_errors(
        delivery_date=delivery_date,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        delivery_place=delivery_place,
        today=today,
    )
    if errors:
        raise invalid_input("order_invalid", **errors)
    rfq = Rfq.objects.select_for_update().select_related("job").get(pk=rfq.pk)
    if rfq.status != RfqStatus.OPEN:
        raise ApplicationError(
            "rfq_already_awarded", _("この見積依頼の発注先はすでに決まっています。")
        )
    winner = RfqRecipient.objects.select_related("company").get(pk=winner.pk, rfq=rfq)
    quote = Quote.objects.filter(recipient=winner).first()
    if quote is None or winner.status != RecipientStatus.QUOTED:
        raise ApplicationError("quote_missing", _("見積を提出した企業だけに発注できます。"))
    if quote.valid_until < today:
        raise ApplicationError(
            "quote_expired",
            _("この見積は有効期限 (%(date)s) を過ぎています。") % {"date": quote.valid_until},
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
        work_content=work_content.strip() or _work_content(job, steps),
        price=quote.price,
        delivery_date=delivery_date,
        delivery_place=delivery_place,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
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
    Step.objects.filter(pk__in=[s.pk for s in steps]).update(
        performer=winner.company, updated_at=now
    )
    business_match_record(order=order)
    audit_record(actor=actor, verb="rfq.award", target=order, company=job.company)
    return order


def order_issue(
    *,
    actor,
    job: Job,
    buyer,
    supplier,
    steps: list[Step],
    work_content: str,
    price: int,
    delivery_date: dt.date,
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    rfq: Rfq | None = None,
) -> Order:
    """Write a 注文書 and its "issued" event. The caller has checked who may order and
    the terms (``_order_errors``); the order still passes the model's own constraints."""
    today = timezone.localdate()
    order = Order(
        number=f"tmp-{uuid.uuid4().hex[:20]}",
        job=job,
        rfq=rfq,
        buyer=buyer,
        supplier=supplier,
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
    full_clean_or_raise(order, code="order_invalid")
    order.save()
    order.number = f"PO-{today:%Y%m%d}-{order.pk:06d}"
    order.save(update_fields=["number"])
    order.steps.set(steps)
    _order_event(order, OrderEventKind.ISSUED, actor)
    return order


def order_terms_errors(**terms) -> dict:
    """The 中小受託取引適正化法 checks of an order's dates, place and payment method."""
    return _order_errors(today=timezone.localdate(), **terms)


def work_content_of(job: Job, steps: list[Step]) -> str:
    return _work_content(job, steps)


def _work_content(job: Job, steps: list[Step]) -> str:
    lines = [f"{job.drawing_number} {job.part_name}".strip()]
    for step in steps:
        line = f"・{step.process.name_ja}"
        if step.spec:
            line += f": {step.spec}"
        lines.append(line)
    return "\n".join(lines)


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


def _order_event(order: Order, kind: str, actor, reason: str = "") -> OrderEvent:
    terms = {
        name: value if isinstance(value := getattr(order, name), int) else str(value)
        for name in ORDER_TERMS
    }
    return OrderEvent.objects.create(
        order=order, version=order.version, kind=kind, terms=terms, reason=reason, actor=actor
    )


def _require_buyer(actor, order: Order) -> None:
    if not is_editor(actor, order.buyer):
        raise PermissionRefused(
            "not_buyer", _("注文を変更・取り消しできるのは、発注企業の経営者とスタッフだけです。")
        )


@transaction.atomic
def order_change(*, actor, order: Order, reason: str, **terms) -> Order:
    """A change order: a new version of the order the supplier must accept again. Only
    before the parts have shipped."""
    _require_buyer(actor, order)
    unknown = set(terms) - set(ORDER_TERMS)
    if unknown:
        raise ValueError(f"not order terms: {sorted(unknown)}")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise ApplicationError("order_cancelled", _("取り消した注文は変更できません。"))
    if order.steps.filter(
        status__in=(StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
    ).exists():
        raise ApplicationError(
            "order_delivered", _("出荷済みの注文は変更できません。受注企業と相談してください。")
        )
    if not reason.strip():
        raise invalid_input("order_invalid", reason=_("変更の理由を入力してください。"))
    merged = {name: terms.get(name, getattr(order, name)) for name in ORDER_TERMS}
    errors = _order_errors(
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
        raise invalid_input("order_invalid", **errors)
    for name, value in merged.items():
        setattr(order, name, value.strip() if isinstance(value, str) else value)
    order.version += 1
    order.status, order.accepted_at, order.accepted_by = OrderStatus.ISSUED, None, None
    full_clean_or_raise(order, code="order_invalid")
    order.save()
    _order_event(order, OrderEventKind.CHANGED, actor, reason.strip()[:500])
    audit_record(actor=actor, verb="order.change", target=order, company=order.buyer)
    notify_company(
        company=order.supplier,
        kind="order_changed",
        params={"buyer": order.buyer.name, "order": order.number, "reason": reason.strip()},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str) -> Order:
    """Cancel before work starts: the steps go back to planning (the owner can ask
    again), and the supplier loses access to the drawings."""
    from machikoba.drawings.services import grant_revoke

    _require_buyer(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise ApplicationError("order_cancelled", _("この注文はすでに取り消されています。"))
    if Order.objects.filter(pk=order.pk, board_team__isnull=False).exists():
        raise ApplicationError(
            "order_from_board",
            _(
                "共同受注の注文は、引き合いの画面から取り下げてください"
                " (チームへの連絡も行います)。"
            ),
        )
    if not reason.strip():
        raise invalid_input("order_invalid", reason=_("取り消しの理由を入力してください。"))
    steps = list(order.steps.select_for_update())
    if any(s.status not in (StepStatus.REQUESTED, StepStatus.ORDERED) for s in steps):
        raise ApplicationError(
            "order_started",
            _("受注企業が加工を始めているため、取り消せません。受注企業と相談してください。"),
        )
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    Step.objects.filter(pk__in=[s.pk for s in steps]).update(
        status=StepStatus.PLANNED, performer=None, updated_at=timezone.now()
    )
    if order.rfq_id:
        winner = order.rfq.recipients.filter(company=order.supplier).first()
        if winner is not None:
            for grant in winner.grants.filter(revoked_at__isnull=True):
                grant_revoke(actor=actor, grant=grant)
    _order_event(order, OrderEventKind.CANCELLED, actor, reason.strip()[:500])
    audit_record(actor=actor, verb="order.cancel", target=order, company=order.buyer)
    notify_company(
        company=order.supplier,
        kind="order_cancelled",
        params={"buyer": order.buyer.name, "order": order.number, "reason": reason.strip()},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order


def order_void(*, actor, order: Order, reason: str) -> Order:
    """Cancel an order because the work above it was withdrawn (the buyer of a joint order
    cancelled, or the lead took a member off the team). The caller has checked who may do
    this and that no step has started; the steps go back to planning, without performer."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        return order
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    order.steps.update(status=StepStatus.PLANNED, performer=None, updated_at=timezone.now())
    _order_event(order, OrderEventKind.CANCELLED, actor, reason.strip()[:500])
    notify_company(
        company=order.supplier,
        kind="order_cancelled",
        params={"buyer": order.buyer.name, "order": order.number, "reason": reason.strip()},
        path=reverse("network:order_detail", args=[order.pk]),
    )
    return order


def job_void(*, actor, job: Job) -> Job:
    """Mark a job cancelled because its buyer withdrew the work (the caller checks)."""
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, verb="job.cancel", target=job, company=job.company)
    return job


STARTED_STATES = (
    StepStatus.IN_PROGRESS,
    StepStatus.DONE,
    StepStatus.SHIPPED,
    StepStatus.RECEIVED,
    StepStatus.CLOSED,
)


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
def order_accept(*, actor, order: Order) -> Order:
    """注文請書: the supplier accepts the order; its steps become "ordered"."""
    if not is_editor(actor, order.supplier):
        raise PermissionRefused(
            "not_supplier", _("注文を請けられるのは、受注企業の経営者とスタッフだけです。")
        )
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.ISSUED:
        raise ApplicationError(
            "order_not_open",
            _("この注文はすでに請けているか、取り消されています。画面を更新してください。"),
        )
    order.status, order.accepted_at, order.accepted_by = OrderStatus.ACCEPTED, timezone.now(), actor
    order.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    _order_event(order, OrderEventKind.ACCEPTED, actor)
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


# --- progress ---------------------------------------------------------------------------


def _lock_step(step: Step) -> Step:
    return (
        Step.objects.select_for_update(of=("self",))
        .select_related("job", "performer")
        .get(pk=step.pk)
    )


def _require_performer(actor, step: Step) -> None:
    if step.performer is None or not is_member(actor, step.performer):
        raise PermissionRefused(
            "not_step_performer", _("この工程を進められるのは、担当企業の人だけです。")
        )


def _require_state(step: Step, *allowed: str) -> None:
    if step.status not in allowed:
        raise ApplicationError(
            "step_wrong_state",
            _("この工程は「%(state)s」のため、この操作はできません。画面を更新してください。")
            % {"state": step.get_status_display()},
        )


def _previous(step: Step) -> Step | None:
    return (
        Step.objects.filter(job=step.job, position__lt=step.position).order_by("-position").first()
    )


def _next(step: Step) -> Step | None:
    return (
        Step.objects.filter(job=step.job, position__gt=step.position).order_by("position").first()
    )


def _transition(actor, step: Step, verb: str, **changes) -> Step:
    before = step.status
    for name, value in changes.items():
        setattr(step, name, value)
    full_clean_or_raise(step, code="step_invalid")
    step.save()
    audit_record(
        actor=actor,
        verb=verb,
        target=step,
        company=step.job.company,
        before={"status": before},
        after={"status": step.status},
    )
    return step


@transaction.atomic
def step_allow_early_start(*, actor, step: Step, reason: str) -> Step:
    """The owner lets a step start before the previous step's parts arrived (material
    supplied separately, a rush): recorded with its reason."""
    _require_job_editor(actor, step.job)
    step = _lock_step(step)
    _require_open(step.job)
    _require_state(step, StepStatus.PLANNED, StepStatus.REQUESTED, StepStatus.ORDERED)
    if not reason.strip():
        raise invalid_input("override_invalid", reason=_("理由を入力してください。"))
    step.start_override_reason = reason.strip()[:300]
    step.save(update_fields=["start_override_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="step.allow_early_start",
        target=step,
        company=step.job.company,
        after={"reason": step.start_override_reason},
    )
    return step


@transaction.atomic
def step_start(*, actor, step: Step) -> Step:
    """Start work. The previous step's parts must have been received first, unless the
    job's owner allowed an early start."""
    step = _lock_step(step)
    _require_open(step.job)
    if step.in_house:
        _require_state(step, StepStatus.PLANNED, StepStatus.ORDERED)
    else:
        _require_state(step, StepStatus.ORDERED)
    _require_performer(actor, step)
    previous = _previous(step)
    waiting = previous is not None and previous.status not in (
        StepStatus.RECEIVED,
        StepStatus.CLOSED,
    )
    if waiting and not step.start_override_reason:
        raise ApplicationError(
            "previous_not_received",
            _("前の工程 (%(step)s) の品物をまだ受け入れていません。") % {"step": previous.process},
        )
    return _transition(
        actor, step, "step.start", status=StepStatus.IN_PROGRESS, started_at=timezone.now()
    )


@transaction.atomic
def step_finish(*, actor, step: Step) -> Step:
    step = _lock_step(step)
    _require_state(step, StepStatus.IN_PROGRESS)
    _require_performer(actor, step)
    return _transition(
        actor, step, "step.finish", status=StepStatus.DONE, finished_at=timezone.now()
    )


@transaction.atomic
def step_ship(*, actor, step: Step, quantity: int) -> Step:
    step = _lock_step(step)
    _require_state(step, StepStatus.DONE)
    _require_performer(actor, step)
    if quantity is None or quantity < 1:
        raise invalid_input("ship_invalid", quantity=_("出荷数は 1 以上で入力してください。"))
    _transition(
        actor,
        step,
        "step.ship",
        status=StepStatus.SHIPPED,
        shipped_at=timezone.now(),
        shipped_quantity=quantity,
    )
    receiver = receiver_of(step)
    if receiver is not None and receiver.pk != step.performer_id:
        notify_company(
            company=receiver,
            kind="step_shipped",
            params={
                "sender": step.performer.name,
                "part": step.job.part_name,
                "quantity": quantity,
                "step": f"{step.position}. {step.process.name_ja}",
            },
            path=reverse("network:handoff", args=[step.pk]),
            roles=EVERYONE,
        )
    return step


def ship_quantity_default(step: Step) -> int:
    """What goes on to the next party: the good parts received from the previous step,
    else the job's quantity (a quantity only: the previous step may be another shop's)."""
    previous = (
        Step.objects.filter(job=step.job, position=step.position - 1)
        .values_list("good_quantity", flat=True)
        .first()
    )
    return previous if previous is not None else step.job.quantity


def receiver_of(step: Step):
    """Who receives a step's parts: the next step's performer, or the owner after the last."""
    following = _next(step)
    if following is None:
        return step.job.company
    return following.performer


@transaction.atomic
def step_receive(
    *, actor, step: Step, good_quantity: int, defect_quantity: int = 0, note: str = ""
) -> Step:
    """The next party (or the owner after the last step) counts what arrived. A shortfall
    against what was shipped, or any defect, opens a claim record."""
    step = _lock_step(step)
    _require_state(step, StepStatus.SHIPPED)
    receiver = receiver_of(step)
    if receiver is None or not is_member(actor, receiver):
        raise PermissionRefused(
            "not_receiver", _("受け入れを記録できるのは、次の工程の担当企業の人だけです。")
        )
    if good_quantity is None or good_quantity < 0 or defect_quantity is None or defect_quantity < 0:
        raise invalid_input("receive_invalid", good_quantity=_("数量は 0 以上で入力してください。"))
    if good_quantity + defect_quantity > step.shipped_quantity:
        raise invalid_input(
            "receive_invalid",
            good_quantity=_("良品と不良の合計が出荷数 (%(n)d) を超えています。")
            % {"n": step.shipped_quantity},
        )
    _transition(
        actor,
        step,
        "step.receive",
        status=StepStatus.RECEIVED,
        received_at=timezone.now(),
        good_quantity=good_quantity,
        defect_quantity=defect_quantity,
    )
    if defect_quantity or good_quantity + defect_quantity < step.job.quantity:
        claim = Claim.objects.create(
            step=step,
            expected_quantity=step.job.quantity,
            good_quantity=good_quantity,
            defect_quantity=defect_quantity,
            note=note.strip()[:1000],
            opened_by=actor,
        )
        audit_record(actor=actor, verb="claim.open", target=claim, company=step.job.company)
    return step


@transaction.atomic
def job_close(*, actor, job: Job) -> Job:
    """Close a finished job: every step received; their steps close with it."""
    _require_job_editor(actor, job)
    job = Job.objects.select_for_update().get(pk=job.pk)
    _require_open(job)
    steps = list(job.steps.order_by("position"))
    if not steps:
        raise ApplicationError("job_empty", _("工程のない案件は完了にできません。"))
    unfinished = [s for s in steps if s.status not in (StepStatus.RECEIVED, StepStatus.CLOSED)]
    if unfinished:
        raise ApplicationError(
            "job_unfinished",
            _("まだ受け入れていない工程があります (%(step)s)。") % {"step": unfinished[0].process},
        )
    now = timezone.now()
    job.steps.update(status=StepStatus.CLOSED, updated_at=now)
    job.status, job.closed_at = JobStatus.CLOSED, now
    job.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, verb="job.close", target=job, company=job.company)
    return job


def next_position(job: Job) -> int:
    return (job.steps.aggregate(n=Max("position"))["n"] or 0) + 1


LATE_STATES = (StepStatus.ORDERED, StepStatus.IN_PROGRESS, StepStatus.DONE)


def steps_notify_late(*, today: dt.date | None = None) -> int:
    """Tell the owner and the performer, once, about each step past its planned finish
    (the scheduled check). Returns how many steps were reported."""
    today = today or timezone.localdate()
    late = (
        Step.objects.filter(
            job__status=JobStatus.OPEN,
            planned_end__lt=today,
            late_notified_at__isnull=True,
        )
        .filter(Q(status__in=LATE_STATES) | Q(in_house=True, status=StepStatus.PLANNED))
        .select_related("job__company", "performer", "process")
    )
    count = 0
    for step in late:
        with transaction.atomic():
            claimed = Step.objects.filter(pk=step.pk, late_notified_at__isnull=True).update(
                late_notified_at=timezone.now()
            )
            if not claimed:
                continue  # another run reported it
            params = {
                "part": step.job.part_name,
                "step": f"{step.position}. {step.process.name_ja}",
                "performer": step.performer.name if step.performer else "—",
                "date": f"{step.planned_end:%Y-%m-%d}",
            }
            path = reverse("network:job_detail", args=[step.job_id])
            notify_company(company=step.job.company, kind="step_late", params=params, path=path)
            if step.performer is not None and step.performer_id != step.job.company_id:
                notify_company(company=step.performer, kind="step_late", params=params, path=path)
        count += 1
    return count


# --- questions on an RFQ ----------------------------------------------------------------


@transaction.atomic
def rfq_question_ask(*, actor, recipient: RfqRecipient, question: str) -> RfqQuestion:
    """A shop asked for a quote asks the owner something (before the deadline)."""
    if not is_editor(actor, recipient.company):
        raise PermissionRefused(
            "not_recipient_editor", _("質問できるのは、依頼先企業の経営者とスタッフだけです。")
        )
    rfq = Rfq.objects.select_related("job__company").get(pk=recipient.rfq_id)
    if rfq.status != RfqStatus.OPEN or rfq.deadline <= timezone.now():
        raise ApplicationError("rfq_closed", _("この見積依頼はすでに締め切られています。"))
    if not question.strip():
        raise invalid_input("question_invalid", question=_("質問を入力してください。"))
    asked = RfqQuestion(
        rfq=rfq,
        company=recipient.company,
        asked_by=actor,
        question=question.strip(),
        is_public=rfq.questions_public,
    )
    full_clean_or_raise(asked, code="question_invalid")
    asked.save()
    audit_record(actor=actor, verb="rfq.question", target=asked, company=recipient.company)
    notify_company(
        company=rfq.job.company,
        kind="rfq_question",
        params={"supplier": recipient.company.name, "part": rfq.job.part_name},
        path=reverse("network:rfq_detail", args=[rfq.pk]),
    )
    return asked


@transaction.atomic
def rfq_question_answer(*, actor, question: RfqQuestion, answer: str) -> RfqQuestion:
    """The owner answers; the asker hears of it, and every shop asked when it is public."""
    rfq = question.rfq
    _require_job_editor(actor, rfq.job)
    question = RfqQuestion.objects.select_for_update().get(pk=question.pk)
    if question.answered_at is not None:
        raise ApplicationError("question_answered", _("この質問にはすでに回答しています。"))
    if not answer.strip():
        raise invalid_input("answer_invalid", answer=_("回答を入力してください。"))
    question.answer, question.answered_at, question.answered_by = (
        answer.strip(),
        timezone.now(),
        actor,
    )
    full_clean_or_raise(question, code="answer_invalid")
    question.save()
    audit_record(actor=actor, verb="rfq.answer", target=question, company=rfq.job.company)
    told = (
        [r.company for r in rfq.recipients.select_related("company")]
        if question.is_public
        else [question.company]
    )
    for company in told:
        notify_company(
            company=company,
            kind="rfq_answer",
            params={"buyer": rfq.job.company.name, "part": rfq.job.part_name},
            path=reverse("network:rfq_detail", args=[rfq.pk]),
        )
    return question


@transaction.atomic
def claim_resolve(*, actor, claim: Claim) -> Claim:
    """The owner closes a shortfall/defect record once it is settled (rework, credit …)."""
    _require_job_editor(actor, claim.step.job)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.resolved_at is not None:
        raise ApplicationError("claim_resolved", _("この記録はすでに解決済みです。"))
    claim.resolved_at = timezone.now()
    claim.save(update_fields=["resolved_at", "updated_at"])
    audit_record(actor=actor, verb="claim.resolve", target=claim, company=claim.step.job.company)
    return claim


# --- ratings ----------------------------------------------------------------------------

PERFORMER_CRITERIA = ("quality", "delivery", "communication")
OWNER_CRITERIA = ("clarity", "payment")


def rating_pairs(job: Job) -> list[tuple[int, int, bool]]:
    """Who may rate whom on a closed job: (rater id, rated id, rated as performer)."""
    performers = sorted(
        {
            pk
            for pk in job.steps.filter(in_house=False).values_list("performer", flat=True)
            if pk and pk != job.company_id
        }
    )
    pairs = [(job.company_id, pk, True) for pk in performers]
    pairs += [(pk, job.company_id, False) for pk in performers]
    return pairs


@transaction.atomic
def rating_submit(
    *, actor, job: Job, rater, rated, scores: dict[str, int], comment: str = ""
) -> Rating:
    """Rate the other side of a closed job, once: the owner rates each performer on
    quality, delivery and communication; a performer rates the owner on clarity of specs
    and payment."""
    if not is_editor(actor, rater):
        raise PermissionRefused(
            "not_rater", _("評価できるのは、その企業の経営者とスタッフだけです。")
        )
    if job.status != JobStatus.CLOSED:
        raise ApplicationError("job_not_closed", _("評価は案件の完了後にできます。"))
    pair = next((p for p in rating_pairs(job) if p[0] == rater.pk and p[1] == rated.pk), None)
    if pair is None:
        raise ApplicationError("not_a_party", _("この案件で取引した相手だけを評価できます。"))
    criteria = PERFORMER_CRITERIA if pair[2] else OWNER_CRITERIA
    errors = {}
    for name in criteria:
        value = scores.get(name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("1 から 5 で評価してください。")
    if errors:
        raise invalid_input("rating_invalid", **errors)
    if Rating.objects.filter(job=job, rater=rater, rated=rated).exists():
        raise ApplicationError("already_rated", _("この相手はすでに評価しています。"))
    rating = Rating(
        job=job,
        rater=rater,
        rated=rated,
        rated_as_performer=pair[2],
        comment=comment.strip(),
        rated_by=actor,
        **{name: scores[name] for name in criteria},
    )
    full_clean_or_raise(
        rating,
        code="rating_invalid",
        duplicate_code="already_rated",
        duplicate_message=_("この相手はすでに評価しています。"),
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ApplicationError("already_rated", _("この相手はすでに評価しています。")) from None
    audit_record(actor=actor, verb="rating.submit", target=rating, company=rater)
    return rating


@transaction.atomic
def rating_respond(*, actor, rating: Rating, response: str) -> Rating:
    """The rated company answers a rating, once."""
    if not is_editor(actor, rating.rated):
        raise PermissionRefused(
            "not_rated", _("返信できるのは、評価された企業の経営者とスタッフだけです。")
        )
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if rating.responded_at is not None:
        raise ApplicationError("already_responded", _("この評価にはすでに返信しています。"))
    if not response.strip():
        raise invalid_input("response_invalid", response=_("返信を入力してください。"))
    rating.response, rating.responded_at = response.strip(), timezone.now()
    full_clean_or_raise(rating, code="response_invalid")
    rating.save(update_fields=["response", "responded_at", "updated_at"])
    audit_record(actor=actor, verb="rating.respond", target=rating, company=rating.rated)
    return rating


# --- one-time links for shops without an account (回答用リンク) ---------------------------

GUEST_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def guest_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def company_has_account(company) -> bool:
    """Someone can sign in for ``company``: it has an active member. (A system question,
    asked for any company an RFQ goes to, so not through a person's scope.)"""
    from machikoba.companies.models import Membership

    return Membership.objects.filter(company=company, user__is_active=True).exists()


def guest_link_expiry(rfq: Rfq) -> dt.datetime:
    """The RFQ's deadline, but at most ``MACHIKOBA_GUEST_LINK_DAYS`` from now."""
    cap = timezone.now() + dt.timedelta(days=settings.MACHIKOBA_GUEST_LINK_DAYS)
    return min(rfq.deadline, cap)


def guest_link_url(token: str) -> str:
    return settings.MACHIKOBA_SITE_URL.rstrip("/") + reverse("network:guest_rfq", args=[token])


@transaction.atomic
def guest_link_issue(
    *, actor, recipient: RfqRecipient, channel: str, email: str = ""
) -> tuple[GuestLink, str]:
    """A fresh one-time link for a recipient that has nobody to sign in: returns the link
    and its token, which is never stored (only its hash) and so is shown or printed now,
    once. Any earlier link of the recipient stops working. An e-mail link is sent after
    commit through the queued e-mail backend."""
    from django.core.validators import validate_email

    rfq = recipient.rfq
    _require_job_editor(actor, rfq.job)
    recipient = _lock_answerable(recipient)
    if company_has_account(recipient.company):
        raise ApplicationError(
            "guest_link_has_account",
            _("この企業にはアカウントがあります。回答用リンクではなく、通常の通知で届きます。"),
        )
    email = email.strip()
    if channel not in GuestLinkChannel.values:
        raise invalid_input("guest_link_invalid_channel", channel=_("送り方を選んでください。"))
    if channel == GuestLinkChannel.EMAIL:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid_input(
                "guest_link_invalid_email", email=_("メールアドレスを正しく入力してください。")
            ) from None
    else:
        email = ""
    now = timezone.now()
    GuestLink.objects.filter(recipient=recipient, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    token = secrets.token_urlsafe(32)
    link = GuestLink(
        recipient=recipient,
        token_hash=guest_token_hash(token),
        channel=channel,
        email=email,
        expires_at=guest_link_expiry(recipient.rfq),
        created_by=actor,
    )
    full_clean_or_raise(link, code="guest_link_invalid")
    link.save()
    audit_record(
        actor=actor,
        verb="guest_link.issue",
        target=link,
        company=rfq.job.company,
        after={"channel": channel, "email": email, "expires_at": link.expires_at.isoformat()},
    )
    if channel == GuestLinkChannel.EMAIL:
        _guest_link_mail(link, token)
    return link, token


def _guest_link_mail(link: GuestLink, token: str) -> None:
    """Queued explicitly (not through whatever ``EMAIL_BACKEND`` is): the message leaves
    only if the link is committed, and is delivered by the worker."""
    from django.core.mail import EmailMessage

    from machikoba.core.mail import QueuedEmailBackend

    rfq = link.recipient.rfq
    job = rfq.job
    sender = rfq.created_by
    # The shop reads Japanese; the owner's own UI language does not matter here.
    with translation.override("ja"):
        subject = _("[machikoba] %(buyer)s から見積依頼が届きました: %(part)s") % {
            "buyer": job.company.name,
            "part": job.part_name,
        }
        body = _(
            "%(company)s 御中\n\n"
            "%(buyer)s から「%(part)s」の見積依頼が届きました。\n"
            "アカウントがなくても、下のリンクをスマートフォンやパソコンで開くと、"
            "依頼の内容と図面 (閲覧のみ) を確認し、見積を出すか辞退できます。\n\n"
            "%(url)s\n\n"
            "このリンクは %(expires)s まで有効で、%(company)s 様専用です。"
            "他の方に転送しないでください。回答後は使えなくなります。\n"
            "お問い合わせ: %(contact)s\n"
        ) % {
            "company": link.recipient.company.name,
            "buyer": job.company.name,
            "part": job.part_name,
            "url": guest_link_url(token),
            "expires": f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}",
            "contact": guest_contact(rfq),
        }
    EmailMessage(
        subject=subject,
        body=body,
        to=[link.email],
        reply_to=[sender.email] if sender is not None and sender.email else [],
        connection=QueuedEmailBackend(),
    ).send()


def guest_contact(rfq: Rfq) -> str:
    """Who at the owner the shop can call about the RFQ: its sender and company."""
    sender = rfq.created_by
    parts = [rfq.job.company.name]
    if sender is not None:
        parts.append(" ".join(p for p in (sender.get_full_name(), sender.email) if p))
    return " ・ ".join(p for p in parts if p)


class GuestLinkRefused(ApplicationError):
    """A link that cannot be used. ``link`` is set only when the token was genuine (expired,
    replaced, closed): the page may then name the sender, never anything else."""

    def __init__(self, code, message, *, link=None, status_code=410):
        super().__init__(code, message, status_code=status_code)
        self.link = link


def _refuse(code: str, reason: str, *, link=None, ip_address=None) -> GuestLinkRefused:
    with transaction.atomic():
        audit_record(
            actor=None,
            verb="guest_link.refused",
            target=link,
            company=link.recipient.rfq.job.company if link is not None else None,
            after={"reason": reason},
            ip_address=ip_address,
        )
    messages = {
        "guest_link_invalid": _("このリンクは使えません。"),
        "guest_link_expired": _("このリンクは有効期限が切れています。"),
        "guest_link_revoked": _("このリンクは新しいリンクに置き換えられたため、使えません。"),
        "guest_link_closed": _("この見積依頼は締め切られました。"),
    }
    status = 404 if link is None else 410
    return GuestLinkRefused(code, messages[code], link=link, status_code=status)


def guest_link_resolve(*, token: str, ip_address=None, record_open: bool = False) -> GuestLink:
    """The link a token opens, or ``GuestLinkRefused``: unknown or tampered (404, and
    nothing about any RFQ), expired, replaced, or its RFQ closed before it was answered
    (410). Every refusal is logged with the address it came from; with ``record_open``
    the opening is logged and counted too."""
    link = None
    if GUEST_TOKEN_PATTERN.fullmatch(token or ""):
        link = (
            GuestLink.objects.select_related(
                "recipient__company", "recipient__rfq__job__company", "recipient__rfq__created_by"
            )
            .filter(token_hash=guest_token_hash(token))
            .first()
        )
    if link is None:
        raise _refuse("guest_link_invalid", "unknown", ip_address=ip_address)
    if link.revoked_at is not None:
        raise _refuse("guest_link_revoked", "revoked", link=link, ip_address=ip_address)
    if link.is_expired:
        raise _refuse("guest_link_expired", "expired", link=link, ip_address=ip_address)
    rfq = link.recipient.rfq
    if link.used_at is None and (rfq.status != RfqStatus.OPEN or rfq.deadline <= timezone.now()):
        raise _refuse("guest_link_closed", "rfq_closed", link=link, ip_address=ip_address)
    if record_open:
        now = timezone.now()
        with transaction.atomic():
            GuestLink.objects.filter(pk=link.pk).update(
                open_count=F("open_count") + 1, last_opened_at=now
            )
            audit_record(
                actor=None,
                verb="guest_link.open",
                target=link,
                company=rfq.job.company,
                ip_address=ip_address,
            )
        link.refresh_from_db(fields=["open_count", "last_opened_at"])
    return link


def _lock_link(link: GuestLink) -> GuestLink:
    locked = GuestLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is not None or locked.is_expired:
        raise ApplicationError("guest_link_expired", _("このリンクはもう使えません。"))
    return locked


def _answer_by_link(link: GuestLink) -> tuple[GuestLink, RfqRecipient]:
    locked = _lock_link(link)
    if locked.used_at is not None:
        raise ApplicationError(
            "rfq_already_answered", _("このリンクからは、すでに回答しています。")
        )
    return locked, _lock_answerable(locked.recipient)


def _mark_used(link: GuestLink) -> None:
    link.used_at = timezone.now()
    link.save(update_fields=["used_at", "updated_at"])


@transaction.atomic
def guest_quote_submit(
    *,
    link: GuestLink,
    price: int,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str = "",
    quantity_breaks=None,
    ip_address=None,
) -> Quote:
    """The holder of a recipient's one-time link quotes; the link is then used up."""
    _check_quote(price=price, lead_time_days=lead_time_days, valid_until=valid_until)
    link, recipient = _answer_by_link(link)
    quote = _quote_write(
        actor=None,
        recipient=recipient,
        price=price,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        conditions=conditions,
        quantity_breaks=quantity_breaks,
        audit_extra={"guest_link": link.pk},
        ip_address=ip_address,
    )
    _mark_used(link)
    return quote


@transaction.atomic
def guest_decline(*, link: GuestLink, reason: str, ip_address=None) -> RfqRecipient:
    """The holder of a recipient's one-time link declines; the link is then used up."""
    _check_decline(reason)
    link, recipient = _answer_by_link(link)
    recipient = _decline_write(
        actor=None,
        recipient=recipient,
        reason=reason,
        audit_extra={"guest_link": link.pk},
        ip_address=ip_address,
    )
    _mark_used(link)
    return recipient


@transaction.atomic
def guest_claim(*, link: GuestLink, email: str, name: str, password: str, ip_address=None):
    """After answering, the link holder creates the first account of its company (as its
    owner) and can then sign in like anyone else. Only while the company has nobody."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.validators import validate_email

    from machikoba.companies.choices import CompanyRole
    from machikoba.companies.models import Company
    from machikoba.companies.services import membership_add

    link = _lock_link(link)
    if link.used_at is None:
        raise ApplicationError("guest_claim_too_early", _("先に見積か辞退を送ってください。"))
    # Two claims at once: the company row is the lock, so only the first finds it empty.
    company = Company.objects.select_for_update().get(pk=link.recipient.company_id)
    if link.claimed_at is not None or company_has_account(company):
        raise ApplicationError(
            "guest_claim_taken",
            _("この企業のアカウントはすでにあります。ログインしてください。"),
        )
    user_model = get_user_model()
    email, name = email.strip().lower(), name.strip()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("メールアドレスを正しく入力してください。")
    else:
        if user_model.objects.filter(email__iexact=email).exists():
            errors["email"] = _("このメールアドレスは使えません。別のアドレスを入力してください。")
    if not name:
        errors["name"] = _("氏名を入力してください。")
    elif len(name) > 100:
        errors["name"] = _("氏名は 100 文字以内で入力してください。")
    if not errors:
        try:
            validate_password(password, user_model(email=email, name=name))
        except ValidationError as error:
            errors["password"] = " ".join(error.messages)
    if errors:
        raise invalid_input("guest_claim_invalid", **errors)
    user = user_model.objects.create_user(email, password, name=name)
    # An address the link was mailed to is proven; any other is confirmed at first sign-in.
    proven = link.channel == GuestLinkChannel.EMAIL and link.email.lower() == email
    account_email_record(user=user, verified=proven)
    membership_add(actor=None, company=company, user=user, role=CompanyRole.OWNER)
    link.claimed_at = timezone.now()
    link.save(update_fields=["claimed_at", "updated_at"])
    audit_record(
        actor=None,
        verb="guest_link.claim",
        target=link,
        company=company,
        after={"user": email},
        ip_address=ip_address,
    )
    return user


def account_email_record(*, user, verified: bool) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
