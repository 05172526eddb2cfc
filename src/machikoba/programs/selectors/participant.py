"""Reads of the participant's side of the programmes (DX道場, リーダー講座): the cohorts a
company may apply to, a cohort's page (sessions, seats, whether and why one may apply),
"my applications" (status, waitlist position, next session, attendance, homework links)
and the card on the owner's home page. The check-in page and the instructor's session
screen are in ``selectors.sessions``.

Who may apply is decided here once (``application_refusal``): the pages show its answer
and ``services.applications.application_submit`` raises it, under the cohort's lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.core.access import (
    EDITOR_ROLES,
    MANAGE,
    MEMBER_ROLES,
    VIEW,
    can,
    has_role,
)
from machikoba.core.dates import format_datetime
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.programs.choices import (
    ACTIVE_APPLICATION_STATUSES,
    ATTENDED_STATUSES,
    ApplicationStatus,
    ParticipantRole,
)
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import (
    Application,
    Cohort,
    FollowUp,
    Graduation,
    Program,
    Session,
)

# QR check-in: the code works from 30 minutes before a session starts until it ends; an
# arrival more than 15 minutes after the start is recorded as late.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
LATE_AFTER = dt.timedelta(minutes=15)
CHECKIN_CODE_MAX_LENGTH = 40

# The homework pages another part of the app provides (by URL name), with their labels.
HOMEWORK_PAGES = (
    ("programs:worksheet", gettext_lazy("課題の棚卸し")),
    ("programs:roi", gettext_lazy("投資対効果の試算")),
    ("programs:plan", gettext_lazy("DX計画書")),
)


# --- windows and wording ------------------------------------------------------------------


def checkin_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    """When a session's check-in code is accepted: from ``CHECKIN_OPENS_BEFORE`` before it
    starts until it ends."""
    return session.starts_at - CHECKIN_OPENS_BEFORE, session.ends_at


def checkin_is_open(session: Session, now: dt.datetime | None = None) -> bool:
    opens, closes = checkin_window(session)
    now = now or timezone.now()
    return opens <= now <= closes


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def session_when(session: Session) -> str:
    """``2026/05/12 19:00〜21:00``: the session's date and hours in local time."""
    starts, ends = _local(session.starts_at), _local(session.ends_at)
    if starts.date() == ends.date():
        return f"{format_datetime(session.starts_at)}〜{ends:%H:%M}"
    return f"{format_datetime(session.starts_at)}〜{format_datetime(session.ends_at)}"


def session_label(session: Session) -> str:
    return _("第%(number)s回「%(title)s」") % {"number": session.number, "title": session.title}


def next_session_sentence(session: Session | None) -> str:
    """The sentence notices end with: where and when the next session is."""
    if session is None:
        return ""
    place = session.place or (_("オンライン") if session.online_url else "")
    text = _("次回は %(when)s の%(session)sです。") % {
        "when": session_when(session),
        "session": session_label(session),
    }
    if place:
        text += _("会場: %(place)s") % {"place": place}
    return text


def first_upcoming_session(cohort: Cohort, now: dt.datetime | None = None) -> Session | None:
    """The cohort's next session that has not ended yet."""
    now = now or timezone.now()
    return cohort.sessions.filter(ends_at__gt=now).order_by("starts_at", "number").first()


# --- eligibility --------------------------------------------------------------------------


def program_wards(program: Program) -> set[int]:
    """The wards running ``program``: the lead ward and its partners."""
    return {program.municipality_id, *program.partner_wards.values_list("pk", flat=True)}


def waitlist_position(application: Application) -> int | None:
    """1 for the head of the cohort's waitlist; None when not waitlisted."""
    if application.status != ApplicationStatus.WAITLISTED:
        return None
    return (
        Application.objects.filter(
            cohort_id=application.cohort_id, status=ApplicationStatus.WAITLISTED
        )
        .filter(
            Q(applied_at__lt=application.applied_at)
            | Q(applied_at=application.applied_at, pk__lte=application.pk)
        )
        .count()
    )


def _is_member(user: User, company: Company) -> bool:
    return Membership.objects.filter(
        company=company, user=user, role__in=MEMBER_ROLES, user__is_active=True
    ).exists()


def application_refusal(
    *,
    actor: User,
    cohort: Cohort,
    company: Company | None,
    participant: User | None = None,
    now: dt.datetime | None = None,
) -> ApplicationError | None:
    """Why ``actor`` may not apply for ``company`` to ``cohort`` (with ``participant``,
    when already chosen), or None when they may. The rules are the programme's data:
    the window, the wards it serves, the number of people per company; and a company
    applies only when verified and active, through its owner (the dojo) or its owner or
    staff (the leader course, nominating one of its people)."""
    now = now or timezone.now()
    program = cohort.program
    if company is None or not has_role(actor, company, EDITOR_ROLES):
        return PermissionRefused(
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            _("講座に申し込めるのは、企業の経営者と事務・技術スタッフだけです。"),
        )
    owner_course = program.participant_role == ParticipantRole.OWNER
    if owner_course and not has_role(actor, company, (CompanyRole.OWNER,)):
        return PermissionRefused(
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            _("「%(program)s」は経営者ご本人が受講する講座です。経営者が申し込んでください。")
            % {"program": program.name},
        )
    if not (cohort.applications_open_at <= now < cohort.applications_close_at):
        if now < cohort.applications_open_at:
            message = _("「%(cohort)s」の申込受付は %(when)s からです。")
            when = cohort.applications_open_at
        else:
            message = _("「%(cohort)s」の申込受付は %(when)s に締め切りました。")
            when = cohort.applications_close_at
        return ApplicationError(
            ProgramErrorCode.APPLICATION_WINDOW_CLOSED,
            message % {"cohort": f"{program.name} {cohort.name}", "when": format_datetime(when)},
        )
    if not company.is_active or company.verified_at is None:
        return ApplicationError(
            ProgramErrorCode.APPLICATION_COMPANY_UNVERIFIED,
            _(
                "%(company)s はまだ確認が済んでいないか、利用を停止しているため、"
                "講座に申し込めません。区の窓口にお問い合わせください。"
            )
            % {"company": company.name},
        )
    if program.wards_only and company.ward_id not in program_wards(program):
        return ApplicationError(
            ProgramErrorCode.APPLICATION_WARD_INELIGIBLE,
            _("「%(program)s」は %(ward)s の企業が対象です。%(company)s は申し込めません。")
            % {
                "program": program.name,
                "ward": program.municipality.name,
                "company": company.name,
            },
        )
    active = Application.objects.filter(
        cohort=cohort, company=company, status__in=ACTIVE_APPLICATION_STATUSES
    )
    if participant is not None:
        if owner_course and participant.pk != actor.pk:
            return ApplicationError(
                ProgramErrorCode.APPLICATION_PARTICIPANT_INVALID,
                _("経営者向けの講座では、申し込んだ経営者ご本人が受講者になります。"),
            )
        if not _is_member(participant, company):
            return ApplicationError(
                ProgramErrorCode.APPLICATION_PARTICIPANT_INVALID,
                _("受講者には %(company)s のメンバーを選んでください。")
                % {"company": company.name},
            )
        mine = active.filter(participant=participant).first()
        if mine is not None:
            return ApplicationError(
                ProgramErrorCode.APPLICATION_DUPLICATE,
                _("%(person)s さんはこの期にすでに申し込んでいます (%(status)s)。")
                % {
                    "person": participant.get_full_name(),
                    "status": mine.get_status_display(),
                },
            )
        other = (
            Application.objects.filter(
                cohort=cohort, participant=participant, status__in=ACTIVE_APPLICATION_STATUSES
            )
            .exclude(company=company)
            .exists()
        )
        if other:
            return ApplicationError(
                ProgramErrorCode.APPLICATION_DUPLICATE,
                _("%(person)s さんはこの期に別の企業からすでに申し込んでいます。")
                % {"person": participant.get_full_name()},
            )
    if active.count() >= program.max_per_company:
        return ApplicationError(
            ProgramErrorCode.APPLICATION_COMPANY_LIMIT,
            _(
                "この講座に申し込めるのは1社あたり %(max)s 人までです。"
                "%(company)s はすでに上限に達しています。"
            )
            % {"max": program.max_per_company, "company": company.name},
        )
    return None


# --- the list of cohorts and a cohort's page -------------------------------------------------


@dataclass(frozen=True)
class CohortCard:
    """One cohort on the list (and the top of its page)."""

    cohort: Cohort
    program: Program
    accepted: int
    waitlisted: int
    sessions: int
    first_session: Session | None
    refusal: ApplicationError | None
    mine: list[Application]

    @property
    def seats_left(self) -> int:
        return max(self.cohort.capacity - self.accepted, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0

    @property
    def can_apply(self) -> bool:
        return self.refusal is None

    @property
    def window_open(self) -> bool:
        now = timezone.now()
        return self.cohort.applications_open_at <= now < self.cohort.applications_close_at


def _visible_cohorts(user: User) -> Any:
    return (
        Cohort.objects.for_user(user, VIEW)
        .select_related("program", "program__municipality")
        .annotate(
            accepted_count=Count(
                "applications",
                filter=Q(applications__status=ApplicationStatus.ACCEPTED),
                distinct=True,
            ),
            waitlisted_count=Count(
                "applications",
                filter=Q(applications__status=ApplicationStatus.WAITLISTED),
                distinct=True,
            ),
            session_count=Count("sessions", distinct=True),
        )
    )


def _card(user: User, cohort: Any, company: Company | None) -> CohortCard:
    participant = user if cohort.program.participant_role == ParticipantRole.OWNER else None
    mine: list[Application] = []
    if company is not None:
        mine = list(
            Application.objects.for_user(user, VIEW)
            .filter(cohort=cohort, company=company, status__in=ACTIVE_APPLICATION_STATUSES)
            .select_related("participant")
        )
    return CohortCard(
        cohort=cohort,
        program=cohort.program,
        accepted=cohort.accepted_count,
        waitlisted=cohort.waitlisted_count,
        sessions=cohort.session_count,
        first_session=cohort.sessions.order_by("starts_at", "number").first(),
        refusal=application_refusal(
            actor=user, cohort=cohort, company=company, participant=participant
        ),
        mine=mine,
    )


def open_cohorts(user: User, company: Company | None) -> list[CohortCard]:
    """The cohorts ``user`` sees whose application window has not closed, soonest
    closing first, each with its seats, waitlist and whether the company may apply."""
    now = timezone.now()
    cohorts = _visible_cohorts(user).filter(applications_close_at__gt=now)
    cohorts = cohorts.order_by("applications_close_at", "pk")
    return [_card(user, cohort, company) for cohort in cohorts]


@dataclass(frozen=True)
class SessionLine:
    session: Session
    when: str
    past: bool


@dataclass(frozen=True)
class CohortPage:
    card: CohortCard
    sessions: list[SessionLine]
    instructors: list[User]
    nominees: list[User] = field(default_factory=list)

    @property
    def staff_course(self) -> bool:
        return self.card.program.participant_role == ParticipantRole.STAFF


def cohort_page(user: User, cohort: Cohort, company: Company | None) -> CohortPage:
    """A cohort's page: what it is, its sessions, seats and waitlist, and whether (or why
    not) ``user`` may apply for ``company``; for a staff course, the people the company
    may nominate."""
    annotated = _visible_cohorts(user).get(pk=cohort.pk)
    card = _card(user, annotated, company)
    now = timezone.now()
    sessions = [
        SessionLine(session=s, when=session_when(s), past=s.ends_at <= now)
        for s in cohort.sessions.order_by("starts_at", "number")
    ]
    nominees: list[User] = []
    if company is not None and card.program.participant_role == ParticipantRole.STAFF:
        taken = {a.participant_id for a in card.mine}
        nominees = [
            m.user
            for m in Membership.objects.filter(
                company=company, role__in=MEMBER_ROLES, user__is_active=True
            )
            .select_related("user")
            .order_by("role", "user__name", "user_id")
            if m.user_id not in taken
        ]
    return CohortPage(
        card=card,
        sessions=sessions,
        instructors=list(cohort.instructors.order_by("name", "pk")),
        nominees=nominees,
    )


# --- my applications -------------------------------------------------------------------


@dataclass(frozen=True)
class HomeworkLink:
    label: str
    url: str


@dataclass(frozen=True)
class AttendanceLine:
    session: Session
    when: str
    status: str | None  # an AttendanceStatus value, None before it is recorded
    status_label: str
    past: bool


@dataclass(frozen=True)
class MyApplication:
    application: Application
    position: int | None
    next_session: Session | None
    next_when: str
    attended: int
    sessions_total: int
    attendance: list[AttendanceLine]
    homework: list[HomeworkLink]

    @property
    def active(self) -> bool:
        return self.application.status in ACTIVE_APPLICATION_STATUSES

    @property
    def accepted(self) -> bool:
        return self.application.status == ApplicationStatus.ACCEPTED


def homework_links(application: Application) -> list[HomeworkLink]:
    """Links to the application's homework pages, for those that exist (the homework part
    of the app may not provide all of them)."""
    links = []
    for name, label in HOMEWORK_PAGES:
        try:
            url = reverse(name, args=[application.pk])
        except NoReverseMatch:
            continue
        links.append(HomeworkLink(label=str(label), url=url))
    return links


def _my_application(application: Application, now: dt.datetime) -> MyApplication:
    # The cohort's sessions are prefetched in start order (``_mine_queryset``).
    sessions = list(application.cohort.sessions.all())
    recorded = {a.session_id: a for a in application.attendances.all()}
    lines = []
    for s in sessions:
        row = recorded.get(s.pk)
        lines.append(
            AttendanceLine(
                session=s,
                when=session_when(s),
                status=row.status if row else None,
                status_label=str(row.get_status_display()) if row else "",
                past=s.ends_at <= now,
            )
        )
    upcoming = next((s for s in sessions if s.ends_at > now), None)
    accepted = application.status == ApplicationStatus.ACCEPTED
    return MyApplication(
        application=application,
        position=waitlist_position(application),
        next_session=upcoming if accepted else None,
        next_when=session_when(upcoming) if upcoming and accepted else "",
        attended=sum(1 for a in recorded.values() if a.status in ATTENDED_STATUSES),
        sessions_total=len(sessions),
        attendance=lines,
        homework=homework_links(application) if accepted else [],
    )


def _mine_queryset(user: User, company: Company | None) -> Any:
    mine = Q(participant=user)
    if company is not None and has_role(user, company, EDITOR_ROLES, VIEW):
        mine |= Q(company=company)
    return (
        Application.objects.for_user(user, VIEW)
        .filter(mine)
        .select_related("cohort", "cohort__program", "company", "participant")
        .prefetch_related(
            "attendances",
            Prefetch("cohort__sessions", queryset=Session.objects.order_by("starts_at", "number")),
        )
        .order_by("-applied_at", "-pk")
    )


def my_applications(user: User, company: Company | None) -> list[MyApplication]:
    """The applications of ``company`` (for its owner and staff) and the user's own as a
    participant, newest first."""
    now = timezone.now()
    return [_my_application(a, now) for a in _mine_queryset(user, company)]


@dataclass(frozen=True)
class ApplicationPage:
    mine: MyApplication
    can_withdraw: bool
    can_decline: bool
    # After graduating: the certificate to download, and the one-year follow-up.
    graduation: Graduation | None = None
    follow_up: FollowUp | None = None


def application_page(user: User, application: Application) -> ApplicationPage:
    mine = _my_application(application, timezone.now())
    graduation = (
        Graduation.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("follow_up")
        .first()
    )
    active = application.status in ACTIVE_APPLICATION_STATUSES and graduation is None
    company_side = application.participant_id == user.pk or has_role(
        user, application.company, EDITOR_ROLES
    )
    follow_up = None
    if graduation is not None:
        follow_up = FollowUp.objects.for_user(user, VIEW).filter(graduation=graduation).first()
    return ApplicationPage(
        mine=mine,
        can_withdraw=active and company_side,
        can_decline=active and can(user, MANAGE, application.cohort.program),
        graduation=graduation,
        follow_up=follow_up,
    )


# --- the owner's home page ------------------------------------------------------------------


@dataclass(frozen=True)
class HomeCard:
    """The programmes on the owner's home page: the company's active applications (and
    the user's own seats), the next session among them, the waitlist positions, and how
    many cohorts are open to apply to now."""

    applications: list[MyApplication]
    next_session: Session | None
    next_application: Application | None
    next_when: str
    waitlisted: list[MyApplication]
    open_cohorts: int

    @property
    def is_empty(self) -> bool:
        return not self.applications and not self.open_cohorts


def _open_to_apply_count(user: User, company: Company, now: dt.datetime) -> int:
    """How many cohorts the company's people see taking applications now, leaving out
    those it has already applied to: the home page's hint, in one query (the full
    eligibility of each is on the list of courses)."""
    applied = Application.objects.filter(
        company=company, status__in=ACTIVE_APPLICATION_STATUSES
    ).values("cohort")
    return (
        Cohort.objects.for_user(user, VIEW)
        .filter(applications_open_at__lte=now, applications_close_at__gt=now)
        .exclude(pk__in=applied)
        .count()
    )


def home_card(user: User, company: Company | None = None) -> HomeCard:
    """For the home page: ``company`` is the active company (None for a person without
    one: only their own seats count)."""
    now = timezone.now()
    active = [
        _my_application(a, now)
        for a in _mine_queryset(user, company).filter(status__in=ACTIVE_APPLICATION_STATUSES)
    ]
    upcoming = sorted(
        (m for m in active if m.next_session is not None),
        key=lambda m: m.next_session.starts_at if m.next_session else now,
    )
    first = upcoming[0] if upcoming else None
    open_count = 0
    if company is not None and has_role(user, company, EDITOR_ROLES):
        open_count = _open_to_apply_count(user, company, now)
    return HomeCard(
        applications=active,
        next_session=first.next_session if first else None,
        next_application=first.application if first else None,
        next_when=first.next_when if first else "",
        waitlisted=[m for m in active if m.position is not None],
        open_cohorts=open_count,
    )
