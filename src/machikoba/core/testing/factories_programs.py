"""Factories of the support office: programmes, cohorts, sessions, applications (programs)
and advisors, requests, engagements (advisory). Dates are built from now, never literal."""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.advisory.choices import (
    PHASE_ORDER,
    AdvisorKind,
    RequestOrigin,
    RequestStatus,
)
from machikoba.advisory.models import (
    Advisor,
    Engagement,
    EngagementMember,
    Phase,
    SupportRequest,
)
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import (
    CompanyFactory,
    UserFactory,
    WardRoleFactory,
    ward,
)
from machikoba.programs.choices import ApplicationStatus, ParticipantRole, ProgramKind
from machikoba.programs.models import Application, Cohort, Program, Session


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    municipality = factory.LazyFunction(ward)
    kind = ProgramKind.DOJO
    name = factory.Sequence(lambda n: f"DX道場 {n}")
    participant_role = ParticipantRole.OWNER
    max_per_company = 1
    min_sessions_attended = 4
    requires_plan_accepted = True


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort whose application window is open now (opened a week ago, closes in three)."""

    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    fiscal_year = factory.LazyFunction(lambda: fiscal_year(timezone.localdate()))
    name = factory.Sequence(lambda n: f"第{n + 1}期")
    capacity = 20
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    applications_close_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=21))


class SessionFactory(factory.django.DjangoModelFactory):
    """A session a month from now unless told otherwise (``starts_at``)."""

    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"講義 {n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(hours=2))
    place = "産業プラザPiO 会議室"
    checkin_code = factory.LazyFunction(lambda: secrets.token_urlsafe(12))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An accepted application of the company's owner (a new company and owner unless
    given)."""

    class Meta:
        model = Application

    cohort = factory.SubFactory(CohortFactory)
    company = factory.SubFactory(CompanyFactory)
    participant = factory.SubFactory(UserFactory)
    applied_by = factory.SelfAttribute("participant")
    status = ApplicationStatus.ACCEPTED
    applied_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyFunction(timezone.now)


def make_cohort_with_sessions(*, sessions: int = 5, first_in_days: int = -14, **cohort_fields):
    """A cohort with ``sessions`` weekly sessions, the first ``first_in_days`` from now
    (negative: already past)."""
    cohort = CohortFactory(**cohort_fields)
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=first_in_days)
    for number in range(1, sessions + 1):
        begins = start + dt.timedelta(weeks=number - 1)
        SessionFactory(
            cohort=cohort,
            number=number,
            title=f"第{number}回",
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=2),
        )
    return cohort


def make_instructor(cohort=None, **user_fields):
    """A user with the instructor role in the cohort's ward, teaching ``cohort``."""
    grant = WardRoleFactory(role=WardRole.INSTRUCTOR, user=UserFactory(**user_fields))
    if cohort is not None:
        cohort.instructors.add(grant.user)
    return grant.user


class AdvisorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisor
        skip_postgeneration_save = True

    user = factory.LazyFunction(
        lambda: WardRoleFactory(role=WardRole.ADVISOR, user=UserFactory()).user
    )
    kind = AdvisorKind.IT_EXPERT
    organisation = "城南ITコンサルティング"
    specialties = "生産管理, IoT"
    capacity = 3
    hourly_fee = 8000

    @factory.post_generation
    def wards(self, create, extracted, **kwargs):
        if create:
            self.wards.set(extracted or [ward()])


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest

    company = factory.SubFactory(CompanyFactory)
    municipality = factory.LazyAttribute(lambda r: r.company.ward or ward())
    origin = RequestOrigin.COMPANY
    status = RequestStatus.OPEN
    topics = "生産管理"
    description = "見積に時間がかかるので相談したい"


def make_engagement(company, advisors=(), *, started_days_ago: int = 30, assigned_by=None):
    """An active engagement of ``company`` with ``advisors`` (the first one leads) and its
    five phases, due in equal steps over six months from the start."""
    request = SupportRequestFactory(company=company, status=RequestStatus.ASSIGNED)
    starts = timezone.localdate() - dt.timedelta(days=started_days_ago)
    engagement = Engagement.objects.create(
        request=request,
        municipality=request.municipality,
        company=company,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=182),
        assigned_by=assigned_by,
    )
    for index, advisor in enumerate(advisors):
        EngagementMember.objects.create(engagement=engagement, advisor=advisor, lead=index == 0)
    for order, kind in enumerate(PHASE_ORDER, start=1):
        Phase.objects.create(
            engagement=engagement,
            kind=kind,
            order=order,
            due_on=starts + dt.timedelta(days=36 * order),
        )
    return engagement
