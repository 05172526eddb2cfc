"""The company's side of the advisor dispatch: its page (the pending request or the
ward's proposal, its engagements, visits to sign off), asking for an advisor, answering
a proposal, withdrawing, signing a visit off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Schema, Status
from pydantic import Field

from machikoba.advisory import selectors, services
from machikoba.advisory.api._router import router
from machikoba.advisory.api.schemas import (
    AdvisoryRequestIn,
    AdvisoryRequestOut,
    EngagementSummaryOut,
    VisitOut,
    engagement_summary_out,
    request_out,
    visit_out,
)
from machikoba.advisory.models import SupportRequest, Visit
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.core.ids import PathId
from machikoba.core.views import active_company_or_403


class CompanyAdvisoryOut(Schema):
    company_id: int
    pending: AdvisoryRequestOut | None = Field(
        description="the company's open request or the ward's proposal awaiting an answer"
    )
    engagements: list[EngagementSummaryOut]
    awaiting_sign_off: list[VisitOut] = Field(description="visits not signed off yet")
    past_requests: list[AdvisoryRequestOut] = Field(description="the last declined or withdrawn")
    is_owner: bool
    may_request: bool = Field(description="no pending request and no running engagement")


def _company(request: Any) -> Company:
    """The active company, for its owners and staff (floor workers have no such page)."""
    company: Company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


@router.get("/company", response=CompanyAdvisoryOut, summary="The company's advisor dispatch")
def advisory_company(request: Any) -> CompanyAdvisoryOut:
    company = _company(request)
    page = selectors.company_advisory_page(user=request.user, company=company)
    return CompanyAdvisoryOut(
        company_id=company.pk,
        pending=request_out(page.pending) if page.pending else None,
        engagements=[engagement_summary_out(e) for e in page.engagements],
        awaiting_sign_off=[visit_out(v) for v in page.awaiting_sign_off],
        past_requests=[request_out(r) for r in page.past_requests],
        is_owner=page.is_owner,
        may_request=page.may_request,
    )


@router.post(
    "/company/requests",
    response={201: AdvisoryRequestOut},
    summary="Ask the ward for an advisor (the active company)",
)
def advisory_request_create(request: Any, payload: AdvisoryRequestIn) -> Status[AdvisoryRequestOut]:
    company = _company(request)
    created = services.support_request_create(
        actor=request.user,
        company=company,
        topics=payload.topics,
        description=payload.description,
    )
    return Status(201, request_out(created))


def _answer(request: Any, pk: int, call: Callable[..., SupportRequest]) -> AdvisoryRequestOut:
    support = get_for_user_or_404(
        SupportRequest.objects.select_related("company"), request.user, CHANGE, pk=pk
    )
    return request_out(call(actor=request.user, request=support))


@router.post(
    "/requests/{request_id}/withdraw",
    response=AdvisoryRequestOut,
    summary="Withdraw the company's request",
)
def advisory_request_withdraw(request: Any, request_id: PathId) -> AdvisoryRequestOut:
    return _answer(request, request_id, services.support_request_withdraw)


@router.post(
    "/requests/{request_id}/accept",
    response=AdvisoryRequestOut,
    summary="Accept the ward's proposal (the company's owner)",
)
def advisory_proposal_accept(request: Any, request_id: PathId) -> AdvisoryRequestOut:
    return _answer(request, request_id, services.support_proposal_accept)


@router.post(
    "/requests/{request_id}/refuse",
    response=AdvisoryRequestOut,
    summary="Refuse the ward's proposal (the company's owner)",
)
def advisory_proposal_decline(request: Any, request_id: PathId) -> AdvisoryRequestOut:
    return _answer(request, request_id, services.support_proposal_decline)


@router.post(
    "/visits/{visit_id}/sign-off",
    response=VisitOut,
    summary="Confirm a visit's record (the company's owner)",
)
def advisory_visit_sign_off(request: Any, visit_id: PathId) -> VisitOut:
    visit = get_for_user_or_404(
        Visit.objects.select_related("advisor__user"), request.user, VIEW, pk=visit_id
    )
    return visit_out(services.visit_sign_off(actor=request.user, visit=visit))
