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
    accepted_at = factory.LazyAttribute(
        lambda a: a.decided_at if a.status == ApplicationStatus.ACCEPTED else None
    )


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


# --- participant side (applications, waitlist, check-in): programs/tests/test_applications*,
# test_attendance, test_permissions_cohorts, test_browser_participant ------------------------


def make_owner(company=None, **user_fields):
    """A company (a new 大田区 one unless given) and its owner."""
    # Local: the block above was written without it (its imports belong to the lead).
    from machikoba.core.testing.factories import MembershipFactory

    membership = MembershipFactory(
        company=company or CompanyFactory(), role="owner", user=UserFactory(**user_fields)
    )
    return membership.company, membership.user


def make_leader_cohort(**cohort_fields):
    """A リーダー講座 cohort (staff nominated by the company, up to 2 per company), window
    open now."""
    program = ProgramFactory(
        kind=ProgramKind.LEADER,
        name=f"デジタル化推進リーダー講座 {secrets.token_hex(2)}",
        participant_role=ParticipantRole.STAFF,
        max_per_company=2,
    )
    return CohortFactory(program=program, **cohort_fields)


def session_now(cohort, *, starts_in_minutes: int = 0, hours: int = 2, number: int = 1):
    """A session of ``cohort`` starting ``starts_in_minutes`` from now (negative: begun)."""
    begins = timezone.now() + dt.timedelta(minutes=starts_in_minutes)
    return SessionFactory(
        cohort=cohort,
        number=number,
        starts_at=begins,
        ends_at=begins + dt.timedelta(hours=hours),
    )


# --- the ward office (programmes, cohorts, the funnel, grid, overdue): programs/tests/
# test_programs_office, test_office_selectors, test_permissions_office, test_browser_office


def record_attendance(application, session, status="present"):
    """An attendance of ``application`` at ``session`` (roll-call by default)."""
    from machikoba.programs.models import Attendance

    return Attendance.objects.create(
        session=session,
        application=application,
        status=status,
        method="roll_call",
        recorded_at=session.starts_at,
    )


def make_graduate(application, *, graduated_days_ago: int = 30, follow_up=None):
    """A graduation of ``application`` ``graduated_days_ago`` days ago, and its one-year
    follow-up (``follow_up``: field values, e.g. answered and invested; None: unanswered,
    due a year after graduating)."""
    from machikoba.programs.models import FollowUp, Graduation

    graduated_on = timezone.localdate() - dt.timedelta(days=graduated_days_ago)
    graduation = Graduation.objects.create(
        application=application,
        company=application.company,
        program_kind=application.cohort.program.kind,
        graduated_on=graduated_on,
        sessions_attended=4,
        sessions_total=5,
        certificate_code=secrets.token_hex(8),
    )
    FollowUp.objects.create(
        graduation=graduation,
        due_on=graduated_on + dt.timedelta(days=365),
        **(follow_up or {}),
    )
    return graduation


# --- homework, graduation, follow-up: programs/tests/test_homework*, test_graduation,
# test_follow_up, test_permissions_homework, test_browser_homework


def attend_sessions(application, count: int, *, status: str = "present"):
    """Mark ``application`` as attending the first ``count`` sessions of its cohort."""
    sessions = list(application.cohort.sessions.order_by("number")[:count])
    return [record_attendance(application, session, status) for session in sessions]


def make_plan(application, *, status: str = "draft", **fields):
    """A DX plan of ``application`` with every field a submission needs filled in."""
    from machikoba.programs.models_homework import DxPlan

    values = {
        "goal": "受注から出荷までを見える化し、納期回答を即日にする",
        "current_state": "見積と工程表が紙とExcelに分かれ、回答に2日かかる",
        "actions": "クラウドの生産管理を導入し、見積・工程・出荷を一元化する",
        "schedule": "4月選定、6月導入、9月に全案件で運用",
        "revision": 0 if status == "draft" else 1,
        **fields,
    }
    return DxPlan.objects.create(application=application, status=status, **values)


def make_finished_cohort(*, sessions: int = 5, **cohort_fields):
    """A cohort whose sessions all took place (the last one ended a week ago)."""
    return make_cohort_with_sessions(
        sessions=sessions, first_in_days=-7 * (sessions + 1), **cohort_fields
    )


# --- advisory: visits (伴走型アドバイザー派遣) -------------------------------------------


def make_visit(
    engagement, advisor, *, minutes: int = 90, days_ago: int = 1, at=None, signed_by=None
):
    """A visit of ``advisor`` to ``engagement`` that started at ``at`` (10:00 unless
    told) ``days_ago`` days ago (local time), signed off by ``signed_by`` when given.
    Written directly: the services' rules are tested through the services."""
    # Imported here to keep this block self-contained (the import list above is shared).
    from machikoba.advisory.models import Visit

    day = timezone.localdate() - dt.timedelta(days=days_ago)
    starts = timezone.make_aware(dt.datetime.combine(day, at or dt.time(10, 0)))
    return Visit.objects.create(
        engagement=engagement,
        advisor=advisor,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        minutes=minutes,
        work_done="現状の業務フローを聞き取り",
        signed_off_at=timezone.now() if signed_by is not None else None,
        signed_off_by=signed_by,
    )
