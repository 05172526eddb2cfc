"""Reads of teams: a request's teams, a company's teams, the internal split as each
viewer may see it, and what stops a quote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from machikoba.board.choices import IN_TEAM, MemberStatus
from machikoba.board.models import Request, RequestProcess, Team, TeamMember
from machikoba.core.access import MEMBER_ROLES, VIEW, company_ids_for
from machikoba.core.ids import parse_id

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def teams_of_request(*, user: User, request: Request) -> QuerySet[Team]:
    return (
        Team.objects.for_user(user, VIEW)
        .filter(request=request)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=TeamMember.objects.filter(status__in=IN_TEAM).select_related("company"),
            )
        )
        .order_by("status", "sent_at")
    )


@dataclass
class SplitLine:
    member: TeamMember
    processes: list[RequestProcess]
    amount: int | None  # None: not for this viewer's eyes
    delivery_date: dt.date | None


@dataclass
class TeamSplit:
    lines: list[SplitLine]
    margin: int | None
    total: int | None
    sees_all: bool


def team_split(*, user: User, team: Team) -> TeamSplit:
    """The internal split as this viewer may see it: the lead sees all; a member sees its
    own line, or every line when the lead shares the split; the buyer none."""
    mine = set(company_ids_for(user, MEMBER_ROLES, VIEW))
    is_lead = team.lead_id in mine
    in_team = team.members.filter(company__in=mine, status__in=IN_TEAM).exists()
    sees_all = is_lead or (team.share_split and in_team)
    assigned: dict[int, list[RequestProcess]] = {}
    for assignment in team.assignments.select_related("process__process").order_by(
        "process__position"
    ):
        assigned.setdefault(assignment.member_id, []).append(assignment.process)
    lines = []
    for member in team.members.select_related("company").order_by("created_at"):
        own = member.company_id in mine
        visible = sees_all or (own and in_team)
        lines.append(
            SplitLine(
                member=member,
                processes=assigned.get(member.pk, []),
                amount=member.internal_price if visible else None,
                delivery_date=member.delivery_date if visible else None,
            )
        )
    working_total = sum(line.member.internal_price or 0 for line in lines if line.processes)
    return TeamSplit(
        lines=lines,
        margin=team.margin if sees_all else None,
        total=working_total + team.margin if sees_all else None,
        sees_all=sees_all,
    )


def team_quote_problems(team: Team) -> list[str]:
    """What stops the lead from sending the quote, in words (empty when it can)."""
    problems = []
    assigned = {a.process_id: a.member for a in team.assignments.select_related("member__company")}
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


def my_teams(*, user: User, company: Company) -> QuerySet[Team]:
    """Teams the company leads or was asked to join, open ones first."""
    return (
        Team.objects.for_user(user, VIEW)
        .filter(Q(lead=company) | Q(members__company=company))
        .exclude(members__company=company, members__status=MemberStatus.DECLINED)
        .select_related("request", "lead")
        .distinct()
        .order_by("status", "-created_at")
    )


def team_member_of(*, user: User, team: Team, pk: str) -> TeamMember | None:
    """A member of ``team`` by the id a form sent (None for anything else)."""
    member_id = parse_id(pk)
    if member_id is None:
        return None
    member: TeamMember | None = (
        TeamMember.objects.for_user(user, VIEW).filter(team=team, pk=member_id).first()
    )
    return member
