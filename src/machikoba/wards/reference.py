"""The municipalities that come with the platform: Tokyo's 23 special wards (特別区), with
their 全国地方公共団体コード (check digits verified by ``wards/tests``), as the group 特別区.
Loaded by migration 0002 and again after a test's flush (the root conftest)."""

from __future__ import annotations

from typing import Any

SPECIAL_WARDS = (
    ("131016", "千代田区", "Chiyoda City"),
    ("131024", "中央区", "Chuo City"),
    ("131032", "港区", "Minato City"),
    ("131041", "新宿区", "Shinjuku City"),
    ("131059", "文京区", "Bunkyo City"),
    ("131067", "台東区", "Taito City"),
    ("131075", "墨田区", "Sumida City"),
    ("131083", "江東区", "Koto City"),
    ("131091", "品川区", "Shinagawa City"),
    ("131105", "目黒区", "Meguro City"),
    ("131113", "大田区", "Ota City"),
    ("131121", "世田谷区", "Setagaya City"),
    ("131130", "渋谷区", "Shibuya City"),
    ("131148", "中野区", "Nakano City"),
    ("131156", "杉並区", "Suginami City"),
    ("131164", "豊島区", "Toshima City"),
    ("131172", "北区", "Kita City"),
    ("131181", "荒川区", "Arakawa City"),
    ("131199", "板橋区", "Itabashi City"),
    ("131202", "練馬区", "Nerima City"),
    ("131211", "足立区", "Adachi City"),
    ("131229", "葛飾区", "Katsushika City"),
    ("131237", "江戸川区", "Edogawa City"),
)


def load_special_wards(group_model: Any = None, municipality_model: Any = None) -> None:
    """Create or update the special wards (with a migration's historical models, or the
    app's own)."""
    if group_model is None or municipality_model is None:
        from machikoba.wards.models import Municipality, MunicipalityGroup

        group_model, municipality_model = MunicipalityGroup, Municipality
    group, _created = group_model.objects.get_or_create(
        name="特別区", defaults={"name_en": "Tokyo Special Wards"}
    )
    for code, name, name_en in SPECIAL_WARDS:
        municipality_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "prefecture": "東京都", "group": group},
        )
