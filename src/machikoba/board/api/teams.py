"""Board API, joint orders: our teams, forming one, a team as the caller may see it
(the split masked as on the page), inviting, assigning, the terms, the quote and its
withdrawal, a member's answer, quote and removal, and the team's thread."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Status

from machikoba.board import selectors, services
from machikoba.board.api._router import SignedInRequest, router
from machikoba.board.api.schemas import (
    AssignmentsIn,
    BoardAnswerIn,
    BoardInviteIn,
    BoardReasonIn,
    MemberQuoteIn,
    MemberRefOut,
    RouteItemOut,
    TeamOut,
    TeamQuoteIn,
    TeamSummaryOut,
    TermsIn,
    ThreadRefOut,
    hand_out,
    member_ref,
    route_item,
    split_lines,
    team_summary_fields,
)
from machikoba.board.choices import IN_TEAM
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Request, Team, TeamMember
from machikoba.board.selectors import pages
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import PermissionRefused, invalid_input
from machikoba.core.ids import PathId
from machikoba.core.views import active_company_or_403


def _team(request: SignedInRequest, pk: int, action: str = VIEW) -> Team:
    return get_for_user_or_404(
        Team.objects.select_related("request__company", "lead"), request.user, action, pk=pk
    )


def _member(request: SignedInRequest, pk: int, action: str) -> TeamMember:
    return get_for_user_or_404(
        TeamMember.objects.select_related("team__request", "company"),
        request.user,
        action,
        pk=pk,
    )


def _team_out(request: SignedInRequest, team: Team) -> TeamOut:
    company = getattr(request, "active_company", None) or None
    page = pages.team_page(request.user, team, company)
    split = page.split
    sees_price = page.lead or page.buyer_view or split.sees_all
    return TeamOut(
        **team_summary_fields(request.user, team, page.active_members, sees_price=sees_price),
        margin=split.margin,
        total=split.total,
        sees_all=split.sees_all,
        share_split=team.share_split,
        payment_days=team.payment_days,
        conditions=team.conditions if page.lead or page.buyer_view else None,
        lead=page.lead,
        details=page.details,
        processes=[RouteItemOut(**route_item(p)) for p in page.processes],
        assignments=page.assigned,
        lines=split_lines(split, page.assigned),
        me=member_ref(page.me) if page.me is not None else None,
        problems=[str(p) for p in page.problems],
        hands=[hand_out(request.user, h) for h in page.hands],
    )


@router.get(
    "/teams",
    response=Page[TeamSummaryOut],
    summary="Teams we lead or were asked to join, open ones first",
)
def board_teams(request, params: Query[PageParams]):
    company = active_company_or_403(request)
    teams = selectors.my_teams(user=request.user, company=company).select_related(
        "request__company"
    )
    return page_of(
        teams,
        params,
        lambda t: TeamSummaryOut(
            **team_summary_fields(
                request.user,
                t,
                list(t.members.filter(status__in=IN_TEAM).select_related("company")),
            )
        ),
    )


@router.post(
    "/requests/{request_id}/teams",
    response={201: TeamOut},
    summary="Lead a team for a buyer's request (after being admitted to its details)",
)
def board_team_form(request, request_id: PathId):
    req = get_for_user_or_404(
        Request.objects.select_related("company"), request.user, VIEW, pk=request_id
    )
    company = active_company_or_403(request)
    team = services.team_form(actor=request.user, company=company, request=req)
    return Status(201, _team_out(request, _team(request, team.pk)))


@router.get("/teams/{team_id}", response=TeamOut, summary="A team as the caller may see it")
def board_team(request, team_id: PathId):
    return _team_out(request, _team(request, team_id))


@router.post(
    "/teams/{team_id}/invite",
    response={201: MemberRefOut},
    summary="Invite a shop to our team (the lead)",
)
def board_team_invite(request, team_id: PathId, payload: BoardInviteIn):
    team = _team(request, team_id, CHANGE)
    company = Company.objects.for_user(request.user, VIEW).filter(pk=payload.company_id).first()
    if company is None:
        raise invalid_input(
            BoardErrorCode.TEAM_INVALID, company_id=_("招待する企業を選んでください。")
        )
    member = services.team_invite(actor=request.user, team=team, company=company)
    return Status(201, member_ref(member))


@router.put(
    "/teams/{team_id}/assignments",
    response=TeamOut,
    summary="Who covers which process (all or nothing; a null member takes it back)",
)
def board_team_assign(request, team_id: PathId, payload: AssignmentsIn):
    team = _team(request, team_id, CHANGE)
    processes = {p.pk: p for p in selectors.request_processes(team.request)}
    errors: dict[str, str] = {}
    chosen = []
    for item in payload.assignments:
        process = processes.get(item.process_id)
        if process is None:
            errors["process_id"] = _("この引き合いの工程を選んでください。")
            continue
        member = None
        if item.member_id is not None:
            member = selectors.team_member_of(user=request.user, team=team, pk=str(item.member_id))
            if member is None:
                errors["member_id"] = _("チームのメンバーを選んでください。")
                continue
        chosen.append((process, member))
    if errors:
        raise invalid_input(BoardErrorCode.TEAM_INVALID, **errors)
    with transaction.atomic():  # the whole table or nothing
        for process, member in chosen:
            services.team_assign(actor=request.user, team=team, process=process, member=member)
    return _team_out(request, _team(request, team_id))


@router.put(
    "/teams/{team_id}/terms",
    response=TeamOut,
    summary="The lead's margin, the members' payment terms, whether members see the split",
)
def board_team_terms(request, team_id: PathId, payload: TermsIn):
    team = _team(request, team_id, CHANGE)
    services.team_terms_set(
        actor=request.user,
        team=team,
        margin=payload.margin,
        share_split=payload.share_split,
        payment_days=payload.payment_days,
    )
    return _team_out(request, _team(request, team_id))


@router.post(
    "/teams/{team_id}/quote",
    response=TeamOut,
    summary="Send the team's one quote to the buyer (members' amounts plus our margin)",
)
def board_team_quote(request, team_id: PathId, payload: TeamQuoteIn):
    team = _team(request, team_id, CHANGE)
    services.team_quote_send(
        actor=request.user,
        team=team,
        lead_time_days=payload.lead_time_days,
        valid_until=payload.valid_until,
        conditions=payload.conditions,
    )
    return _team_out(request, _team(request, team_id))


@router.post(
    "/teams/{team_id}/quote/withdraw",
    response=TeamOut,
    summary="Withdraw the quote (the team can change again)",
)
def board_team_quote_withdraw(request, team_id: PathId):
    team = _team(request, team_id, CHANGE)
    services.team_quote_withdraw(actor=request.user, team=team)
    return _team_out(request, _team(request, team_id))


@router.post(
    "/members/{member_id}/answer",
    response=MemberRefOut,
    summary="Join the team we were invited to, or decline",
)
def board_member_answer(request, member_id: PathId, payload: BoardAnswerIn):
    member = _member(request, member_id, CHANGE)
    member = services.member_answer(
        actor=request.user, member=member, join=payload.answer == "join"
    )
    return member_ref(member)


@router.post(
    "/members/{member_id}/quote",
    response=MemberRefOut,
    summary="Our internal quote to the lead for the processes we cover",
)
def board_member_quote(request, member_id: PathId, payload: MemberQuoteIn):
    member = _member(request, member_id, CHANGE)
    member = services.member_quote(
        actor=request.user,
        member=member,
        price=payload.price,
        delivery_date=payload.delivery_date,
        note=payload.note,
    )
    return member_ref(member)


@router.post(
    "/members/{member_id}/remove",
    response=MemberRefOut,
    summary="Take a member off our team (the lead; after award only before its work starts)",
)
def board_member_remove(request, member_id: PathId, payload: BoardReasonIn):
    member = _member(request, member_id, MANAGE)
    member = services.member_remove(actor=request.user, member=member, reason=payload.reason)
    return member_ref(member)


@router.post(
    "/teams/{team_id}/thread",
    response=ThreadRefOut,
    summary="Open the team's thread (the lead and its current members)",
)
def board_team_thread(request, team_id: PathId):
    team = _team(request, team_id)
    try:
        thread = services.team_thread_open(actor=request.user, team=team)
    except PermissionRefused:
        raise Http404 from None
    return ThreadRefOut(thread_id=thread.pk)
