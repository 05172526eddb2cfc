"""The paper's three stages, as demo data (支援策②): stage 1 はじめの一歩 3/4 up to ¥500,000;
stage 2 生産性向上 2/3 up to ¥5,000,000 with an expert's evaluation of the plan; stage 3
事業変革 1/2 up to ¥10,000,000 with partners allowed. A ward sets its own call from the
office pages; nothing in the code depends on these figures. Tests and the demo read them
from here so that they describe one call."""

from __future__ import annotations

from typing import Any

PAPER_STAGES: list[dict[str, Any]] = [
    {
        "number": 1,
        "name": "はじめの一歩",
        "purpose": "手書き日報の電子化、勤怠管理、クラウド会計、グループウェアなど、"
        "比較的安価で効果を実感しやすいツールの導入 (見える化・効率化)。",
        "rate": (3, 4),
        "cap": 500_000,
        "min_project_cost": 100_000,
        "budget": 15_000_000,
        "requires_expert_evaluation": False,
        "allows_partners": False,
        "categories": [
            ("software", "ソフトウェア購入費・クラウド利用費", None, 1),
            ("devices", "機器購入費 (タブレット・センサー等)", 50, 1),
            ("setup", "導入・設定の委託費", 50, 1),
        ],
        "attachments": ["直近1期分の決算書 (または確定申告書)"],
    },
    {
        "number": 2,
        "name": "生産性向上",
        "purpose": "IoTセンサーによる稼働の見える化、生産管理システム、受発注管理、"
        "CAD/CAM連携など、製造プロセスの根幹に関わる工程改善。",
        "rate": (2, 3),
        "cap": 5_000_000,
        "min_project_cost": 1_000_000,
        "budget": 30_000_000,
        "requires_expert_evaluation": True,
        "allows_partners": False,
        "categories": [
            ("system", "機械装置・システム構築費", None, 2),
            ("cloud", "クラウド利用費", None, 1),
            ("expert", "専門家経費", 20, 1),
            ("outsourcing", "外注費", 50, 2),
        ],
        "attachments": ["直近2期分の決算書 (または確定申告書)"],
    },
    {
        "number": 3,
        "name": "事業変革",
        "purpose": "蓄積したデータを使った新サービス (予知保全など) の開発や、"
        "製造業のサービス化など、新しい価値を生む取組。大学や公設試験研究機関との共同研究も対象。",
        "rate": (1, 2),
        "cap": 10_000_000,
        "min_project_cost": 2_000_000,
        "budget": 20_000_000,
        "requires_expert_evaluation": True,
        "allows_partners": True,
        "categories": [
            ("system", "機械装置・システム構築費", None, 2),
            ("development", "技術導入費・共同研究費", 33, 1),
            ("cloud", "クラウド利用費", None, 1),
            ("expert", "専門家経費", 20, 1),
            ("outsourcing", "外注費", 50, 2),
        ],
        "attachments": [
            "直近2期分の決算書 (または確定申告書)",
            "連携先の協力同意書",
        ],
    },
]

# The rubric: (name, what reviewers look at, max score).
PAPER_RUBRIC: list[tuple[str, str, int]] = [
    ("課題の明確さ", "解決したい課題が具体的で、数字で示されているか", 10),
    ("手段の妥当性", "選んだツール・取組が課題に合っていて、費用が妥当か", 10),
    ("効果の具体性", "期待する効果が測れる指標と目標値で示されているか", 10),
    ("実現可能性", "体制・スケジュール・資金計画に無理がないか", 10),
    ("波及性・継続性", "社内に定着し、仲間まわしなど地域にも広がるか", 10),
]

# Bonus points: (kind, name, description, points). DX道場の修了 is verified from records.
PAPER_BONUS: list[tuple[str, str, str, int]] = [
    ("dojo_graduate", "DX道場の修了", "経営者向けDX道場を修了した企業 (記録から自動で確認)", 5),
    ("claimed", "賃上げの表明", "事業計画期間に給与支給総額を年率1.5%以上増やす計画を表明", 3),
    ("claimed", "事業継続力強化計画の認定", "経済産業大臣の認定を受けている", 2),
]
