"""The ward office's side (ward officers; which ward's rows they reach is the access
layer's business): the inbox of requests and proposals, the engagements with their
progress, overdue phases, the roster with its load, proposing support, declining,
assigning a team, moving or cancelling an engagement, the hours roll-up and the
downloads."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Query, Schema, Status
from pydantic import Field

from machikoba.accounts.choices import WardRole
from machikoba.accounts.rules import is_ward_officer
from machikoba.advisory import selectors, services
from machikoba.advisory.api._router import router
from machikoba.advisory.api.schemas import (
    AdvisorEditIn,
    AdvisorIn,
    AdvisorOut,
    AdvisoryProposeIn,
    AdvisoryReasonIn,
    AdvisoryRequestOut,
    AssignIn,
    DatesIn,
    EngagementOut,
    EngagementStatusChoice,
    EngagementSummaryOut,
    advisor_out,
    engagement_out,
    engagement_summary_out,
    request_out,
)
from machikoba.advisory.models import Advisor, Engagement, SupportRequest
from machikoba.companies.models import Company
from machikoba.core.access import MANAGE, SUPPORT, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import PathId
from machikoba.core.views import content_disposition
from machikoba.programs.models import Graduation
from machikoba.wards.models import Municipality
from machikoba.wards.selectors import served_municipalities


def _officer(request: Any) -> None:
    if not is_ward_officer(request.user):
        raise PermissionDenied


# --- overview ----------------------------------------------------------------------------


class OfficeSummaryOut(Schema):
    open_requests: int
    proposals_waiting: int
    active_engagements: int
    overdue_phases: int
    unsigned_visits: int


class OverduePhaseOut(Schema):
    id: int
    engagement_id: int
    company_name: str
    kind: str
    due_on: dt.date
    status: str


class OfficeOverviewOut(Schema):
    summary: OfficeSummaryOut
    overdue: list[OverduePhaseOut] = Field(description="the longest overdue first")


@router.get(
    "/office", response=OfficeOverviewOut, summary="The office's figures and overdue phases"
)
def advisory_office(request: Any) -> OfficeOverviewOut:
    _officer(request)
    summary = selectors.officer_home_summary(user=request.user)
    return OfficeOverviewOut(
        summary=OfficeSummaryOut(**summary.__dict__),
        overdue=[
            OverduePhaseOut(
                id=p.pk,
                engagement_id=p.engagement_id,
                company_name=p.engagement.company.name,
                kind=p.kind,
                due_on=p.due_on,
                status=p.status,
            )
            for p in selectors.overdue_phases(user=request.user)
        ],
    )


@router.get(
    "/office/requests",
    response=Page[AdvisoryRequestOut],
    summary="Requests waiting for the office and proposals waiting for the company",
)
def advisory_office_requests(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    _officer(request)
    return page_of(selectors.requests_inbox(user=request.user), params, request_out)


class OfficeEngagementOut(Schema):
    engagement: EngagementSummaryOut
    phases_done: int
    current_phase: str | None
    overdue_phases: list[str] = Field(description="kinds of its overdue phases")
    advisors: list[str]


class OfficeEngagementFilters(Schema):
    status: EngagementStatusChoice = "active"


@router.get(
    "/office/engagements",
    response=Page[OfficeEngagementOut],
    summary="The office's engagements with their progress (overdue first)",
)
def advisory_office_engagements(
    request: Any, params: Query[PageParams], filters: Query[OfficeEngagementFilters]
) -> dict[str, Any]:
    _officer(request)
    rows = selectors.engagements_overview(user=request.user, status=filters.status)
    return page_of(
        rows,
        params,
        lambda row: OfficeEngagementOut(
            engagement=engagement_summary_out(row.engagement),
            phases_done=row.done,
            current_phase=row.current.kind if row.current else None,
            overdue_phases=[p.kind for p in row.overdue],
            advisors=[m.advisor.user.get_full_name() for m in row.engagement.members.all()],
        ),
    )


# --- roster ------------------------------------------------------------------------------


class AdvisorLoadOut(AdvisorOut):
    capacity: int
    load: int = Field(description="engagements running now")
    free: int
    hourly_fee: int
    ward_ids: list[int]


def _load_out(row: selectors.AdvisorLoad) -> AdvisorLoadOut:
    return AdvisorLoadOut(
        **advisor_out(row.advisor).dict(),
        capacity=row.capacity,
        load=row.load,
        free=row.free,
        hourly_fee=row.advisor.hourly_fee,
        ward_ids=[w.pk for w in row.advisor.wards.all()],
    )


@router.get(
    "/office/advisors",
    response=Page[AdvisorLoadOut],
    summary="The roster of the officer's wards with each advisor's load",
)
def advisory_roster(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    _officer(request)
    return page_of(selectors.advisor_workload(user=request.user), params, _load_out)


def _picked_wards(request: Any, ids: list[int]) -> list[Municipality]:
    chosen = set(ids)
    return [w for w in served_municipalities(request.user, WardRole.OFFICER) if w.pk in chosen]


def _roster_row(request: Any, advisor: Advisor) -> AdvisorLoadOut:
    row = next(
        r for r in selectors.advisor_workload(user=request.user) if r.advisor.pk == advisor.pk
    )
    return _load_out(row)


@router.post(
    "/office/advisors",
    response={201: AdvisorLoadOut},
    summary="Add a person with a machikoba account to the roster",
)
def advisory_advisor_create(request: Any, payload: AdvisorIn) -> Status[AdvisorLoadOut]:
    _officer(request)
    advisor = services.advisor_create(
        actor=request.user,
        email=payload.email,
        kind=payload.kind,
        organisation=payload.organisation,
        specialties=payload.specialties,
        wards=_picked_wards(request, payload.ward_ids),
        capacity=payload.capacity,
        hourly_fee=payload.hourly_fee,
        active=payload.active,
    )
    return Status(201, _roster_row(request, advisor))


@router.put(
    "/office/advisors/{advisor_id}",
    response=AdvisorLoadOut,
    summary="Change an advisor's roster entry",
)
def advisory_advisor_update(
    request: Any, advisor_id: PathId, payload: AdvisorEditIn
) -> AdvisorLoadOut:
    _officer(request)
    advisor = get_for_user_or_404(
        Advisor.objects.select_related("user"), request.user, MANAGE, pk=advisor_id
    )
    services.advisor_update(
        actor=request.user,
        advisor=advisor,
        kind=payload.kind,
        organisation=payload.organisation,
        specialties=payload.specialties,
        wards=_picked_wards(request, payload.ward_ids),
        capacity=payload.capacity,
        hourly_fee=payload.hourly_fee,
        active=payload.active,
    )
    return _roster_row(request, advisor)


# --- proposing, declining, assigning -----------------------------------------------------


class AdvisoryCompanyRefOut(Schema):
    id: int
    name: str


class GraduateOut(Schema):
    graduation_id: int
    company: AdvisoryCompanyRefOut
    graduated_on: dt.date


class ProposableOut(Schema):
    companies: list[AdvisoryCompanyRefOut] = Field(description="companies whose name contains q")
    graduates: list[GraduateOut] = Field(
        description="DX道場 graduates with no pending request and no running engagement"
    )


class ProposableFilters(Schema):
    q: str = Field("", max_length=100, description="part of the company's name")


@router.get(
    "/office/proposable",
    response=ProposableOut,
    summary="Companies of the officer's wards to propose support to",
)
def advisory_proposable(request: Any, filters: Query[ProposableFilters]) -> ProposableOut:
    _officer(request)
    companies = selectors.proposable_companies(user=request.user, text=filters.q)
    return ProposableOut(
        companies=[AdvisoryCompanyRefOut(id=c.pk, name=c.name) for c in companies],
        graduates=[
            GraduateOut(
                graduation_id=g.pk,
                company=AdvisoryCompanyRefOut(id=g.company_id, name=g.company.name),
                graduated_on=g.graduated_on,
            )
            for g in selectors.graduates_to_propose(user=request.user)
        ],
    )


@router.post(
    "/office/proposals",
    response={201: AdvisoryRequestOut},
    summary="Propose an advisor to a company of the officer's ward",
)
def advisory_propose(request: Any, payload: AdvisoryProposeIn) -> Status[AdvisoryRequestOut]:
    _officer(request)
    company = get_for_user_or_404(Company, request.user, SUPPORT, pk=payload.company_id)
    graduation = None
    if payload.graduation_id is not None:
        graduation = get_for_user_or_404(Graduation, request.user, VIEW, pk=payload.graduation_id)
    created = services.support_request_propose(
        actor=request.user,
        company=company,
        topics=payload.topics,
        description=payload.description,
        graduation=graduation,
    )
    return Status(201, request_out(created))


def _managed_request(request: Any, pk: int) -> SupportRequest:
    _officer(request)
    return get_for_user_or_404(
        SupportRequest.objects.select_related("company", "municipality", "requested_by"),
        request.user,
        MANAGE,
        pk=pk,
    )


@router.post(
    "/office/requests/{request_id}/decline",
    response=AdvisoryRequestOut,
    summary="Decline a company's request, with the reason it is told",
)
def advisory_request_decline(
    request: Any, request_id: PathId, payload: AdvisoryReasonIn
) -> AdvisoryRequestOut:
    support = _managed_request(request, request_id)
    declined = services.support_request_decline(
        actor=request.user, request=support, reason=payload.reason
    )
    return request_out(declined)


@router.get(
    "/office/requests/{request_id}/candidates",
    response=list[AdvisorLoadOut],
    summary="The advisors of the request's ward who may be put on its team",
)
def advisory_assign_candidates(request: Any, request_id: PathId) -> list[AdvisorLoadOut]:
    support = _managed_request(request, request_id)
    return [
        _load_out(row) for row in selectors.assignable_advisors(user=request.user, request=support)
    ]


@router.post(
    "/office/requests/{request_id}/assign",
    response={201: EngagementOut},
    summary="Assign a team of advisors: the engagement starts",
)
def advisory_assign(request: Any, request_id: PathId, payload: AssignIn) -> Status[EngagementOut]:
    support = _managed_request(request, request_id)
    candidates = {
        row.advisor.pk: row.advisor
        for row in selectors.assignable_advisors(user=request.user, request=support)
    }
    team = [candidates[pk] for pk in payload.advisor_ids if pk in candidates]
    engagement = services.engagement_assign(
        actor=request.user,
        request=support,
        advisors=team,
        lead=candidates.get(payload.lead_id or 0),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, _engagement_out(request, engagement.pk))


# --- engagements -------------------------------------------------------------------------


def _engagement_out(request: Any, pk: int) -> EngagementOut:
    item = get_for_user_or_404(
        Engagement.objects.select_related("company", "municipality", "request"),
        request.user,
        VIEW,
        pk=pk,
    )
    return engagement_out(selectors.engagement_page(user=request.user, engagement=item))


def _managed(request: Any, pk: int) -> Engagement:
    _officer(request)
    return get_for_user_or_404(
        Engagement.objects.select_related("company"), request.user, MANAGE, pk=pk
    )


@router.put(
    "/office/engagements/{engagement_id}/dates",
    response=EngagementOut,
    summary="Move an engagement's start and end (the phases' due dates follow)",
)
def advisory_engagement_dates(
    request: Any, engagement_id: PathId, payload: DatesIn
) -> EngagementOut:
    item = _managed(request, engagement_id)
    services.engagement_dates_update(
        actor=request.user, engagement=item, starts_on=payload.starts_on, ends_on=payload.ends_on
    )
    return _engagement_out(request, item.pk)


@router.post(
    "/office/engagements/{engagement_id}/cancel",
    response=EngagementOut,
    summary="Cancel a running engagement, with the reason",
)
def advisory_engagement_cancel(
    request: Any, engagement_id: PathId, payload: AdvisoryReasonIn
) -> EngagementOut:
    item = _managed(request, engagement_id)
    services.engagement_cancel(actor=request.user, engagement=item, reason=payload.reason)
    return _engagement_out(request, item.pk)


# --- hours and downloads -----------------------------------------------------------------

MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class MonthFilters(Schema):
    month: str | None = Field(None, pattern=MONTH, description="YYYY-MM (default: this month)")


class AdvisorMonthOut(Schema):
    advisor: AdvisorOut
    visits: int
    signed_minutes: int
    unsigned_minutes: int = Field(description="waiting for the company's sign-off; not paid")
    hourly_fee: int
    amount: int = Field(description="yen payable for the signed-off minutes")


class HoursRollupOut(Schema):
    month: dt.date
    rows: list[AdvisorMonthOut]
    signed_minutes: int
    unsigned_minutes: int
    amount: int


def _month(filters: MonthFilters) -> dt.date:
    return selectors.parse_month(filters.month, default=timezone.localdate())


@router.get(
    "/office/hours",
    response=HoursRollupOut,
    summary="Advisors' hours and payable amounts of a month",
)
def advisory_hours(request: Any, filters: Query[MonthFilters]) -> HoursRollupOut:
    _officer(request)
    rollup = selectors.hours_rollup(user=request.user, month=_month(filters))
    return HoursRollupOut(
        month=rollup.month,
        rows=[
            AdvisorMonthOut(
                advisor=advisor_out(r.advisor),
                visits=r.visits,
                signed_minutes=r.signed_minutes,
                unsigned_minutes=r.unsigned_minutes,
                hourly_fee=r.hourly_fee,
                amount=r.amount,
            )
            for r in rollup.rows
        ],
        signed_minutes=rollup.signed_minutes,
        unsigned_minutes=rollup.unsigned_minutes,
        amount=rollup.amount,
    )


@router.get(
    "/office/export/{report}.{file_format}",
    response={200: None},
    summary="The roster's load, overdue phases or a month's hours as CSV or Excel",
)
def advisory_export(
    request: Any,
    report: Literal["workload", "overdue", "hours"],
    file_format: Literal["csv", "xlsx"],
    filters: Query[MonthFilters],
) -> HttpResponse:
    _officer(request)
    try:
        exported = services.report_export(
            actor=request.user, report=report, file_format=file_format, month=_month(filters)
        )
    except ApplicationError as error:  # pragma: no cover - the path allows valid ones only
        if error.status_code == 403:
            raise PermissionDenied from None
        raise Http404 from None
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition(exported.filename)
    response["Cache-Control"] = "private, no-store"
    return response
