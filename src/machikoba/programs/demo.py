"""Demo data of the programmes' participant side: a DX道場 cohort of this fiscal year
half-way through (five weekly sessions, three behind it with attendance recorded, a
waitlist) and a デジタル化推進リーダー講座 cohort taking applications now.

Programmes, cohorts and sessions are created directly (the office's pages create them in
the product); applications, the waitlist and attendance go through the services, so the
demo holds what the product would. Dates are relative to today. ``web``'s ``seed_demo``
calls ``seed_programs``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.core.fiscal import fiscal_year
from machikoba.programs.choices import (
    ApplicationStatus,
    AttendanceStatus,
    ParticipantRole,
    ProgramKind,
)
from machikoba.programs.models import Application, Cohort, Program, Session
from machikoba.programs.services.applications import application_submit
from machikoba.programs.services.attendance import attendance_check_in, attendance_record

DOJO_TOPICS = (
    "DXとは何か: 町工場の「困りごと」から始める",
    "課題の棚卸し: 受注から出荷までを書き出す",
    "道具を選ぶ: 見積・生産管理・IoT の実例",
    "投資対効果を試算する: 補助金の使い方",
    "DX計画書の発表会",
)
LEADER_TOPICS = (
    "社内のデジタル化推進リーダーの役割",
    "表計算とクラウドで現場の記録を集める",
    "ノーコードで小さな業務アプリを作る",
    "データで改善する: 稼働率と段取り時間",
    "社内で広める: 計画と発表",
)
VENUE = "大田区産業プラザPiO 6階 C会議室"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _sessions(
    cohort: Cohort, topics: tuple[str, ...], first: dt.date, instructor: User
) -> list[Session]:
    sessions = []
    for number, title in enumerate(topics, start=1):
        begins = _at(first + dt.timedelta(weeks=number - 1), 18, 30)
        session = Session(
            cohort=cohort,
            number=number,
            title=title,
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=2),
            place=VENUE,
            instructor=instructor,
            checkin_code=secrets.token_urlsafe(12),
        )
        session.full_clean()
        session.save()
        sessions.append(session)
    return sessions


def _owner(company: Company) -> User | None:
    membership = (
        Membership.objects.filter(company=company, role=CompanyRole.OWNER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _eligible(companies: list[Company], municipality: Any) -> list[Company]:
    return [
        c
        for c in companies
        if c.is_active and c.verified_at is not None and c.ward_id == municipality.pk
    ]


def _dojo(
    *, municipality: Any, companies: list[Company], officer: User | None, instructor: User
) -> dict[str, Any]:
    today = timezone.localdate()
    program = Program.objects.create(
        municipality=municipality,
        kind=ProgramKind.DOJO,
        name="DX道場",
        description=(
            "町工場の経営者が、5回の講義と課題で「どこから手をつけるか」を決める講座です。"
            "課題の棚卸し、投資対効果の試算、1枚のDX計画書までを仕上げます。"
        ),
        participant_role=ParticipantRole.OWNER,
        max_per_company=1,
        min_sessions_attended=4,
        requires_plan_accepted=True,
        created_by=officer,
    )
    owners = [(c, o) for c in companies if (o := _owner(c)) is not None]
    # About eight seats; a small demo keeps one or two companies on the waitlist.
    capacity = max(1, min(8, len(owners) - 2)) if len(owners) > 2 else max(1, len(owners))
    first = today - dt.timedelta(days=17)
    cohort = Cohort.objects.create(
        program=program,
        fiscal_year=fiscal_year(today),
        name="第1期",
        capacity=capacity,
        # Open while the demo applies; closed before the first session afterwards.
        applications_open_at=_at(first - dt.timedelta(days=45), 9),
        applications_close_at=timezone.now() + dt.timedelta(hours=1),
    )
    cohort.instructors.add(instructor)
    sessions = _sessions(cohort, DOJO_TOPICS, first, instructor)
    applications = []
    for company, owner in owners[: capacity + 2]:
        applications.append(
            application_submit(
                actor=owner,
                cohort=cohort,
                company=company,
                motivation="見積に時間がかかり、どこから手をつければよいか知りたい。",
            )
        )
    Cohort.objects.filter(pk=cohort.pk).update(
        applications_close_at=_at(first - dt.timedelta(days=7), 17)
    )
    # Demo history: the applications were made during the window, weeks ago.
    for index, application in enumerate(applications):
        applied = _at(first - dt.timedelta(days=30 - index), 10)
        seated = application.status == ApplicationStatus.ACCEPTED
        Application.objects.filter(pk=application.pk).update(
            applied_at=applied,
            decided_at=applied if seated else None,
            accepted_at=applied if seated else None,
        )
    accepted = [a for a in applications if a.status == ApplicationStatus.ACCEPTED]
    past = [s for s in sessions if s.ends_at < timezone.now()]
    for s_index, session in enumerate(past):
        for a_index, application in enumerate(accepted):
            pattern = (a_index + s_index) % 7
            if pattern == 5 and s_index > 0:
                attendance_record(
                    actor=instructor,
                    session=session,
                    application=application,
                    status=AttendanceStatus.EXCUSED,
                    note="事前に欠席の連絡あり",
                )
            elif pattern == 6 and s_index > 0:
                attendance_record(
                    actor=instructor,
                    session=session,
                    application=application,
                    status=AttendanceStatus.ABSENT,
                )
            else:
                minutes = 25 if pattern == 3 else -10  # one arrives late now and then
                attendance_check_in(
                    actor=application.participant,
                    code=session.checkin_code,
                    now=session.starts_at + dt.timedelta(minutes=minutes),
                )
    return {
        "dojo_program": program,
        "dojo_cohort": cohort,
        "dojo_sessions": sessions,
        "dojo_applications": applications,
        "dojo_waitlisted": [a for a in applications if a.status == ApplicationStatus.WAITLISTED],
    }


def _leader(
    *,
    municipality: Any,
    companies: list[Company],
    officer: User | None,
    instructor: User,
) -> dict[str, Any]:
    today = timezone.localdate()
    program = Program.objects.create(
        municipality=municipality,
        kind=ProgramKind.LEADER,
        name="デジタル化推進リーダー講座",
        description=(
            "社内でデジタル化を進める従業員を育てる講座です。会社が推薦する方が受講します"
            " (1社2名まで)。"
        ),
        participant_role=ParticipantRole.STAFF,
        max_per_company=2,
        min_sessions_attended=4,
        requires_plan_accepted=False,
        created_by=officer,
    )
    cohort = Cohort.objects.create(
        program=program,
        fiscal_year=fiscal_year(today),
        name="第1期",
        capacity=12,
        applications_open_at=_at(today - dt.timedelta(days=7), 9),
        applications_close_at=_at(today + dt.timedelta(days=21), 17),
    )
    cohort.instructors.add(instructor)
    sessions = _sessions(cohort, LEADER_TOPICS, today + dt.timedelta(days=35), instructor)
    applications = []
    for company in companies:
        owner = _owner(company)
        staff = [
            m.user
            for m in Membership.objects.filter(
                company=company,
                role__in=(CompanyRole.STAFF, CompanyRole.FLOOR_WORKER),
                user__is_active=True,
            )
            .select_related("user")
            .order_by("pk")[:1]
        ]
        if owner is None or not staff:
            continue
        applications.append(
            application_submit(
                actor=owner,
                cohort=cohort,
                company=company,
                participant=staff[0],
                motivation="現場の記録を紙から表計算に移す担当にしたい。",
            )
        )
        if len(applications) >= 3:
            break
    return {
        "leader_program": program,
        "leader_cohort": cohort,
        "leader_sessions": sessions,
        "leader_applications": applications,
    }


def seed_programs(
    *,
    municipality: Any,
    companies: list[Company],
    officer: User | None,
    instructor: User,
    leader_instructor: User,
) -> dict[str, Any]:
    """The two cohorts of ``municipality`` (a wards.Municipality) with applications from
    ``companies`` of that ward (verified, active, with an owner). Returns what it made:
    ``dojo_program``, ``dojo_cohort``, ``dojo_sessions``, ``dojo_applications``,
    ``dojo_waitlisted``, ``leader_program``, ``leader_cohort``, ``leader_sessions``,
    ``leader_applications``."""
    eligible = _eligible(companies, municipality)
    made = _dojo(
        municipality=municipality, companies=eligible, officer=officer, instructor=instructor
    )
    made.update(
        _leader(
            municipality=municipality,
            companies=list(reversed(eligible)),
            officer=officer,
            instructor=leader_instructor,
        )
    )
    return made
