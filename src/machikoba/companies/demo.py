"""The demo's fictional shops in three wards and its people: names, trades, towns,
profiles and the demo logins (``seed_demo`` builds them)."""

from __future__ import annotations

import random

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.postal import lookup_postal_code
from machikoba.companies.validators import corporate_number_with_check_digit
from machikoba.core.access import OWNER_ROLES

DEMO_PASSWORD = "machikoba-demo"  # noqa: S105 - demo only; the command refuses to run in production
# Base32 secret of the demo officer's and admin's authenticator, so the demo
# can be signed in to (add it to any TOTP app) and browser tests can compute codes.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo only

# (surname, kana) of fictional founders
FAMILIES = [
    ("高橋", "タカハシ"),
    ("丸山", "マルヤマ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("田中", "タナカ"),
    ("渡辺", "ワタナベ"),
    ("伊藤", "イトウ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("村上", "ムラカミ"),
    ("近藤", "コンドウ"),
    ("坂本", "サカモト"),
    ("遠藤", "エンドウ"),
]

# (trade word, kana, English, kind) — the kinds of shop a 町工場 cluster holds
TRADES = [
    ("精機製作所", "セイキセイサクショ", "Precision Works", "lathe"),
    ("旋盤工業", "センバンコウギョウ", "Lathe Works", "lathe"),
    ("精密", "セイミツ", "Precision", "machining"),
    ("製作所", "セイサクショ", "Manufacturing", "machining"),
    ("板金工業", "バンキンコウギョウ", "Sheet Metal", "sheet_metal"),
    ("プレス工業", "プレスコウギョウ", "Press Works", "sheet_metal"),
    ("溶接所", "ヨウセツショ", "Welding", "welding"),
    ("熱処理工業", "ネツショリコウギョウ", "Heat Treating", "heat_treatment"),
    ("鍍金工業", "メッキコウギョウ", "Plating", "plating"),
    ("研削工業", "ケンサクコウギョウ", "Grinding", "grinding"),
    ("研磨", "ケンマ", "Polishing", "grinding"),
    ("測定技研", "ソクテイギケン", "Metrology", "inspection"),
    ("放電加工", "ホウデンカコウ", "EDM", "edm"),
    ("塗装工業", "トソウコウギョウ", "Coating", "painting"),
]

LEGAL_FORMS = [
    ("株式会社", "カブシキガイシャ", "Co., Ltd."),
    ("有限会社", "ユウゲンガイシャ", "Ltd."),
]

# The demo's three wards, by their 地方公共団体コード (the wards app loads all 23), and the
# group a metro viewer reads across.
OTA, SUMIDA, KATSUSHIKA = "131113", "131075", "131229"
SPECIAL_WARDS = "特別区"

# Real postal codes and towns (with how many 丁目 each has) of three of Tokyo's special
# wards, so that addresses look and geocode like real 町工場 districts; the companies
# themselves are fictional.
WARD_TOWNS = {
    "大田区": [
        ("144-0051", "西蒲田", 8),
        ("144-0052", "蒲田", 5),
        ("144-0053", "蒲田本町", 2),
        ("144-0054", "新蒲田", 3),
        ("144-0055", "仲六郷", 4),
        ("144-0056", "西六郷", 4),
        ("144-0045", "南六郷", 3),
        ("143-0015", "大森西", 7),
        ("143-0016", "大森北", 6),
        ("146-0083", "千鳥", 3),
        ("146-0092", "下丸子", 4),
        ("146-0093", "矢口", 3),
        ("146-0094", "東矢口", 3),
        ("144-0034", "西糀谷", 4),
        ("144-0033", "東糀谷", 6),
        ("143-0006", "平和島", 6),
    ],
    "墨田区": [
        ("131-0041", "八広", 6),
        ("131-0046", "京島", 3),
        ("131-0043", "立花", 6),
        ("131-0042", "東墨田", 3),
        ("131-0032", "東向島", 6),
        ("131-0031", "墨田", 5),
        ("130-0012", "太平", 4),
        ("130-0013", "錦糸", 4),
        ("130-0003", "横川", 5),
        ("131-0045", "押上", 3),
        ("131-0044", "文花", 3),
    ],
    "葛飾区": [
        ("124-0014", "東四つ木", 4),
        ("124-0011", "四つ木", 5),
        ("124-0012", "立石", 8),
        ("124-0013", "東立石", 4),
        ("124-0022", "奥戸", 9),
        ("124-0023", "東新小岩", 8),
        ("124-0025", "西新小岩", 5),
        ("124-0006", "堀切", 8),
        ("125-0062", "青戸", 8),
        ("125-0052", "柴又", 7),
    ],
}

COMPANY_COUNT = 60

# Most shops are in 大田区, the demo owner's ward; these are across the city. The owner's
# shops (0, 1), the heat treater heat@ (7), the grinder (9) and the answers to the
# directory's reference question (15, 29, 56) stay in 大田区; the plater (8) and the second
# heat treater (21) are in 墨田区, so the owner's work crosses the ward border.
SUMIDA_SHOPS = frozenset({8, 10, 13, 19, 20, 21, 24, 33, 36, 42, 44, 47, 50, 52, 55, 57})
KATSUSHIKA_SHOPS = frozenset({4, 6, 11, 12, 14, 18, 23, 26, 31, 34, 38, 41, 46, 49, 54, 59})


def demo_ward_of(index: int) -> str:
    """The ward (its name) of the demo company at ``index``."""
    if index in SUMIDA_SHOPS:
        return "墨田区"
    if index in KATSUSHIKA_SHOPS:
        return "葛飾区"
    return "大田区"


DEMO_USERS = [
    # email, name, company index (or None), company role, ward role, platform admin,
    # and whom a ward role serves: a municipality's code or a group's name
    ("owner@example.com", "高橋 一郎", 0, CompanyRole.OWNER, None, False, None),
    ("staff@example.com", "高橋 美咲", 0, CompanyRole.STAFF, None, False, None),
    ("worker@example.com", "佐々木 健太", 0, CompanyRole.FLOOR_WORKER, None, False, None),
    # Partner shops' owners, to play the other side of the 仲間まわし.
    ("heat@example.com", "山本 浩二", 7, CompanyRole.OWNER, None, False, None),
    ("heat2@example.com", "石川 誠", 21, CompanyRole.OWNER, None, False, None),
    ("plating@example.com", "中村 由美", 8, CompanyRole.OWNER, None, False, None),
    ("grinding@example.com", "小林 勇", 9, CompanyRole.OWNER, None, False, None),
    # One officer for each of two wards; 葛飾区 has shops but no officer on the platform.
    ("officer@example.com", "大田区 産業振興課 山口", None, None, WardRole.OFFICER, False, OTA),
    ("officer2@example.com", "墨田区 産業振興課 石井", None, None, WardRole.OFFICER, False, SUMIDA),
    ("advisor@example.com", "DXアドバイザー 森田", None, None, WardRole.ADVISOR, False, OTA),
    ("advisor2@example.com", "中小企業診断士 岡田", None, None, WardRole.ADVISOR, False, OTA),
    ("instructor@example.com", "DX道場 講師 松本", None, None, WardRole.INSTRUCTOR, False, OTA),
    ("reviewer@example.com", "審査員 大野", None, None, WardRole.REVIEWER, False, OTA),
    ("reviewer2@example.com", "審査員 北村", None, None, WardRole.REVIEWER, False, OTA),
    ("lab@example.com", "ラボ 川村", None, None, WardRole.LAB_STAFF, False, OTA),
    # Aggregates across the 23 special wards, never one company's record.
    (
        "metro@example.com",
        "特別区 広域担当 藤原",
        None,
        None,
        WardRole.METRO_VIEWER,
        False,
        SPECIAL_WARDS,
    ),
    ("admin@example.com", "運用管理者", None, None, None, True, None),
]


def demo_companies() -> list[dict]:
    """The demo's companies, the same every run."""
    rng = random.Random(20261124)
    companies = []
    for index in range(COMPANY_COUNT):
        family, family_kana = FAMILIES[index % len(FAMILIES)]
        # (index mod 30, index mod 14) never repeats below 210: names stay unique.
        trade, trade_kana, trade_en, kind = TRADES[index % len(TRADES)]
        form, _form_kana, form_en = LEGAL_FORMS[0 if rng.random() < 0.7 else 1]
        # Small shops dominate a 町工場 cluster: 2–50 employees, skewed small.
        employees = min(50, max(2, int(rng.paretovariate(1.1) * 4)))
        ward = demo_ward_of(index)
        towns = WARD_TOWNS[ward]
        # The same draws whichever the ward, so that every other attribute of every
        # company stays as it was when all were in 大田区.
        pick = rng.randrange(len(WARD_TOWNS["大田区"]))
        postal_code, town, chome_count = towns[pick % len(towns)]
        chome = (rng.randint(1, 6) - 1) % chome_count + 1
        street = f"{town}{chome}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
        latitude, longitude = _near(postal_code, rng)
        base12 = f"{801100000000 + index * 7919:012d}"
        companies.append(
            {
                # 前株 (株式会社○○製作所) reads naturally for 〜所 names; 後株 for the rest.
                "name": f"{form}{family}{trade}"
                if form == "有限会社" or trade.endswith("所")
                else f"{family}{trade}{form}",
                "name_kana": f"{family_kana}{trade_kana}",
                "name_en": f"{_romaji(family_kana)} {trade_en} {form_en}",
                "corporate_number": corporate_number_with_check_digit(base12),
                "postal_code": postal_code,
                "prefecture": "東京都",
                "municipality": ward,
                "address_line": street,
                "latitude": latitude,
                "longitude": longitude,
                "location_source": "manual",
                "employees": employees,
                "kind": kind,
                # The ward's ledger holds an address for two companies in three: a claim
                # of their first account is confirmed there (docs/guest-links.md).
                "contact_email": f"info{index + 1:03d}@example.jp" if index % 3 != 2 else "",
                **_profile(kind, index, employees, rng),
            }
        )
    return companies


def _near(postal_code: str, rng: random.Random) -> tuple[float, float]:
    """A spot within ~400 m of the postal area's representative point."""
    found = lookup_postal_code(postal_code)
    lat = found.latitude + rng.uniform(-0.0035, 0.0035)
    lon = found.longitude + rng.uniform(-0.0045, 0.0045)
    return round(lat, 6), round(lon, 6)


# What each kind of shop does: (process code, materials, envelope range mm, best
# tolerance choices mm, Ra choices), its machines, and how it describes itself.
KIND_PROFILES = {
    "lathe": {
        "capabilities": [
            (
                "cutting.turning.nc_lathe",
                ["S45C", "SUS304", "SUS303", "A5052", "C3604", "SCM440"],
                (200, 800),
                ["0.005", "0.01", "0.02"],
                ["0.8", "1.6"],
            ),
            (
                "cutting.turning.manual_lathe",
                ["SS400", "S45C", "SUS304"],
                (200, 1500),
                ["0.02", "0.05"],
                ["1.6", "3.2"],
            ),
        ],
        "equipment": [
            ("NC旋盤", "オークマ", "LB3000 EX II", 2),
            ("NC旋盤", "森精機", "NLX2500", 1),
            ("汎用旋盤", "ワシノ", "LEO-80A", 1),
        ],
        "pr": "φ3 から φ300 までの丸物を、試作1個から量産まで。SUS の難削材も得意です。",
    },
    "machining": {
        "capabilities": [
            (
                "cutting.milling.mc_3axis",
                ["A5052", "A7075", "S50C", "SUS304", "SKD11"],
                (300, 1000),
                ["0.005", "0.01"],
                ["0.8", "1.6"],
            ),
            (
                "cutting.milling.mc_5axis",
                ["A7075", "SUS304", "Ti-6Al-4V"],
                (200, 500),
                ["0.005", "0.01"],
                ["0.4", "0.8"],
            ),
            (
                "cutting.drilling_boring.tapping",
                ["A5052", "SS400", "SUS304"],
                (300, 800),
                ["0.02"],
                ["3.2"],
            ),
        ],
        "equipment": [
            ("マシニングセンタ", "ファナック", "ロボドリル α-D21MiB5", 2),
            ("5軸マシニングセンタ", "DMG森精機", "DMU 50", 1),
        ],
        "pr": "アルミ・ステンレスの複雑形状を5軸加工で。治具設計から一貫して対応します。",
    },
    "sheet_metal": {
        "capabilities": [
            (
                "forming.sheet_metal.bending",
                ["SPCC", "SECC", "SUS304", "A5052"],
                (500, 3000),
                ["0.1", "0.2"],
                [],
            ),
            (
                "forming.sheet_metal.laser_cutting",
                ["SPCC", "SS400", "SUS304"],
                (1000, 3000),
                ["0.1"],
                [],
            ),
            ("forming.press.progressive", ["SPCC", "C2801", "SUS301"], (50, 300), ["0.05"], []),
        ],
        "equipment": [
            ("ファイバーレーザー加工機", "アマダ", "ENSIS-3015AJ", 1),
            ("ベンディングマシン", "アマダ", "HG-1303", 2),
        ],
        "pr": "筐体・カバー・ブラケットなど、薄板の切断から曲げ・溶接まで一貫対応。",
    },
    "welding": {
        "capabilities": [
            ("welding.tig", ["SUS304", "SUS316L", "A5052"], (300, 2000), ["0.5"], []),
            ("welding.mig_mag", ["SS400", "SM490A"], (500, 4000), ["1.0"], []),
            ("welding.fabrication", ["SS400", "SUS304"], (1000, 5000), ["1.0"], []),
        ],
        "equipment": [
            ("TIG溶接機", "ダイヘン", "DA300P", 3),
            ("半自動溶接機", "パナソニック", "YD-350", 2),
        ],
        "pr": "ステンレスの TIG 溶接、製缶・架台の組立まで。歪み取りも社内で。",
    },
    "heat_treatment": {
        "capabilities": [
            (
                "heat_treatment.quench_temper",
                ["S45C", "SCM440", "SKD11", "SUJ2"],
                (300, 1500),
                [],
                [],
            ),
            ("heat_treatment.carburizing", ["SCM415", "SCr420"], (200, 800), [], []),
            ("heat_treatment.induction", ["S45C", "S50C"], (100, 1200), [], []),
            ("heat_treatment.vacuum", ["SKD11", "SKD61", "SKH51"], (200, 600), [], []),
        ],
        "equipment": [
            ("真空熱処理炉", "中外炉工業", "VC-608", 1),
            ("高周波焼入れ装置", "富士電子工業", "FTH-100", 1),
        ],
        "pr": "焼入れ・浸炭・高周波・真空熱処理。硬さ試験成績書を添付してお返しします。",
    },
    "plating": {
        "capabilities": [
            ("surface.plating.hard_chrome", ["S45C", "SCM440", "SUS304"], (100, 1500), [], ["0.2"]),
            ("surface.plating.electroless_nickel", ["A5052", "S45C", "SUS304"], (50, 600), [], []),
            ("surface.plating.zinc", ["SS400", "SPCC"], (50, 1000), [], []),
        ],
        "equipment": [
            ("めっきライン", "自社製", "硬質クロム槽 2000L", 2),
        ],
        "pr": "硬質クロム・無電解ニッケル。ロールやシャフトの再めっきも承ります。",
    },
    "grinding": {
        "capabilities": [
            (
                "grinding.cylindrical",
                ["S45C", "SCM440", "SUJ2", "SKD11"],
                (100, 1000),
                ["0.001", "0.002", "0.003"],
                ["0.1", "0.2"],
            ),
            (
                "grinding.surface",
                ["SKD11", "S50C", "SUS440C"],
                (200, 800),
                ["0.002", "0.005"],
                ["0.2", "0.4"],
            ),
            ("grinding.centerless", ["SUJ2", "SUS304"], (20, 300), ["0.002"], ["0.2"]),
        ],
        "equipment": [
            ("円筒研削盤", "ジェイテクト", "GE4i", 1),
            ("平面研削盤", "岡本工作機械", "PSG-64DX", 2),
        ],
        "pr": "ミクロン単位の円筒・平面研削。焼入れ後の仕上げ研削はお任せください。",
    },
    "inspection": {
        "capabilities": [
            ("inspection.cmm", [], (100, 1200), ["0.002"], []),
            ("inspection.form_roughness", [], (10, 300), ["0.001"], []),
            ("inspection.hardness", [], (10, 500), [], []),
        ],
        "equipment": [
            ("三次元測定機", "ミツトヨ", "CRYSTA-Apex V 9106", 1),
            ("表面粗さ測定機", "東京精密", "SURFCOM NEX", 1),
        ],
        "pr": "三次元測定・粗さ測定の受託。測定成績書と検査証明の発行に対応します。",
    },
    "edm": {
        "capabilities": [
            (
                "special.edm.wire",
                ["SKD11", "SKH51", "SUS304", "C1100"],
                (100, 600),
                ["0.002", "0.005"],
                ["0.4", "0.8"],
            ),
            ("special.edm.sinker", ["SKD61", "SKD11"], (100, 400), ["0.005"], ["0.8"]),
            ("special.edm.small_hole", ["SUS304", "SKD11"], (50, 300), ["0.01"], []),
        ],
        "equipment": [
            ("ワイヤー放電加工機", "三菱電機", "MV1200R", 2),
            ("形彫り放電加工機", "ソディック", "AG40L", 1),
        ],
        "pr": "金型部品・精密部品のワイヤーカット。焼入れ後の硬い材料もそのまま加工。",
    },
    "painting": {
        "capabilities": [
            ("surface.painting.baking", ["SPCC", "SECC", "A5052"], (300, 2500), [], []),
            ("surface.painting.powder", ["SPCC", "SS400"], (300, 2000), [], []),
        ],
        "equipment": [
            ("焼付乾燥炉", "自社製", "3000 × 1500", 1),
        ],
        "pr": "焼付・粉体塗装。小ロットの色替えにも柔軟に対応します。",
    },
}

REPRESENTATIVE_GIVEN = ["一郎", "健二", "誠", "和夫", "博", "正樹", "修", "茂", "洋子", "恵子"]
SUCCESSION = ["decided", "candidate", "undecided", "undecided", "not_needed"]
CERTS_BY_SIZE = [(30, ["iso9001", "iso14001"]), (10, ["iso9001"]), (0, [])]


def _profile(kind: str, index: int, employees: int, rng: random.Random) -> dict:
    spec = KIND_PROFILES[kind]
    capabilities = []
    for code, materials, (low, high), tolerances, roughness in spec["capabilities"]:
        if capabilities and rng.random() < 0.25:
            continue  # not every shop of a kind offers every process
        envelope = rng.randrange(low, high + 1, 10)
        capabilities.append(
            {
                "process": code,
                "materials": [m for m in materials if rng.random() < 0.8] or materials[:1],
                "max_length_mm": envelope,
                "max_width_mm": max(10, envelope // rng.choice([1, 2, 3])),
                "best_tolerance_mm": rng.choice(tolerances) if tolerances else None,
                "best_roughness_ra": rng.choice(roughness) if roughness else None,
                "lot_min": 1,
                "lot_max": rng.choice([50, 100, 500, 1000, 5000]),
                "lead_time_days": rng.choice([3, 5, 7, 10, 14]),
            }
        )
    certifications = next(c for size, c in CERTS_BY_SIZE if employees >= size)
    if not certifications and rng.random() < 0.45:
        certifications = ["iso9001"]
    return {
        "founded_year": rng.randrange(1948, 2012),
        "representative_title": "代表取締役",
        "representative_name": f"{FAMILIES[index % len(FAMILIES)][0]} "
        f"{REPRESENTATIVE_GIVEN[index % len(REPRESENTATIVE_GIVEN)]}",
        "successor_status": rng.choice(SUCCESSION),
        "pr_text": spec["pr"],
        "capabilities": capabilities,
        "equipment": [m for m in spec["equipment"] if rng.random() < 0.85] or spec["equipment"][:1],
        "certifications": certifications,
        "dx_stage": rng.choice([0, 1, 1, 1, 2, 2, 3, 4]),
    }


_KANA_ROMAJI = {
    "タカハシ": "Takahashi",
    "マルヤマ": "Maruyama",
    "サトウ": "Sato",
    "スズキ": "Suzuki",
    "タナカ": "Tanaka",
    "ワタナベ": "Watanabe",
    "イトウ": "Ito",
    "ヤマモト": "Yamamoto",
    "ナカムラ": "Nakamura",
    "コバヤシ": "Kobayashi",
    "カトウ": "Kato",
    "ヨシダ": "Yoshida",
    "ヤマダ": "Yamada",
    "マツモト": "Matsumoto",
    "イノウエ": "Inoue",
    "キムラ": "Kimura",
    "ハヤシ": "Hayashi",
    "シミズ": "Shimizu",
    "モリ": "Mori",
    "イケダ": "Ikeda",
    "ハシモト": "Hashimoto",
    "イシカワ": "Ishikawa",
    "マエダ": "Maeda",
    "フジタ": "Fujita",
    "オカダ": "Okada",
    "ハセガワ": "Hasegawa",
    "ムラカミ": "Murakami",
    "コンドウ": "Kondo",
    "サカモト": "Sakamoto",
    "エンドウ": "Endo",
}


def _romaji(kana: str) -> str:
    return _KANA_ROMAJI[kana]


BUYER_EMAIL = "buyer@example.com"


def demo_owner(company: Company) -> User:
    """The first owner of a demo ``company`` (the demo's data writes through its people)."""
    membership = (
        Membership.objects.filter(company=company, role__in=OWNER_ROLES)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if membership is None:
        raise ValueError(f"demo company {company} has no owner")
    return membership.user
