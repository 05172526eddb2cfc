"""Reads of the 産学官金 consortium: partners (the office's list), projects (the office's and
the participants'), DX-loan referrals (the officer's, the company's, the bank's) and the
choices their forms offer. Every list starts from ``for_user``; who may act on a row is
answered here from the same rules the services check."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import (
    MEMBER_ROLES,
    SUPPORT,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)
from machikoba.lab.access import office_wards
from machikoba.lab.choices import PartnerKind, ProjectStatus, ReferralStatus
from machikoba.lab.models_ecosystem import (
    LoanReferral,
    Partner,
    Project,
    ProjectDocument,
    ProjectParticipant,
)
from machikoba.lab.services.projects import OPEN_STATUSES, PROJECT_TRANSITIONS
from machikoba.lab.services.referrals import BANK_TRANSITIONS, bank_may_record
from machikoba.lab.services.referrals import OPEN_STATUSES as OPEN_REFERRALS
from machikoba.wards.models import Municipality

# Companies that take part as shops or buyers (banks and vendors join as partners).
SHOP_KINDS = (CompanyKind.SHOP, CompanyKind.BUYER)


# --- who is who ----------------------------------------------------------------------------


def is_office(user: User) -> bool:
    """Lab staff or an officer of some ward: the consortium's office pages."""
    return bool(office_wards(user))


def is_officer(user: User) -> bool:
    return bool(municipality_ids_for(user, WARD_OFFICER))


def has_company(user: User) -> bool:
    return bool(company_ids_for(user, MEMBER_ROLES, VIEW))


def office_municipalities(user: User) -> list[Municipality]:
    return list(Municipality.objects.filter(pk__in=office_wards(user)).order_by("code"))


# --- partners ------------------------------------------------------------------------------


def partner_list(user: User) -> list[Partner]:
    """The partners of the wards whose office ``user`` works in, active ones first."""
    return list(
        Partner.objects.for_user(user, VIEW)
        .filter(municipality__in=office_wards(user))
        .select_related("company", "municipality")
        .order_by("-active", "kind", "name", "pk")
    )


def linkable_companies(user: User) -> QuerySet[Company]:
    """The accounts a partner may be linked to: active banks and IT vendors."""
    return (
        Company.objects.for_user(user, VIEW)
        .filter(is_active=True, kind__in=(CompanyKind.BANK, CompanyKind.VENDOR))
        .order_by("kind", "name", "pk")
    )


# --- projects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    companies: list[str]
    partners: list[str]


def project_list(user: User, *, status: str = "") -> list[ProjectRow]:
    """The projects ``user`` may read: the office's of its wards, a company's the ones it
    (or a partner organisation it belongs to) takes part in."""
    projects = (
        Project.objects.for_user(user, VIEW)
        .select_related("municipality")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=ProjectParticipant.objects.select_related("company", "partner"),
            )
        )
        .order_by("-starts_on", "pk")
    )
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    return [
        ProjectRow(
            project=project,
            companies=[p.company.name for p in project.participants.all() if p.company],
            partners=[p.partner.name for p in project.participants.all() if p.partner],
        )
        for project in projects
    ]


@dataclass
class ProjectPage:
    project: Project
    participants: list[ProjectParticipant]
    documents: list[ProjectDocument]
    may_change: bool
    is_open: bool
    next_statuses: list[tuple[str, str]] = field(default_factory=list)


def project_page(user: User, project: Project) -> ProjectPage:
    may_change = project.municipality_id in office_wards(user)
    participants = list(
        project.participants.select_related("company", "partner").order_by(
            "partner_id", "company__name", "pk"
        )
    )
    documents = list(
        ProjectDocument.objects.for_user(user, VIEW).filter(project=project).order_by("pk")
    )
    labels = dict(ProjectStatus.choices)
    return ProjectPage(
        project=project,
        participants=participants,
        documents=documents,
        may_change=may_change,
        is_open=project.status in OPEN_STATUSES,
        next_statuses=[(s, str(labels[s])) for s in PROJECT_TRANSITIONS[project.status]]
        if may_change
        else [],
    )


def participant_companies(user: User) -> QuerySet[Company]:
    """Companies a project may take in: active shops and buyers."""
    return (
        Company.objects.for_user(user, VIEW)
        .filter(is_active=True, kind__in=SHOP_KINDS)
        .order_by("name", "pk")
    )


def participant_partners(user: User, project: Project) -> QuerySet[Partner]:
    return (
        Partner.objects.for_user(user, VIEW)
        .filter(municipality=project.municipality_id, active=True)
        .order_by("kind", "name", "pk")
    )


# --- DX-loan referrals ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRow:
    referral: LoanReferral
    # How the reader is related to it: "office", "company" or "bank".
    seen_as: str


def _seen_as(user: User, referral: LoanReferral) -> str:
    if referral.municipality_id in municipality_ids_for(user, WARD_OFFICER):
        return "office"
    if referral.bank.company_id in company_ids_for(user, MEMBER_ROLES, VIEW):
        return "bank"
    return "company"


def referral_list(user: User, *, status: str = "") -> list[ReferralRow]:
    """The referrals ``user`` may read: an officer's ward's, a company's own, a bank's
    addressed to it."""
    referrals = (
        LoanReferral.objects.for_user(user, VIEW)
        .select_related("company", "bank", "municipality")
        .order_by("-created_at", "-pk")
    )
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    return [ReferralRow(referral=r, seen_as=_seen_as(user, r)) for r in referrals]


@dataclass(frozen=True)
class ReferralPage:
    referral: LoanReferral
    seen_as: str
    is_bank: bool  # the reader records outcomes for the bank it is addressed to
    may_record: bool
    may_withdraw: bool
    outcome_choices: list[tuple[str, str]]


def referral_page(user: User, referral: LoanReferral) -> ReferralPage:
    labels = dict(ReferralStatus.choices)
    is_bank = bank_may_record(user, referral)
    officer = referral.municipality_id in municipality_ids_for(user, WARD_OFFICER)
    return ReferralPage(
        referral=referral,
        seen_as=_seen_as(user, referral),
        is_bank=is_bank,
        may_record=is_bank and referral.status in BANK_TRANSITIONS,
        may_withdraw=officer and referral.status in OPEN_REFERRALS,
        outcome_choices=[(s, str(labels[s])) for s in BANK_TRANSITIONS.get(referral.status, ())],
    )


def referable_companies(user: User) -> QuerySet[Company]:
    """The companies an officer may refer: active shops and buyers of the officer's wards
    (what the ward's office holds about a company: ``SUPPORT``)."""
    return (
        Company.objects.for_user(user, SUPPORT)
        .filter(is_active=True, kind__in=SHOP_KINDS)
        .order_by("name", "pk")
    )


def referral_banks(user: User) -> QuerySet[Partner]:
    """Partner banks an officer may refer to: active, of the officer's wards, linked to a
    bank's account (a bank recorded offline receives no referral online)."""
    return (
        Partner.objects.for_user(user, VIEW)
        .filter(
            municipality__in=municipality_ids_for(user, WARD_OFFICER),
            kind=PartnerKind.BANK,
            active=True,
            company__kind=CompanyKind.BANK,
            company__is_active=True,
        )
        .select_related("municipality")
        .order_by("municipality__code", "name", "pk")
    )
