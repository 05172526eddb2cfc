"""Demo data of homework, graduation and the one-year follow-up.

For the participants of this year's demo dojo cohort: worksheets of a 町工場's real
problems, ROI estimates and DX plans in every state (two submitted and waiting for the
instructor, one returned with a comment, one accepted). And last year's cohort of the same
programme, over: its graduates exist, each with a follow-up a year on (one answered with
an investment, one due and still unanswered).

Homework, graduation and the follow-up answer go through the services, so the demo holds
what the product would; last year's cohort, its sessions, seats and attendance are
written directly (they belong to a past the product's windows no longer accept). Dates
are relative to today. ``web``'s ``seed_demo`` calls ``seed_homework``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Membership
from machikoba.core.access import OWNER_ROLES
from machikoba.programs.choices import (
    ApplicationStatus,
    AttendanceMethod,
    AttendanceStatus,
    InvestmentKind,
    PlanStatus,
    ProblemArea,
)
from machikoba.programs.models import (
    Application,
    Attendance,
    Cohort,
    FollowUp,
    Graduation,
    Session,
)
from machikoba.programs.models_homework import DxPlan
from machikoba.programs.selectors.homework import may_review_homework
from machikoba.programs.services.follow_up import follow_up_answer
from machikoba.programs.services.graduation import graduation_run
from machikoba.programs.services.homework import (
    dx_plan_accept,
    dx_plan_return,
    dx_plan_save,
    dx_plan_submit,
    homework_comment_add,
    roi_estimate_save,
    worksheet_item_add,
)

# Problems a 町工場 writes down (area, problem, impact, effort).
WORKSHEETS: list[list[tuple[str, str, int, int]]] = [
    [
        (ProblemArea.ORDERS, "見積の作成に1件2時間かかり、回答が遅れて失注している", 5, 2),
        (
            ProblemArea.PRODUCTION,
            "工程表がホワイトボードだけで、進み具合が事務所から見えない",
            4,
            3,
        ),
        (ProblemArea.QUALITY, "検査記録が紙で、過去の不良を探すのに半日かかる", 3, 2),
        (ProblemArea.EQUIPMENT, "古いNC機のプログラムが担当者のUSBメモリにしかない", 4, 4),
        (ProblemArea.PEOPLE, "段取りのコツが社長と職長の頭の中にしかない", 5, 5),
        (ProblemArea.ACCOUNTING, "請求書を手書きして、月末に2日つぶれる", 2, 1),
    ],
    [
        (ProblemArea.ORDERS, "図面がFAXで届き、番号の読み違いが月に数件ある", 4, 2),
        (ProblemArea.PRODUCTION, "材料の在庫が分からず、同じ材料を二重に発注する", 3, 1),
        (ProblemArea.EQUIPMENT, "機械が止まっても、誰も気付かないまま夜が明ける", 4, 4),
        (ProblemArea.PEOPLE, "若手が図面の読み方を聞ける人がいない", 3, 3),
        (ProblemArea.ACCOUNTING, "原価が分からず、赤字の仕事を受けていることがある", 5, 4),
    ],
    [
        (ProblemArea.ORDERS, "過去の見積がExcelに散らばり、同じ品番でも値段がぶれる", 4, 1),
        (ProblemArea.QUALITY, "測定結果を手で写していて、写し間違いがある", 3, 2),
        (ProblemArea.PRODUCTION, "急ぎの仕事が割り込むたびに、全体の納期が読めなくなる", 5, 4),
        (ProblemArea.EQUIPMENT, "保全の記録がなく、同じ故障を繰り返す", 2, 3),
    ],
    [
        (ProblemArea.ORDERS, "電話の注文をメモで受けて、伝え漏れが起きる", 4, 1),
        (ProblemArea.PRODUCTION, "作業日報が手書きで、集計に毎週半日かかる", 3, 2),
        (ProblemArea.PEOPLE, "求人に応募が来ない (会社の様子が外から見えない)", 4, 3),
        (ProblemArea.ACCOUNTING, "入金の確認を通帳で1件ずつしている", 2, 1),
        (ProblemArea.QUALITY, "ミルシートを紙で保管していて、客先の問い合わせに答えられない", 3, 3),
    ],
]

ESTIMATES: list[dict[str, Any]] = [
    {
        "tool": "クラウド型の見積・生産管理システム",
        "investment_cost": 1_200_000,
        "yearly_running_cost": 180_000,
        "hours_freed_per_year": 300,
        "hourly_wage": 2_800,
        "other_savings_per_year": 40_000,
    },
    {
        "tool": "機械の稼働監視 (積層信号灯のセンサー) 4台分",
        "investment_cost": 600_000,
        "yearly_running_cost": 48_000,
        "hours_freed_per_year": 150,
        "hourly_wage": 2_500,
        "other_savings_per_year": 120_000,
    },
    {
        "tool": "タブレットでの作業日報・検査記録",
        "investment_cost": 350_000,
        "yearly_running_cost": 60_000,
        "hours_freed_per_year": 200,
        "hourly_wage": 2_400,
        "other_savings_per_year": 0,
    },
]

PLANS: list[dict[str, Any]] = [
    {
        "goal": "見積を当日中に返し、受注から出荷までの進み具合を全員が画面で見られる会社にする",
        "current_state": "見積は社長が過去の紙をめくって作り、1件2時間。工程はホワイトボードだけ。",
        "actions": (
            "クラウドの見積・生産管理を導入し、過去3年分の見積を登録する。"
            "工程は現場のタブレットで入力する。"
        ),
        "schedule": (
            "1〜2か月目: 製品選定とデータ整理\n3か月目: 見積から運用開始\n"
            "6か月目: 工程の入力を全員で"
        ),
        "success_measures": "見積作成時間 2時間→30分、納期遅れ 月5件→1件",
        "person_in_charge": "専務 (社長の長男)",
    },
    {
        "goal": "機械の止まりに気付ける工場にして、夜間の無人運転を増やす",
        "current_state": "機械が止まっても朝まで誰も気付かない。稼働率を測ったことがない。",
        "actions": (
            "積層信号灯にセンサーを付け、止まったらスマートフォンに知らせる。稼働率を毎週見る。"
        ),
        "schedule": "1か月目: 2台で試す\n3か月目: 4台に広げる",
        "success_measures": "稼働率 55%→70%",
        "person_in_charge": "製造課長",
    },
    {
        "goal": "紙の日報と検査記録をなくし、原価が分かる会社にする",
        "current_state": "日報も検査記録も手書きで、集計に毎週半日。原価は勘で見ている。",
        "actions": "タブレットで日報と測定値を入力し、品番ごとの作業時間を集計する。",
        "schedule": "2か月で日報、4か月で検査記録を置き換える",
        "success_measures": "集計の時間 週4時間→0、赤字案件の見える化",
        "person_in_charge": "品質管理の担当者",
    },
    {
        "goal": "電話とFAXの注文を減らし、伝え漏れをなくす",
        "current_state": "注文の半分が電話で、メモの伝え漏れが月に数件ある。",
        "actions": "受注の入口をメールと共有の受注表に一本化する。",
        "schedule": "3か月で主要な取引先5社を切り替える",
        "success_measures": "伝え漏れ 月3件→0件",
        "person_in_charge": "事務の担当者",
    },
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _reviewer(application: Application, instructor: User, officer: User | None) -> User:
    if may_review_homework(instructor, application) or officer is None:
        return instructor
    return officer


def _homework(
    application: Application, index: int, *, instructor: User, officer: User | None
) -> str:
    """Worksheet, estimate and plan of one participant; the plan's state by ``index``."""
    writer = application.participant
    for area, problem, impact, effort in WORKSHEETS[index % len(WORKSHEETS)]:
        worksheet_item_add(
            actor=writer,
            application=application,
            area=area,
            problem=problem,
            impact=impact,
            effort=effort,
        )
    if index < len(ESTIMATES):
        roi_estimate_save(actor=writer, application=application, **ESTIMATES[index])
    plan_fields = dict(PLANS[index % len(PLANS)])
    estimate = ESTIMATES[index] if index < len(ESTIMATES) else None
    plan_fields["budget"] = estimate["investment_cost"] if estimate else None
    plan = dx_plan_save(actor=writer, application=application, **plan_fields)
    reviewer = _reviewer(application, instructor, officer)
    homework_comment_add(
        actor=reviewer,
        application=application,
        kind="worksheet",
        body="よく書き出せています。影響が大きく手間の小さい「すぐやる」から始めましょう。",
    )
    if index == 3:
        return PlanStatus.DRAFT
    plan = dx_plan_submit(actor=writer, plan=plan)
    if index == 1:
        dx_plan_return(
            actor=reviewer,
            plan=plan,
            comment="効果をはかる指標に、いまの数字と目標の時期を書き足してください。",
        )
        return PlanStatus.RETURNED
    if index == 2:
        dx_plan_accept(
            actor=reviewer, plan=plan, comment="実行できる計画です。補助金の申請も検討しましょう。"
        )
        return PlanStatus.ACCEPTED
    return PlanStatus.SUBMITTED


def _past_cohort(
    cohort: Cohort, companies: list[tuple[Company, User]], instructor: User
) -> tuple[Cohort, list[Application]]:
    """Last fiscal year's cohort of the same programme, five sessions about 14 months ago,
    with a seat for each of ``companies`` (all five sessions attended, plan accepted)."""
    program = cohort.program
    first = timezone.localdate() - dt.timedelta(days=430)
    past = Cohort.objects.create(
        program=program,
        fiscal_year=cohort.fiscal_year - 1,
        name=cohort.name,
        capacity=cohort.capacity,
        applications_open_at=_at(first - dt.timedelta(days=60), 9),
        applications_close_at=_at(first - dt.timedelta(days=14), 17),
    )
    past.instructors.add(instructor)
    sessions = []
    for number in range(1, 6):
        begins = _at(first + dt.timedelta(weeks=number - 1), 18)
        sessions.append(
            Session.objects.create(
                cohort=past,
                number=number,
                title=f"第{number}回",
                starts_at=begins,
                ends_at=begins + dt.timedelta(hours=2),
                place="大田区産業プラザPiO",
                instructor=instructor,
                checkin_code=secrets.token_urlsafe(12),
            )
        )
    applications: list[Application] = []
    for company, owner in companies:
        application = Application.objects.create(
            cohort=past,
            company=company,
            participant=owner,
            applied_by=owner,
            status=ApplicationStatus.ACCEPTED,
            applied_at=past.applications_open_at + dt.timedelta(days=3),
            decided_at=past.applications_open_at + dt.timedelta(days=3),
            accepted_at=past.applications_open_at + dt.timedelta(days=3),
        )
        for session in sessions:
            Attendance.objects.create(
                session=session,
                application=application,
                status=AttendanceStatus.PRESENT,
                method=AttendanceMethod.ROLL_CALL,
                recorded_at=session.starts_at,
                recorded_by=instructor,
            )
        DxPlan.objects.create(
            application=application,
            status=PlanStatus.ACCEPTED,
            revision=1,
            submitted_at=sessions[-1].starts_at,
            decided_at=sessions[-1].ends_at,
            decided_by=instructor,
            **PLANS[len(applications) % len(PLANS)],
        )
        applications.append(application)
    return past, applications


def _other_owners(cohort: Cohort, exclude: set[int], count: int) -> list[tuple[Company, User]]:
    """Owners of shops in the programme's ward who are not in this year's cohort."""
    memberships = (
        Membership.objects.filter(
            role__in=OWNER_ROLES,
            company__is_active=True,
            company__ward=cohort.program.municipality,
            user__is_active=True,
        )
        .exclude(company__in=exclude)
        .select_related("company", "user")
        .order_by("company_id", "pk")
    )
    found: dict[int, tuple[Company, User]] = {}
    for membership in memberships:
        found.setdefault(membership.company_id, (membership.company, membership.user))
        if len(found) == count:
            break
    return list(found.values())


def seed_homework(
    *, applications: list[Application], instructor: User, officer: User | None
) -> dict[str, Any]:
    """Homework for the first four accepted ``applications`` of the demo dojo cohort
    (their plans submitted, returned with a comment, accepted, left a draft), and last
    year's cohort of the same programme with two graduates of other shops in the ward and
    their follow-ups (one answered with an investment, one due and unanswered). Returns
    ``plans`` (application id → plan status), ``past_cohort``, ``graduations`` and
    ``follow_ups``."""
    seated = [a for a in applications if a.status == ApplicationStatus.ACCEPTED]
    plans = {}
    for index, application in enumerate(seated[:4]):
        plans[application.pk] = _homework(
            application, index, instructor=instructor, officer=officer
        )
    made: dict[str, Any] = {
        "plans": plans,
        "past_cohort": None,
        "graduations": [],
        "follow_ups": [],
    }
    if not seated:
        return made
    cohort = seated[0].cohort
    owners = _other_owners(cohort, {a.company_id for a in applications}, 2)
    if len(owners) < 2:
        return made
    past, _applications = _past_cohort(cohort, owners, instructor)
    graduated_on = timezone.localdate() - dt.timedelta(days=380)  # follow-ups due 15 days ago
    runner = officer if officer is not None else instructor
    result = graduation_run(actor=runner, cohort=past, today=graduated_on)
    graduations = sorted(result.graduated, key=lambda g: g.pk)
    answered = graduations[0].follow_up
    follow_up_answer(
        actor=graduations[0].application.participant,
        follow_up=answered,
        invested=True,
        invested_on=graduated_on + dt.timedelta(days=150),
        amount=1_350_000,
        investment_kind=InvestmentKind.SOFTWARE,
        description="クラウドの生産管理システムを導入 (DX導入補助金を利用)",
        subsidy_reference="DX-R7-0042",
    )
    made.update(
        past_cohort=past,
        graduations=list(Graduation.objects.filter(application__cohort=past).order_by("pk")),
        follow_ups=list(FollowUp.objects.filter(graduation__in=graduations).order_by("pk")),
    )
    return made
