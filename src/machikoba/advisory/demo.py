"""Demo data of 伴走型アドバイザー派遣, written through the services: a roster (IT experts
and a 中小企業診断士), three engagements in different phases (one just started in
課題整理, one in 導入 with visits, some signed off, and measurements before, one in
効果測定 with the values after), one open request and one proposal. Dates are relative to
today. ``web``'s ``seed_demo`` calls ``seed_advisory`` with the demo's people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.advisory import services
from machikoba.advisory.choices import AdvisorKind, Better, PhaseStatus
from machikoba.advisory.models import Advisor, Engagement, Phase
from machikoba.companies.demo import demo_owner
from machikoba.companies.models import Company

ROSTER = [
    (AdvisorKind.IT_EXPERT, "城南ITコンサルティング", "生産管理, IoT, クラウド会計", 4, 8000),
    (AdvisorKind.SME_CONSULTANT, "大田中小企業診断士会", "原価計算, 見積, 事業計画", 3, 9000),
    (AdvisorKind.IT_EXPERT, "蒲田デジタル工房", "表計算の自動化, 在庫管理", 3, 7500),
    (AdvisorKind.OTHER, "ものづくり改善ラボ", "5S, 段取り改善", 2, 7000),
]


def _roster(officer: User, municipality: Any, users: list[User]) -> list[Advisor]:
    advisors = []
    for user, (kind, organisation, specialties, capacity, fee) in zip(users, ROSTER, strict=False):
        existing = Advisor.objects.filter(user=user).first()
        advisors.append(
            existing
            or services.advisor_create(
                actor=officer,
                email=user.email,
                kind=kind,
                organisation=organisation,
                specialties=specialties,
                wards=[municipality],
                capacity=capacity,
                hourly_fee=fee,
            )
        )
    return advisors


def _engagement(
    *,
    officer: User,
    company: Company,
    team: list[Advisor],
    started_days_ago: int,
    topics: str,
    description: str,
) -> Engagement:
    owner = demo_owner(company)
    request = services.support_request_create(
        actor=owner, company=company, topics=topics, description=description
    )
    return services.engagement_assign(
        actor=officer,
        request=request,
        advisors=team,
        starts_on=timezone.localdate() - dt.timedelta(days=started_days_ago),
    )


def _advance(actor: User, engagement: Engagement, *, done: int, started: bool) -> None:
    """Complete the first ``done`` phases and start the next; the timestamps are then
    moved back to the phase's place in the period, so the demo reads like a real one."""
    phases = list(engagement.phases.order_by("order"))
    for phase in phases[:done]:
        services.phase_start(actor=actor, phase=phase)
        services.phase_complete(actor=actor, phase=phase)
    if started and done < len(phases):
        services.phase_start(actor=actor, phase=phases[done])
    previous = engagement.starts_on
    zone = timezone.get_current_timezone()
    for phase in phases[: done + 1]:
        start = dt.datetime.combine(previous, dt.time(9, 0), tzinfo=zone)
        end = dt.datetime.combine(
            min(phase.due_on, timezone.localdate()), dt.time(17, 0), tzinfo=zone
        )
        Phase.objects.filter(pk=phase.pk, status=PhaseStatus.DONE).update(
            started_at=start, completed_at=max(start, end - dt.timedelta(days=2))
        )
        Phase.objects.filter(pk=phase.pk, status=PhaseStatus.IN_PROGRESS).update(started_at=start)
        previous = phase.due_on


def _visits(
    advisor: Advisor, engagement: Engagement, owner: User, days_ago: list[int], signed: int
) -> None:
    zone = timezone.get_current_timezone()
    notes = [
        (
            "現状の受注から出荷までの流れを聞き取り、紙の帳票を写真で集めた。",
            "過去3か月の見積書を用意",
        ),
        ("見積の作り方を一緒に分解し、時間のかかる手順を洗い出した。", "単価表の整理"),
        ("候補のツール3つを比較し、試用の段取りを決めた。", "試用アカウントの作成"),
        ("試用の結果をふり返り、導入する範囲を決めた。", "社内説明会の準備"),
        ("現場で入力の練習。事務の方が一人で入力できるようになった。", "1週間分を入力してみる"),
        ("入力データから見積作成時間を集計した。", "効果のまとめ"),
    ]
    visits = []
    for index, days in enumerate(sorted(days_ago, reverse=True)):
        day = timezone.localdate() - dt.timedelta(days=days)
        start = dt.datetime.combine(day, dt.time(10 + (index % 3), 0), tzinfo=zone)
        work, next_steps = notes[index % len(notes)]
        visits.append(
            services.visit_log(
                actor=advisor.user,
                engagement=engagement,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=90 + 30 * (index % 3)),
                work_done=work,
                next_steps=next_steps,
            )
        )
    for visit in visits[:signed]:
        services.visit_sign_off(actor=owner, visit=visit)


def seed_advisory(
    *, municipality: Any, companies: list[Company], officer: User, advisor_users: list[User]
) -> dict[str, Any]:
    """The demo's advisor dispatch in ``municipality``: ``companies`` (three for the
    engagements, a fourth with an open request, a fifth with a proposal; owners needed),
    ``officer`` of that ward, ``advisor_users`` (3-4 accounts; the first is the demo's
    advisor@ and leads every engagement)."""
    advisors = _roster(officer, municipality, advisor_users)
    lead = advisors[0]
    helper = advisors[1] if len(advisors) > 1 else lead
    third = advisors[2] if len(advisors) > 2 else helper
    today = timezone.localdate()

    fresh = _engagement(
        officer=officer,
        company=companies[0],
        team=[lead],
        started_days_ago=5,
        topics="受注・見積",
        description="見積に毎回半日かかる。何から手をつければよいか分からない。",
    )
    _advance(lead.user, fresh, done=0, started=True)

    rollout = _engagement(
        officer=officer,
        company=companies[1],
        team=[lead, helper],
        started_days_ago=75,
        topics="生産管理, 在庫管理",
        description="工程の進み具合が社長の頭の中にしかない。在庫も合わない。",
    )
    _advance(lead.user, rollout, done=2, started=True)
    _visits(lead, rollout, demo_owner(companies[1]), [70, 55, 40, 20, 6], signed=3)
    _visits(helper, rollout, demo_owner(companies[1]), [48, 13], signed=1)
    for name, unit, better, value in (
        ("見積作成時間", "分", Better.LOWER, Decimal("240")),
        ("リードタイム", "日", Better.LOWER, Decimal("14")),
        ("設備稼働率", "%", Better.HIGHER, Decimal("58.5")),
    ):
        services.measurement_add(
            actor=lead.user,
            engagement=rollout,
            name=name,
            unit=unit,
            better=better,
            before_value=value,
            before_on=rollout.starts_on + dt.timedelta(days=10),
        )

    measuring = _engagement(
        officer=officer,
        company=companies[2],
        team=[lead, third],
        started_days_ago=160,
        topics="受注・見積, 経理",
        description="DX道場で作った計画の続き。見積と請求をつなげたい。",
    )
    _advance(lead.user, measuring, done=4, started=True)
    _visits(lead, measuring, demo_owner(companies[2]), [150, 120, 95, 64, 33, 9], signed=5)
    _visits(third, measuring, demo_owner(companies[2]), [110, 80], signed=2)
    for name, unit, better, before, after in (
        ("見積作成時間", "分", Better.LOWER, Decimal("180"), Decimal("45")),
        ("請求書の発行漏れ", "件/月", Better.LOWER, Decimal("3"), Decimal("0")),
        ("受注率", "%", Better.HIGHER, Decimal("32"), Decimal("41")),
    ):
        measurement = services.measurement_add(
            actor=lead.user,
            engagement=measuring,
            name=name,
            unit=unit,
            better=better,
            before_value=before,
            before_on=measuring.starts_on + dt.timedelta(days=12),
        )
        services.measurement_record_after(
            actor=lead.user,
            measurement=measurement,
            after_value=after,
            after_on=today - dt.timedelta(days=3),
        )

    result: dict[str, Any] = {
        "advisors": advisors,
        "engagements": [fresh, rollout, measuring],
        "open_request": None,
        "proposal": None,
    }
    if len(companies) > 3:
        result["open_request"] = services.support_request_create(
            actor=demo_owner(companies[3]),
            company=companies[3],
            topics="人材, 技能の伝承",
            description="ベテランの段取りを動画で残したい。どんな道具があるか知りたい。",
        )
    if len(companies) > 4:
        result["proposal"] = services.support_request_propose(
            actor=officer,
            company=companies[4],
            topics="生産管理",
            description="DX道場の修了おめでとうございます。計画の実行に専門家を派遣できます。",
        )
    return result
