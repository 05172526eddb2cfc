"""Demo data of the DX subsidy, written through the services: the ward's call with the
paper's three stages (``demo_data``), in two rounds.

- **第1回** (its window has closed): applications in every state after submission: paid
  (with the first 事業化状況報告 requested), 額の確定, 実績報告済み, 交付決定, 交付申請済み,
  採択, 不採択, 要件を満たさない and 取下げ, each scored by both demo reviewers, and the
  selection of stage 1 confirmed within its budget. A dojo graduate's application carries
  the DX道場 bonus, verified from the programme's records.
- **第2回** (open now): a draft, a submitted application, one returned with comments, and
  one in screening assigned to reviewer@ (who has yet to declare no conflict).
- The yearly value-added survey sent to the ward's shops that received nothing, one answered.

The services refuse a window that opens in the past, so the demo creates each round before
it opens and then moves its dates as time would have (``_let_time_pass``): the only writes
that bypass a service. Every other date is today or relative to it. ``web``'s
``seed_demo`` calls ``seed_subsidies``.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from machikoba.accounts.models import User
from machikoba.companies.demo import demo_owner
from machikoba.companies.models import Company
from machikoba.core.fiscal import fiscal_year
from machikoba.subsidies.choices import DocumentKind
from machikoba.subsidies.demo_data import PAPER_BONUS, PAPER_RUBRIC, PAPER_STAGES
from machikoba.subsidies.models import Application, Call, Stage
from machikoba.subsidies.services import (
    application_files,
    call_rubric,
    call_rules,
    calls,
    grants,
    payments,
    reports,
    screening,
    selection,
    value_added,
)
from machikoba.subsidies.services import applications as apply
from machikoba.wards.models import Municipality

# Plans of the demo's applications: (title, problem, tool, effect metric, unit, before,
# after, expense lines as (category code, description, vendor, amount)).
PLANS: list[tuple[str, str, str, str, str, int, int, list[tuple[str, str, str, int]]]] = [
    (
        "日報の電子化",
        "手書きの日報を月末に事務所で集計しており、毎月20時間かかっている。",
        "クラウドの日報アプリとタブレット3台",
        "日報の集計時間",
        "時間/月",
        20,
        2,
        [
            ("software", "日報アプリ 年間利用料", "蒲田クラウド株式会社", 360_000),
            ("devices", "タブレット 3台", "城南OA機器", 240_000),
            ("setup", "初期設定と操作研修", "蒲田デジタル工房", 120_000),
        ],
    ),
    (
        "見積・受注の一元管理",
        "見積書をExcelで個別に作っており、過去の見積を探すのに時間がかかる。",
        "クラウドの販売管理ソフト",
        "見積作成の時間",
        "分/件",
        60,
        20,
        [
            ("software", "販売管理ソフト 年間利用料", "大森ソフトサービス", 480_000),
            ("setup", "過去データの移行", "大森ソフトサービス", 150_000),
        ],
    ),
    (
        "勤怠管理のクラウド化",
        "タイムカードの転記と残業計算に毎月12時間かかっている。",
        "クラウド勤怠とICカードリーダー",
        "勤怠集計の時間",
        "時間/月",
        12,
        1,
        [
            ("software", "クラウド勤怠 年間利用料", "羽田ワークス", 300_000),
            ("devices", "ICカードリーダー 2台", "城南OA機器", 160_000),
        ],
    ),
    (
        "在庫の見える化",
        "材料の在庫が分からず、二重発注や欠品が月に数回ある。",
        "バーコード在庫管理アプリ",
        "二重発注・欠品の回数",
        "回/月",
        4,
        0,
        [
            ("software", "在庫管理アプリ 年間利用料", "蒲田クラウド株式会社", 280_000),
            ("devices", "バーコードリーダー 2台", "城南OA機器", 120_000),
        ],
    ),
    (
        "図面の電子保管",
        "紙の図面を棚で保管しており、探すのに1件10分かかる。",
        "図面管理ソフトとスキャナー",
        "図面を探す時間",
        "分/件",
        10,
        1,
        [
            ("software", "図面管理ソフト", "池上システム", 260_000),
            ("devices", "A3スキャナー", "城南OA機器", 180_000),
        ],
    ),
    (
        "会計のクラウド化",
        "会計事務所への資料送付と記帳に毎月10時間かかっている。",
        "クラウド会計ソフト",
        "記帳の時間",
        "時間/月",
        10,
        3,
        [
            ("software", "クラウド会計 年間利用料", "羽田ワークス", 240_000),
            ("setup", "初期設定", "羽田ワークス", 160_000),
        ],
    ),
    (
        "社内連絡のグループウェア",
        "連絡が電話と紙で、伝え漏れによる手戻りが月に数回ある。",
        "グループウェア",
        "伝え漏れによる手戻り",
        "回/月",
        5,
        1,
        [
            ("software", "グループウェア 年間利用料", "池上システム", 400_000),
            ("setup", "導入支援", "池上システム", 300_000),
        ],
    ),
]

# A stage 2 (生産性向上) plan: machine monitoring, with an expert's evaluation attached.
STAGE2_PLAN = (
    "設備稼働の見える化",
    "NC旋盤8台の稼働が分からず、段取りや停止の時間を把握できていない。",
    "電流センサーと稼働監視システム",
    "設備の稼働率",
    "%",
    45,
    65,
    [
        ("system", "電流センサー8台と稼働監視システムの構築", "城南IoTシステム", 1_800_000),
        ("cloud", "稼働監視クラウド 年間利用料", "城南IoTシステム", 300_000),
        ("expert", "導入計画の評価と現場指導", "大田中小企業診断士会", 200_000),
    ],
)

# Stage 1 of the first round: the budget fits six of the seven ranked applications.
FIRST_ROUND_STAGE1_BUDGET = 2_400_000


def _pdf(name: str) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _let_time_pass(call: Call, *, opened_days_ago: int, closes_in_days: int) -> None:
    """Move the round's dates as if it had been set up in time (the services only let an
    officer create a window that opens in the future): screening the day after it closes,
    the decision ten days later."""
    now = timezone.now()
    closes_at = now + dt.timedelta(days=closes_in_days)
    screening_on = timezone.localdate(closes_at) + dt.timedelta(days=1)
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=opened_days_ago),
        closes_at=closes_at,
        screening_on=screening_on,
        decision_on=screening_on + dt.timedelta(days=10),
    )
    call.refresh_from_db()


def _call(
    *, officer: User, municipality: Municipality, name: str, stage1_budget: int | None = None
) -> Call:
    """A call with the paper's three stages, its rubric and bonus points, set up by the
    officer through the office's services before its window opens."""
    now = timezone.now()
    stage_budgets = {spec["number"]: spec["budget"] for spec in PAPER_STAGES}
    if stage1_budget is not None:
        stage_budgets[1] = stage1_budget
    call = calls.call_create(
        actor=officer,
        municipality=municipality,
        fiscal_year=fiscal_year(timezone.localdate()),
        name=name,
        description="町工場のDX (見える化・工程改善・事業変革) に使える、3段階の補助金です。",
        budget=sum(stage_budgets.values()),
        opens_at=now + dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=30),
        screening_on=timezone.localdate() + dt.timedelta(days=35),
        decision_on=timezone.localdate() + dt.timedelta(days=45),
    )
    for spec in PAPER_STAGES:
        numerator, denominator = spec["rate"]
        stage = call_rules.stage_create(
            actor=officer,
            call=call,
            number=spec["number"],
            name=spec["name"],
            purpose=spec["purpose"],
            rate_numerator=numerator,
            rate_denominator=denominator,
            cap=spec["cap"],
            min_project_cost=spec["min_project_cost"],
            budget=stage_budgets[spec["number"]],
            requires_expert_evaluation=spec["requires_expert_evaluation"],
            allows_partners=spec["allows_partners"],
        )
        for code, category_name, share, quotes in spec["categories"]:
            call_rules.category_add(
                actor=officer,
                stage=stage,
                code=code,
                name=category_name,
                max_share_percent=share,
                quotes_required=quotes,
            )
        for attachment in spec["attachments"]:
            call_rules.attachment_requirement_add(actor=officer, stage=stage, name=attachment)
    for criterion, description, max_score in PAPER_RUBRIC:
        call_rubric.rubric_criterion_add(
            actor=officer, call=call, name=criterion, description=description, max_score=max_score
        )
    for kind, bonus, description, points in PAPER_BONUS:
        call_rubric.bonus_criterion_add(
            actor=officer, call=call, kind=kind, name=bonus, description=description, points=points
        )
    return call


def _file(
    stage: Stage, company: Company, plan_index: int, *, submit: bool, plan: tuple | None = None
) -> Application:
    """The company's owner fills the wizard for ``stage`` with plan ``plan_index`` (each
    quote and attachment a one-page PDF) and, when ``submit``, submits it."""
    owner = demo_owner(company)
    title, problem, tool, metric, unit, before, after, lines = (
        plan or PLANS[plan_index % len(PLANS)]
    )
    application = apply.application_start(actor=owner, stage=stage, company=company)
    today = timezone.localdate()
    apply.application_save_step(
        actor=owner,
        application=application,
        step=1,
        data={
            "baseline_sales": 180_000_000 + 10_000_000 * plan_index,
            "baseline_external_costs": 110_000_000 + 5_000_000 * plan_index,
            "baseline_employees": 8 + plan_index,
        },
    )
    apply.application_save_step(
        actor=owner,
        application=application,
        step=2,
        data={
            "title": title,
            "problem": problem,
            "tool": tool,
            "expected_effect": f"{metric}を {before}{unit} から {after}{unit} に減らす。",
            "effect_metric": metric,
            "effect_unit": unit,
            "effect_before": Decimal(before),
            "effect_after": Decimal(after),
            "planned_start": today + dt.timedelta(days=30),
            "planned_end": today + dt.timedelta(days=150),
        },
    )
    for code, description, vendor, amount in lines:
        category = stage.categories.get(code=code)
        application_files.expense_add(
            actor=owner,
            application=application,
            category=category,
            description=description,
            vendor=vendor,
            amount=amount,
            quotes=[_pdf(f"見積書_{vendor}_{n + 1}.pdf") for n in range(category.quotes_required)],
        )
    for requirement in stage.attachment_requirements.all():
        application_files.document_add(
            actor=owner,
            application=application,
            kind=DocumentKind.ATTACHMENT,
            upload=_pdf(f"{requirement.name}.pdf"),
            requirement=requirement,
        )
    if stage.requires_expert_evaluation:
        application_files.document_add(
            actor=owner,
            application=application,
            kind=DocumentKind.EXPERT_EVALUATION,
            upload=_pdf("専門家による評価書.pdf"),
        )
        apply.application_save_step(
            actor=owner,
            application=application,
            step=4,
            data={"expert_name": "中小企業診断士 岡田"},
        )
    if submit:
        application = apply.application_submit(actor=owner, application=application)
    return application


def _scored(
    application: Application, *, officer: User, reviewers: list[User], strength: int
) -> None:
    """The officer passes the eligibility check and assigns both reviewers, who declare no
    conflict and submit their scores (``strength`` of each criterion's maximum, out of 10)."""
    application = screening.eligibility_pass(actor=officer, application=application)
    for number, reviewer in enumerate(reviewers):
        assignment = screening.reviewer_assign(
            actor=officer, application=application, reviewer=reviewer
        )
        screening.conflict_declare(actor=reviewer, assignment=assignment, tied=False)
        scores = {
            criterion.pk: (
                max(1, min(criterion.max_score, criterion.max_score * (strength - number) // 10)),
                "",
            )
            for criterion in application.stage.call.rubric.all()
        }
        screening.scores_submit(
            actor=reviewer,
            assignment=assignment,
            scores=scores,
            comment="課題と効果が数字で示されている。" if strength >= 7 else "効果の根拠が弱い。",
        )


def _completed(application: Application, *, owner: User, plan_index: int) -> Application:
    """The company files its 実績報告: what it paid (receipt and payment proof each), the
    day it finished and the outcome survey."""
    *_, lines = PLANS[plan_index % len(PLANS)]
    today = timezone.localdate()
    reports.completion_report_save(
        actor=owner,
        application=application,
        completed_on=today,
        felt_efficiency=True,
        felt_cost_reduction=plan_index % 2 == 0,
        felt_productivity=True,
        effect_actual=Decimal(PLANS[plan_index % len(PLANS)][6]),
        comment="現場の記録が毎日そろうようになった。",
    )
    for code, description, vendor, amount in lines:
        reports.actual_expense_add(
            actor=owner,
            application=application,
            category=application.stage.categories.get(code=code),
            description=description,
            vendor=vendor,
            amount=amount,
            paid_on=today,
            receipt=_pdf(f"領収書_{vendor}.pdf"),
            payment_proof=_pdf(f"振込記録_{vendor}.pdf"),
        )
    reports.completion_report_submit(actor=owner, application=application)
    return Application.objects.get(pk=application.pk)


def _first_round(
    *,
    officer: User,
    municipality: Municipality,
    companies: list[Company],
    reviewers: list[User],
) -> dict[str, Any]:
    call = _call(
        officer=officer,
        municipality=municipality,
        name="DX導入補助金 第1回",
        stage1_budget=FIRST_ROUND_STAGE1_BUDGET,
    )
    _let_time_pass(call, opened_days_ago=60, closes_in_days=1)
    stage1 = call.stages.get(number=1)
    stage2 = call.stages.get(number=2)
    # Nine shops apply to stage 1, one to stage 2.
    filed = [
        _file(stage1, company, index, submit=True) for index, company in enumerate(companies[:9])
    ]
    stage2_application = (
        _file(stage2, companies[9], 7, submit=True, plan=STAGE2_PLAN)
        if len(companies) > 9
        else None
    )
    withdrawn, ineligible = filed[8], filed[7]
    apply.application_withdraw(
        actor=demo_owner(withdrawn.company), application=withdrawn, reason="今年度は見送ります。"
    )
    _let_time_pass(call, opened_days_ago=60, closes_in_days=-20)
    screening.eligibility_fail(
        actor=officer,
        application=ineligible,
        reason="申請企業の所在地が区外のため、対象になりません。",
    )
    for index, application in enumerate(filed[:7]):
        _scored(application, officer=officer, reviewers=reviewers, strength=9 - index // 2)
    if stage2_application is not None:
        _scored(stage2_application, officer=officer, reviewers=reviewers, strength=8)
        selection.selection_confirm(actor=officer, stage=stage2)
    selection.selection_confirm(actor=officer, stage=stage1)
    # After the selection: each selected application one step further than the next.
    selected = [Application.objects.get(pk=a.pk) for a in filed[:6]]
    if stage2_application is not None:
        selected.append(Application.objects.get(pk=stage2_application.pk))
    steps = [6, 5, 4, 3, 2, 0, 3]  # paid, confirmed, reported, granted, requested, selected
    for index, (application, step) in enumerate(zip(selected, steps, strict=False)):
        owner = demo_owner(application.company)
        if step >= 2:
            grants.grant_request(actor=owner, application=application, confirm=True)
        if step >= 3:
            grants.grant_decide(actor=officer, application=application)
        if step >= 4:
            application = _completed(application, owner=owner, plan_index=index)
        if step >= 5:
            reports.inspection_accept(
                actor=officer, application=application, comment="証憑を確認しました。"
            )
        if step >= 6:
            payments.payment_record(
                actor=officer,
                application=application,
                paid_on=timezone.localdate(),
                reference=f"支出命令 第{100 + index}号",
            )
    return {"call": call, "applications": filed, "stage2": stage2_application}


def _second_round(
    *,
    officer: User,
    municipality: Municipality,
    companies: list[Company],
    reviewer: User,
) -> dict[str, Any]:
    call = _call(officer=officer, municipality=municipality, name="DX導入補助金 第2回")
    _let_time_pass(call, opened_days_ago=10, closes_in_days=20)
    stage1 = call.stages.get(number=1)
    draft = _file(stage1, companies[0], 3, submit=False)
    submitted = _file(stage1, companies[1], 4, submit=True)
    returned = _file(stage1, companies[2], 5, submit=True)
    screening.application_return(
        actor=officer,
        application=returned,
        comments="見積書の金額と経費の金額が合っていません。見積書を差し替えてください。",
    )
    in_screening = _file(stage1, companies[3], 6, submit=True)
    screening.eligibility_pass(actor=officer, application=in_screening)
    screening.reviewer_assign(
        actor=officer, application=Application.objects.get(pk=in_screening.pk), reviewer=reviewer
    )
    return {
        "call": call,
        "draft": draft,
        "submitted": submitted,
        "returned": returned,
        "screening": in_screening,
    }


def seed_subsidies(
    *,
    municipality: Municipality,
    officer: User,
    reviewers: list[User],
    companies: list[Company],
    graduates: list[Company] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Both rounds of the ward's DX subsidy. ``companies`` (11 or more, each with an owner)
    apply, the first one's application paid; ``graduates`` (DX道場 graduates) come next, so
    their applications carry the automatic bonus. Nothing is made when the ward already has
    a call."""
    if Call.objects.filter(municipality=municipality).exists():
        return {}
    first_graduates = [c for c in graduates if c in companies and c != companies[0]]
    ordered = [companies[0], *first_graduates]
    ordered += [c for c in companies if c not in ordered]
    first = _first_round(
        officer=officer, municipality=municipality, companies=ordered[:10], reviewers=reviewers
    )
    second = _second_round(
        officer=officer,
        municipality=municipality,
        # Shops new to the subsidy, then the one not selected in the first round, trying again.
        companies=[*ordered[10:], ordered[6], ordered[8], ordered[7]][:4],
        reviewer=reviewers[0],
    )
    # The yearly value-added survey of the ward's shops that received nothing (the KGI's
    # comparison group), for the last closed fiscal year; one shop has answered.
    surveys = value_added.value_added_survey_send(
        actor=officer,
        municipality=municipality,
        fiscal_year=fiscal_year(timezone.localdate()) - 1,
    )
    answering = [report for report in surveys if report.company in companies]
    for report in answering[:1]:
        value_added.value_added_submit(
            actor=demo_owner(report.company),
            report=report,
            sales=95_000_000,
            external_costs=58_000_000,
            employees=7,
        )
    return {"first": first, "second": second, "surveys": surveys}
