"""Teams answering a buyer's request as one (共同受注).

A team changes (members, assignments, amounts) only while it is being formed; after its
quote is sent the lead withdraws the quote first. After award a member leaves the team
only while its steps have not started: its order is cancelled and its steps go back to
the lead to route again."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.choices import IN_TEAM, MemberStatus, TeamStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Hand, Request, RequestProcess, Team, TeamAssignment, TeamMember
from machikoba.board.selectors import sees_details, team_quote_problems
from machikoba.board.services._documents import _revoke
from machikoba.board.services._guards import (
    _require_forming,
    _require_lead,
    _require_open,
    _require_shop,
    _save_once,
)
from machikoba.board.services.threads import _team_thread_leave
from machikoba.companies.choices import CompanyKind
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.network.internal import order_void
from machikoba.network.selectors import order_work_started

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def _lock_team(team: Team) -> Team:
    locked: Team = (
        Team.objects.select_for_update().select_related("request", "lead").get(pk=team.pk)
    )
    return locked


def _lock_member(member: TeamMember) -> TeamMember:
    locked: TeamMember = (
        TeamMember.objects.select_for_update()
        .select_related("team__request", "team__lead", "company")
        .get(pk=member.pk)
    )
    return locked


@transaction.atomic
def team_form(*, actor: User, company: Company, request: Request) -> Team:
    """A shop leads a team for a buyer's request. It must have been admitted (a lead
    answers for the details). The processes it raised a hand for are assigned to it."""
    _require_shop(actor, company)
    _require_open(request)
    if not request.is_joint:
        raise ApplicationError(
            BoardErrorCode.NOT_JOINT, _("この引き合いは、工程ごとの見積依頼で発注先を決めます。")
        )
    if request.company_id == company.pk:
        raise ApplicationError(BoardErrorCode.OWN_REQUEST, _("自社の引き合いです。"))
    if not sees_details(actor, request):
        raise ApplicationError(
            BoardErrorCode.NOT_ADMITTED,
            _(
                "チームの幹事になるには、先に秘密保持に同意して、詳細の閲覧を承認してもらってください。"
            ),
        )
    team = Team(request=request, lead=company, created_by=actor)
    twice = _("この引き合いには、すでに自社が幹事のチームがあります。")
    full_clean_or_raise(
        team,
        code=BoardErrorCode.TEAM_INVALID,
        duplicate_code=BoardErrorCode.TEAM_EXISTS,
        duplicate_message=twice,
    )
    _save_once(team, code="team_exists", message=twice)
    lead = TeamMember.objects.create(team=team, company=company, status=MemberStatus.JOINED)
    for hand in Hand.objects.filter(process__request=request, company=company):
        TeamAssignment.objects.create(team=team, process=hand.process, member=lead)
    audit_record(actor=actor, verb="team.form", target=team, company=company)
    return team


@transaction.atomic
def team_invite(*, actor: User, team: Team, company: Company) -> TeamMember:
    team = _lock_team(team)
    _require_lead(actor, team)
    _require_forming(team)
    if company.kind != CompanyKind.SHOP or not company.is_active:
        raise invalid_input(
            BoardErrorCode.TEAM_INVALID, company=_("招待できるのは、仲間まわしの町工場です。")
        )
    if company.pk == team.request.company_id:
        raise invalid_input(
            BoardErrorCode.TEAM_INVALID, company=_("発注企業はチームに入れません。")
        )
    member: TeamMember | None = TeamMember.objects.filter(team=team, company=company).first()
    if member is not None and member.status in IN_TEAM:
        raise ApplicationError(BoardErrorCode.MEMBER_EXISTS, _("この企業はすでにチームにいます。"))
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


@transaction.atomic
def member_answer(*, actor: User, member: TeamMember, join: bool) -> TeamMember:
    """The invited shop joins or declines; declining hands its processes back."""
    member = _lock_member(member)
    _require_shop(actor, member.company)
    _require_forming(member.team)
    if member.status != MemberStatus.INVITED:
        raise ApplicationError(
            BoardErrorCode.MEMBER_ANSWERED,
            _("この依頼にはすでに回答しています。画面を更新してください。"),
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
    *, actor: User, team: Team, process: RequestProcess, member: TeamMember | None
) -> TeamAssignment | None:
    """Give a process to a member (``None`` takes it back). The members whose share
    changed quote again."""
    team = _lock_team(team)
    _require_lead(actor, team)
    _require_forming(team)
    if process.request_id != team.request_id:
        raise invalid_input(
            BoardErrorCode.TEAM_INVALID, process=_("この引き合いの工程を選んでください。")
        )
    if member is not None and (member.team_id != team.pk or member.status not in IN_TEAM):
        raise invalid_input(
            BoardErrorCode.TEAM_INVALID, member=_("チームのメンバーを選んでください。")
        )
    current: TeamAssignment | None = TeamAssignment.objects.filter(
        team=team, process=process
    ).first()
    if current is not None:
        if member is not None and current.member_id == member.pk:
            return current
        _reset_quote(current.member)
        current.delete()
    if member is None:
        return None
    _reset_quote(member)
    assignment: TeamAssignment = TeamAssignment.objects.create(
        team=team, process=process, member=member
    )
    audit_record(actor=actor, verb="team.assign", target=assignment, company=team.lead)
    return assignment


@transaction.atomic
def member_quote(
    *, actor: User, member: TeamMember, price: int, delivery_date: dt.date, note: str = ""
) -> TeamMember:
    """A member's internal quote to the lead for the processes it covers."""
    member = _lock_member(member)
    _require_shop(actor, member.company)
    team = member.team
    _require_forming(team)
    errors = {}
    if member.status != MemberStatus.JOINED:
        raise ApplicationError(
            BoardErrorCode.MEMBER_NOT_JOINED, _("チームに参加してから見積を出してください。")
        )
    if not member.assignments.exists():
        raise ApplicationError(
            BoardErrorCode.MEMBER_UNASSIGNED,
            _("担当する工程がまだありません。幹事企業に確認してください。"),
        )
    if price is None or price < 1:
        errors["price"] = _("金額は 1 円以上で入力してください。")
    if delivery_date < timezone.localdate():
        errors["delivery_date"] = _("完了日には今日以降の日付を指定してください。")
    elif delivery_date > team.request.due_date:
        errors["delivery_date"] = _("完了日は引き合いの納期 (%(date)s) までにしてください。") % {
            "date": format_date(team.request.due_date)
        }
    if errors:
        raise invalid_input(BoardErrorCode.MEMBER_QUOTE_INVALID, **errors)
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
def team_terms_set(
    *, actor: User, team: Team, margin: int, share_split: bool, payment_days: int
) -> Team:
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
        raise invalid_input(BoardErrorCode.TEAM_INVALID, **errors)
    team.margin, team.share_split, team.payment_days = margin, share_split, payment_days
    team.save(update_fields=["margin", "share_split", "payment_days", "updated_at"])
    audit_record(actor=actor, verb="team.terms", target=team, company=team.lead)
    return team


@transaction.atomic
def team_quote_send(
    *,
    actor: User,
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
        raise ApplicationError(BoardErrorCode.REQUEST_CLOSED, _("回答期限を過ぎています。"))
    errors = {}
    if valid_until is None or valid_until < today:
        errors["valid_until"] = _("見積の有効期限には今日以降の日付を指定してください。")
    if lead_time_days is None or lead_time_days < 1:
        errors["lead_time_days"] = _("納期 (日数) は 1 日以上で入力してください。")
    if errors:
        raise invalid_input(BoardErrorCode.TEAM_QUOTE_INVALID, **errors)
    problems = team_quote_problems(team)
    if problems:
        raise ApplicationError(BoardErrorCode.TEAM_INCOMPLETE, " ".join(problems))
    working = team.members.filter(assignments__isnull=False).distinct()
    # Every working member has quoted (team_quote_problems), so no amount is missing.
    team.price = sum(m.internal_price or 0 for m in working) + team.margin
    team.lead_time_days, team.valid_until = lead_time_days, valid_until
    team.conditions, team.sent_at = conditions.strip(), timezone.now()
    team.status = TeamStatus.QUOTED
    full_clean_or_raise(team, code=BoardErrorCode.TEAM_QUOTE_INVALID)
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
def team_quote_withdraw(*, actor: User, team: Team) -> Team:
    team = _lock_team(team)
    _require_lead(actor, team)
    if team.status != TeamStatus.QUOTED:
        raise ApplicationError(
            BoardErrorCode.TEAM_NOT_QUOTED, _("取り下げられる見積がありません。")
        )
    team.status, team.sent_at = TeamStatus.FORMING, None
    team.save(update_fields=["status", "sent_at", "updated_at"])
    audit_record(actor=actor, verb="team.withdraw", target=team, company=team.lead)
    return team


def _release_awarded_member(actor: User, member: TeamMember, reason: str) -> None:
    """After award: cancel the member's order (while none of its steps has started) and
    end its drawings."""
    order = member.order
    if order is not None and order_work_started(order):
        raise ApplicationError(
            BoardErrorCode.MEMBER_STARTED,
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


@transaction.atomic
def member_remove(*, actor: User, member: TeamMember, reason: str) -> TeamMember:
    """Take a member off the team (see the module's rules)."""
    member = _lock_member(member)
    team = member.team
    _require_lead(actor, team)
    if member.company_id == team.lead_id:
        raise ApplicationError(BoardErrorCode.REMOVE_LEAD, _("幹事企業は外せません。"))
    if not reason.strip():
        raise invalid_input(
            BoardErrorCode.MEMBER_REMOVE_INVALID, reason=_("外す理由を入力してください。")
        )
    if member.status not in IN_TEAM:
        raise ApplicationError(BoardErrorCode.MEMBER_NOT_IN_TEAM, _("この企業はチームにいません。"))
    if team.status == TeamStatus.QUOTED:
        _require_forming(team)
    if team.status == TeamStatus.AWARDED:
        _release_awarded_member(actor, member, reason)
    elif team.status != TeamStatus.FORMING:
        raise ApplicationError(BoardErrorCode.TEAM_CLOSED, _("このチームはすでに終了しています。"))
    member.assignments.all().delete()
    _team_thread_leave(actor, team, member.company)
    member.status, member.removed_reason = MemberStatus.REMOVED, reason.strip()[:500]
    member.save(update_fields=["status", "removed_reason", "updated_at"])
    audit_record(actor=actor, verb="team.remove_member", target=member, company=team.lead)
    notify_company(
        company=member.company,
        kind="team_member_removed",
        params={"part": team.request.part_name, "reason": member.removed_reason},
        # Not the team's page: a company off the team no longer sees it (board.access).
        path=reverse("board:request_detail", args=[team.request_id]),
    )
    return member
