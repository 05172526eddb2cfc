"""Writes for the open board and joint orders. Views and the API call only these.

The rules the people using it see:
- A shop raises one hand per process; raising again is refused with a pointer to
  changing the hand it has.
- A request's details are shown after the shop accepts the board's NDA and the poster
  admits it (shops the poster chose are admitted as soon as they accept).
- A team changes (members, assignments, amounts) only while it is being formed; after its
  quote is sent the lead withdraws the quote first.
- After award a member leaves the team only while its steps have not started: its order is
  cancelled and its steps go back to the lead to route again.
- A buyer cancels an awarded request only while no step has started; the orders under it
  are cancelled with the buyer's reason. After work has started the parties settle it
  among themselves (the costs already incurred are owed).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.choices import (
    BOARD_NDA_VERSION,
    AdmissionStatus,
    Audience,
    MemberStatus,
    RequestStatus,
    TeamStatus,
)
from machikoba.board.models import (
    Admission,
    Hand,
    Request,
    RequestProcess,
    Team,
    TeamAssignment,
    TeamMember,
)
from machikoba.companies.choices import CompanyKind
from machikoba.core.access import VIEW
from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.network.access import is_editor

MAX_PROCESSES = 20


def _save_once(instance, *, code: str, message: str) -> None:
    """Save a row a unique constraint allows once; a concurrent twin that got there
    first is the same refusal as the validation's, not a server error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ApplicationError(code, message) from None


def _require_editor(actor, company, message: str) -> None:
    if not is_editor(actor, company):
        raise PermissionRefused("not_company_editor", message)


def _require_poster(actor, request: Request) -> None:
    _require_editor(
        actor,
        request.company,
        _("引き合いを管理できるのは、掲示した企業の経営者とスタッフだけです。"),
    )


def _require_open(request: Request) -> None:
    if request.status != RequestStatus.OPEN:
        raise ApplicationError(
            "request_not_open", _("この引き合いは受付を終えています (発注先決定または取り下げ)。")
        )


def _require_shop(actor, company) -> None:
    _require_editor(actor, company, _("この操作ができるのは、企業の経営者とスタッフだけです。"))
    if company.kind != CompanyKind.SHOP or not company.is_active:
        raise PermissionRefused(
            "not_network_shop", _("掲示板に参加できるのは、仲間まわしに参加している町工場です。")
        )


def _require_visible(actor, request: Request) -> None:
    if not Request.objects.for_user(actor, VIEW).filter(pk=request.pk).exists():
        raise PermissionRefused("request_not_visible", _("この引き合いは見られません。"))


def _process_names(request: Request) -> str:
    return "・".join(p.process.name_ja for p in request.processes.select_related("process"))


# --- requests ---------------------------------------------------------------------------


@transaction.atomic
def request_post(
    *,
    actor,
    company,
    part_name: str,
    quantity: int,
    due_date: dt.date,
    answer_by: dt.date,
    processes: list[tuple],
    drawing_number: str = "",
    material=None,
    material_note: str = "",
    area: str = "",
    delivery_place: str = "",
    description: str = "",
    documents=(),
    audience: str = Audience.BOARD,
    invited=(),
) -> Request:
    """Post a part to the board (or to chosen shops). ``processes`` is the route as
    ``[(ProcessCategory, spec), …]``."""
    _require_editor(actor, company, _("引き合いを出せるのは、企業の経営者とスタッフだけです。"))
    today = timezone.localdate()
    invited = list(dict.fromkeys(invited))
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
    if errors:
        raise invalid_input("request_invalid", **errors)
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
    full_clean_or_raise(request, code="request_invalid")
    request.save()
    request.documents.set(documents)
    if audience == Audience.CHOSEN:
        request.invited.set(invited)
    for position, (process, spec) in enumerate(processes, start=1):
        item = RequestProcess(request=request, position=position, process=process, spec=spec)
        full_clean_or_raise(item, code="request_invalid")
        item.save()
    audit_record(actor=actor, verb="request.post", target=request, company=company)
    for shop in invited if audience == Audience.CHOSEN else ():
        notify_company(
            company=shop,
            kind="request_invited",
            params={
                "part": request.part_name,
                "processes": _process_names(request),
                "date": request.answer_by,
            },
            path=reverse("board:request_detail", args=[request.pk]),
        )
    return request


@transaction.atomic
def request_post_job(
    *, actor, job, steps: list, answer_by: dt.date, description: str = ""
) -> Request:
    """Post a shop's own job to the board: the chosen partner steps become the request's
    processes. Hands on them lead to ordinary RFQs (``hand_rfq``)."""
    from machikoba.network.choices import StepStatus

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
        raise invalid_input("request_invalid", **errors)
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


def _revoke(actor, grants) -> None:
    """The drawings go with the work: a company leaving it loses them at once."""
    from machikoba.drawings.services import grant_end

    for grant in grants.filter(revoked_at__isnull=True).select_related("grantee", "document"):
        grant_end(grant=grant, actor=actor, reason=_("引き合いの取引から外れたため"))


@transaction.atomic
def request_cancel(*, actor, request: Request, reason: str) -> Request:
    """Withdraw a request. Open: the teams are told. Awarded: only while no step of the
    job has started; the buyer's order, the members' orders and the job are cancelled."""
    from machikoba.network.internal import job_void, order_void
    from machikoba.network.services import STARTED_STATES

    _require_poster(actor, request)
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not reason.strip():
        raise invalid_input("request_invalid", reason=_("取り下げの理由を入力してください。"))
    if request.status == RequestStatus.CANCELLED:
        raise ApplicationError("request_cancelled", _("この引き合いはすでに取り下げています。"))
    awarded = request.teams.filter(status=TeamStatus.AWARDED).select_related("job").first()
    if awarded is not None and awarded.job is not None:
        if awarded.job.steps.filter(status__in=STARTED_STATES).exists():
            raise ApplicationError(
                "request_work_started",
                _(
                    "チームが加工を始めているため、取り下げられません。幹事企業と相談して"
                    "ください (着手済みの費用は精算が必要です)。"
                ),
            )
        note = _("発注企業が引き合いを取り下げたため: %(reason)s") % {"reason": reason.strip()}
        for member in awarded.members.filter(order__isnull=False).select_related("order"):
            order_void(actor=actor, order=member.order, reason=note)
        if awarded.buyer_order is not None:
            order_void(actor=actor, order=awarded.buyer_order, reason=reason)
        job_void(actor=actor, job=awarded.job)
    now = timezone.now()
    request.status, request.cancelled_at = RequestStatus.CANCELLED, now
    request.cancel_reason = reason.strip()[:500]
    request.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
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


# --- admission (NDA, then the poster's decision) -----------------------------------------


def _share_documents(actor, request: Request, company) -> list:
    from machikoba.drawings.services import grant_create

    return [
        grant_create(actor=actor, document=document, grantee=company, can_download=False)
        for document in request.documents.filter(destroyed_at__isnull=True)
    ]


def _admit(actor, admission: Admission) -> Admission:
    admission.status = AdmissionStatus.ADMITTED
    admission.decided_at, admission.decided_by = timezone.now(), actor
    admission.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    admission.grants.set(_share_documents(actor, admission.request, admission.company))
    audit_record(
        actor=actor, verb="admission.admit", target=admission, company=admission.request.company
    )
    notify_company(
        company=admission.company,
        kind="board_admitted",
        params={"part": admission.request.part_name},
        path=reverse("board:request_detail", args=[admission.request_id]),
    )
    return admission


@transaction.atomic
def admission_request(
    *, actor, company, request: Request, nda_accepted: bool, ip_address=None
) -> Admission:
    """A shop accepts the board's NDA and asks to see the details. Shops the poster chose
    are admitted at once (the poster's choice is its consent)."""
    _require_shop(actor, company)
    _require_visible(actor, request)
    _require_open(request)
    if request.company_id == company.pk:
        raise ApplicationError("own_request", _("自社の引き合いです。"))
    if not nda_accepted:
        raise invalid_input(
            "nda_not_accepted", nda=_("詳細を見るには、秘密保持の条項への同意が必要です。")
        )
    twice = _("この引き合いの詳細は、すでに申請しています。")
    if Admission.objects.filter(request=request, company=company).exists():
        raise ApplicationError("admission_exists", twice)
    admission = Admission(
        request=request,
        company=company,
        nda_version=BOARD_NDA_VERSION,
        nda_accepted_at=timezone.now(),
        nda_accepted_by=actor,
        ip_address=ip_address,
    )
    _save_once(admission, code="admission_exists", message=twice)
    audit_record(actor=actor, verb="admission.request", target=admission, company=company)
    poster = request.created_by
    if (
        request.invited.filter(pk=company.pk).exists()
        and poster is not None
        and is_editor(poster, request.company)
    ):
        return _admit(poster, admission)
    notify_company(
        company=request.company,
        kind="board_admission",
        params={"company": company.name, "part": request.part_name},
        path=reverse("board:request_detail", args=[request.pk]),
    )
    return admission


@transaction.atomic
def admission_decide(*, actor, admission: Admission, admit: bool) -> Admission:
    _require_poster(actor, admission.request)
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.status != AdmissionStatus.REQUESTED:
        raise ApplicationError(
            "admission_decided", _("この申請はすでに判断しています。画面を更新してください。")
        )
    _require_open(admission.request)
    if admit:
        return _admit(actor, admission)
    admission.status = AdmissionStatus.REFUSED
    admission.decided_at, admission.decided_by = timezone.now(), actor
    admission.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_record(
        actor=actor, verb="admission.refuse", target=admission, company=admission.request.company
    )
    return admission


# --- hands ------------------------------------------------------------------------------


def _hand_errors(price, lead_time_days, comment) -> dict:
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
    actor,
    company,
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
        raise ApplicationError("own_request", _("自社の引き合いには手を挙げられません。"))
    if request.answer_by < timezone.localdate():
        raise ApplicationError("request_closed", _("回答期限を過ぎています。"))
    errors = _hand_errors(price, lead_time_days, comment)
    if errors:
        raise invalid_input("hand_invalid", **errors)
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
        hand, code="hand_invalid", duplicate_code="hand_exists", duplicate_message=twice
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
    *, actor, hand: Hand, price: int | None, lead_time_days: int | None, comment: str
) -> Hand:
    _require_shop(actor, hand.company)
    _require_open(hand.process.request)
    errors = _hand_errors(price, lead_time_days, comment)
    if errors:
        raise invalid_input("hand_invalid", **errors)
    hand.price, hand.lead_time_days, hand.comment = price, lead_time_days, comment.strip()
    hand.raised_by = actor
    full_clean_or_raise(hand, code="hand_invalid")
    hand.save()
    audit_record(actor=actor, verb="hand.raise", target=hand, company=hand.company)
    return hand


@transaction.atomic
def hand_withdraw(*, actor, hand: Hand) -> None:
    _require_shop(actor, hand.company)
    audit_record(actor=actor, verb="hand.withdraw", target=hand, company=hand.company)
    hand.delete()


@transaction.atomic
def hand_rfq(*, actor, process: RequestProcess, hands: list[Hand], deadline: dt.datetime):
    """On a posted job, ask the shops whose hands the owner picked for a quote: an
    ordinary RFQ on the job's step, with the drawings shared as every RFQ does."""
    from machikoba.network.services import rfq_send

    request = process.request
    _require_poster(actor, request)
    if request.job is None or process.step is None:
        raise ApplicationError(
            "not_a_job_posting", _("チームで答える引き合いでは、見積はチームから届きます。")
        )
    if not hands or any(h.process_id != process.pk for h in hands):
        raise invalid_input(
            "hand_rfq_invalid", hands=_("この工程に手を挙げた企業を選んでください。")
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


# --- teams ------------------------------------------------------------------------------


def _require_lead(actor, team: Team) -> None:
    _require_editor(
        actor,
        team.lead,
        _("チームを編成できるのは、幹事企業の経営者とスタッフだけです。"),
    )


def _require_forming(team: Team) -> None:
    if team.status != TeamStatus.FORMING:
        raise ApplicationError(
            "team_not_forming",
            _(
                "見積を提出したチームは変更できません。変更するときは、先に見積を取り下げてください。"
            )
            if team.status == TeamStatus.QUOTED
            else _("このチームはすでに終了しています。"),
        )


def _lock_team(team: Team) -> Team:
    return Team.objects.select_for_update().select_related("request", "lead").get(pk=team.pk)


@transaction.atomic
def team_form(*, actor, company, request: Request) -> Team:
    """A shop leads a team for a buyer's request. It must have been admitted (a lead
    answers for the details). The processes it raised a hand for are assigned to it."""
    from machikoba.board.access import details_scope

    _require_shop(actor, company)
    _require_open(request)
    if not request.is_joint:
        raise ApplicationError(
            "not_joint", _("この引き合いは、工程ごとの見積依頼で発注先を決めます。")
        )
    if request.company_id == company.pk:
        raise ApplicationError("own_request", _("自社の引き合いです。"))
    if not Request.objects.filter(details_scope(actor), pk=request.pk).exists():
        raise ApplicationError(
            "not_admitted",
            _(
                "チームの幹事になるには、先に秘密保持に同意して、詳細の閲覧を承認してもらってください。"
            ),
        )
    team = Team(request=request, lead=company, created_by=actor)
    twice = _("この引き合いには、すでに自社が幹事のチームがあります。")
    full_clean_or_raise(
        team, code="team_invalid", duplicate_code="team_exists", duplicate_message=twice
    )
    _save_once(team, code="team_exists", message=twice)
    lead = TeamMember.objects.create(team=team, company=company, status=MemberStatus.JOINED)
    for hand in Hand.objects.filter(process__request=request, company=company):
        TeamAssignment.objects.create(team=team, process=hand.process, member=lead)
    audit_record(actor=actor, verb="team.form", target=team, company=company)
    return team


@transaction.atomic
def team_invite(*, actor, team: Team, company) -> TeamMember:
    team = _lock_team(team)
    _require_lead(actor, team)
    _require_forming(team)
    if company.kind != CompanyKind.SHOP or not company.is_active:
        raise invalid_input("team_invalid", company=_("招待できるのは、仲間まわしの町工場です。"))
    if company.pk == team.request.company_id:
        raise invalid_input("team_invalid", company=_("発注企業はチームに入れません。"))
    member = TeamMember.objects.filter(team=team, company=company).first()
    if member is not None and member.status in (MemberStatus.INVITED, MemberStatus.JOINED):
        raise ApplicationError("member_exists", _("この企業はすでにチームにいます。"))
    if member is None:
        member = TeamMember.objects.create(team=team, company=company)
    else:
        member.status, member.removed_reason = MemberStatus.INVITED, ""
        member.save(update_fields=["status", "removed_reason", "updated_at"])
    audit_record(actor=actor, verb="team.invite", target=member, company=team.lead)
    notify_company(
        company=company,
        kind="team_invited",
        params={"lead": team.lead.name, "part": team.request.part_name},
        path=reverse("board:team_detail", args=[team.pk]),
    )
    return member


def _lock_member(member: TeamMember) -> TeamMember:
    return (
        TeamMember.objects.select_for_update()
        .select_related("team__request", "team__lead", "company")
        .get(pk=member.pk)
    )


@transaction.atomic
def member_answer(*, actor, member: TeamMember, join: bool) -> TeamMember:
    """The invited shop joins or declines; declining hands its processes back."""
    member = _lock_member(member)
    _require_shop(actor, member.company)
    _require_forming(member.team)
    if member.status != MemberStatus.INVITED:
        raise ApplicationError(
            "member_answered", _("この依頼にはすでに回答しています。画面を更新してください。")
        )
    member.status = MemberStatus.JOINED if join else MemberStatus.DECLINED
    member.save(update_fields=["status", "updated_at"])
    if not join:
        member.assignments.all().delete()
    audit_record(
        actor=actor,
        verb="team.join" if join else "team.decline",
        target=member,
        company=member.company,
    )
    return member


def _reset_quote(member: TeamMember) -> None:
    if member.submitted_at is not None:
        member.internal_price, member.delivery_date, member.submitted_at = None, None, None
        member.save(update_fields=["internal_price", "delivery_date", "submitted_at", "updated_at"])


@transaction.atomic
def team_assign(
    *, actor, team: Team, process: RequestProcess, member: TeamMember | None
) -> TeamAssignment | None:
    """Give a process to a member (``None`` takes it back). The members whose share
    changed quote again."""
    team = _lock_team(team)
    _require_lead(actor, team)
    _require_forming(team)
    if process.request_id != team.request_id:
        raise invalid_input("team_invalid", process=_("この引き合いの工程を選んでください。"))
    if member is not None and (
        member.team_id != team.pk
        or member.status not in (MemberStatus.INVITED, MemberStatus.JOINED)
    ):
        raise invalid_input("team_invalid", member=_("チームのメンバーを選んでください。"))
    current = TeamAssignment.objects.filter(team=team, process=process).first()
    if current is not None:
        if member is not None and current.member_id == member.pk:
            return current
        _reset_quote(current.member)
        current.delete()
    if member is None:
        return None
    _reset_quote(member)
    assignment = TeamAssignment.objects.create(team=team, process=process, member=member)
    audit_record(actor=actor, verb="team.assign", target=assignment, company=team.lead)
    return assignment


@transaction.atomic
def member_quote(
    *, actor, member: TeamMember, price: int, delivery_date: dt.date, note: str = ""
) -> TeamMember:
    """A member's internal quote to the lead for the processes it covers."""
    member = _lock_member(member)
    _require_shop(actor, member.company)
    team = member.team
    _require_forming(team)
    errors = {}
    if member.status != MemberStatus.JOINED:
        raise ApplicationError("member_not_joined", _("チームに参加してから見積を出してください。"))
    if not member.assignments.exists():
        raise ApplicationError(
            "member_unassigned", _("担当する工程がまだありません。幹事企業に確認してください。")
        )
    if price is None or price < 1:
        errors["price"] = _("金額は 1 円以上で入力してください。")
    if delivery_date < timezone.localdate():
        errors["delivery_date"] = _("完了日には今日以降の日付を指定してください。")
    elif delivery_date > team.request.due_date:
        errors["delivery_date"] = _("完了日は引き合いの納期 (%(date)s) までにしてください。") % {
            "date": team.request.due_date
        }
    if errors:
        raise invalid_input("member_quote_invalid", **errors)
    member.internal_price, member.delivery_date = price, delivery_date
    member.note, member.submitted_at = note.strip()[:500], timezone.now()
    member.save(
        update_fields=["internal_price", "delivery_date", "note", "submitted_at", "updated_at"]
    )
    audit_record(actor=actor, verb="team.member_quote", target=member, company=member.company)
    if member.company_id != team.lead_id:
        notify_company(
            company=team.lead,
            kind="team_member_quote",
            params={"company": member.company.name, "part": team.request.part_name},
            path=reverse("board:team_detail", args=[team.pk]),
        )
    return member


@transaction.atomic
def team_terms_set(*, actor, team: Team, margin: int, share_split: bool, payment_days: int) -> Team:
    team = _lock_team(team)
    _require_lead(actor, team)
    _require_forming(team)
    errors = {}
    if margin is None or margin < 0:
        errors["margin"] = _("取りまとめ費は 0 円以上で入力してください。")
    if payment_days is None or not 0 <= payment_days <= 60:
        errors["payment_days"] = _(
            "メンバーへの支払いは受領後 60 日以内にしてください (中小受託取引適正化法)。"
        )
    if errors:
        raise invalid_input("team_invalid", **errors)
    team.margin, team.share_split, team.payment_days = margin, share_split, payment_days
    team.save(update_fields=["margin", "share_split", "payment_days", "updated_at"])
    audit_record(actor=actor, verb="team.terms", target=team, company=team.lead)
    return team


def team_quote_problems(team: Team) -> list[str]:
    """What stops the lead from sending the quote, in words (empty when it can)."""
    problems = []
    assigned = {a.process_id: a.member for a in team.assignments.select_related("member")}
    for process in team.request.processes.select_related("process"):
        if process.pk not in assigned:
            problems.append(
                _("工程 %(process)s の担当が決まっていません。")
                % {"process": process.process.name_ja}
            )
    for member in {m.pk: m for m in assigned.values()}.values():
        name = member.company.name
        if member.status != MemberStatus.JOINED:
            problems.append(_("%(company)s がまだ参加していません。") % {"company": name})
        elif member.submitted_at is None:
            problems.append(_("%(company)s の見積がまだです。") % {"company": name})
    return problems


@transaction.atomic
def team_quote_send(
    *,
    actor,
    team: Team,
    lead_time_days: int,
    valid_until: dt.date,
    conditions: str = "",
) -> Team:
    """One quote to the buyer: the members' amounts plus the lead's margin."""
    team = _lock_team(team)
    _require_lead(actor, team)
    _require_forming(team)
    _require_open(team.request)
    today = timezone.localdate()
    if team.request.answer_by < today:
        raise ApplicationError("request_closed", _("回答期限を過ぎています。"))
    errors = {}
    if valid_until is None or valid_until < today:
        errors["valid_until"] = _("見積の有効期限には今日以降の日付を指定してください。")
    if lead_time_days is None or lead_time_days < 1:
        errors["lead_time_days"] = _("納期 (日数) は 1 日以上で入力してください。")
    if errors:
        raise invalid_input("team_quote_invalid", **errors)
    problems = team_quote_problems(team)
    if problems:
        raise ApplicationError("team_incomplete", " ".join(problems))
    working = team.members.filter(assignments__isnull=False).distinct()
    team.price = sum(m.internal_price for m in working) + team.margin
    team.lead_time_days, team.valid_until = lead_time_days, valid_until
    team.conditions, team.sent_at = conditions.strip(), timezone.now()
    team.status = TeamStatus.QUOTED
    full_clean_or_raise(team, code="team_quote_invalid")
    team.save()
    audit_record(actor=actor, verb="team.quote", target=team, company=team.lead)
    notify_company(
        company=team.request.company,
        kind="team_quote_received",
        params={
            "lead": team.lead.name,
            "part": team.request.part_name,
            "price": format_yen(team.price),
        },
        path=reverse("board:request_detail", args=[team.request_id]),
    )
    return team


@transaction.atomic
def team_quote_withdraw(*, actor, team: Team) -> Team:
    team = _lock_team(team)
    _require_lead(actor, team)
    if team.status != TeamStatus.QUOTED:
        raise ApplicationError("team_not_quoted", _("取り下げられる見積がありません。"))
    team.status, team.sent_at = TeamStatus.FORMING, None
    team.save(update_fields=["status", "sent_at", "updated_at"])
    audit_record(actor=actor, verb="team.withdraw", target=team, company=team.lead)
    return team


@transaction.atomic
def member_remove(*, actor, member: TeamMember, reason: str) -> TeamMember:
    """Take a member off the team (see the module's rules)."""
    from machikoba.network.internal import order_void
    from machikoba.network.services import STARTED_STATES

    member = _lock_member(member)
    team = member.team
    _require_lead(actor, team)
    if member.company_id == team.lead_id:
        raise ApplicationError("remove_lead", _("幹事企業は外せません。"))
    if not reason.strip():
        raise invalid_input("member_remove_invalid", reason=_("外す理由を入力してください。"))
    if member.status not in (MemberStatus.INVITED, MemberStatus.JOINED):
        raise ApplicationError("member_not_in_team", _("この企業はチームにいません。"))
    if team.status == TeamStatus.QUOTED:
        _require_forming(team)
    if team.status == TeamStatus.AWARDED:
        order = member.order
        if order is not None and order.steps.filter(status__in=STARTED_STATES).exists():
            raise ApplicationError(
                "member_started",
                _(
                    "この企業は加工を始めているため、外せません。相手と相談して、"
                    "注文の変更で対応してください。"
                ),
            )
        if order is not None:
            order_void(
                actor=actor,
                order=order,
                reason=_("チームから外れたため: %(reason)s") % {"reason": reason.strip()},
            )
        _revoke(actor, member.grants)
    elif team.status != TeamStatus.FORMING:
        raise ApplicationError("team_closed", _("このチームはすでに終了しています。"))
    member.assignments.all().delete()
    _leave_team_thread(actor, team, member.company)
    member.status, member.removed_reason = MemberStatus.REMOVED, reason.strip()[:500]
    member.save(update_fields=["status", "removed_reason", "updated_at"])
    audit_record(actor=actor, verb="team.remove_member", target=member, company=team.lead)
    notify_company(
        company=member.company,
        kind="team_member_removed",
        params={"part": team.request.part_name, "reason": member.removed_reason},
        path=reverse("board:team_detail", args=[team.pk]),
    )
    return member


def _leave_team_thread(actor, team: Team, company) -> None:
    from machikoba.messaging.models import Thread
    from machikoba.messaging.services import thread_participant_remove

    thread = Thread.objects.filter(subject_key=f"team:{team.pk}").first()
    if (
        thread is not None
        and thread.participants.filter(company=company, removed_at__isnull=True).exists()
    ):
        thread_participant_remove(actor=actor, thread=thread, company=company)


# --- award ------------------------------------------------------------------------------


@transaction.atomic
def request_award(
    *,
    actor,
    request: Request,
    team: Team,
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str,
) -> Team:
    """The buyer chooses a team. The lead gets a job with the route and performers filled
    in, the buyer's order to the lead, and an order from the lead to each member; every
    team company may view the buyer's drawings; the other teams are told."""
    from machikoba.network.choices import OrderOrigin
    from machikoba.network.internal import RoutedStep, job_create_routed, order_issue
    from machikoba.network.selectors import work_content_of
    from machikoba.network.services import business_match_record, order_terms_errors

    _require_poster(actor, request)
    request = Request.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    team = Team.objects.select_for_update().select_related("lead").get(pk=team.pk)
    today = timezone.localdate()
    if team.request_id != request.pk or team.status != TeamStatus.QUOTED:
        raise ApplicationError("team_not_quoted", _("見積を提出したチームを選んでください。"))
    if team.valid_until < today:
        raise ApplicationError(
            "quote_expired",
            _("この見積は有効期限 (%(date)s) を過ぎています。") % {"date": team.valid_until},
        )
    errors = order_terms_errors(
        delivery_date=request.due_date,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        delivery_place=delivery_place,
    )
    if errors:
        raise invalid_input("order_invalid", **errors)
    assignments = {
        a.process_id: a.member
        for a in team.assignments.select_related("member__company", "process")
    }
    members = list({m.pk: m for m in assignments.values()}.values())
    late = [m for m in members if m.company_id != team.lead_id and m.delivery_date < today]
    if late:
        raise ApplicationError(
            "member_date_passed",
            _("%(company)s の完了日が過ぎています。幹事企業に見積の出し直しを依頼してください。")
            % {"company": late[0].company.name},
        )

    processes = list(request.processes.select_related("process").order_by("position"))
    job, steps = job_create_routed(
        actor=actor,
        company=team.lead,
        part_name=request.part_name,
        drawing_number=request.drawing_number,
        material=request.material,
        material_note=request.material_note,
        quantity=request.quantity,
        due_date=request.due_date,
        notes=request.description,
        documents=request.documents.filter(destroyed_at__isnull=True),
        steps=[
            RoutedStep(
                position=process.position,
                process=process.process,
                spec=process.spec,
                performer=assignments[process.pk].company,
                planned_end=None
                if assignments[process.pk].company_id == team.lead_id
                else assignments[process.pk].delivery_date,
            )
            for process in processes
        ],
    )
    steps_of: dict[int, list] = {}
    for process, step in zip(processes, steps, strict=True):
        steps_of.setdefault(assignments[process.pk].pk, []).append(step)
    all_steps = [s for group in steps_of.values() for s in group]
    buyer_order = order_issue(
        actor=actor,
        job=job,
        buyer=request.company,
        supplier=team.lead,
        steps=[],
        work_content=work_content_of(job, sorted(all_steps, key=lambda s: s.position)),
        price=team.price,
        delivery_date=request.due_date,
        delivery_place=delivery_place,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        origin=OrderOrigin.BOARD,
    )
    business_match_record(order=buyer_order)
    for member in members:
        member.grants.set(_share_documents(actor, request, member.company))
        if member.company_id == team.lead_id:
            continue
        delivery = member.delivery_date
        member.order = order_issue(
            actor=None,
            job=job,
            buyer=team.lead,
            supplier=member.company,
            steps=steps_of[member.pk],
            work_content=work_content_of(job, steps_of[member.pk]),
            price=member.internal_price,
            delivery_date=delivery,
            delivery_place=team.lead.address or team.lead.name,
            inspection_date=delivery,
            payment_date=delivery + dt.timedelta(days=team.payment_days),
            origin=OrderOrigin.BOARD,
        )
        member.save(update_fields=["order", "updated_at"])
        business_match_record(order=member.order)
        notify_company(
            company=member.company,
            kind="awarded",
            params={"buyer": team.lead.name, "part": job.part_name, "order": member.order.number},
            path=reverse("network:order_detail", args=[member.order.pk]),
        )
    now = timezone.now()
    team.status, team.awarded_at = TeamStatus.AWARDED, now
    team.job, team.buyer_order = job, buyer_order
    team.companies_at_award = len({m.company_id for m in members})
    team.save(
        update_fields=[
            "status",
            "awarded_at",
            "job",
            "buyer_order",
            "companies_at_award",
            "updated_at",
        ]
    )
    request.status, request.awarded_at = RequestStatus.AWARDED, now
    request.save(update_fields=["status", "awarded_at", "updated_at"])
    notify_company(
        company=team.lead,
        kind="team_awarded",
        params={"part": job.part_name, "order": buyer_order.number},
        path=reverse("network:order_detail", args=[buyer_order.pk]),
    )
    team_companies = {m.company_id for m in team.members.all()}
    for other in request.teams.exclude(pk=team.pk).exclude(
        status__in=(TeamStatus.WITHDRAWN, TeamStatus.CANCELLED)
    ):
        other.status = TeamStatus.NOT_AWARDED
        other.save(update_fields=["status", "updated_at"])
        notify_company(
            company=other.lead,
            kind="team_not_awarded",
            params={"part": request.part_name},
            path=reverse("board:team_detail", args=[other.pk]),
        )
    for admission in request.admissions.exclude(company__in=team_companies):
        _revoke(actor, admission.grants)
    audit_record(actor=actor, verb="request.award", target=team, company=request.company)
    return team


# --- buyers -----------------------------------------------------------------------------


@transaction.atomic
def buyer_register(*, actor, name: str, prefecture: str = "", municipality: str = "", **profile):
    """A person registers the company they buy for, becoming its owner. Buyers post
    requests; they are not listed in the directory and do not see the board."""
    from machikoba.companies.services import company_create

    if not actor.is_authenticated:
        raise PermissionRefused("not_signed_in", _("ログインしてください。"))
    company = company_create(
        actor=None,
        name=name,
        owner=actor,
        prefecture=prefecture,
        municipality=municipality,
        kind=CompanyKind.BUYER,
        **profile,
    )
    audit_record(actor=actor, verb="company.register_buyer", target=company, company=company)
    return company
