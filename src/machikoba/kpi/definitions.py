"""The paper's 18 indicators, version 1 of each definition (KPI.md). These rows are data:
``definitions_install`` writes them once (a migration calls it), officers set their own
targets on top, and a changed definition is a new version written beside the old one
(``definition_revise``), never an edit of this list in place."""

from __future__ import annotations

from typing import Any

from machikoba.kpi.choices import Level, Measure, Period, Unit

K = Level.KGI
S = Level.KSI
O = Level.OUTCOME  # noqa: E741 (the paper's own letter for outcomes)
P = Level.OUTPUT

# code, measure, level, name, name_en, unit, baseline, target, target_year offset, period,
# years, computation, params, formula, formula_en, source, source_en
PAPER: list[dict[str, Any]] = [
    {
        "code": "M1.KGI",
        "measure": Measure.DOJO,
        "level": K,
        "name": "区内町工場の労働生産性 (付加価値額 ÷ 従業員数) の伸び",
        "name_en": "Growth of labour productivity (value added per employee) of the ward's shops",
        "unit": Unit.PERCENT,
        "target": "15",
        "period": Period.CUMULATIVE,
        "period_years": 5,
        "computation": "productivity_growth",
        "params": {},
        "formula": (
            "企業調査に両方の年度とも回答した企業について、(その年度の付加価値額の合計 ÷ 従業員数の合計)"
            " ÷ (基準年度の同じ値) − 1。基準年度は区の目標で決めた年度、なければ最初の企業調査の年度。"
            "付加価値額は調査ごとの方法 (控除法など) で計算します。"
        ),
        "formula_en": (
            "Over the companies that answered the survey in both years: (value added ÷ employees"
            " this year) ÷ (the same in the base year) − 1. The base year is the ward's, or else"
            " the first survey's. Value added follows each survey's method (deduction by default)."
        ),
        "source": "企業調査 (売上高・外部購入費用・従業員数)",
        "source_en": "Yearly company survey (sales, external costs, employees)",
    },
    {
        "code": "M1.KSI",
        "measure": Measure.DOJO,
        "level": S,
        "name": "DXに「取組済み」または「検討中」の町工場の割合",
        "name_en": "Share of shops that have taken up or are considering DX",
        "unit": Unit.PERCENT,
        "baseline": "42.0",
        "target": "60",
        "period": Period.FISCAL_YEAR,
        "computation": "dx_engaged_share",
        "params": {"answers": ["done", "considering"]},
        "formula": "その年度の企業調査で、DXに「取り組んでいる」または「検討している」と答えた企業 ÷ この問いに答えた企業。",
        "formula_en": "Companies answering that they have taken up or are considering DX ÷ companies that answered the question, in the year's survey.",
        "source": "企業調査 (DXへの取り組み)",
        "source_en": "Yearly company survey (DX take-up)",
    },
    {
        "code": "M1.OUT",
        "measure": Measure.DOJO,
        "level": O,
        "name": "DX道場修了後1年以内に何らかのDX投資 (補助金申請等) を行った企業の割合",
        "name_en": "Share of dojo graduates that invested in DX within a year of graduating",
        "unit": Unit.PERCENT,
        "target": "70",
        "period": Period.FISCAL_YEAR,
        "computation": "dojo_invested_share",
        "params": {"window_days": 365},
        "formula": (
            "修了日から1年が過ぎたDX道場の修了者 (その年度に1年を迎えた人) のうち、修了日から365日以内に"
            "補助金を申請したか、フォローアップでDX投資をしたと答えた企業の割合。1社は1回だけ数えます。"
        ),
        "formula_en": (
            "Of the dojo graduations whose first year ended in the fiscal year: the share whose"
            " company applied for the subsidy, or answered the follow-up that it invested, within"
            " 365 days of graduating. A company counts once."
        ),
        "source": "DX道場の修了、補助金の申請、フォローアップの回答",
        "source_en": "Dojo graduations, subsidy applications, follow-up answers",
    },
    {
        "code": "M1.P1",
        "measure": Measure.DOJO,
        "level": P,
        "name": "DX道場 年間修了者数",
        "name_en": "DX dojo graduates per year",
        "unit": Unit.PEOPLE,
        "target": "100",
        "period": Period.FISCAL_YEAR,
        "computation": "graduations",
        "params": {"program_kind": "dojo"},
        "formula": "修了日がその年度にあるDX道場の修了者の数。",
        "formula_en": "DX dojo graduations dated in the fiscal year.",
        "source": "DX道場の修了",
        "source_en": "Dojo graduations",
    },
    {
        "code": "M1.P2",
        "measure": Measure.DOJO,
        "level": P,
        "name": "デジタル化推進リーダー講座 年間修了者数",
        "name_en": "Digital leader course graduates per year",
        "unit": Unit.PEOPLE,
        "target": "200",
        "period": Period.FISCAL_YEAR,
        "computation": "graduations",
        "params": {"program_kind": "leader"},
        "formula": "修了日がその年度にあるリーダー講座の修了者の数。",
        "formula_en": "Leader course graduations dated in the fiscal year.",
        "source": "リーダー講座の修了",
        "source_en": "Leader course graduations",
    },
    {
        "code": "M1.P3",
        "measure": Measure.DOJO,
        "level": P,
        "name": "伴走型DXアドバイザー派遣 年間実施社数",
        "name_en": "Companies receiving an advisor dispatch per year",
        "unit": Unit.COMPANIES,
        "target": "150",
        "period": Period.FISCAL_YEAR,
        "computation": "advisory_companies",
        "params": {},
        "formula": "その年度に派遣 (伴走支援) が始まった企業の数。1社は1回だけ数えます。",
        "formula_en": "Companies whose advisor engagement started in the fiscal year, each once.",
        "source": "アドバイザー派遣の開始",
        "source_en": "Advisor engagements started",
    },
    {
        "code": "M2.KGI",
        "measure": Measure.SUBSIDY,
        "level": K,
        "name": "補助金活用企業の付加価値額増加率 − 非活用企業の増加率",
        "name_en": "Value-added growth of subsidy recipients minus that of other companies",
        "unit": Unit.POINTS,
        "target": "5",
        "period": Period.FISCAL_YEAR,
        "computation": "recipient_growth_gap",
        "params": {},
        "formula": (
            "前年度とその年度の企業調査に両方回答した企業を、その年度末までに交付決定を受けた企業"
            "(活用企業) とそれ以外に分け、それぞれ付加価値額の合計の増加率を出して差を取ります"
            " (分子: 活用企業の増加率、分母: 非活用企業の増加率)。"
        ),
        "formula_en": (
            "Companies that answered both this year's and last year's survey, split into those"
            " with a grant decided by the year's end and the others: the growth of each group's"
            " total value added, and the difference (numerator: recipients' growth; denominator:"
            " the others')."
        ),
        "source": "企業調査と補助金の交付決定",
        "source_en": "Yearly company survey and grant decisions",
    },
    {
        "code": "M2.KSI",
        "measure": Measure.SUBSIDY,
        "level": S,
        "name": "補助金申請件数 (全ステージ)",
        "name_en": "Subsidy applications submitted (all stages)",
        "unit": Unit.COUNT,
        "target": "300",
        "period": Period.FISCAL_YEAR,
        "computation": "subsidy_applications",
        "params": {},
        "formula": "その年度に提出された補助金の申請の数 (取り下げたものも含みます)。",
        "formula_en": "Subsidy applications submitted in the fiscal year (withdrawn ones included).",
        "source": "補助金の申請",
        "source_en": "Subsidy applications",
    },
    {
        "code": "M2.OUT",
        "measure": Measure.SUBSIDY,
        "level": O,
        "name": "事業完了報告で効果 (業務効率化・コスト削減・生産性向上等) を実感した割合",
        "name_en": "Share of completion reports that felt an effect (efficiency, cost, productivity)",
        "unit": Unit.PERCENT,
        "target": "80",
        "period": Period.FISCAL_YEAR,
        "computation": "completion_effect_share",
        "params": {},
        "formula": "その年度に提出された実績報告のうち、効果を実感したと答えたものの割合。",
        "formula_en": "Of the completion reports submitted in the fiscal year, the share that felt an effect.",
        "source": "実績報告の成果アンケート",
        "source_en": "Completion report survey answers",
    },
    {
        "code": "M2.P1",
        "measure": Measure.SUBSIDY,
        "level": P,
        "name": "ステージ1 交付件数",
        "name_en": "Stage 1 grants decided",
        "unit": Unit.COUNT,
        "target": "150",
        "period": Period.FISCAL_YEAR,
        "computation": "grants",
        "params": {"stage": 1},
        "formula": "交付決定の日がその年度にあるステージ1 (はじめの一歩) の件数。",
        "formula_en": "Stage 1 grant decisions dated in the fiscal year.",
        "source": "交付決定",
        "source_en": "Grant decisions",
    },
    {
        "code": "M2.P2",
        "measure": Measure.SUBSIDY,
        "level": P,
        "name": "ステージ2 交付件数",
        "name_en": "Stage 2 grants decided",
        "unit": Unit.COUNT,
        "target": "50",
        "period": Period.FISCAL_YEAR,
        "computation": "grants",
        "params": {"stage": 2},
        "formula": "交付決定の日がその年度にあるステージ2 (生産性向上) の件数。",
        "formula_en": "Stage 2 grant decisions dated in the fiscal year.",
        "source": "交付決定",
        "source_en": "Grant decisions",
    },
    {
        "code": "M2.P3",
        "measure": Measure.SUBSIDY,
        "level": P,
        "name": "ステージ3 交付件数",
        "name_en": "Stage 3 grants decided",
        "unit": Unit.COUNT,
        "target": "10",
        "period": Period.FISCAL_YEAR,
        "computation": "grants",
        "params": {"stage": 3},
        "formula": "交付決定の日がその年度にあるステージ3 (事業変革) の件数。",
        "formula_en": "Stage 3 grant decisions dated in the fiscal year.",
        "source": "交付決定",
        "source_en": "Grant decisions",
    },
    {
        "code": "M3.KGI",
        "measure": Measure.ECOSYSTEM,
        "level": K,
        "name": "企業間連携による共同受注・共同開発件数",
        "name_en": "Joint orders and joint development projects between companies",
        "unit": Unit.COUNT,
        "target": "50",
        "period": Period.CUMULATIVE,
        "period_years": 5,
        "computation": "joint_work",
        "params": {},
        "formula": (
            "その年度までの5年度に受注した共同受注 (チームでの受注) と、企業が2社以上参加した"
            "コンソーシアムの共同開発プロジェクトの数。"
        ),
        "formula_en": (
            "Joint orders won by a team, plus consortium co-development projects with two or more"
            " companies, over the five fiscal years up to this one."
        ),
        "source": "共同受注、コンソーシアムのプロジェクト",
        "source_en": "Joint orders, consortium projects",
    },
    {
        "code": "M3.KSI",
        "measure": Measure.ECOSYSTEM,
        "level": S,
        "name": "町工場DXラボ 年間利用者数 (延べ)",
        "name_en": "DX Lab visits per year (total)",
        "unit": Unit.VISITS,
        "target": "1000",
        "period": Period.FISCAL_YEAR,
        "computation": "lab_visits",
        "params": {},
        "formula": "その年度のラボへの入館 (チェックイン) の延べ人数。",
        "formula_en": "Check-ins at the lab in the fiscal year (every visit counts).",
        "source": "ラボの入館記録",
        "source_en": "Lab check-ins",
    },
    {
        "code": "M3.OUT",
        "measure": Measure.ECOSYSTEM,
        "level": O,
        "name": "プラットフォームやラボをきっかけとしたビジネスマッチング成立件数",
        "name_en": "Business matchings made through the platform or the lab",
        "unit": Unit.COUNT,
        "target": "100",
        "period": Period.FISCAL_YEAR,
        "computation": "matchings",
        "params": {},
        "formula": (
            "その年度に初めて取引が成立した企業の組 (ネットワークでの発注、共同受注のチーム) の数と、"
            "ラボやイベントで記録したマッチングの数。同じ2社の組はそれまでに一度も取引がないときの"
            "最初の1回だけ数えます。"
        ),
        "formula_en": (
            "Pairs of companies whose first order through the network (an award, or a joint-order"
            " team) falls in the year, plus matchings recorded at the lab or an event. A pair"
            " counts once, at its first award."
        ),
        "source": "ネットワークの発注、共同受注、ラボのマッチング記録",
        "source_en": "Network awards, joint orders, lab matchings",
    },
    {
        "code": "M3.P1",
        "measure": Measure.ECOSYSTEM,
        "level": P,
        "name": "ラボのイベント・セミナー開催数",
        "name_en": "Lab events and seminars held",
        "unit": Unit.COUNT,
        "target": "20",
        "period": Period.FISCAL_YEAR,
        "computation": "events_held",
        "params": {},
        "formula": "その年度に開催したイベント・セミナーの数 (中止したものを除きます)。",
        "formula_en": "Events and seminars held in the fiscal year (cancelled ones excluded).",
        "source": "ラボのイベント",
        "source_en": "Lab events",
    },
    {
        "code": "M3.P2",
        "measure": Measure.ECOSYSTEM,
        "level": P,
        "name": "「デジタル仲間まわし」参加企業数",
        "name_en": "Companies active in the digital nakama-mawashi network",
        "unit": Unit.COMPANIES,
        "target": "200",
        "period": Period.FISCAL_YEAR,
        "computation": "network_active",
        "params": {},
        "formula": (
            "年度末 (年度途中は今日) に登録している町工場のうち、その年度にネットワークで案件・見積依頼・"
            "見積・受注のどれかに関わった企業の数。"
        ),
        "formula_en": (
            "Registered shops that took part in the network in the fiscal year: a job, an RFQ, a"
            " quote or an order."
        ),
        "source": "ネットワークの案件・見積依頼・見積・発注",
        "source_en": "Network jobs, RFQs, quotes, orders",
    },
    {
        "code": "M3.P3",
        "measure": Measure.ECOSYSTEM,
        "level": P,
        "name": "産学連携プロジェクト実施数",
        "name_en": "Industry–academia projects under way",
        "unit": Unit.COUNT,
        "target": "10",
        "period": Period.FISCAL_YEAR,
        "computation": "university_projects",
        "params": {},
        "formula": "その年度に実施していた (期間が年度と重なる) 大学が参加するプロジェクトの数。",
        "formula_en": "Projects with a university partner running at some point in the fiscal year.",
        "source": "コンソーシアムのプロジェクト",
        "source_en": "Consortium projects",
    },
]
