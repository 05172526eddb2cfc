"""The advisor's home (their engagements, the next phase due, their hours this month) and
the company's page (its request, its engagement, visits to sign off), plus the small
summaries the role homes of ``web`` may show."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.advisory.choices import EngagementStatus, PhaseStatus, RequestStatus
from machikoba.advisory.models import Advisor, Engagement, Phase, SupportRequest, Visit
from machikoba.advisory.selectors.engagements import is_overdue
from machikoba.advisory.selectors.hours import MyMonth, my_month
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, OWNER_ROLES, VIEW, has_role


def advisor_profile(*, user: User) -> Advisor | None:
    """The signed-in person's own roster entry, if they are an advisor."""
    return Advisor.objects.for_user(user, VIEW).filter(user=user).first()


@dataclass(frozen=True)
class AdvisorEngagement:
    engagement: Engagement
    next_phase: Phase | None
    overdue: bool
    unsigned_visits: int
    lead: bool


@dataclass(frozen=True)
class AdvisorHome:
    advisor: Advisor
    engagements: list[AdvisorEngagement]
    month: MyMonth


def advisor_home(*, user: User) -> AdvisorHome | None:
    advisor = advisor_profile(user=user)
    if advisor is None:
        return None
    today = timezone.localdate()
    engagements = (
        Engagement.objects.for_user(user, VIEW)
        .filter(members__advisor=advisor, status=EngagementStatus.ACTIVE)
        .select_related("company")
        .prefetch_related(
            Prefetch(
                "phases",
                queryset=Phase.objects.exclude(status=PhaseStatus.DONE).order_by("order"),
                to_attr="open_phases",
            ),
            "members",
        )
        .order_by("ends_on", "id")
        .distinct()
    )
    rows = []
    for engagement in engagements:
        open_phases = engagement.open_phases
        next_phase = open_phases[0] if open_phases else None
        rows.append(
            AdvisorEngagement(
                engagement=engagement,
                next_phase=next_phase,
                overdue=any(is_overdue(p, today) for p in open_phases),
                unsigned_visits=Visit.objects.for_user(user, VIEW)
                .filter(engagement=engagement, signed_off_at__isnull=True)
                .count(),
                lead=any(m.lead and m.advisor_id == advisor.pk for m in engagement.members.all()),
            )
        )
    return AdvisorHome(
        advisor=advisor, engagements=rows, month=my_month(user=user, advisor=advisor, month=today)
    )


@dataclass(frozen=True)
class CompanyAdvisoryPage:
    company: Company
    pending: SupportRequest | None
    engagements: list[Engagement]
    awaiting_sign_off: list[Visit]
    past_requests: list[SupportRequest]
    is_owner: bool
    may_request: bool


def company_advisory_page(*, user: User, company: Company) -> CompanyAdvisoryPage:
    """The company's side: its pending request or the ward's proposal, its engagements
    (running first), the visits waiting for the owner's sign-off."""
    requests = SupportRequest.objects.for_user(user, VIEW).filter(company=company)
    pending = (
        requests.filter(status__in=(RequestStatus.PROPOSED, RequestStatus.OPEN))
        .select_related("municipality", "graduation")
        .first()
    )
    engagements = list(
        Engagement.objects.for_user(user, VIEW)
        .filter(company=company)
        .prefetch_related("members__advisor__user")
        .order_by("status", "-starts_on", "-id")
    )
    awaiting = list(
        Visit.objects.for_user(user, VIEW)
        .filter(engagement__company=company, signed_off_at__isnull=True)
        .select_related("advisor__user", "engagement")
        .order_by("starts_at", "id")
    )
    past = list(
        requests.filter(status__in=(RequestStatus.DECLINED, RequestStatus.WITHDRAWN)).order_by(
            "-updated_at", "-id"
        )[:5]
    )
    active = any(e.status == EngagementStatus.ACTIVE for e in engagements)
    return CompanyAdvisoryPage(
        company=company,
        pending=pending,
        engagements=engagements,
        awaiting_sign_off=awaiting,
        past_requests=past,
        is_owner=has_role(user, company, OWNER_ROLES),
        may_request=pending is None and not active and has_role(user, company, EDITOR_ROLES),
    )


@dataclass(frozen=True)
class AdvisorSummary:
    """For the advisor's home in ``web``: engagements, overdue ones, minutes this month."""

    engagements: int
    overdue: int
    minutes_this_month: int


def advisor_home_summary(*, user: User) -> AdvisorSummary | None:
    home = advisor_home(user=user)
    if home is None:
        return None
    return AdvisorSummary(
        engagements=len(home.engagements),
        overdue=sum(1 for row in home.engagements if row.overdue),
        minutes_this_month=home.month.total_minutes,
    )


@dataclass(frozen=True)
class CompanySummary:
    """For the owner's home in ``web``: visits to sign off, a proposal to answer."""

    visits_to_sign_off: int
    proposal_waiting: bool
    active_engagement: bool


def company_home_summary(*, user: User, company: Company) -> CompanySummary:
    visits = Visit.objects.for_user(user, VIEW).filter(
        engagement__company=company, signed_off_at__isnull=True
    )
    return CompanySummary(
        visits_to_sign_off=visits.count() if has_role(user, company, OWNER_ROLES) else 0,
        proposal_waiting=SupportRequest.objects.for_user(user, VIEW)
        .filter(company=company, status=RequestStatus.PROPOSED)
        .exists(),
        active_engagement=Engagement.objects.for_user(user, VIEW)
        .filter(company=company, status=EngagementStatus.ACTIVE)
        .exists(),
    )
