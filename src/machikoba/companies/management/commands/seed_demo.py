"""Build the demo ward: ~60 fictional shops and one user per role. Safe to run again."""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.accounts.services import ward_role_grant
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.services import company_create, membership_add
from machikoba.companies.validators import corporate_number_with_check_digit

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

# Real postal codes and towns of Tokyo's Ōta ward, so that addresses look and
# geocode like a real 町工場 district; the companies themselves are fictional.
TOWNS = [
    ("144-0051", "東京都大田区西蒲田"),
    ("144-0052", "東京都大田区蒲田"),
    ("144-0053", "東京都大田区蒲田本町"),
    ("144-0054", "東京都大田区新蒲田"),
    ("144-0055", "東京都大田区仲六郷"),
    ("144-0056", "東京都大田区西六郷"),
    ("144-0045", "東京都大田区南六郷"),
    ("143-0015", "東京都大田区大森西"),
    ("143-0016", "東京都大田区大森北"),
    ("146-0083", "東京都大田区千鳥"),
    ("146-0092", "東京都大田区下丸子"),
    ("146-0093", "東京都大田区矢口"),
    ("146-0094", "東京都大田区東矢口"),
    ("144-0034", "東京都大田区西糀谷"),
    ("144-0033", "東京都大田区東糀谷"),
    ("143-0006", "東京都大田区平和島"),
]

COMPANY_COUNT = 60

DEMO_USERS = [
    # email, name, company index (or None), company role, ward role, platform admin
    ("owner@example.com", "高橋 一郎", 0, CompanyRole.OWNER, None, False),
    ("staff@example.com", "高橋 美咲", 0, CompanyRole.STAFF, None, False),
    ("worker@example.com", "佐々木 健太", 0, CompanyRole.FLOOR_WORKER, None, False),
    ("officer@example.com", "区 産業振興課 山口", None, None, WardRole.OFFICER, False),
    ("advisor@example.com", "DXアドバイザー 森田", None, None, WardRole.ADVISOR, False),
    ("reviewer@example.com", "審査員 大野", None, None, WardRole.REVIEWER, False),
    ("lab@example.com", "ラボ 川村", None, None, WardRole.LAB_STAFF, False),
    ("admin@example.com", "運用管理者", None, None, None, True),
]


def demo_companies() -> list[dict]:
    """The demo ward's companies, the same every run."""
    rng = random.Random(20261124)
    companies = []
    for index in range(COMPANY_COUNT):
        family, family_kana = FAMILIES[index % len(FAMILIES)]
        # (index mod 30, index mod 14) never repeats below 210: names stay unique.
        trade, trade_kana, trade_en, kind = TRADES[index % len(TRADES)]
        form, _form_kana, form_en = LEGAL_FORMS[0 if rng.random() < 0.7 else 1]
        # Small shops dominate a 町工場 cluster: 2–50 employees, skewed small.
        employees = min(50, max(2, int(rng.paretovariate(1.1) * 4)))
        postal_code, town = TOWNS[rng.randrange(len(TOWNS))]
        address = f"{town}{rng.randint(1, 6)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
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
                "address": address,
                "employees": employees,
                "kind": kind,
            }
        )
    return companies


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


class Command(BaseCommand):
    help = "Load the demo ward (fictional companies and one user per role). Idempotent."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates accounts with a known password; "
                "it does not run with MACHIKOBA_ENV=production."
            )
        with transaction.atomic():
            companies = self._companies()
            self._users(companies)
        self.stdout.write(self.style.SUCCESS(f"Demo ward ready: {len(companies)} companies."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, name, *_rest in DEMO_USERS:
            self.stdout.write(f"  {email:<24} {name}")
        self.stdout.write(
            f"officer@ and admin@ sign in with a TOTP code; authenticator secret: "
            f"{DEMO_TOTP_SECRET}"
        )

    def _companies(self) -> list[Company]:
        existing = {
            c.corporate_number: c for c in Company.objects.filter(corporate_number__isnull=False)
        }
        result = []
        for data in demo_companies():
            company = existing.get(data["corporate_number"])
            if company is None:
                fields = {k: v for k, v in data.items() if k != "kind"}
                company = company_create(actor=None, **fields)
            result.append(company)
        return result

    def _users(self, companies: list[Company]) -> None:
        for email, name, company_index, company_role, ward_role, is_admin in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                if is_admin:
                    user = User.objects.create_superuser(email, DEMO_PASSWORD, name=name)
                else:
                    user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if company_index is not None:
                company = companies[company_index]
                if not Membership.objects.filter(user=user, company=company).exists():
                    membership_add(actor=None, company=company, user=user, role=company_role)
            if (
                ward_role
                and not WardRoleAssignment.objects.filter(user=user, role=ward_role).exists()
            ):
                ward_role_grant(actor=None, user=user, role=ward_role)
            if (ward_role == WardRole.OFFICER or is_admin) and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists():
                Authenticator.objects.create(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(DEMO_TOTP_SECRET)},
                )
        # The demo owner also helps at a second shop, to show the company switcher.
        owner = User.objects.get(email="owner@example.com")
        second = companies[1]
        if not Membership.objects.filter(user=owner, company=second).exists():
            membership_add(actor=None, company=second, user=owner, role=CompanyRole.STAFF)
