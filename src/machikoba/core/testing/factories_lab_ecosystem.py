"""Test data of the 産学官金 consortium and the matchings: partners, projects with their
participants, DX-loan referrals, past events with survey answers, and matchings (dates
relative to today)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.core.fiscal import add_months
from machikoba.core.testing.factories import OTA, ward
from machikoba.lab.choices import (
    EventKind,
    EventStatus,
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
    PartnerKind,
    ProjectKind,
    ProjectStatus,
    ReferralStatus,
    RegistrationStatus,
)
from machikoba.lab.models import Item, Lab
from machikoba.lab.models_ecosystem import (
    LoanReferral,
    Matching,
    Partner,
    Project,
    ProjectParticipant,
)
from machikoba.lab.models_events import Event, Registration, SurveyResponse


def make_partner(
    *,
    kind: str = PartnerKind.UNIVERSITY,
    name: str = "東京テスト大学 工学部",
    municipality_code: str = OTA,
    company=None,
    **fields,
) -> Partner:
    return Partner.objects.create(
        municipality=ward(municipality_code), kind=kind, name=name, company=company, **fields
    )


def bank_partner(bank) -> Partner:
    """The consortium row of a bank made by ``factories_lab.make_bank``."""
    return bank.consortium_partnerships.get()


def make_project(
    *,
    kind: str = ProjectKind.PBL,
    title: str = "IoTで段取り時間を見える化するPBL",
    municipality_code: str = OTA,
    status: str = ProjectStatus.PLANNED,
    starts_in_days: int = 0,
    days: int = 120,
    **fields,
) -> Project:
    starts_on = timezone.localdate() + dt.timedelta(days=starts_in_days)
    return Project.objects.create(
        municipality=ward(municipality_code),
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days),
        status=status,
        **fields,
    )


def add_participant(project: Project, *, company=None, partner=None, role: str = ""):
    return ProjectParticipant.objects.create(
        project=project, company=company, partner=partner, role=role
    )


def make_referral(
    company,
    bank,
    *,
    amount: int = 3_000_000,
    status: str = ReferralStatus.REFERRED,
    referred_by=None,
    **fields,
) -> LoanReferral:
    """A referral of ``company`` to ``bank`` (the bank's company, from ``make_bank``)."""
    partner = bank_partner(bank)
    return LoanReferral.objects.create(
        municipality=partner.municipality,
        company=company,
        bank=partner,
        amount_requested=amount,
        purpose=fields.pop("purpose", "生産管理システムの導入"),
        status=status,
        referred_by=referred_by,
        **fields,
    )


def make_past_event(lab: Lab, *, days_ago: int = 7, title: str = "IoT活用セミナー") -> Event:
    starts = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    starts -= dt.timedelta(days=days_ago)
    return Event.objects.create(
        lab=lab,
        kind=EventKind.EXCHANGE,
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=30,
        status=EventStatus.PUBLISHED,
    )


def make_survey(
    event: Event, user, company, *, met_partner: str = "テスト精機さんと試作の話をしました"
) -> SurveyResponse:
    registration = Registration.objects.create(
        event=event,
        user=user,
        company=company,
        status=RegistrationStatus.ATTENDED,
        attended_at=event.starts_at,
    )
    return SurveyResponse.objects.create(
        registration=registration, rating=4, useful=True, met_partner=met_partner
    )


def make_matching(
    party_a,
    party_b,
    *,
    item: Item | None = None,
    event: Event | None = None,
    source: str | None = None,
    status: str = MatchingStatus.CONFIRMED,
    agreed_days_ago: int = 10,
    **fields,
) -> Matching:
    """A matching stored as the services store it (the smaller company id first)."""
    if party_a.pk > party_b.pk:
        party_a, party_b = party_b, party_a
    agreed_on = timezone.localdate() - dt.timedelta(days=agreed_days_ago)
    lab = event.lab if event is not None else item.lab if item is not None else None
    if lab is None:
        raise ValueError("a matching comes from an event or an item")
    return Matching.objects.create(
        municipality=lab.municipality,
        source=source or (MatchingSource.EVENT if event else MatchingSource.LAB_VISIT),
        event=event,
        item=None if event else item,
        party_a=party_a,
        party_b=party_b,
        agreement=fields.pop("agreement", MatchingAgreement.TRIAL),
        agreed_on=agreed_on,
        evidence=fields.pop("evidence", "注文書 No.1001"),
        status=status,
        follow_up_due_on=add_months(agreed_on, 3),
        **fields,
    )


def refusal_of(call):
    """The ``ApplicationError`` ``call()`` raised (the test fails if it raised none)."""
    from machikoba.core.errors import ApplicationError

    try:
        call()
    except ApplicationError as error:
        return error
    raise AssertionError("expected a refusal, the call succeeded")


def light_world():
    """The actors the consortium's service and selector tests need, without the cohort,
    engagement and subsidy application ``World.build`` adds (seconds per test): the same
    two companies of 大田区 with owner, staff and floor worker, another company's owner,
    officers of 大田区 and 墨田区, the metro viewer, lab staff of 大田区, an IT vendor's
    owner, a partner bank's member and an admin."""
    from machikoba.accounts.choices import WardRole
    from machikoba.companies.choices import CompanyRole
    from machikoba.core.testing import matrix
    from machikoba.core.testing.factories import (
        SUMIDA,
        CompanyFactory,
        MembershipFactory,
        UserFactory,
        WardRoleFactory,
        give_totp,
    )
    from machikoba.core.testing.factories_lab import make_bank, make_lab_staff, make_vendor

    company = CompanyFactory(name="自社精機株式会社")
    other = CompanyFactory(name="他社工業株式会社")
    users = {matrix.ANONYMOUS: None}
    users[matrix.MEMBER] = MembershipFactory(company=company, role=CompanyRole.OWNER).user
    users[matrix.STAFF] = MembershipFactory(company=company, role=CompanyRole.STAFF).user
    users[matrix.FLOOR_WORKER] = MembershipFactory(
        company=company, role=CompanyRole.FLOOR_WORKER
    ).user
    users[matrix.OTHER_COMPANY] = MembershipFactory(company=other, role=CompanyRole.OWNER).user
    users[matrix.OFFICER] = WardRoleFactory(role=WardRole.OFFICER).user
    users[matrix.OTHER_WARD_OFFICER] = WardRoleFactory(
        role=WardRole.OFFICER, municipality=ward(SUMIDA)
    ).user
    users[matrix.METRO_VIEWER] = WardRoleFactory(role=WardRole.METRO_VIEWER).user
    users[matrix.ADMIN] = UserFactory(is_staff=True, is_superuser=True)
    for actor in matrix.MFA_ACTORS:
        give_totp(users[actor])
    users[matrix.LAB_STAFF] = make_lab_staff()
    vendor = make_vendor()
    users[matrix.VENDOR] = vendor.memberships.get().user
    bank = make_bank()
    users[matrix.BANK] = bank.memberships.get().user
    return matrix.World(company=company, other_company=other, users=users, vendor=vendor, bank=bank)
