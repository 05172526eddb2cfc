"""Board API, requests: the board, our requests, posting (a buyer's part or a job's
steps), one request as the caller may see it, admissions, hands, the RFQ from hands,
cancelling, the award, the threads with the poster, and buyer registration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from machikoba.board import selectors, services
from machikoba.board.api._router import SignedInRequest, router
from machikoba.board.api.schemas import (
    AdmissionIn,
    AdmissionOut,
    BoardAwardIn,
    BoardCompanyRefOut,
    BoardDecisionIn,
    BoardFilters,
    BoardReasonIn,
    BoardRequestIn,
    BoardRequestOut,
    BuyerIn,
    DocumentRefOut,
    HandIn,
    HandOut,
    HandRfqIn,
    JobPostIn,
    OwnRequestOut,
    ProcessOut,
    RequestSummaryOut,
    RfqRefOut,
    TeamSummaryOut,
    ThreadRefOut,
    admission_out,
    hand_out,
    route_item,
    summary_fields,
    team_summary_fields,
)
from machikoba.board.choices import RequestStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Admission, Request, RequestProcess
from machikoba.board.selectors import pages
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company, Material
from machikoba.core.access import CHANGE, VIEW, can, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError, PermissionRefused, invalid_input
from machikoba.core.ids import PathId
from machikoba.core.views import active_company_or_403, client_ip
from machikoba.network.models import Job


def _request(request: SignedInRequest, pk: int, action: str = VIEW) -> Request:
    return get_for_user_or_404(
        Request.objects.select_related("company", "material", "job"), request.user, action, pk=pk
    )


def _summary(req: Request) -> dict[str, Any]:
    return summary_fields(req, list(req.processes.all()))


# --- lists ------------------------------------------------------------------------------


@router.get(
    "/requests",
    response=Page[RequestSummaryOut],
    summary="The open board for our shop (by default, the processes we take)",
)
def board_requests(request, params: Query[PageParams], filters: Query[BoardFilters]):
    company = active_company_or_403(request)
    if company.kind != CompanyKind.SHOP:  # buyers post requests; they do not see the board
        return page_of([], params)
    query = selectors.BoardFilter(
        capable_only=not filters.all,
        process=selectors.process_by_code(filters.process),
        material_id=filters.material_id,
    )
    requests = selectors.board_requests(user=request.user, company=company, query=query)
    return page_of(requests, params, lambda r: RequestSummaryOut(**_summary(r)))


@router.get(
    "/requests/own",
    response=Page[OwnRequestOut],
    summary="Our own requests with their hands, waiting admissions and quotes",
)
def board_requests_own(request, params: Query[PageParams]):
    company = active_company_or_403(request)
    own = selectors.own_requests(user=request.user, company=company).select_related("material")
    return page_of(
        own,
        params,
        lambda r: OwnRequestOut(
            **summary_fields(r),
            hands=r.hand_count,
            waiting_admissions=r.waiting,
            quotes=r.quotes,
        ),
    )


# --- posting ----------------------------------------------------------------------------


def _route(payload: BoardRequestIn) -> list[tuple[Any, str]]:
    codes = [item.process for item in payload.route]
    known = {p.code: p for p in selectors.active_processes().filter(code__in=codes)}
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise invalid_input(
            BoardErrorCode.REQUEST_INVALID,
            route=_("工程を一覧から選んでください (%(codes)s)。") % {"codes": ", ".join(unknown)},
        )
    return [(known[item.process], item.spec.strip()) for item in payload.route]


@router.post("/requests", response={201: BoardRequestOut}, summary="Post a request (引き合い)")
def board_request_create(request, payload: BoardRequestIn):
    company = active_company_or_403(request)
    if not can(request.user, CHANGE, company):
        raise PermissionDenied
    choices = pages.request_form_choices(request.user, company)
    errors: dict[str, str] = {}
    material = None
    if payload.material_id is not None:
        material = (
            Material.objects.for_user(request.user, VIEW).filter(pk=payload.material_id).first()
        )
        if material is None:
            errors["material_id"] = _("材質を一覧から選んでください。")
    documents = list(choices["documents"].filter(pk__in=payload.document_ids))
    if len(documents) != len(set(payload.document_ids)):
        errors["document_ids"] = _("自社の図面だけを添付できます。")
    invited = list(choices["shops"].filter(pk__in=payload.invited_ids))
    if len(invited) != len(set(payload.invited_ids)):
        errors["invited_ids"] = _("依頼できるのは、仲間まわしに参加している町工場です。")
    if errors:
        raise invalid_input(BoardErrorCode.REQUEST_INVALID, **errors)
    req = services.request_post(
        actor=request.user,
        company=company,
        part_name=payload.part_name,
        drawing_number=payload.drawing_number,
        material=material,
        material_note=payload.material_note,
        quantity=payload.quantity,
        due_date=payload.due_date,
        answer_by=payload.answer_by,
        area=payload.area,
        delivery_place=payload.delivery_place,
        description=payload.description,
        documents=documents,
        audience=payload.audience,
        invited=invited,
        processes=_route(payload),
    )
    return Status(201, _request_out(request, _request(request, req.pk)))


@router.post(
    "/jobs/{job_id}/post",
    response={201: BoardRequestOut},
    summary="Post a job's planned partner steps to the board",
)
def board_job_post(request, job_id: PathId, payload: JobPostIn):
    job = get_for_user_or_404(
        Job.objects.select_related("company"), request.user, CHANGE, pk=job_id
    )
    postable = pages.postable_steps(request.user, job)
    if not postable.exists():
        # The job's state: no partner step waits in the plan (409, whatever was asked).
        raise ApplicationError(
            BoardErrorCode.NOTHING_TO_POST,
            _("この仕事には、掲示できる工程 (外注する「計画」の工程) がありません。"),
        )
    steps = list(postable.filter(pk__in=payload.step_ids))
    if len(steps) != len(set(payload.step_ids)):
        raise invalid_input(
            BoardErrorCode.REQUEST_INVALID,
            step_ids=_("掲示できるのは、外注する「計画」の工程だけです。"),
        )
    req = services.request_post_job(
        actor=request.user,
        job=job,
        steps=steps,
        answer_by=payload.answer_by,
        description=payload.description,
    )
    return Status(201, _request_out(request, _request(request, req.pk)))


# --- one request ------------------------------------------------------------------------


def _request_out(request: SignedInRequest, req: Request) -> BoardRequestOut:
    company = getattr(request, "active_company", None) or None
    page = pages.request_page(request.user, req, company)
    details = page.details
    route = [row.process for row in page.rows]
    return BoardRequestOut(
        **summary_fields(req, route),
        poster=page.poster,
        details=details,
        company_id=req.company_id if details else None,
        company_name=req.company.name if details else None,
        drawing_number=req.drawing_number if details else None,
        description=req.description if details else None,
        delivery_place=req.delivery_place if details else None,
        documents=[
            DocumentRefOut(id=d.pk, title=d.title, drawing_number=d.drawing_number)
            for d in page.documents
        ],
        cancel_reason=req.cancel_reason,
        nda_text=str(page.nda_text),
        processes=[
            ProcessOut(
                **route_item(row.process),
                step_id=row.process.step_id if page.poster else None,
                hands=[hand_out(request.user, h.hand, h.show_terms) for h in row.hands],
                my_hand=hand_out(request.user, row.my_hand, True) if row.my_hand else None,
            )
            for row in page.rows
        ],
        teams=[
            TeamSummaryOut(**team_summary_fields(request.user, t, list(t.members.all())))
            for t in page.teams
        ],
        my_team_id=page.my_team.pk if page.my_team else None,
        admission=admission_out(page.admission) if page.admission else None,
        admissions=[admission_out(a) for a in page.admissions],
    )


@router.get(
    "/requests/{request_id}",
    response=BoardRequestOut,
    summary="A request as the caller may see it: the summary, or the details once admitted",
)
def board_request(request, request_id: PathId):
    return _request_out(request, _request(request, request_id))


@router.post(
    "/requests/{request_id}/admission",
    response={201: AdmissionOut},
    summary="Accept the board's NDA and ask the poster to see the details",
)
def board_admission_request(request, request_id: PathId, payload: AdmissionIn):
    req = _request(request, request_id)
    company = active_company_or_403(request)
    admission = services.admission_request(
        actor=request.user,
        company=company,
        request=req,
        nda_accepted=payload.agree,
        ip_address=client_ip(request),
    )
    return Status(201, admission_out(admission))


@router.post(
    "/admissions/{admission_id}/decide",
    response=AdmissionOut,
    summary="Admit a shop to the details, or refuse (the poster)",
)
def board_admission_decide(request, admission_id: PathId, payload: BoardDecisionIn):
    admission = get_for_user_or_404(
        Admission.objects.select_related("request", "company"),
        request.user,
        CHANGE,
        pk=admission_id,
    )
    admission = services.admission_decide(
        actor=request.user, admission=admission, admit=payload.decision == "admit"
    )
    return admission_out(admission)


# --- hands ------------------------------------------------------------------------------


def _process(request: SignedInRequest, pk: int, action: str = VIEW) -> RequestProcess:
    return get_for_user_or_404(
        RequestProcess.objects.select_related("request__job", "process", "step"),
        request.user,
        action,
        pk=pk,
    )


@router.put(
    "/processes/{process_id}/hand",
    response=HandOut,
    summary="Raise our hand on a process (or change it): indicative price, lead time, comment",
)
def board_hand_raise(request, process_id: PathId, payload: HandIn):
    process = _process(request, process_id)
    company = active_company_or_403(request)
    hand = selectors.own_hand(user=request.user, process=process, company=company)
    data = payload.dict()
    if hand is not None:
        hand = services.hand_update(actor=request.user, hand=hand, **data)
    else:
        hand = services.hand_raise(actor=request.user, company=company, process=process, **data)
    hand.refresh_from_db()
    return hand_out(request.user, hand, True)


@router.delete("/processes/{process_id}/hand", response={204: None}, summary="Withdraw our hand")
def board_hand_withdraw(request, process_id: PathId):
    process = _process(request, process_id)
    company = active_company_or_403(request)
    hand = selectors.own_hand(user=request.user, process=process, company=company)
    if hand is None:
        raise Http404
    services.hand_withdraw(actor=request.user, hand=hand)
    return Status(204, None)


@router.post(
    "/processes/{process_id}/rfq",
    response={201: RfqRefOut},
    summary="On our posted job: ask the shops whose hands we pick for a quote",
)
def board_hand_rfq(request, process_id: PathId, payload: HandRfqIn):
    process = _process(request, process_id, CHANGE)
    chosen = selectors.hands_chosen(
        user=request.user, process=process, pks=[str(pk) for pk in payload.hand_ids]
    )
    deadline = timezone.make_aware(dt.datetime.combine(process.request.answer_by, dt.time(17, 0)))
    if deadline <= timezone.now():
        deadline = timezone.now() + dt.timedelta(days=2)
    rfq = services.hand_rfq(actor=request.user, process=process, hands=chosen, deadline=deadline)
    return Status(201, RfqRefOut(rfq_id=rfq.pk))


# --- cancel and award -------------------------------------------------------------------


@router.post(
    "/requests/{request_id}/cancel",
    response=BoardRequestOut,
    summary="Withdraw our request (the parties are told)",
)
def board_request_cancel(request, request_id: PathId, payload: BoardReasonIn):
    req = _request(request, request_id, CHANGE)
    services.request_cancel(actor=request.user, request=req, reason=payload.reason)
    return _request_out(request, _request(request, request_id))


class AwardOut(TeamSummaryOut):
    buyer_order_id: int | None = Field(description="the order issued to the team's lead")


@router.post(
    "/requests/{request_id}/award",
    response={201: AwardOut},
    summary="Award our request to a team that quoted, and issue the order",
)
def board_request_award(request, request_id: PathId, payload: BoardAwardIn):
    req = _request(request, request_id, CHANGE)
    team = selectors.quoted_teams(user=request.user, request=req).filter(pk=payload.team_id).first()
    if team is None or req.status != RequestStatus.OPEN:
        raise invalid_input(
            BoardErrorCode.TEAM_NOT_QUOTED,
            team_id=_("この引き合いには、発注できる見積がありません。"),
        )
    team = services.request_award(
        actor=request.user,
        request=req,
        team=team,
        delivery_place=payload.delivery_place,
        inspection_date=payload.inspection_date,
        payment_date=payload.payment_date,
        payment_method=payload.payment_method,
    )
    fields = team_summary_fields(request.user, team, list(team.members.select_related("company")))
    return Status(201, AwardOut(**fields))


# --- threads ----------------------------------------------------------------------------


@router.post(
    "/requests/{request_id}/threads/{company_id}",
    response=ThreadRefOut,
    summary="Open the thread between the poster and one shop (admitted, or leading a team)",
)
def board_request_thread(request, request_id: PathId, company_id: PathId):
    req = _request(request, request_id)
    company = active_company_or_403(request)
    party = (
        req.company
        if company_id == req.company_id
        else get_for_user_or_404(Company, request.user, VIEW, pk=company_id)
    )
    try:
        thread = services.request_thread_open(
            actor=request.user, request=req, company=company, party=party
        )
    except PermissionRefused:
        raise Http404 from None
    return ThreadRefOut(thread_id=thread.pk)


# --- buyers -----------------------------------------------------------------------------


@router.post(
    "/buyers",
    response={201: BoardCompanyRefOut},
    summary="Register the company we buy for as a buyer (we become its owner; limited a day)",
)
def board_buyer_register(request, payload: BuyerIn):
    company = services.buyer_register(
        actor=request.user,
        ip_address=client_ip(request),
        name=payload.name,
        prefecture=payload.prefecture,
        municipality=payload.municipality,
        address_line=payload.address_line,
    )
    return Status(201, BoardCompanyRefOut(id=company.pk, name=company.name, kind=company.kind))
