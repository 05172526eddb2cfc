"""Demo data of the KPI dashboard: what the other apps' demo data leave out for the 18
indicators to show a value for 大田区 (the demo officer's ward) and for all wards together,
each figure resting on at least three companies (fewer would be shown as "—").

- **The yearly company survey** (M1.KGI, M1.KSI, M2.KGI) and 大田区's own targets:
  ``kpi.demo_surveys``.
- **Programmes** (M1.OUT, M1.P1, M1.P2): last year's second dojo cohort, graduated a year
  ago, with their follow-ups answered; a short 実践編 for dojo graduates and a spring class
  of the leader course, both graduated this year.
- **Advisor dispatch** (M1.P3): three more engagements started this year.
- **The subsidy** (M2.P2, M2.P3): a stage 2 and 3 call (特別枠), three grants each, filed,
  screened, selected and decided through the subsidy's services.
- **The network and the consortium** (M3.KGI, M3.OUT, M3.P2): three first awards between
  shops that had not traded (RFQ, quote, award through the network's services) and three
  co-development projects.
- **The lab** (M3.KSI, M3.P1): visits of three shops and two seminars held this year.

Every date is relative to today and falls in this fiscal year (from 1 April, or at most
four months back), whatever today is; what the products' windows no longer accept (a
cohort of last year, a survey answered in June, a seminar already held) is written
directly, the rest through the services. Nothing is made when 大田区's survey of this year
exists. ``web``'s ``seed_demo`` calls ``seed_kpi``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from typing import Any

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.advisory import services as advisory
from machikoba.advisory.choices import RequestStatus
from machikoba.advisory.models import Advisor, SupportRequest
from machikoba.companies.demo import OTA, SUMIDA, demo_owner
from machikoba.companies.models import Company, ProcessCategory
from machikoba.core.fiscal import fiscal_year
from machikoba.kpi.demo_surveys import (
    ADDITION,
    DEDUCTION,
    OFFICERS,
    Clock,
    ward_targets,
)
from machikoba.kpi.demo_surveys import (
    at as _at,
)
from machikoba.kpi.demo_surveys import (
    survey as _survey,
)
from machikoba.kpi.models import SurveyRound
from machikoba.kpi.services import definitions_install
from machikoba.lab.choices import (
    EntryKind,
    EntryMethod,
    EventKind,
    EventStatus,
    ProjectKind,
    ProjectStatus,
)
from machikoba.lab.models import Lab
from machikoba.lab.models_events import Event
from machikoba.lab.models_visits import EntryEvent
from machikoba.lab.services.projects import participant_add, project_create, project_transition
from machikoba.network import services as network
from machikoba.programs.choices import (
    ApplicationStatus,
    AttendanceMethod,
    AttendanceStatus,
    InvestmentKind,
    ParticipantRole,
    PlanStatus,
    ProgramKind,
)
from machikoba.programs.demo_homework import PLANS as DOJO_PLANS
from machikoba.programs.models import Application, Attendance, Cohort, Program, Session
from machikoba.programs.models_homework import DxPlan
from machikoba.programs.services.follow_up import follow_up_answer
from machikoba.programs.services.graduation import graduation_run
from machikoba.subsidies.choices import GRANTED_STATUSES
from machikoba.subsidies.demo import STAGE2_PLAN, _call, _file, _let_time_pass, _scored
from machikoba.subsidies.models import Application as SubsidyApplication
from machikoba.subsidies.services import grants, selection
from machikoba.wards.models import Municipality

# The demo companies (indexes of ``companies.demo.demo_companies``) each story uses: shops
# of 大田区 whose owners are on the platform and that no other demo story leans on.
LAST_YEARS_SECOND_COHORT = (28, 17, 22)  # graduated a year ago (M1.OUT)
PRACTICE_CLASS = (25, 27, 28)  # 実践編, graduated this year (M1.P1)
LEADER_SPRING = (17, 22)  # with staff@ and worker@ of the demo owner's shop (M1.P2)
DISPATCHED = (17, 22, 28)  # advisor engagements started this year (M1.P3)
STAGE2_SHOPS = (2, 5, 15)
STAGE3_SHOPS = (3, 16, 25)
FIRST_AWARDS = ((15, 16), (25, 27), (17, 28))  # (buyer, supplier): new pairs (M3.OUT)
CO_DEVELOPMENT = ((2, 3), (5, 15), (16, 17))  # (M3.KGI)
LAB_VISITORS = (25, 27, 28)
HALF_HOUR = dt.timedelta(minutes=30)

# A stage 3 (事業変革) plan: a predictive-maintenance service with a university.
STAGE3_PLAN = (
    "予知保全サービスの開発",
    "顧客先の設備が突発停止してから呼ばれるため、修理が後手になり機会を失っている。",
    "稼働データの収集基盤と、大学と共同で開発する故障予兆モデル",
    "顧客設備の突発停止",
    "回/年",
    12,
    3,
    [
        ("system", "稼働データ基盤と予兆検知システムの構築", "城南IoTシステム", 2_000_000),
        ("development", "故障予兆モデルの共同研究", "東京城南工業大学", 900_000),
        ("expert", "事業計画の評価と指導", "大田中小企業診断士会", 500_000),
    ],
)


# --- programmes: cohorts of the past, graduated through the service -----------------------


def _past_cohort(
    program: Program,
    name: str,
    seats: list[tuple[Company, User]],
    graduated_on: dt.date,
    *,
    instructor: User | None,
    officer: User,
) -> Cohort:
    """A cohort of ``program`` whose weekly sessions ended the day before
    ``graduated_on``, every seat attended them all (and, where the programme asks for it,
    had its DX plan accepted); the graduation is run on ``graduated_on``."""
    sessions_count = max(program.min_sessions_attended, 3)
    last = _at(graduated_on - dt.timedelta(days=1), 18)
    first = last - dt.timedelta(weeks=sessions_count - 1)
    cohort = Cohort.objects.create(
        program=program,
        fiscal_year=fiscal_year(graduated_on),
        name=name,
        capacity=max(len(seats), 8),
        applications_open_at=first - dt.timedelta(days=45),
        applications_close_at=first - dt.timedelta(days=7),
    )
    if instructor is not None:
        cohort.instructors.add(instructor)
    sessions = [
        Session.objects.create(
            cohort=cohort,
            number=number,
            title=f"第{number}回",
            starts_at=first + dt.timedelta(weeks=number - 1),
            ends_at=first + dt.timedelta(weeks=number - 1, hours=2),
            place="大田区産業プラザPiO",
            instructor=instructor,
            checkin_code=secrets.token_urlsafe(12),
        )
        for number in range(1, sessions_count + 1)
    ]
    applied = cohort.applications_open_at + dt.timedelta(days=3)
    for index, (company, person) in enumerate(seats):
        application = Application.objects.create(
            cohort=cohort,
            company=company,
            participant=person,
            applied_by=person,
            status=ApplicationStatus.ACCEPTED,
            applied_at=applied,
            decided_at=applied,
            accepted_at=applied,
        )
        Attendance.objects.bulk_create(
            Attendance(
                session=session,
                application=application,
                status=AttendanceStatus.PRESENT,
                method=AttendanceMethod.ROLL_CALL,
                recorded_at=session.starts_at,
                recorded_by=instructor,
            )
            for session in sessions
        )
        if program.requires_plan_accepted:
            DxPlan.objects.create(
                application=application,
                status=PlanStatus.ACCEPTED,
                revision=1,
                submitted_at=sessions[-1].starts_at,
                decided_at=sessions[-1].ends_at,
                decided_by=instructor,
                **DOJO_PLANS[index % len(DOJO_PLANS)],
            )
    graduation_run(actor=officer, cohort=cohort, today=graduated_on)
    return cohort


def _programmes(ota: Municipality, companies: list[Company], clock: Clock) -> None:
    officer = User.objects.get(email=OFFICERS[OTA])
    instructor = User.objects.filter(email="instructor@example.com").first()
    dojo = Program.objects.filter(municipality=ota, kind=ProgramKind.DOJO, name="DX道場").first()
    leader = Program.objects.filter(municipality=ota, kind=ProgramKind.LEADER).first()
    if dojo is None or leader is None:
        return
    graduate = partial(_past_cohort, instructor=instructor, officer=officer)

    def owners(indexes: tuple[int, ...]) -> list[tuple[Company, User]]:
        return [(companies[i], demo_owner(companies[i])) for i in indexes]

    # Last year's second cohort: its first year ended this year (at most 10 days ago).
    anniversary = max(clock.first_day, clock.today - dt.timedelta(days=10))
    graduated_on = anniversary - dt.timedelta(days=365)
    second = graduate(dojo, "第2期", owners(LAST_YEARS_SECOND_COHORT), graduated_on)
    answers = (
        (True, InvestmentKind.SOFTWARE, 980_000, "受発注をクラウドの販売管理に移行"),
        (True, InvestmentKind.EQUIPMENT, 1_600_000, "旋盤 4 台に稼働監視センサーを設置"),
        (False, "", None, ""),
    )
    for application, (invested, kind, amount, description) in zip(
        _cohort_applications(second), answers, strict=True
    ):
        follow_up_answer(
            actor=application.participant,
            follow_up=application.graduation.follow_up,
            invested=invested,
            invested_on=graduated_on + dt.timedelta(days=120) if invested else None,
            amount=amount,
            investment_kind=kind,
            description=description,
        )
    # This year's graduates: the dojo's 実践編 (its graduates come back) and the leader
    # course's spring class (the demo owner's staff and two more shops' owners).
    practice, _created = Program.objects.get_or_create(
        municipality=ota,
        kind=ProgramKind.DOJO,
        name="DX道場 実践編",
        defaults={
            "description": "DX道場の修了者が、計画の実行で詰まったところを持ち寄る3回の講座です。",
            "participant_role": ParticipantRole.OWNER,
            "max_per_company": 1,
            "min_sessions_attended": 3,
            "requires_plan_accepted": False,
            "created_by": officer,
        },
    )
    graduate(practice, "春期", owners(PRACTICE_CLASS), clock.day(0.4))
    staff = User.objects.filter(email__in=("staff@example.com", "worker@example.com"))
    seats = [(companies[0], person) for person in staff.order_by("email")]
    graduate(leader, "春期", seats + owners(LEADER_SPRING), clock.day(0.6))


def _cohort_applications(cohort: Cohort) -> list[Application]:
    return list(
        Application.objects.filter(cohort=cohort)
        .select_related("graduation__follow_up", "participant")
        .order_by("pk")
    )


# --- advisor dispatch -------------------------------------------------------------------


def _dispatch(ota: Municipality, companies: list[Company], clock: Clock) -> None:
    """Three dispatches started this year: two short ones (every phase done, closed by
    the office), then one still running, each with the advisor who has room for it."""
    officer = User.objects.get(email=OFFICERS[OTA])
    topics = (
        ("在庫管理", "材料の在庫が合わず、二重発注がある。"),
        ("受注・見積", "DX道場の計画を実行に移したい。見積の標準化から。"),
        ("生産管理", "工程表を紙からクラウドに移したいが、現場に定着するか不安。"),
    )
    for index, (company_index, (topic, description)) in enumerate(
        zip(DISPATCHED, topics, strict=True)
    ):
        free = [
            a
            for a in Advisor.objects.filter(wards=ota, active=True).order_by("pk")
            if advisory.advisor_load(a) < a.capacity
        ]
        if not free:
            return
        company = companies[company_index]
        if SupportRequest.objects.filter(
            company=company, status__in=(RequestStatus.OPEN, RequestStatus.ASSIGNED)
        ).exists():
            continue  # already being helped (a demo seeded in an earlier year)
        request = advisory.support_request_create(
            actor=demo_owner(company), company=company, topics=topic, description=description
        )
        starts_on = clock.day(0.1 + 0.4 * index)
        engagement = advisory.engagement_assign(
            actor=officer,
            request=request,
            advisors=[free[0]],
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=90),
        )
        if index == len(DISPATCHED) - 1:
            break
        for phase in engagement.phases.order_by("order"):
            advisory.phase_start(actor=free[0].user, phase=phase)
            advisory.phase_complete(actor=free[0].user, phase=phase)
        advisory.engagement_close(
            actor=officer,
            engagement=engagement,
            summary="スポットの派遣として、課題の整理から効果の確認までを短期間で終えた。",
        )


# --- the subsidy: stage 2 and 3 grants -----------------------------------------------------


def _stage_grants(ota: Municipality, companies: list[Company], clock: Clock) -> None:
    officer = User.objects.get(email=OFFICERS[OTA])
    emails = ("reviewer@example.com", "reviewer2@example.com")
    reviewers = list(User.objects.filter(email__in=emails).order_by("email"))
    if not reviewers:
        return
    call = _call(
        officer=officer,
        municipality=ota,
        name=f"DX導入補助金 ステージ2・3 特別枠 ({clock.year}年度)",
    )
    _let_time_pass(call, opened_days_ago=30, closes_in_days=1)
    filed = [
        _file(call.stages.get(number=2), companies[i], 0, submit=True, plan=STAGE2_PLAN)
        for i in STAGE2_SHOPS
    ] + [
        _file(call.stages.get(number=3), companies[i], 0, submit=True, plan=STAGE3_PLAN)
        for i in STAGE3_SHOPS
    ]
    _let_time_pass(call, opened_days_ago=30, closes_in_days=-3)
    for index, application in enumerate(filed):
        _scored(application, officer=officer, reviewers=reviewers, strength=9 - index % 3)
    for number in (2, 3):
        selection.selection_confirm(actor=officer, stage=call.stages.get(number=number))
    for application in filed:
        application = SubsidyApplication.objects.get(pk=application.pk)
        grants.grant_request(
            actor=demo_owner(application.company), application=application, confirm=True
        )
        grants.grant_decide(actor=officer, application=application)


# --- the network, the consortium and the lab ------------------------------------------------


def _first_awards(companies: list[Company], clock: Clock) -> None:
    """Three RFQs awarded between shops that never traded: new business matchings."""
    process = ProcessCategory.objects.get(code="cutting.turning.nc_lathe")
    today = clock.today
    for buyer_index, supplier_index in FIRST_AWARDS:
        buyer, supplier = companies[buyer_index], companies[supplier_index]
        owner, supplier_owner = demo_owner(buyer), demo_owner(supplier)
        job = network.job_create(
            actor=owner,
            company=buyer,
            part_name="フランジ付きブッシュ",
            quantity=30,
            due_date=today + dt.timedelta(days=40),
            material_note="SUS304",
        )
        step = network.step_add(actor=owner, job=job, process=process, spec="外径 φ45 h7")
        rfq = network.rfq_send(
            actor=owner,
            job=job,
            steps=[step],
            recipients=[supplier],
            deadline=timezone.now() + dt.timedelta(days=3),
            message="初めてのご依頼です。30 個、SUS304 の旋削をお願いできますか。",
        )
        network.quote_submit(
            actor=supplier_owner,
            recipient=rfq.recipients.get(company=supplier),
            price=84_000,
            lead_time_days=10,
            valid_until=today + dt.timedelta(days=30),
            conditions="材料支給なし、検査成績書付き。",
        )
        delivery = today + dt.timedelta(days=20)
        network.rfq_award(
            actor=owner,
            rfq=rfq,
            winner=rfq.recipients.get(company=supplier),
            delivery_date=delivery,
            delivery_place="発注者の工場",
            inspection_date=delivery + dt.timedelta(days=2),
            payment_date=delivery + dt.timedelta(days=30),
        )


def _consortium(ota: Municipality, companies: list[Company], clock: Clock) -> None:
    """Three co-development projects of two shops each: one completed last year, two
    running."""
    officer = User.objects.get(email=OFFICERS[OTA])
    today = clock.today
    plans = (
        ("治具の共同設計と共用化", today - dt.timedelta(days=420), 300, ProjectStatus.COMPLETED),
        ("小ロット試作の一括受注の仕組み", today - dt.timedelta(days=150), 270, None),
        ("工程データの共通フォーマット", clock.day(0.3), 240, None),
    )
    for (first, second), (title, starts_on, days, finished) in zip(
        CO_DEVELOPMENT, plans, strict=True
    ):
        project = project_create(
            actor=officer,
            municipality=ota,
            kind=ProjectKind.CO_DEVELOPMENT,
            title=title,
            summary="区内の2社が設計と加工を分担し、成果を共有する。",
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=days),
        )
        for index in (first, second):
            participant_add(
                actor=officer, project=project, company=companies[index], role="共同開発"
            )
        project_transition(actor=officer, project=project, to=ProjectStatus.RUNNING)
        if finished:
            project_transition(
                actor=officer,
                project=project,
                to=ProjectStatus.COMPLETED,
                outcome="共用の治具 4 種を製作し、段取り時間を 3 割短縮した。",
            )


def _lab(ota: Municipality, companies: list[Company], clock: Clock) -> None:
    """Visits of three more shops' owners, and two seminars held this year."""
    lab = Lab.objects.filter(municipality=ota).order_by("pk").first()
    if lab is None:
        return
    EntryEvent.objects.bulk_create(
        EntryEvent(
            lab=lab,
            kind=kind,
            method=EntryMethod.PERSONAL_QR,
            at=min(clock.now, clock.moment(0.2 + 0.25 * visit + 0.05 * index) + after),
            user=demo_owner(companies[company_index]),
            company=companies[company_index],
        )
        for index, company_index in enumerate(LAB_VISITORS)
        for visit in range(2)
        for kind, after in ((EntryKind.ENTERED, dt.timedelta(0)), (EntryKind.LEFT, HALF_HOUR))
    )
    for fraction, title in (
        (0.35, "DX導入補助金 申請説明会"),
        (0.75, "IoTで稼働を見える化 事例セミナー"),
    ):
        starts = clock.moment(fraction)
        Event.objects.create(
            lab=lab,
            kind=EventKind.SEMINAR,
            title=title,
            description="区の支援策と、区内の町工場の事例を紹介します。",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1, minutes=30),
            place="ラボ 2階 セミナールーム",
            capacity=30,
            status=EventStatus.PUBLISHED,
        )


# --- entry point ------------------------------------------------------------------------


def seed_kpi(*, companies: list[Company]) -> dict[str, Any]:
    """What the dashboard needs beyond the other apps' demo data (see the module's
    docstring). ``companies``: the demo's companies, in ``demo_companies`` order."""
    ota = Municipality.objects.filter(code=OTA).first()
    sumida = Municipality.objects.filter(code=SUMIDA).first()
    clock = Clock()
    # The paper's definitions come with migration kpi.0002; a flushed database (a test
    # that empties the tables) gets them back here.
    definitions_install()
    if ota is None or SurveyRound.objects.filter(municipality=ota, fiscal_year=clock.year).exists():
        return {}
    _programmes(ota, companies, clock)
    _dispatch(ota, companies, clock)
    _stage_grants(ota, companies, clock)
    _first_awards(companies, clock)
    _consortium(ota, companies, clock)
    _lab(ota, companies, clock)
    recipients = SubsidyApplication.objects.filter(status__in=GRANTED_STATUSES)
    granted = set(recipients.values_list("company_id", flat=True))
    years = [clock.year - 2, clock.year - 1, clock.year]
    rounds = _survey(ota, years=years, method=DEDUCTION, clock=clock, granted=granted)
    if sumida is not None:
        rounds += _survey(sumida, years=years[1:], method=ADDITION, clock=clock, granted=granted)
    ward_targets(ota, clock)
    return {"rounds": rounds}
