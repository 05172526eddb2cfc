"""Reads of the board and of teams. Every query starts from ``for_user``; amounts and
identities that only some parties may see are masked here, so templates never decide."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from machikoba.board.access import details_scope, hand_terms_visible
from machikoba.board.choices import AdmissionStatus, MemberStatus, RequestStatus, TeamStatus
from machikoba.board.models import Admission, Hand, Request, RequestProcess, Team, TeamMember
from machikoba.companies.models import Capability, ProcessCategory
from machikoba.core.access import VIEW, company_ids_for


def capable_process_ids(company) -> set[int]:
    """Processes a company can take: its capabilities, their sub-processes (a shop with
    切削 takes 旋削) and their parents (a shop with NC旋盤 takes a request for 旋削)."""
    codes = set(Capability.objects.filter(company=company).values_list("process__code", flat=True))
    if not codes:
        return set()
    matched = set()
    for pk, code in ProcessCategory.objects.values_list("pk", "code"):
        if any(
            code == mine or code.startswith(f"{mine}.") or mine.startswith(f"{code}.")
            for mine in codes
        ):
            matched.add(pk)
    return matched


@dataclass
class BoardFilter:
    capable_only: bool = True
    process: ProcessCategory | None = None
    material_id: int | None = None


def board_requests(*, user, company, query: BoardFilter) -> QuerySet:
    """Open requests on the board (and those sent to ``company``), newest answer date
    first, for a shop; the company's own are listed apart."""
    requests = (
        Request.objects.for_user(user, VIEW)
        .filter(status=RequestStatus.OPEN, answer_by__gte=timezone.localdate())
        .exclude(company=company)
        .select_related("material")
        .prefetch_related(
            Prefetch(
                "processes",
                queryset=RequestProcess.objects.select_related("process").order_by("position"),
            )
        )
        .annotate(hand_count=Count("processes__hands", distinct=True))
        .order_by("answer_by", "-id")
    )
    if query.capable_only:
        requests = requests.filter(processes__process__in=capable_process_ids(company))
    if query.process is not None:
        requests = requests.filter(
            Q(processes__process__code=query.process.code)
            | Q(processes__process__code__startswith=f"{query.process.code}.")
        )
    if query.material_id:
        requests = requests.filter(material_id=query.material_id)
    return requests.distinct()


def own_requests(*, user, company) -> QuerySet:
    return (
        Request.objects.for_user(user, VIEW)
        .filter(company=company)
        .annotate(
            hand_count=Count("processes__hands", distinct=True),
            waiting=Count(
                "admissions",
                filter=Q(admissions__status=AdmissionStatus.REQUESTED),
                distinct=True,
            ),
            quotes=Count("teams", filter=Q(teams__status=TeamStatus.QUOTED), distinct=True),
        )
        .order_by("-created_at")
    )


def sees_details(user, request: Request) -> bool:
    return Request.objects.filter(details_scope(user), pk=request.pk).exists()


@dataclass
class HandRow:
    hand: Hand
    show_terms: bool


@dataclass
class ProcessRow:
    process: RequestProcess
    hands: list[HandRow] = field(default_factory=list)
    my_hand: Hand | None = None


def process_rows(*, user, request: Request, company) -> list[ProcessRow]:
    """The request's processes with the hands the user may see; prices and lead times
    only where ``hand_terms_visible``."""
    visible = (
        Hand.objects.for_user(user, VIEW)
        .filter(process__request=request)
        .select_related("company", "process__request")
    )
    by_process: dict[int, list[Hand]] = {}
    for hand in visible:
        by_process.setdefault(hand.process_id, []).append(hand)
    rows = []
    for process in request.processes.select_related("process", "step").order_by("position"):
        hands = by_process.get(process.pk, [])
        rows.append(
            ProcessRow(
                process=process,
                hands=[HandRow(h, hand_terms_visible(user, h)) for h in hands],
                my_hand=next((h for h in hands if company and h.company_id == company.pk), None),
            )
        )
    return rows


def admission_of(*, request: Request, company) -> Admission | None:
    if company is None:
        return None
    return Admission.objects.filter(request=request, company=company).first()


def waiting_admissions(*, user, request: Request) -> QuerySet:
    return (
        Admission.objects.for_user(user, VIEW)
        .filter(request=request)
        .select_related("company", "nda_accepted_by")
        .order_by("status", "created_at")
    )


def teams_of_request(*, user, request: Request) -> QuerySet:
    return (
        Team.objects.for_user(user, VIEW)
        .filter(request=request)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=TeamMember.objects.filter(
                    status__in=(MemberStatus.JOINED, MemberStatus.INVITED)
                ).select_related("company"),
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


def team_split(*, user, team: Team) -> TeamSplit:
    """The internal split as this viewer may see it: the lead sees all; a member sees its
    own line, or every line when the lead shares the split; the buyer none."""
    mine = set(company_ids_for(user, ("owner", "staff", "floor_worker")))
    is_lead = team.lead_id in mine
    in_team = team.members.filter(company__in=mine).exclude(status=MemberStatus.DECLINED).exists()
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


def my_teams(*, user, company) -> QuerySet:
    """Teams the company leads or was asked to join, open ones first."""
    return (
        Team.objects.for_user(user, VIEW)
        .filter(Q(lead=company) | Q(members__company=company))
        .exclude(members__company=company, members__status=MemberStatus.DECLINED)
        .select_related("request", "lead")
        .distinct()
        .order_by("status", "-created_at")
    )


def joint_orders(*, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """KGI 企業間連携による共同受注: teams awarded in [start, end) in which at least two
        companies worked (the lead and one member or more) when it was awarded, and whose buyer
    has not withdrawn the work since. Counted by the KPI dashboard."""
    return Team.objects.filter(
        awarded_at__gte=start,
        awarded_at__lt=end,
        status=TeamStatus.AWARDED,
        companies_at_award__gte=2,
    )
