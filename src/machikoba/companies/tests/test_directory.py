"""Directory search: filters, distance, Japanese free text, ordering, query counts."""

import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from machikoba.companies.directory import DirectoryQuery, directory_search
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    Material,
    ProcessCategory,
)
from machikoba.companies.services import capability_save, certification_save
from machikoba.core.testing.clock import yesterday
from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import MEMBER

pytestmark = pytest.mark.clock_sensitive

ORIGIN = (35.5625, 139.7160)  # 蒲田


def _at_km(north_km: float, east_km: float = 0.0) -> dict:
    lat = ORIGIN[0] + north_km / 111.195
    lon = ORIGIN[1] + east_km / (111.195 * math.cos(math.radians(ORIGIN[0])))
    return {"latitude": Decimal(f"{lat:.6f}"), "longitude": Decimal(f"{lon:.6f}")}


def _shop(name, *, km=1.0, caps=(), iso=False, **fields):
    company = CompanyFactory(name=name, name_kana=fields.pop("kana", name), **_at_km(km), **fields)
    for process_code, material_codes, envelope, *tolerance in caps:
        capability_save(
            actor=None,
            company=company,
            capability=Capability(
                process=ProcessCategory.objects.get(code=process_code),
                max_length_mm=envelope,
                best_tolerance_mm=Decimal(tolerance[0]) if tolerance else None,
            ),
            materials=list(Material.objects.filter(code__in=material_codes)),
        )
    if iso:
        certification_save(
            actor=None,
            company=company,
            certification=CompanyCertification(kind=CertificationKind.objects.get(code="iso9001")),
        )
    return company


NC = "cutting.turning.nc_lathe"
MANUAL = "cutting.turning.manual_lathe"


@pytest.fixture
def shops(db):
    return {
        "match": _shop("A精機", km=1.0, caps=[(NC, ["SUS304", "S45C"], 400, "0.005")], iso=True),
        "small": _shop("B精機", km=1.0, caps=[(NC, ["SUS304"], 200)], iso=True),
        "no_sus": _shop("C精機", km=1.0, caps=[(NC, ["S45C"], 400)], iso=True),
        "manual": _shop("D工業", km=1.0, caps=[(MANUAL, ["SUS304"], 400)], iso=True),
        "no_iso": _shop("E精機", km=1.0, caps=[(NC, ["SUS304"], 400)], iso=False),
        "far": _shop("F精機", km=7.0, caps=[(NC, ["SUS304"], 400)], iso=True),
        # SUS304 only on a small, coarse capability, the big and precise one is S45C on
        # another lathe: not one row → no match
        "split": _shop(
            "G精機",
            km=2.0,
            caps=[
                (NC, ["SUS304"], 100, "0.05"),
                ("cutting.turning.automatic", ["S45C"], 500, "0.002"),
            ],
            iso=True,
        ),
        "edge": _shop("H精機", km=4.9, caps=[(NC, ["SUS304"], 300)], iso=True),
    }


def _names(queryset):
    return {c.name for c in queryset}


def test_nc_lathe_sus304_300mm_5km_iso9001(shops):
    query = DirectoryQuery(
        process=NC,
        material="SUS304",
        min_envelope_mm=300,
        within_km=5,
        certification="iso9001",
        origin=ORIGIN,
        sort="distance",
    )
    result = list(directory_search(user=None, query=query))
    assert [c.name for c in result] == ["A精機", "H精機"]
    assert result[0].distance_km == pytest.approx(1.0, abs=0.01)
    assert result[1].distance_km == pytest.approx(4.9, abs=0.02)


def test_a_parent_process_matches_its_subtree(shops):
    query = DirectoryQuery(process="cutting.turning", material="SUS304", min_envelope_mm=300)
    assert _names(directory_search(user=None, query=query)) == {
        "A精機",
        "D工業",
        "E精機",
        "F精機",
        "H精機",
    }


def test_each_filter_alone(shops):
    assert "C精機" not in _names(
        directory_search(user=None, query=DirectoryQuery(material="SUS304"))
    )
    assert _names(directory_search(user=None, query=DirectoryQuery(certification="iso9001"))) == {
        n for n in _names(Company.objects.all()) if n != "E精機"
    }
    near = directory_search(user=None, query=DirectoryQuery(within_km=3, origin=ORIGIN))
    assert _names(near) == {"A精機", "B精機", "C精機", "D工業", "E精機", "G精機"}


def test_expired_certifications_do_not_count(shops):
    CompanyCertification.objects.filter(company=shops["match"]).update(valid_until=yesterday())
    query = DirectoryQuery(certification="iso9001")
    assert "A精機" not in _names(directory_search(user=None, query=query))


def test_distance_filter_without_an_origin_is_ignored(shops):
    query = DirectoryQuery(process=NC, within_km=1)
    assert len(_names(directory_search(user=None, query=query))) == 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("精機", {"A精機", "B精機", "C精機", "E精機", "F精機", "G精機", "H精機"}),
        ("ＤＫ工業", set()),  # bigrams must all be present
        ("d工業", {"D工業"}),  # NFKC + lower case: Ｄ/D/d are the same letter
        ("NC旋盤", {"A精機", "B精機", "C精機", "E精機", "F精機", "G精機", "H精機"}),
        ("汎用旋盤", {"D工業"}),
    ],
)
def test_free_text_in_japanese(shops, text, expected):
    assert _names(directory_search(user=None, query=DirectoryQuery(text=text))) == expected


def test_kana_search_ignores_hiragana_katakana_difference(db):
    _shop("高橋精機製作所", kana="タカハシセイキセイサクショ")
    _shop("丸山鍍金工業", kana="マルヤマメッキコウギョウ")
    result = directory_search(user=None, query=DirectoryQuery(text="たかはし"))
    assert _names(result) == {"高橋精機製作所"}


def test_pr_text_is_searchable_and_names_rank_first(db):
    _shop("研磨の森田", pr_text="鏡面仕上げが得意です")
    _shop("鏡面工業", pr_text="溶接")
    result = list(directory_search(user=None, query=DirectoryQuery(text="鏡面")))
    assert [c.name for c in result] == ["鏡面工業", "研磨の森田"]


def test_tolerance_must_hold_on_the_same_capability_row(shops):
    # G精機 turns to ±0.002 mm, but on its automatic lathe; its NC lathe holds ±0.05.
    precise_nc = DirectoryQuery(process=NC, max_tolerance_mm=Decimal("0.01"))
    assert _names(directory_search(user=None, query=precise_nc)) == {"A精機"}
    precise_sus = DirectoryQuery(material="SUS304", max_tolerance_mm=Decimal("0.01"))
    assert _names(directory_search(user=None, query=precise_sus)) == {"A精機"}
    # The bound is inclusive, and a coarser bound admits the NC row of G精機.
    coarse = DirectoryQuery(process=NC, max_tolerance_mm=Decimal("0.05"))
    assert _names(directory_search(user=None, query=coarse)) == {"A精機", "G精機"}
    any_process = DirectoryQuery(max_tolerance_mm=Decimal("0.002"))
    assert _names(directory_search(user=None, query=any_process)) == {"G精機"}


def test_the_directory_page_filters_on_tolerance(client, world, shops):
    client.force_login(world.users[MEMBER])
    url = reverse("companies:directory") + f"?process={NC}&tolerance=0.01&view=table"
    response = client.get(url)
    assert response.status_code == 200
    assert {c.name for c in response.context["page"].object_list} == {"A精機"}


def test_punctuation_only_query_finds_nothing(shops):
    assert list(directory_search(user=None, query=DirectoryQuery(text="・・・"))) == []


def test_directory_page_query_count_is_bounded(client, world):
    for n in range(30):
        _shop(f"量産{n}工業", km=n / 10, caps=[(NC, ["SUS304"], 400)], iso=True)
    client.force_login(world.users[MEMBER])
    url = reverse("companies:directory") + "?process=cutting.turning&material=SUS304&q=工業"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 20
    # session, user, ward roles, membership roles, memberships (header), unread notices
    # (header), facets (4), process subtree, material, ordered ids, page rows, card
    # processes, certifications: the same 16 whatever the number of results.
    assert len(queries) <= 16, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_directory_page_renders_cards_table_and_htmx_partial(client, world, shops):
    client.force_login(world.users[MEMBER])
    url = reverse("companies:directory") + f"?process={NC}&material=SUS304"
    cards = client.get(url).content.decode()
    assert 'data-testid="result-cards"' in cards
    assert "A精機" in cards
    table = client.get(url + "&view=table").content.decode()
    assert 'data-testid="result-table"' in table
    partial = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="directory-results")
    body = partial.content.decode()
    assert body.lstrip().startswith('<section id="directory-results"')
    assert "<html" not in body


def test_bad_filter_values_are_ignored_with_a_notice(client, world, shops):
    client.force_login(world.users[MEMBER])
    response = client.get(reverse("companies:directory") + "?envelope=abc&within_km=-3")
    assert response.status_code == 200
    assert "一部の条件が正しくないため" in response.content.decode()
