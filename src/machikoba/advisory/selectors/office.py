"""The office's reads: the roster with each advisor's load against capacity, the inbox of
requests and proposals, the engagements with their phase progress and overdue phases, and
the companies an officer may propose support to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.advisory.choices import EngagementStatus, PhaseStatus, RequestStatus
from machikoba.advisory.models import Advisor, Engagement, Phase, SupportRequest, Visit
from machikoba.advisory.selectors.engagements import is_overdue
from machikoba.companies.models import Company
from machikoba.core.access import MANAGE, SUPPORT, VIEW
from machikoba.programs.choices import ProgramKind
from machikoba.programs.models import Graduation


@dataclass(frozen=True)
class AdvisorLoad:
    advisor: Advisor
    load: int

    @property
    def capacity(self) -> int:
        return self.advisor.capacity

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)

    @property
    def full(self) -> bool:
        return self.load >= self.capacity


def _with_load(advisors: QuerySet[Advisor]) -> list[AdvisorLoad]:
    rows = (
        advisors.select_related("user")
        .prefetch_related("wards")
        .annotate(
            current_load=Count(
                "memberships",
                filter=Q(memberships__engagement__status=EngagementStatus.ACTIVE),
                distinct=True,
            )
        )
    )
    return [AdvisorLoad(advisor=a, load=a.current_load) for a in rows]


def advisor_workload(*, user: User) -> list[AdvisorLoad]:
    """The advisors serving the officer's wards, each with the engagements they are on
    now (their load) against their capacity; the fullest first."""
    rows = _with_load(Advisor.objects.for_user(user, MANAGE).distinct())
    return sorted(rows, key=lambda r: (not r.advisor.active, -r.load / r.capacity, r.advisor.pk))


def assignable_advisors(*, user: User, request: SupportRequest) -> list[AdvisorLoad]:
    """The roster of the request's ward that may be put on a team: dispatched now (the
    form still shows full ones, marked, so the officer sees why they are missing)."""
    advisors = Advisor.objects.for_user(user, MANAGE).filter(
        wards=request.municipality_id, active=True
    )
    return sorted(_with_load(advisors.distinct()), key=lambda r: (r.full, r.advisor.user.name))


def requests_inbox(*, user: User) -> list[SupportRequest]:
    """Requests waiting for the office (open) and proposals waiting for the company."""
    return list(
        SupportRequest.objects.for_user(user, MANAGE)
        .filter(status__in=(RequestStatus.OPEN, RequestStatus.PROPOSED))
        .select_related("company", "municipality", "requested_by")
        .order_by("status", "created_at", "id")
    )


@dataclass(frozen=True)
class EngagementRow:
    engagement: Engagement
    phases: list[Phase]
    overdue: list[Phase]

    @property
    def done(self) -> int:
        return sum(1 for p in self.phases if p.status == PhaseStatus.DONE)

    @property
    def current(self) -> Phase | None:
        return next((p for p in self.phases if p.status != PhaseStatus.DONE), None)


def engagements_overview(
    *, user: User, status: str = EngagementStatus.ACTIVE
) -> list[EngagementRow]:
    """The office's engagements in ``status`` with their phases; those with overdue phases
    first."""
    today = timezone.localdate()
    engagements = (
        Engagement.objects.for_user(user, MANAGE)
        .filter(status=status)
        .select_related("company", "municipality")
        .prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("order"), to_attr="ordered_phases"),
            "members__advisor__user",
        )
        .order_by("ends_on", "id")
    )
    rows = []
    for engagement in engagements:
        phases = list(engagement.ordered_phases)
        rows.append(
            EngagementRow(
                engagement=engagement,
                phases=phases,
                overdue=[p for p in phases if is_overdue(p, today)],
            )
        )
    return sorted(rows, key=lambda r: (not r.overdue, r.engagement.ends_on, r.engagement.pk))


def overdue_phases(*, user: User, today: dt.date | None = None) -> list[Phase]:
    """Phases of the office's running engagements past their due date and not done,
    the longest overdue first."""
    today = today or timezone.localdate()
    return list(
        Phase.objects.for_user(user, MANAGE)
        .filter(
            engagement__status=EngagementStatus.ACTIVE,
            due_on__lt=today,
        )
        .exclude(status=PhaseStatus.DONE)
        .select_related("engagement__company")
        .order_by("due_on", "engagement_id", "order")
    )


def proposable_companies(*, user: User, text: str = "", limit: int = 20) -> list[Company]:
    """Companies of the officer's wards whose name contains ``text``."""
    text = text.strip()
    if not text:
        return []
    return list(
        Company.objects.for_user(user, SUPPORT)
        .filter(is_active=True, name__icontains=text)
        .order_by("name", "pk")[:limit]
    )


def graduates_to_propose(*, user: User, limit: int = 20) -> list[Graduation]:
    """The DX道場 graduates of the officer's wards (newest first) whose company has no
    pending request and no engagement under way: whom the office may offer an advisor
    next, the paper's path from the dojo to hands-on support."""
    busy = Q(support_requests__status__in=(RequestStatus.PROPOSED, RequestStatus.OPEN)) | Q(
        engagements__status=EngagementStatus.ACTIVE
    )
    supported = Company.objects.filter(busy).values("pk")
    return list(
        Graduation.objects.for_user(user, VIEW)
        .filter(
            program_kind=ProgramKind.DOJO,
            company__in=Company.objects.for_user(user, SUPPORT).filter(is_active=True),
        )
        .exclude(company__in=supported)
        .select_related("company", "application__cohort__program")
        .order_by("-graduated_on", "-pk")[:limit]
    )


@dataclass(frozen=True)
class OfficeSummary:
    """What an officer's home may show of the advisor dispatch."""

    open_requests: int
    proposals_waiting: int
    active_engagements: int
    overdue_phases: int
    unsigned_visits: int


def officer_home_summary(*, user: User) -> OfficeSummary:
    requests = SupportRequest.objects.for_user(user, MANAGE)
    return OfficeSummary(
        open_requests=requests.filter(status=RequestStatus.OPEN).count(),
        proposals_waiting=requests.filter(status=RequestStatus.PROPOSED).count(),
        active_engagements=Engagement.objects.for_user(user, MANAGE)
        .filter(status=EngagementStatus.ACTIVE)
        .count(),
        overdue_phases=len(overdue_phases(user=user)),
        unsigned_visits=Visit.objects.for_user(user, VIEW)
        .filter(
            engagement__in=Engagement.objects.for_user(user, MANAGE),
            signed_off_at__isnull=True,
        )
        .count(),
    )
