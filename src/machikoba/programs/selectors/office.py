"""The office's reads: its programmes and cohorts, one cohort's page, the funnel from
application to investment, a cohort's attendance grid and what is overdue. Every read
starts from ``for_user`` with the officer's action (``CHANGE`` on programmes and cohorts:
only the wards the officer serves), so another ward's rows are never listed or counted.
Each report also comes as a table (header and rows) for the CSV / Excel download.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.core.access import CHANGE, VIEW
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.programs.choices import ATTENDED_STATUSES, ApplicationStatus, AttendanceStatus
from machikoba.programs.models import (
    Application,
    Attendance,
    Cohort,
    FollowUp,
    Program,
    Session,
    SessionMaterial,
)

# How long after graduating an investment still counts for the KPI.
INVESTMENT_WINDOW = dt.timedelta(days=365)

# A grid cell: the short mark and its full meaning (for screen readers and the legend).
CELL_MARKS = {
    AttendanceStatus.PRESENT: "出",
    AttendanceStatus.LATE: "遅",
    AttendanceStatus.EXCUSED: "欠(届)",
    AttendanceStatus.ABSENT: "欠",
}
NOT_RECORDED = "—"


def office_programs(user: User) -> QuerySet[Program]:
    """The programmes ``user`` runs as an officer (lead ward or partner)."""
    return Program.objects.for_user(user, CHANGE).distinct()


def office_cohorts(user: User) -> QuerySet[Cohort]:
    return Cohort.objects.for_user(user, CHANGE).distinct()


def _seat_counts() -> dict[str, Any]:
    return {
        "accepted_count": Count(
            "applications", filter=Q(applications__status=ApplicationStatus.ACCEPTED)
        ),
        "waitlisted_count": Count(
            "applications", filter=Q(applications__status=ApplicationStatus.WAITLISTED)
        ),
    }


# --- the office's programme home ---------------------------------------------------------


@dataclass(frozen=True)
class YearCohorts:
    fiscal_year: int
    cohorts: list[Cohort]  # annotated with accepted_count, waitlisted_count


@dataclass(frozen=True)
class ProgramRow:
    program: Program
    years: list[YearCohorts]


def office_home(*, user: User) -> list[ProgramRow]:
    """Each of the officer's programmes with its cohorts per fiscal year (newest first)
    and their seats: accepted of capacity, and how many wait."""
    programs = list(
        office_programs(user)
        .select_related("municipality")
        .prefetch_related("partner_wards")
        .order_by("municipality__code", "kind", "name", "pk")
    )
    cohorts = (
        office_cohorts(user)
        .filter(program__in=[p.pk for p in programs])
        .annotate(**_seat_counts())
        .order_by("-fiscal_year", "applications_open_at", "pk")
    )
    by_program: dict[int, dict[int, list[Cohort]]] = defaultdict(lambda: defaultdict(list))
    for cohort in cohorts:
        by_program[cohort.program_id][cohort.fiscal_year].append(cohort)
    return [
        ProgramRow(
            program=program,
            years=[
                YearCohorts(fiscal_year=year, cohorts=items)
                for year, items in sorted(by_program[program.pk].items(), reverse=True)
            ],
        )
        for program in programs
    ]


# --- one cohort --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    waitlist_position: int | None  # 1 for the next to move up


@dataclass(frozen=True)
class CohortOfficePage:
    cohort: Cohort
    accepted: int
    waitlisted: int
    applications: list[ApplicationRow]
    sessions: Sequence[Session]  # with materials prefetched (``session.office_materials``)
    instructors: list[User]
    now: dt.datetime


def cohort_office_page(*, user: User, cohort: Cohort) -> CohortOfficePage:
    """The office's page of one cohort: its applications (seats first, then the waitlist
    in order, then the rest), sessions with their materials, and instructors."""
    applications = list(
        Application.objects.for_user(user, VIEW)
        .filter(cohort=cohort)
        .select_related("company", "participant")
        .order_by("applied_at", "pk")
    )
    position = 0
    rows: list[ApplicationRow] = []
    for application in applications:
        if application.status == ApplicationStatus.WAITLISTED:
            position += 1
            rows.append(ApplicationRow(application, position))
        else:
            rows.append(ApplicationRow(application, None))
    order = {
        ApplicationStatus.ACCEPTED: 0,
        ApplicationStatus.WAITLISTED: 1,
        ApplicationStatus.WITHDRAWN: 2,
        ApplicationStatus.DECLINED: 3,
    }
    rows.sort(key=lambda r: order.get(ApplicationStatus(r.application.status), 9))
    sessions = list(
        Session.objects.for_user(user, VIEW)
        .filter(cohort=cohort)
        .select_related("instructor")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=SessionMaterial.objects.for_user(user, VIEW).order_by("pk"),
                to_attr="office_materials",
            )
        )
        .order_by("number")
    )
    statuses = [r.application.status for r in rows]
    return CohortOfficePage(
        cohort=cohort,
        accepted=statuses.count(ApplicationStatus.ACCEPTED),
        waitlisted=statuses.count(ApplicationStatus.WAITLISTED),
        applications=rows,
        sessions=sessions,
        instructors=list(cohort.instructors.order_by("name", "email")),
        now=timezone.now(),
    )


def instructor_candidates(*, user: User, program: Program) -> list[User]:
    """The people who may teach ``program``: holders of the instructor role (in force) for
    its lead ward or a partner ward, as the officer sees the ward's role grants."""
    wards = [program.municipality_id, *program.partner_wards.values_list("pk", flat=True)]
    today = timezone.localdate()
    grants = (
        WardRoleAssignment.objects.for_user(user, VIEW)
        .filter(role=WardRole.INSTRUCTOR)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(municipality__in=wards) | Q(group__municipalities__in=wards))
    )
    return list(
        User.objects.filter(pk__in=grants.values("user"), is_active=True).order_by("name", "email")
    )


# --- the funnel --------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    percent: int | None  # of the previous step; None for the first, or after a zero


@dataclass(frozen=True)
class FunnelRow:
    program: Program | None  # None: every programme together
    steps: list[FunnelStep]


@dataclass(frozen=True)
class Funnel:
    fiscal_year: int
    years: list[int]  # the fiscal years there is something to show, newest first
    rows: list[FunnelRow]
    total: FunnelRow


FUNNEL_STEPS = ("applied", "accepted", "attended", "graduated", "invested")


def _funnel_labels() -> dict[str, str]:
    return {
        "applied": _("申込"),
        "accepted": _("受講決定"),
        "attended": _("出席 (1回以上)"),
        "graduated": _("修了"),
        "invested": _("1年以内にDX投資"),
    }


def _percent(count: int, previous: int) -> int | None:
    return round(count * 100 / previous) if previous else None


def _steps(counts: dict[str, int]) -> list[FunnelStep]:
    labels = _funnel_labels()
    steps: list[FunnelStep] = []
    previous: int | None = None
    for key in FUNNEL_STEPS:
        count = counts.get(key, 0)
        percent = None if previous is None else _percent(count, previous)
        steps.append(FunnelStep(key=key, label=labels[key], count=count, percent=percent))
        previous = count
    return steps


# Given a seat at some point (at once or from the waitlist), whatever happened after:
# ``Application.accepted_at`` is set when the seat is given and kept through a withdrawal
# or a decline.
EVER_ACCEPTED = Q(accepted_at__isnull=False)


def funnel(*, user: User, fiscal_year: int | None = None) -> Funnel:
    """From application to investment, per programme of the officer's wards, for the
    cohorts of one fiscal year (default: the current one). The steps:

    - 申込 (applied): every application ever submitted to those cohorts, whatever became
      of it (accepted, waitlisted, withdrawn, declined);
    - 受講決定 (accepted): the applications that were ever given a seat
      (``EVER_ACCEPTED``: ``accepted_at`` set), even if withdrawn or declined later; one
      that only waited (waitlisted, or withdrawn or declined from the waitlist) is not;
    - 出席 (attended): applications with at least one attendance 出席 or 遅刻;
    - 修了 (graduated): applications with a Graduation row;
    - 1年以内にDX投資 (invested): graduations whose follow-up was answered "invested"
      with ``invested_on`` at most 365 days after ``graduated_on``.

    Each step's percentage is of the step before it."""
    year = fiscal_year if fiscal_year is not None else fiscal_year_of(timezone.localdate())
    programs = list(office_programs(user).order_by("municipality__code", "kind", "name", "pk"))
    program_ids = [p.pk for p in programs]
    applications = Application.objects.for_user(user, VIEW).filter(
        cohort__program__in=program_ids, cohort__fiscal_year=year
    )
    counted = applications.values("cohort__program").annotate(
        applied=Count("pk", distinct=True),
        accepted=Count("pk", filter=EVER_ACCEPTED, distinct=True),
        attended=Count("pk", filter=Q(attendances__status__in=ATTENDED_STATUSES), distinct=True),
        graduated=Count("graduation", distinct=True),
    )
    per_program: dict[int, dict[str, int]] = {
        row["cohort__program"]: {
            "applied": row["applied"],
            "accepted": row["accepted"],
            "attended": row["attended"],
            "graduated": row["graduated"],
        }
        for row in counted
    }
    answered = (
        FollowUp.objects.for_user(user, VIEW)
        .filter(
            graduation__application__in=applications,
            answered_at__isnull=False,
            invested=True,
            invested_on__isnull=False,
        )
        .values_list(
            "graduation__application__cohort__program", "graduation__graduated_on", "invested_on"
        )
    )
    for program_id, graduated_on, invested_on in answered:
        if invested_on is not None and invested_on <= graduated_on + INVESTMENT_WINDOW:
            counts = per_program.setdefault(program_id, {})
            counts["invested"] = counts.get("invested", 0) + 1
    totals = {key: sum(c.get(key, 0) for c in per_program.values()) for key in FUNNEL_STEPS}
    years = set(office_cohorts(user).values_list("fiscal_year", flat=True).distinct()) | {
        year,
        fiscal_year_of(timezone.localdate()),
    }
    return Funnel(
        fiscal_year=year,
        years=sorted(years, reverse=True),
        rows=[FunnelRow(program=p, steps=_steps(per_program.get(p.pk, {}))) for p in programs],
        total=FunnelRow(program=None, steps=_steps(totals)),
    )


def funnel_table(result: Funnel) -> tuple[list[str], list[list[Any]]]:
    """The funnel as a spreadsheet: one row per programme and one for all together."""
    labels = _funnel_labels()
    header = [_("プログラム"), _("年度")]
    for index, key in enumerate(FUNNEL_STEPS):
        header.append(labels[key])
        if index:
            header.append(_("%(step)s (前の段階に対する%%)") % {"step": labels[key]})
    rows: list[list[Any]] = []
    for row in [*result.rows, result.total]:
        line: list[Any] = [row.program.name if row.program else _("合計"), result.fiscal_year]
        for index, step in enumerate(row.steps):
            line.append(step.count)
            if index:
                line.append("" if step.percent is None else step.percent)
        rows.append(line)
    return header, rows


# --- the attendance grid ------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    session: Session
    status: str | None  # an AttendanceStatus value, or None when not recorded
    mark: str
    label: str


@dataclass(frozen=True)
class GridRow:
    application: Application
    cells: list[GridCell]
    attended: int
    meets_threshold: bool


@dataclass(frozen=True)
class AttendanceGrid:
    cohort: Cohort
    sessions: list[Session]
    rows: list[GridRow]
    threshold: int
    legend: list[tuple[str, str]] = field(default_factory=list)


def attendance_grid(*, user: User, cohort: Cohort) -> AttendanceGrid:
    """Participants (rows) by sessions (columns): 出 / 遅 / 欠(届) / 欠 / — (not recorded),
    the number attended (出席 and 遅刻) and whether it meets the programme's graduation
    threshold. The participants are those who hold a seat, and anyone else with an
    attendance recorded (who withdrew midway)."""
    sessions = list(Session.objects.for_user(user, VIEW).filter(cohort=cohort).order_by("number"))
    applications = list(
        Application.objects.for_user(user, VIEW)
        .filter(cohort=cohort)
        .filter(Q(status=ApplicationStatus.ACCEPTED) | Q(attendances__isnull=False))
        .distinct()
        .select_related("company", "participant")
        .order_by("company__name_kana", "company__name", "participant__name", "pk")
    )
    marks: dict[tuple[int, int], str] = {
        (application_id, session_id): status
        for application_id, session_id, status in Attendance.objects.for_user(user, VIEW)
        .filter(session__cohort=cohort)
        .values_list("application_id", "session_id", "status")
    }
    threshold = cohort.program.min_sessions_attended
    rows: list[GridRow] = []
    for application in applications:
        cells: list[GridCell] = []
        for session in sessions:
            status = marks.get((application.pk, session.pk))
            if status is None:
                cells.append(GridCell(session, None, NOT_RECORDED, _("記録なし")))
            else:
                choice = AttendanceStatus(status)
                cells.append(GridCell(session, status, CELL_MARKS[choice], str(choice.label)))
        attended = sum(1 for c in cells if c.status in ATTENDED_STATUSES)
        rows.append(
            GridRow(
                application=application,
                cells=cells,
                attended=attended,
                meets_threshold=attended >= threshold,
            )
        )
    legend = [(CELL_MARKS[s], str(s.label)) for s in AttendanceStatus] + [
        (NOT_RECORDED, _("記録なし"))
    ]
    return AttendanceGrid(
        cohort=cohort, sessions=sessions, rows=rows, threshold=threshold, legend=legend
    )


def attendance_grid_table(grid: AttendanceGrid) -> tuple[list[str], list[list[Any]]]:
    header = [_("企業"), _("受講者")]
    header += [_("第%(number)d回") % {"number": s.number} for s in grid.sessions]
    header += [_("出席回数"), _("修了の出席要件")]
    rows = [
        [
            row.application.company.name,
            row.application.participant.get_full_name(),
            *[cell.mark for cell in row.cells],
            row.attended,
            _("満たす") if row.meets_threshold else _("満たさない"),
        ]
        for row in grid.rows
    ]
    return header, rows


# --- overdue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueFollowUp:
    follow_up: FollowUp
    days_overdue: int


@dataclass(frozen=True)
class RollMissing:
    session: Session
    participants: int
    recorded: int


@dataclass(frozen=True)
class Overdue:
    follow_ups: list[OverdueFollowUp]
    sessions: list[RollMissing]
    today: dt.date


def overdue(*, user: User) -> Overdue:
    """What the office should chase: follow-ups past their date and still unanswered
    (with how often the platform has reminded), and sessions that have ended while the
    roll is incomplete (fewer attendance rows than seated participants)."""
    today = timezone.localdate()
    cohorts = office_cohorts(user)
    follow_ups = (
        FollowUp.objects.for_user(user, VIEW)
        .filter(
            graduation__application__cohort__in=cohorts,
            answered_at__isnull=True,
            due_on__lt=today,
        )
        .select_related(
            "graduation__company",
            "graduation__application__participant",
            "graduation__application__cohort__program",
        )
        .order_by("due_on", "pk")
    )
    sessions = (
        Session.objects.for_user(user, VIEW)
        .filter(cohort__in=cohorts, ends_at__lt=timezone.now())
        .select_related("cohort__program")
        .annotate(
            seated=Count(
                "cohort__applications",
                filter=Q(cohort__applications__status=ApplicationStatus.ACCEPTED),
                distinct=True,
            ),
            recorded=Count(
                "attendances",
                filter=Q(attendances__application__status=ApplicationStatus.ACCEPTED),
                distinct=True,
            ),
        )
        .order_by("ends_at", "pk")
    )
    return Overdue(
        follow_ups=[OverdueFollowUp(f, (today - f.due_on).days) for f in follow_ups],
        sessions=[RollMissing(s, s.seated, s.recorded) for s in sessions if s.recorded < s.seated],
        today=today,
    )


def _cohort_label(cohort: Cohort) -> str:
    return _("%(year)d年度 %(name)s") % {"year": cohort.fiscal_year, "name": cohort.name}


def overdue_table(result: Overdue) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("種類"),
        _("プログラム"),
        _("期"),
        _("企業・講義回"),
        _("受講者"),
        _("期限・終了日"),
        _("経過日数"),
        _("催促の回数・記録済み"),
    ]
    rows: list[list[Any]] = []
    for item in result.follow_ups:
        follow_up = item.follow_up
        application = follow_up.graduation.application
        rows.append(
            [
                _("修了後のフォローアップ (未回答)"),
                application.cohort.program.name,
                _cohort_label(application.cohort),
                follow_up.graduation.company.name,
                application.participant.get_full_name(),
                follow_up.due_on.isoformat(),
                item.days_overdue,
                follow_up.reminders_sent,
            ]
        )
    for missing in result.sessions:
        session = missing.session
        ended = timezone.localdate(session.ends_at)
        rows.append(
            [
                _("出欠の記録漏れ"),
                session.cohort.program.name,
                _cohort_label(session.cohort),
                _("第%(number)d回 %(title)s") % {"number": session.number, "title": session.title},
                "",
                ended.isoformat(),
                (result.today - ended).days,
                f"{missing.recorded}/{missing.participants}",
            ]
        )
    return header, rows
