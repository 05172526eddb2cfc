"""The profile checklist: each item flips when its data appears, the percent, the links,
one query; the directory ranks fuller profiles first among equal text matches; the
company page shows the checklist to its editors and a "what partners see" preview."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from machikoba.companies.checklist import profile_checklist
from machikoba.companies.directory import DirectoryQuery, directory_search
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    CompanyCertification,
    Material,
    ProcessCategory,
)
from machikoba.companies.services import capability_save, certification_save, company_update
from machikoba.core.testing.clock import today
from machikoba.core.testing.factories import CompanyFactory, make_equipment, make_photo
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OFFICER, OTHER_COMPANY, STAFF

pytestmark = pytest.mark.clock_sensitive

NC = "cutting.turning.nc_lathe"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _done(company) -> dict[str, bool]:
    return {item.key: item.done for item in profile_checklist(company).items}


def _capability(company, *, materials=(), length=None, process=NC):
    return capability_save(
        actor=None,
        company=company,
        capability=Capability(
            process=ProcessCategory.objects.get(code=process), max_length_mm=length
        ),
        materials=list(Material.objects.filter(code__in=materials)),
    )


def _certify(company, *, valid_until=None):
    return certification_save(
        actor=None,
        company=company,
        certification=CompanyCertification(
            kind=CertificationKind.objects.get(code="iso9001"), valid_until=valid_until
        ),
    )


def _complete(company, pr_text="φ3〜φ300 の旋削が得意です。"):
    _capability(company, materials=["SUS304"], length=300)
    make_equipment(company)
    _certify(company)
    make_photo(company)
    company_update(actor=None, company=company, pr_text=pr_text)


def test_a_new_profile_has_nothing_done(db):
    checklist = profile_checklist(CompanyFactory())
    assert [item.key for item in checklist.items] == [
        "processes",
        "envelope",
        "equipment",
        "certifications",
        "photos",
        "pr_text",
    ]
    assert (checklist.done_count, checklist.total, checklist.percent) == (0, 6, 0)
    assert not checklist.complete
    assert len(checklist.todo) == 6


def test_each_item_flips_when_its_data_appears(db):
    company = CompanyFactory()
    expected = dict.fromkeys(_done(company), False)

    # A process alone is not yet "processes and materials", nor a work envelope.
    capability = _capability(company)
    assert _done(company) == expected
    capability_save(
        actor=None,
        company=company,
        capability=capability,
        materials=list(Material.objects.filter(code="SUS304")),
    )
    expected["processes"] = True
    assert _done(company) == expected

    capability.max_height_mm = 150
    capability_save(actor=None, company=company, capability=capability, materials=[])
    expected.update(processes=False, envelope=True)
    assert _done(company) == expected
    _capability(company, process="cutting.milling", materials=["A5052"])
    expected["processes"] = True
    assert _done(company) == expected

    make_equipment(company)
    expected["equipment"] = True
    assert _done(company) == expected

    make_photo(company)
    expected["photos"] = True
    assert _done(company) == expected

    company_update(actor=None, company=company, pr_text="小物の旋削が得意です。")
    expected["pr_text"] = True
    assert _done(company) == expected
    assert profile_checklist(company).percent == 83  # 5 of 6

    _certify(company)
    expected["certifications"] = True
    assert _done(company) == expected
    checklist = profile_checklist(company)
    assert (checklist.done_count, checklist.percent, checklist.complete) == (6, 100, True)
    assert checklist.todo == []


def test_an_expired_certificate_does_not_count(db):
    company = CompanyFactory()
    _certify(company, valid_until=today() - dt.timedelta(days=1))
    assert not _done(company)["certifications"]
    CompanyCertification.objects.filter(company=company).update(valid_until=today())
    assert _done(company)["certifications"]


def test_the_percent_is_rounded(db):
    company = CompanyFactory(pr_text="精密部品の旋削")
    make_equipment(company)
    checklist = profile_checklist(company)
    assert (checklist.done_count, checklist.percent) == (2, 33)
    make_photo(company)
    make_photo(company)  # a second photo counts once
    _certify(company)
    assert profile_checklist(company).percent == 67  # 4 of 6


def test_each_item_links_to_where_it_is_done(db):
    company = CompanyFactory()
    urls = {item.key: item.url for item in profile_checklist(company).items}
    add_capability = reverse("companies:part_add", args=[company.pk, "capabilities"])
    assert urls == {
        "processes": add_capability,
        "envelope": add_capability,
        "equipment": reverse("companies:part_add", args=[company.pk, "equipment"]),
        "certifications": reverse("companies:part_add", args=[company.pk, "certifications"]),
        "photos": reverse("companies:photo_add", args=[company.pk]),
        "pr_text": reverse("companies:edit", args=[company.pk]) + "#id_pr_text",
    }
    # With a process registered, materials and sizes are added on its form.
    capability = _capability(company)
    edit = reverse("companies:part_edit", args=[company.pk, "capabilities", capability.pk])
    urls = {item.key: item.url for item in profile_checklist(company).items}
    assert urls["processes"] == urls["envelope"] == edit


def test_the_checklist_is_one_query_whatever_the_profile_holds(db):
    company = CompanyFactory()
    _complete(company)
    for code in ("cutting.milling", "grinding"):
        _capability(company, process=code, materials=["S45C", "SUS304"], length=100)
    with CaptureQueriesContext(connection) as queries:
        profile_checklist(company)
    assert len(queries) == 1


# --- the directory ------------------------------------------------------------------------


def _at(latitude, longitude):
    return {"latitude": latitude, "longitude": longitude}


def test_a_complete_profile_outranks_an_incomplete_one_with_the_same_text_match(db):
    # Both are found by the same words in their names alone; the sparse one sorts first
    # by name and is nearer, so only completeness can put the full one ahead.
    sparse = CompanyFactory(name="相川精機", name_kana="アイカワ", **_at(35.5625, 139.7160))
    full = CompanyFactory(name="和田精機", name_kana="ワダ", **_at(35.60, 139.75))
    _complete(full)
    half = CompanyFactory(name="伊東精機", name_kana="イトウ", **_at(35.58, 139.73))
    make_equipment(half)
    make_photo(half)

    query = DirectoryQuery(text="精機", origin=(35.5625, 139.7160))
    found = list(directory_search(user=None, query=query))
    assert len({c.text_score for c in found}) == 1  # the same text match
    assert [c.name for c in found] == ["和田精機", "伊東精機", "相川精機"]

    # Without a text, too, fuller profiles come first; other orders ignore completeness.
    assert [c.pk for c in directory_search(user=None, query=DirectoryQuery())][:3] == [
        full.pk,
        half.pk,
        sparse.pk,
    ]
    by_name = directory_search(user=None, query=DirectoryQuery(sort="name"))
    assert [c.pk for c in by_name][:3] == [sparse.pk, half.pk, full.pk]


def test_verified_companies_come_before_unverified_ones_then_completeness(world):
    # A ward officer sees its ward's companies that signed up and are not yet verified.
    officer = world.users[OFFICER]
    unverified = CompanyFactory(name="未確認精機", verified_at=None)
    _complete(unverified)
    verified = CompanyFactory(name="確認済み精機")
    found = [c.pk for c in directory_search(user=officer, query=DirectoryQuery(text="精機"))]
    assert found.index(verified.pk) < found.index(unverified.pk)
    # Among verified ones, the fuller profile first.
    _complete(world.other_company)
    everyone = [c.pk for c in directory_search(user=officer, query=DirectoryQuery())]
    assert everyone[0] == world.other_company.pk
    assert everyone[-1] == unverified.pk


def test_a_better_text_match_still_comes_first(db):
    full = CompanyFactory(name="研削の森")
    _complete(full, pr_text="円筒研削が得意です")
    named = CompanyFactory(name="円筒研削工業")
    found = [c.pk for c in directory_search(user=None, query=DirectoryQuery(text="円筒研削"))]
    assert found == [named.pk, full.pk]


# --- the company page ---------------------------------------------------------------------


def test_the_company_page_shows_the_checklist_to_its_editors_only(client, world):
    url = reverse("companies:detail", args=[world.company.pk])
    for actor in (MEMBER, STAFF):
        client.force_login(world.users[actor])
        body = client.get(url).content.decode()
        assert 'data-testid="profile-checklist"' in body
        assert 'data-testid="profile-percent">0 %' in body
    for actor in (FLOOR_WORKER, OTHER_COMPANY):
        client.force_login(world.users[actor])
        body = client.get(url).content.decode()
        assert 'data-testid="profile-checklist"' not in body


def test_the_partner_preview_hides_editing_and_own_data(client, world):
    from machikoba.companies.models import DXStageAssessment

    DXStageAssessment.objects.create(company=world.company, stage=2)
    url = reverse("companies:detail", args=[world.company.pk])
    client.force_login(world.users[MEMBER])
    own = client.get(url).content.decode()
    assert reverse("companies:edit", args=[world.company.pk]) in own
    assert 'id="dx-heading"' in own
    assert 'data-testid="contact-email"' in own
    assert 'data-testid="partner-preview"' not in own

    preview = client.get(url + "?preview=partner").content.decode()
    assert 'data-testid="partner-preview"' in preview
    assert reverse("companies:edit", args=[world.company.pk]) not in preview
    assert reverse("companies:photo_add", args=[world.company.pk]) not in preview
    assert 'data-testid="profile-checklist"' not in preview
    assert 'data-testid="contact-email"' not in preview
    assert 'id="dx-heading"' not in preview

    # What another company's shop sees, apart from the preview's own banner.
    client.force_login(world.users[OTHER_COMPANY])
    seen = client.get(url).content.decode()
    assert 'id="dx-heading"' not in seen
    assert reverse("companies:edit", args=[world.company.pk]) not in seen
    # The preview is the editors' own: for others the parameter changes nothing.
    other_preview = client.get(url + "?preview=partner").content.decode()
    assert 'data-testid="partner-preview"' not in other_preview
