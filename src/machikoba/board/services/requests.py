"""Posting a request (a buyer's part, or a shop's own job steps) and withdrawing it.

A buyer cancels an awarded request only while no step has started; the orders under it
are cancelled with the buyer's reason. After work has started the parties settle it
among themselves (the costs already incurred are owed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.choices import Audience, MemberStatus, RequestStatus, TeamStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Request, RequestProcess, Team
from machikoba.board.services._documents import _revoke
from machikoba.board.services._guards import _require_editor, _require_poster
from machikoba.companies.choices import CompanyKind
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.network.choices import StepStatus
from machikoba.network.internal import job_void, order_void
from machikoba.network.selectors import job_work_started

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company, Material, ProcessCategory
    from machikoba.drawings.models import Document
    from machikoba.network.models import Job, Step

MAX_PROCESSES = 20


def _process_names(request: Request) -> str:
    return "・".join(p.process.name_ja for p in request.processes.select_related("process"))


def _request_errors(
    *,
    company: Company,
    due_date: dt.date,
    answer_by: dt.date,
    processes: Sequence[tuple[ProcessCategory, str]],
    documents: Sequence[Document],
    audience: str,
    invited: Sequence[Company],
) -> dict[str, str]:
    today = timezone.localdate()
    errors = {}
    if answer_by < today:
        errors["answer_by"] = _("回答期限には今日以降の日付を指定してください。")
    if due_date < answer_by:
        errors["due_date"] = _("納期は回答期限より後の日付にしてください。")
    if not processes:
        errors["processes"] = _("必要な工程を 1 つ以上選んでください。")
    elif len(processes) > MAX_PROCESSES:
        errors["processes"] = _("工程は %(n)d 個までです。") % {"n": MAX_PROCESSES}
    if any(d.company_id != company.pk for d in documents):
        errors["documents"] = _("自社の図面だけを添付できます。")
    if audience == Audience.CHOSEN and not invited:
        errors["invited"] = _("依頼する企業を 1 社以上選んでください。")
    elif any(c.pk == company.pk for c in invited):
        errors["invited"] = _("自社には依頼できません。")
    elif any(c.kind != CompanyKind.SHOP or not c.is_active for c in invited):
        errors["invited"] = _("依頼できるのは、仲間まわしに参加している町工場です。")
    return errors


@transaction.atomic
def request_post(
    *,
    actor: User,
    company: Company,
    part_name: str,
    quantity: int,
    due_date: dt.date,
    answer_by: dt.date,
    processes: Sequence[tuple[ProcessCategory, str]],
    drawing_number: str = "",
    material: Material | None = None,
    material_note: str = "",
    area: str = "",
    delivery_place: str = "",
    description: str = "",
    documents: Iterable[Document] = (),
    audience: str = Audience.BOARD,
    invited: Iterable[Company] = (),
) -> Request:
    """Post a part to the board (or to chosen shops). ``processes`` is the route as
    ``[(ProcessCategory, spec), …]``."""
    _require_editor(actor, company, _("引き合いを出せるのは、企業の経営者とスタッフだけです。"))
    invited = list(dict.fromkeys(invited))
    documents = list(documents)
    errors = _request_errors(
        company=company,
        due_date=due_date,
        answer_by=answer_by,
        processes=processes,
        documents=documents,
        audience=audience,
        invited=invited,
    )
    if errors:
        raise invalid_input(BoardErrorCode.REQUEST_INVALID, **errors)
    request = Request(
        company=company,
        part_name=part_name.strip(),
        drawing_number=drawing_number.strip(),
        material=material,
        material_note=material_note.strip(),
        quantity=quantity,
        due_date=due_date,
        answer_by=answer_by,
        area=area.strip() or f"{company.prefecture}{company.municipality}",
        delivery_place=delivery_place.strip() or company.address,
        description=description.strip(),
        audience=audience,
        created_by=actor,
    )
    full_clean_or_raise(request, code=BoardErrorCode.REQUEST_INVALID)
    request.save()
    request.documents.set(documents)
    if audience == Audience.CHOSEN:
        request.invited.set(invited)
    for position, (process, spec) in enumerate(processes, start=1):
        item = RequestProcess(request=request, position=position, process=process, spec=spec)
        full_clean_or_raise(item, code=BoardErrorCode.REQUEST_INVALID)
        item.save()
    audit_record(actor=actor, verb="request.post", target=request, company=company)
    for shop in invited if audience == Audience.CHOSEN else ():
        notify_company(
            company=shop,
            kind="request_invited",
            params={
                "part": request.part_name,
                "processes": _process_names(request),
                "date": format_date(request.answer_by),
            },
            path=reverse("board:request_detail", args=[request.pk]),
        )
    return request


@transaction.atomic
def request_post_job(
    *, actor: User, job: Job, steps: list[Step], answer_by: dt.date, description: str = ""
) -> Request:
    """Post a shop's own job to the board: the chosen partner steps become the request's
    processes. Hands on them lead to ordinary RFQs (``hand_rfq``)."""
    _require_editor(
        actor, job.company, _("案件を掲示できるのは、発注元企業の経営者とスタッフだけです。")
    )
    errors = {}
    if not steps:
        errors["steps"] = _("掲示する工程を選んでください。")
    elif any(s.job_id != job.pk for s in steps):
        errors["steps"] = _("この案件の工程を選んでください。")
    elif any(s.in_house or s.status != StepStatus.PLANNED for s in steps):
        errors["steps"] = _("掲示できるのは、外注する「計画」の工程だけです。")
    elif RequestProcess.objects.filter(step__in=steps, request__status=RequestStatus.OPEN).exists():
        errors["steps"] = _("この工程はすでに掲示板に出ています。")
    if errors:
        raise invalid_input(BoardErrorCode.REQUEST_INVALID, **errors)
    request = request_post(
        actor=actor,
        company=job.company,
        part_name=job.part_name,
        drawing_number=job.drawing_number,
        material=job.material,
        material_note=job.material_note,
        quantity=job.quantity,
        due_date=job.due_date,
        answer_by=answer_by,
        processes=[(s.process, s.spec[:500]) for s in sorted(steps, key=lambda s: s.position)],
        description=description or job.notes,
        documents=list(job.documents.filter(company=job.company, destroyed_at__isnull=True)),
    )
    request.job = job
    request.save(update_fields=["job", "updated_at"])
    for item, step in zip(
        request.processes.order_by("position"),
        sorted(steps, key=lambda s: s.position),
        strict=True,
    ):
        item.step = step
        item.save(update_fields=["step"])
    audit_record(actor=actor, verb="request.post_job", target=request, company=job.company)
    return request


def _void_award(actor: User, awarded: Team, job: Job, reason: str) -> None:
    """Cancel what an award built (the members' orders, the buyer's order, the job), while
    no step of the job has started."""
    if job_work_started(job):
        raise ApplicationError(
            BoardErrorCode.REQUEST_WORK_STARTED,
            _(
                "チームが加工を始めているため、取り下げられません。幹事企業と相談して"
                "ください (着手済みの費用は精算が必要です)。"
            ),
        )
    note = _("発注企業が引き合いを取り下げたため: %(reason)s") % {"reason": reason.strip()}
    for member in awarded.members.filter(order__isnull=False).select_related("order"):
        if member.order is not None:
            order_void(actor=actor, order=member.order, reason=note)
    if awarded.buyer_order is not None:
        order_void(actor=actor, order=awarded.buyer_order, reason=reason)
    job_void(actor=actor, job=job)


def _cancel_teams(actor: User, request: Request) -> set[Company]:
    """Cancel the request's live teams and end their drawings; the companies still in
    them are told."""
    told = set()
    for team in request.teams.exclude(
        status__in=(TeamStatus.WITHDRAWN, TeamStatus.NOT_AWARDED)
    ).prefetch_related("members__company", "members__grants"):
        team.status = TeamStatus.CANCELLED
        team.save(update_fields=["status", "updated_at"])
        for member in team.members.all():
            _revoke(actor, member.grants)
            if member.status in (MemberStatus.JOINED, MemberStatus.INVITED):
                told.add(member.company)
    return told


@transaction.atomic
def request_cancel(*, actor: User, request: Request, reason: str) -> Request:
    """Withdraw a request. Open: the teams are told. Awarded: only while no step of the
    job has started; the buyer's order, the members' orders and the job are cancelled."""
    _require_poster(actor, request)
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not reason.strip():
        raise invalid_input(
            BoardErrorCode.REQUEST_INVALID, reason=_("取り下げの理由を入力してください。")
        )
    if request.status == RequestStatus.CANCELLED:
        raise ApplicationError(
            BoardErrorCode.REQUEST_CANCELLED, _("この引き合いはすでに取り下げています。")
        )
    awarded = request.teams.filter(status=TeamStatus.AWARDED).select_related("job").first()
    if awarded is not None and awarded.job is not None:
        _void_award(actor, awarded, awarded.job, reason)
    now = timezone.now()
    request.status, request.cancelled_at = RequestStatus.CANCELLED, now
    request.cancel_reason = reason.strip()[:500]
    request.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    told = _cancel_teams(actor, request)
    for admission in request.admissions.prefetch_related("grants"):
        _revoke(actor, admission.grants)
    for company in told:
        notify_company(
            company=company,
            kind="request_cancelled",
            params={"part": request.part_name, "reason": request.cancel_reason},
            path=reverse("board:request_detail", args=[request.pk]),
        )
    audit_record(actor=actor, verb="request.cancel", target=request, company=request.company)
    return request
