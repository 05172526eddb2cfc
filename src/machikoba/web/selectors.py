"""Reads for the home pages, and figures of higher apps shown on lower apps' pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.advisory.selectors.homes import CompanySummary, company_home_summary
from machikoba.advisory.selectors.office import OfficeSummary, officer_home_summary
from machikoba.board.choices import RequestStatus
from machikoba.board.models import Request, RequestProcess
from machikoba.companies.checklist import Checklist, profile_checklist
from machikoba.companies.choices import PARTNER_KINDS, CompanyKind
from machikoba.companies.models import Capability, Company, Membership
from machikoba.core.access import EDITOR_ROLES, SUPPORT, VIEW, has_role
from machikoba.core.models import AuditEvent
from machikoba.network.selectors import reliability
from machikoba.programs.models import FollowUp
from machikoba.programs.selectors.graduates import follow_ups_waiting
from machikoba.programs.selectors.office import FunnelRow
from machikoba.programs.selectors.office import funnel as programme_funnel
from machikoba.programs.selectors.participant import HomeCard
from machikoba.programs.selectors.participant import home_card as programs_home_card
from machikoba.subsidies.selectors.homes import (
    SubsidyHomeCard,
    SubsidyOfficeSummary,
    office_summary,
)
from machikoba.subsidies.selectors.homes import home_card as subsidies_home_card
from machikoba.wards.models import Municipality
from machikoba.wards.selectors import served_municipalities


def recent_company_events(*, user: User, company: Company, limit: int = 8) -> list[AuditEvent]:
    """The company's latest audit trail (owners only: the scope returns nothing to others)."""
    return list(
        AuditEvent.objects.for_user(user, VIEW)
        .filter(company=company)
        .order_by("-occurred_at", "-id")[:limit]
    )


BOARD_MATCHES = 5


@dataclass(frozen=True)
class FirstSteps:
    """A shop's first steps on its home: its profile checklist (shown until complete) and
    the open board requests that fit its processes."""

    checklist: Checklist
    board_matches: list[Request] = field(default_factory=list)
    has_processes: bool = False


def first_steps(*, user: User, membership: Membership) -> FirstSteps | None:
    """What the home shows an owner or staff member of an active shop to get going; None
    for everybody else (floor workers, buyers, a deactivated company's people)."""
    company = membership.company
    if (
        membership.role not in EDITOR_ROLES
        or company.kind != CompanyKind.SHOP
        or not company.is_active
    ):
        return None
    codes = list(
        Capability.objects.for_user(user, VIEW)
        .filter(company=company)
        .values_list("process__code", flat=True)
    )
    return FirstSteps(
        checklist=profile_checklist(company),
        board_matches=board_matches(user=user, company=company, process_codes=codes),
        has_processes=bool(codes),
    )


def board_matches(
    *, user: User, company: Company, process_codes: list[str], limit: int = BOARD_MATCHES
) -> list[Request]:
    """Open board requests the user sees (never the company's own) with a process that is
    one of ``process_codes`` or below one (a shop with 旋削 fits a request for NC旋盤),
    soonest answer date first, with their processes."""
    if not process_codes:
        return []
    fits = Q()
    for code in process_codes:
        fits |= Q(process__code=code) | Q(process__code__startswith=f"{code}.")
    # Which requests have such a process; the requests themselves are scoped below.
    fitting = RequestProcess.objects.filter(fits).values("request")
    return list(
        Request.objects.for_user(user, VIEW)
        .filter(status=RequestStatus.OPEN, answer_by__gte=timezone.localdate())
        .filter(pk__in=fitting)
        .exclude(company=company)
        .prefetch_related(
            Prefetch(
                "processes",
                queryset=RequestProcess.objects.select_related("process").order_by("position"),
            )
        )
        .order_by("answer_by", "-id")[:limit]
    )


def ward_overview(*, user: User) -> dict[str, Any]:
    """Aggregates of the wards an officer serves: counts, never one company's confidential
    data, nothing of another ward."""
    wards = list(served_municipalities(user, WardRole.OFFICER))
    companies = (
        Company.objects.for_user(user, SUPPORT)
        .filter(is_active=True)
        .exclude(kind__in=PARTNER_KINDS)
    )
    bands = {
        "1–9": Q(employees__lt=10),
        "10–29": Q(employees__gte=10, employees__lt=30),
        "30+": Q(employees__gte=30),
    }
    stats = companies.aggregate(
        total=Count("id", distinct=True),
        with_members=Count("id", filter=Q(memberships__isnull=False), distinct=True),
        unconfirmed=Count("id", filter=Q(ward_confirmed_at__isnull=True), distinct=True),
        **{f"band_{i}": Count("id", filter=q, distinct=True) for i, q in enumerate(bands.values())},
    )
    return {
        "wards": wards,
        "unconfirmed_total": stats["unconfirmed"],
        "company_total": stats["total"],
        "company_with_members": stats["with_members"],
        "size_bands": [(label, stats[f"band_{i}"]) for i, label in enumerate(bands)],
        "advisor_count": WardRoleAssignment.objects.for_user(user, VIEW)
        .filter(role=WardRole.ADVISOR)
        .filter(Q(municipality__in=wards) | Q(group__municipalities__in=wards))
        .values("user_id")
        .distinct()
        .count(),
    }


@dataclass(frozen=True)
class WardFigures:
    """One ward's line on the metro viewer's page: counts only."""

    ward: Municipality
    companies: int
    with_members: int
    shops: int


def metro_overview(*, user: User) -> dict[str, Any]:
    """What a metro viewer sees: per ward of its scope, counts over the companies there
    (the public directory's rows, counted, never listed) and the totals. No company's
    record, no link to one."""
    wards = list(served_municipalities(user, WardRole.METRO_VIEWER).select_related("group"))
    counts: dict[int, Any] = {
        row["ward"]: row
        for row in Company.objects.for_user(user, VIEW)
        .filter(is_active=True, ward__in=wards)
        .exclude(kind__in=PARTNER_KINDS)
        .values("ward")
        .annotate(
            total=Count("id", distinct=True),
            with_members=Count("id", filter=Q(memberships__isnull=False), distinct=True),
            shops=Count("id", filter=Q(kind=CompanyKind.SHOP), distinct=True),
        )
    }
    none: dict[str, int] = {"total": 0, "with_members": 0, "shops": 0}
    rows = [
        WardFigures(
            ward=ward,
            companies=counts.get(ward.pk, none)["total"],
            with_members=counts.get(ward.pk, none)["with_members"],
            shops=counts.get(ward.pk, none)["shops"],
        )
        for ward in wards
    ]
    return {
        "rows": rows,
        "total_companies": sum(r.companies for r in rows),
        "total_with_members": sum(r.with_members for r in rows),
        "total_shops": sum(r.shops for r in rows),
    }


def company_reliability(*, user: User, company: Company) -> dict[str, Any]:
    """The network's reliability figures on a company's profile (counts and averages, for
    signed-in users only): registered with ``companies.profile`` in ``WebConfig.ready``."""
    return {"reliability": reliability([company.pk])[company.pk]}


def company_next_action(*, user: User, company: Company) -> dict[str, Any]:
    """What a visiting shop can do next on another company's profile: ask it for a quote
    (an RFQ from one of its open jobs, the company preselected, or a new job first) and
    write to it (the latest thread both companies are in). Nothing for the company's own
    people, for buyers and for those who may not send RFQs (registered with
    ``companies.profile`` in ``WebConfig.ready``)."""
    from django.urls import reverse

    from machikoba.companies.choices import CompanyKind
    from machikoba.core.access import CHANGE, EDITOR_ROLES, MEMBER_ROLES, company_ids_for
    from machikoba.messaging.models import Thread
    from machikoba.network.models import Job

    mine = company_ids_for(user, EDITOR_ROLES)
    if company.pk in company_ids_for(user, MEMBER_ROLES, VIEW):
        return {}
    shops = list(
        Company.objects.filter(pk__in=mine, kind=CompanyKind.SHOP).values_list("pk", flat=True)
    )
    if not shops:
        return {}
    jobs = (
        Job.objects.for_user(user, CHANGE)
        .filter(company__in=shops, status="open")
        .order_by("due_date", "pk")[:5]
    )
    thread = (
        Thread.objects.for_user(user, VIEW)
        .filter(participants__company=company, participants__removed_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    return {
        "next_action": {
            "rfq_jobs": [
                (job, f"{reverse('network:rfq_create', args=[job.pk])}?to={company.pk}")
                for job in jobs
            ],
            "new_job_url": reverse("network:job_create"),
            "thread_url": reverse("messaging:thread", args=[thread.pk]) if thread else "",
        }
    }


@dataclass(frozen=True)
class SupportCard:
    """The ward's support on a shop's home: its programme seats and homework, the
    follow-up to answer, the advisor dispatch and the DX subsidy."""

    programs: HomeCard
    follow_ups: list[FollowUp]
    advisory: CompanySummary | None  # owners and staff only
    subsidies: SubsidyHomeCard | None = None  # owners and staff only

    @property
    def is_empty(self) -> bool:
        return (
            self.programs.is_empty
            and not self.follow_ups
            and self.advisory is None
            and (self.subsidies is None or self.subsidies.is_empty)
        )


def support_card(*, user: User, company: Company) -> SupportCard:
    editor = has_role(user, company, EDITOR_ROLES)
    return SupportCard(
        programs=programs_home_card(user, company if editor else None),
        follow_ups=follow_ups_waiting(user),
        advisory=company_home_summary(user=user, company=company) if editor else None,
        subsidies=subsidies_home_card(user, company) if editor else None,
    )


@dataclass(frozen=True)
class SupportOffice:
    """The support office's figures on an officer's home: this fiscal year's programme
    funnel (every programme of the officer's wards together) and the advisor dispatch."""

    funnel: FunnelRow
    fiscal_year: int
    advisory: OfficeSummary
    subsidies: SubsidyOfficeSummary


def support_office(*, user: User) -> SupportOffice:
    result = programme_funnel(user=user)
    return SupportOffice(
        funnel=result.total,
        fiscal_year=result.fiscal_year,
        advisory=officer_home_summary(user=user),
        subsidies=office_summary(user),
    )
