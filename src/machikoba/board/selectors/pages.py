"""Page objects: everything a board page shows, read in one place so that views only
fetch the object of the URL, build forms and render. Query counts are pinned by tests
(they must not grow with the number of requests, hands or members)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from machikoba.board.choices import BOARD_NDA_TEXT, IN_TEAM, RequestStatus, TeamStatus
from machikoba.board.models import Admission, Hand, Request, RequestProcess, Team, TeamMember
from machikoba.board.selectors.requests import (
    BoardFilter,
    ProcessRow,
    active_processes,
    admission_of,
    board_requests,
    own_requests,
    process_by_code,
    process_rows,
    sees_details,
    waiting_admissions,
)
from machikoba.board.selectors.teams import (
    TeamSplit,
    my_teams,
    team_quote_problems,
    team_split,
    teams_of_request,
)
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company, Material, ProcessCategory
from machikoba.core.access import CHANGE, EDITOR_ROLES, MEMBER_ROLES, VIEW, can, has_role
from machikoba.core.ids import parse_id
from machikoba.drawings.models import Document
from machikoba.network.choices import StepStatus
from machikoba.network.selectors import visible_steps

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.network.models import Job, Step


class Page:
    """A page object's fields as a template context."""

    def context(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


def _is_shop(company: Company | None) -> bool:
    return company is not None and company.kind == CompanyKind.SHOP


# --- the board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardPage(Page):
    company: Company
    shop: bool
    query: BoardFilter
    own: list[Request]
    can_post: bool
    processes: list[ProcessCategory]
    materials: list[Material]
    # For a shop only: the open requests and its teams.
    requests: list[Request] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)


def board_page(
    user: User,
    company: Company,
    *,
    capable_only: bool,
    process_code: str,
    material_id: int | None,
) -> BoardPage:
    """The board: for a shop the open requests (filtered) and its teams; for everyone
    the company's own requests."""
    shop = _is_shop(company)
    query = BoardFilter(
        capable_only=capable_only,
        process=process_by_code(process_code),
        material_id=material_id,
    )
    return BoardPage(
        company=company,
        shop=shop,
        query=query,
        own=list(own_requests(user=user, company=company)),
        can_post=can(user, CHANGE, company),
        processes=list(active_processes()),
        materials=list(Material.objects.for_user(user, VIEW)),
        requests=list(board_requests(user=user, company=company, query=query)) if shop else [],
        teams=list(my_teams(user=user, company=company)) if shop else [],
    )


def request_form_choices(user: User, company: Company) -> dict[str, QuerySet[Any]]:
    """What the request form offers: materials, the company's live drawings, the
    processes and the shops it may send the request to."""
    return {
        "materials": Material.objects.for_user(user, VIEW),
        "documents": Document.objects.for_user(user, VIEW).filter(
            company=company, destroyed_at__isnull=True
        ),
        "processes": active_processes(),
        "shops": Company.objects.for_user(user, VIEW)
        .filter(kind=CompanyKind.SHOP, is_active=True)
        .exclude(pk=company.pk),
    }


def postable_steps(user: User, job: Job) -> QuerySet[Step]:
    """The steps of a job its owner may post to the board: planned partner steps."""
    return visible_steps(user=user, job=job).filter(in_house=False, status=StepStatus.PLANNED)


# --- one request -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestPage(Page):
    req: Request
    poster: bool
    editor: bool
    details: bool
    shop: bool
    shop_editor: bool
    admission: Admission | None
    rows: list[ProcessRow]
    teams: list[Team]
    my_team: Team | None
    nda_text: Any
    is_open: bool
    # With the details only.
    documents: list[Document] = field(default_factory=list)
    # For the poster only.
    admissions: list[Admission] = field(default_factory=list)
    quoted: list[Team] = field(default_factory=list)


def request_page(user: User, req: Request, company: Company | None) -> RequestPage:
    """A request as ``user`` (working for ``company``) may see it: the summary or the
    details, the hands, the teams; the poster also sees admissions and quotes."""
    poster = has_role(user, req.company, MEMBER_ROLES, VIEW)
    details = sees_details(user, req)
    shop = _is_shop(company) and not poster
    teams = list(teams_of_request(user=user, request=req))
    return RequestPage(
        req=req,
        poster=poster,
        editor=has_role(user, req.company, EDITOR_ROLES),
        details=details,
        shop=shop,
        shop_editor=shop and has_role(user, company, EDITOR_ROLES),
        admission=admission_of(request=req, company=company) if shop else None,
        rows=process_rows(user=user, request=req, company=company),
        teams=teams,
        my_team=next((t for t in teams if company and t.lead_id == company.pk), None),
        nda_text=BOARD_NDA_TEXT,
        is_open=req.status == RequestStatus.OPEN,
        documents=list(req.documents.filter(destroyed_at__isnull=True)) if details else [],
        admissions=list(waiting_admissions(user=user, request=req)) if poster else [],
        quoted=[t for t in teams if t.status == TeamStatus.QUOTED] if poster else [],
    )


# --- one team ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPage(Page):
    team: Team
    req: Request
    split: TeamSplit
    lead: bool
    me: TeamMember | None
    forming: bool
    buyer_view: bool
    details: bool
    processes: list[RequestProcess]
    assigned: dict[int, int]
    active_members: list[TeamMember]
    # For the lead while the team is forming.
    hands: list[Hand] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    invitable: QuerySet[Company] | None = None


def team_page(user: User, team: Team, company: Company | None) -> TeamPage:
    """A team as ``user`` (working for ``company``) may see it: the split masked for the
    viewer, the assignments; for the lead while forming, the hands to invite and what
    stops the quote."""
    lead = has_role(user, team.lead, EDITOR_ROLES)
    me = (
        TeamMember.objects.for_user(user, VIEW).filter(team=team, company=company).first()
        if company is not None
        else None
    )
    split = team_split(user=user, team=team)
    active = [line.member for line in split.lines if line.member.status in IN_TEAM]
    forming = team.status == TeamStatus.FORMING
    lead_parts: dict[str, Any] = {}
    if lead and forming:
        taken = {m.company_id for m in active}
        lead_parts = {
            "hands": list(
                Hand.objects.for_user(user, VIEW)
                .filter(process__request=team.request)
                .exclude(company__in=taken)
                .select_related("company", "process__process")
            ),
            "problems": team_quote_problems(team),
            "invitable": Company.objects.for_user(user, VIEW)
            .filter(kind=CompanyKind.SHOP, is_active=True)
            .exclude(pk__in=[*taken, team.request.company_id]),
        }
    return TeamPage(
        team=team,
        req=team.request,
        split=split,
        lead=lead,
        me=me,
        forming=forming,
        buyer_view=has_role(user, team.request.company, MEMBER_ROLES, VIEW),
        details=sees_details(user, team.request),
        processes=list(team.request.processes.select_related("process").order_by("position")),
        assigned={a.process_id: a.member_id for a in team.assignments.all()},
        active_members=active,
        **lead_parts,
    )


def company_to_invite(user: User, pk: str) -> Company | None:
    """The company a team's invite form names, if the user sees it."""
    company_id = parse_id(pk)
    if company_id is None:
        return None
    company: Company | None = Company.objects.for_user(user, VIEW).filter(pk=company_id).first()
    return company
