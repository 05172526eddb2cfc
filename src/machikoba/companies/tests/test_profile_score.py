"""The stored profile score (``Company.profile_score``): every service that changes an input
of the checklist stores the new score, a certificate's expiry lowers it without a write,
the data migration fills existing rows, and the directory ranks by the column."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.companies.checklist import (
    profile_checklist,
    refresh_profile_scores,
    stored_profile_score,
)
from machikoba.companies.choices import JoinMethod
from machikoba.companies.directory import DirectoryQuery, directory_page, directory_search
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    Equipment,
    Material,
    ProcessCategory,
)
from machikoba.companies.services import (
    capability_save,
    certification_save,
    company_create,
    company_update,
    equipment_save,
    photo_add,
    profile_part_delete,
)
from machikoba.companies.services_join import join_company_create
from machikoba.core.testing.clock import TOKYO, today
from machikoba.core.testing.factories import (
    CompanyFactory,
    UserFactory,
    jpeg_bytes,
    make_equipment,
    make_photo,
)

pytestmark = pytest.mark.clock_sensitive

NC = "cutting.turning.nc_lathe"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _stored(company: Company) -> int:
    """The score the directory ranks by, as of today."""
    return (
        Company.objects.filter(pk=company.pk)
        .annotate(score=stored_profile_score())
        .values_list("score", flat=True)
        .get()
    )


def _assert_score(company: Company, expected: int) -> None:
    """The stored score is ``expected`` and equals the checklist computed from the rows."""
    assert profile_checklist(company).done_count == expected
    assert _stored(company) == expected
    assert Company.objects.get(pk=company.pk).profile_score == expected
    assert company.profile_score == expected  # the caller's instance is kept in step


def _capability(company, *, materials=(), length=None, process=NC):
    return capability_save(
        actor=None,
        company=company,
        capability=Capability(
            process=ProcessCategory.objects.get(code=process), max_length_mm=length
        ),
        materials=list(Material.objects.filter(code__in=materials)),
    )


def _certify(company, *, valid_until=None, code="iso9001"):
    return certification_save(
        actor=None,
        company=company,
        certification=CompanyCertification(
            kind=CertificationKind.objects.get(code=code), valid_until=valid_until
        ),
    )


# --- each service that changes an input ---------------------------------------------------


def test_company_create_stores_the_pr_text_item(db):
    company = company_create(actor=None, name="創業精機", pr_text="小物の旋削が得意です。")
    _assert_score(company, 1)


def test_a_company_registered_by_its_owner_stores_the_pr_text_item(world):
    claim = join_company_create(
        actor=UserFactory(),
        name="屋号 山田製作所",
        method=JoinMethod.LETTER,
        postal_code="130-0012",
        address_line="太平1-2-3",
        pr_text="薄板の曲げと溶接",
    )
    _assert_score(claim.company, 1)


def test_company_update_stores_the_pr_text_item_and_its_removal(db):
    company = CompanyFactory()
    _assert_score(company, 0)
    company_update(actor=None, company=company, pr_text="鏡面仕上げが得意です。")
    _assert_score(company, 1)
    company_update(actor=None, company=company, pr_text="")
    _assert_score(company, 0)


def test_capability_save_stores_the_materials_and_envelope_items(db):
    company = CompanyFactory()
    capability = _capability(company, materials=["SUS304"])
    _assert_score(company, 1)  # processes with materials
    capability.max_height_mm = 150
    capability_save(
        actor=None,
        company=company,
        capability=capability,
        materials=list(Material.objects.filter(code="SUS304")),
    )
    _assert_score(company, 2)  # and a work envelope
    capability_save(actor=None, company=company, capability=capability, materials=[])
    _assert_score(company, 1)  # the materials gone: the envelope alone


def test_equipment_save_stores_the_equipment_item(db):
    company = CompanyFactory()
    equipment_save(actor=None, company=company, equipment=Equipment(kind="マシニングセンタ"))
    _assert_score(company, 1)


def test_certification_save_stores_the_certification_item(db):
    company = CompanyFactory()
    certification = _certify(company, valid_until=today() - dt.timedelta(days=1))
    _assert_score(company, 0)  # an expired certificate does not count
    certification.valid_until = today() + dt.timedelta(days=30)
    certification_save(actor=None, company=company, certification=certification)
    _assert_score(company, 1)


def test_photo_add_stores_the_photo_item(db):
    company = CompanyFactory()
    upload = SimpleUploadedFile("shop.jpg", jpeg_bytes(), content_type="image/jpeg")
    photo_add(actor=None, company=company, upload=upload, caption="外観")
    _assert_score(company, 1)


@pytest.mark.parametrize("kind", ["capability", "equipment", "certification", "photo"])
def test_profile_part_delete_stores_the_lost_item(db, kind):
    company = CompanyFactory()
    parts = {
        "capability": lambda: _capability(company, materials=["A5052"], length=200),
        "equipment": lambda: make_equipment(company),
        "certification": lambda: _certify(company),
        "photo": lambda: make_photo(company),
    }
    part = parts[kind]()
    _assert_score(company, 2 if kind == "capability" else 1)
    profile_part_delete(actor=None, part=part)
    _assert_score(company, 0)


def test_a_full_profile_scores_six(db):
    company = CompanyFactory(pr_text="φ3〜φ300 の旋削")
    _capability(company, materials=["SUS304"], length=300)
    equipment_save(actor=None, company=company, equipment=Equipment(kind="NC旋盤"))
    _certify(company)
    make_photo(company)
    _assert_score(company, 6)


def test_the_stored_score_leaves_the_profiles_change_date_alone(db):
    # Stale-profile reminders read updated_at: deriving the score is no change of it.
    company = CompanyFactory()
    before = Company.objects.get(pk=company.pk).updated_at
    make_equipment(company)
    assert Company.objects.get(pk=company.pk).updated_at == before
    assert Company.objects.get(pk=company.pk).profile_score == 1


# --- a certificate's expiry, without a write ---------------------------------------------


def test_the_certification_item_lapses_with_the_last_certificate(db, frozen_clock):
    company = CompanyFactory()
    _certify(company, valid_until=today())
    _certify(company, valid_until=today() + dt.timedelta(days=1), code="iso14001")
    assert Company.objects.get(pk=company.pk).profile_certified_until == today() + dt.timedelta(
        days=1
    )
    _assert_score(company, 1)
    noon = dt.datetime.combine(today(), dt.time(12), tzinfo=TOKYO)
    frozen_clock.move_to(noon + dt.timedelta(days=1))
    _assert_score(company, 1)  # one certificate is still valid today
    frozen_clock.move_to(noon + dt.timedelta(days=2))
    assert profile_checklist(company).done_count == 0
    assert _stored(company) == 0  # nothing was written: the stored date says so


def test_a_certificate_without_expiry_never_lapses(db, frozen_clock):
    company = CompanyFactory()
    _certify(company, valid_until=today())
    _certify(company, code="iso14001")  # no expiry
    assert Company.objects.get(pk=company.pk).profile_certified_until is None
    frozen_clock.move_to(
        dt.datetime.combine(today(), dt.time(12), tzinfo=TOKYO) + dt.timedelta(days=400)
    )
    assert _stored(company) == profile_checklist(company).done_count == 1


# --- the data migration and the bulk fill -------------------------------------------------


@pytest.fixture
def unscored(db):
    """Three profiles (empty, full, half with an expired certificate) whose stored scores
    were never filled, as before migration 0019 or after a benchmark's bulk insert."""
    empty = CompanyFactory()
    full = CompanyFactory(pr_text="短納期対応")
    _capability(full, materials=["SUS304"], length=300)
    make_equipment(full)
    _certify(full, valid_until=today() + dt.timedelta(days=10))
    make_photo(full)
    half = CompanyFactory()
    _capability(half, materials=["S45C"])
    _certify(half, valid_until=today() - dt.timedelta(days=1))  # expired: no point
    make_photo(half)
    Company.objects.update(profile_score=0, profile_certified_until=None)
    return empty, full, half


def _assert_filled(empty, full, half):
    scores = dict(Company.objects.values_list("pk", "profile_score"))
    assert (scores[empty.pk], scores[full.pk], scores[half.pk]) == (0, 6, 2)
    for company in (empty, full, half):
        assert scores[company.pk] == profile_checklist(company).done_count
    until = dict(Company.objects.values_list("pk", "profile_certified_until"))
    assert until[full.pk] == today() + dt.timedelta(days=10)
    assert until[half.pk] is None


def test_the_data_migration_fills_existing_rows(unscored):
    fill = importlib.import_module("machikoba.companies.migrations.0019_fill_profile_score").fill
    fill(apps, None)
    _assert_filled(*unscored)


def test_the_bulk_fill_matches_the_rules(unscored):
    assert refresh_profile_scores(Company.objects.all()) == Company.objects.count()
    _assert_filled(*unscored)


# --- the directory ------------------------------------------------------------------------


def test_the_directory_ranks_by_the_stored_score_without_subqueries(db):
    sparse = CompanyFactory(name="相川精機", name_kana="アイカワ")
    full = CompanyFactory(name="和田精機", name_kana="ワダ")
    _capability(full, materials=["SUS304"], length=300)
    make_equipment(full)
    half = CompanyFactory(name="伊東精機", name_kana="イトウ")
    make_photo(half)

    search = directory_search(user=None, query=DirectoryQuery())
    assert [c.pk for c in search][:3] == [full.pk, half.pk, sparse.pk]
    # The ranking reads the company row: no per-company EXISTS (six of them made a broad
    # search at 特別区 scale several times slower).
    assert "EXISTS" not in str(search.query).upper()


def test_directory_pages_count_every_match_and_a_page_past_the_last_shows_the_last(db):
    # The page's ids and the number of matches come from one windowed query.
    for n in range(5):
        CompanyFactory(name=f"頁{n}精機", name_kana=f"ページ{n}")
    everyone = [c.pk for c in directory_search(user=None, query=DirectoryQuery(sort="name"))]
    query = DirectoryQuery(sort="name")
    pages = [directory_page(user=None, query=query, number=n, per_page=2) for n in (1, 2, 3)]
    assert [page.paginator.count for page in pages] == [len(everyone)] * 3
    assert [c.pk for page in pages for c in page.object_list] == everyone
    past = directory_page(user=None, query=query, number=99, per_page=2)
    assert (past.number, [c.pk for c in past.object_list]) == (3, everyone[4:])
    nothing = directory_page(user=None, query=DirectoryQuery(text="該当なし"), number=2, per_page=2)
    assert (nothing.number, nothing.paginator.count, list(nothing.object_list)) == (1, 0, [])
