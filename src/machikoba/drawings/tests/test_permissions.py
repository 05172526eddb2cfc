"""Permission matrix for every document route, plus the grant/NDA cases the
seven standard actors do not cover (granted with and without NDA, expired, revoked)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageChops

from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.drawings.models import DocumentEvent, Grant
from machikoba.drawings.tests.factories import destroyed_document, make_document, share

# Owner-side pages: the owning company's owners and staff.
EDITORS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})
# Reading: every member of the owning company; nobody else (officers of any ward, metro
# viewers and admins neither).
READERS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
# Pages about the active company: needs a company; officers (of any ward), metro viewers,
# the company's advisor and its owner's instructor, and admins have none.
COMPANY_PAGES = expect(
    200,
    **{
        ANONYMOUS: LOGIN,
        "officer": 403,
        OTHER_WARD_OFFICER: 403,
        METRO_VIEWER: 403,
        ADVISOR: 403,
        INSTRUCTOR: 403,
        REVIEWER: 403,
        LAB_STAFF: 403,
        "admin": 403,
    },
)


def _doc_url(name, **kwargs):
    def build(w):
        document = make_document(w.company)
        return reverse(f"drawings:{name}", kwargs={"pk": document.pk, **kwargs})

    return build


MATRIX = [
    Case("drawings:list", lambda w: reverse("drawings:list"), COMPANY_PAGES),
    Case(
        "drawings:create",
        lambda w: reverse("drawings:create"),
        expect(
            200,
            **{
                ANONYMOUS: LOGIN,
                FLOOR_WORKER: 200,
                "officer": 403,
                OTHER_WARD_OFFICER: 403,
                METRO_VIEWER: 403,
                ADVISOR: 403,
                INSTRUCTOR: 403,
                REVIEWER: 403,
                LAB_STAFF: 403,
                "admin": 403,
            },
        ),
    ),
    Case(
        "drawings:nda_edit",
        lambda w: reverse("drawings:nda_edit"),
        expect(
            200,
            **{
                ANONYMOUS: LOGIN,
                FLOOR_WORKER: 403,
                "officer": 403,
                OTHER_WARD_OFFICER: 403,
                METRO_VIEWER: 403,
                ADVISOR: 403,
                INSTRUCTOR: 403,
                REVIEWER: 403,
                LAB_STAFF: 403,
                "admin": 403,
            },
        ),
    ),
    Case("drawings:detail", _doc_url("detail"), READERS),
    Case("drawings:viewer", _doc_url("viewer", number=1), READERS),
    Case("drawings:page_image", _doc_url("page_image", number=1, page=1), READERS),
    Case("drawings:download", _doc_url("download", number=1), READERS),
    Case("drawings:revision_create", _doc_url("revision_create"), EDITORS),
    Case("drawings:grant_create", _doc_url("grant_create"), EDITORS),
    Case("drawings:log", _doc_url("log"), EDITORS),
    Case("drawings:retention", _doc_url("retention"), EDITORS),
    # Destroying is the owner's decision alone.
    Case(
        "drawings:destroy",
        _doc_url("destroy"),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 403, FLOOR_WORKER: 403}),
    ),
    Case(
        "drawings:certificate",
        lambda w: reverse(
            "drawings:certificate",
            kwargs={"pk": destroyed_document(w.company).pk},
        ),
        EDITORS,
    ),
    Case("drawings:log_csv", _doc_url("log_csv"), EDITORS),
    Case(
        "drawings:grant_revoke",
        lambda w: reverse(
            "drawings:grant_revoke",
            kwargs={
                "pk": (g := share(make_document(w.company), w.other_company)).document_id,
                "grant_pk": g.pk,
            },
        ),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        ),
        method="POST",
    ),
    Case(
        "drawings:nda_accept",
        lambda w: reverse(
            "drawings:nda_accept",
            kwargs={
                "nda_pk": share(make_document(w.company), w.other_company, nda=False)
                .document.company.nda_texts.first()
                .pk
            },
        ),
        # Anyone with a company may read an NDA (to decide); officers, metro viewers,
        # advisors and instructors have no company.
        expect(
            200,
            **{
                ANONYMOUS: LOGIN,
                "officer": 403,
                OTHER_WARD_OFFICER: 403,
                METRO_VIEWER: 403,
                ADVISOR: 403,
                INSTRUCTOR: 403,
                REVIEWER: 403,
                LAB_STAFF: 403,
                "admin": 403,
            },
        ),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)


@pytest.fixture
def shared(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_document(world.company)


def _get(world, url):
    return world.client_for(OTHER_COMPANY).get(url)


def _urls(document):
    return [
        reverse("drawings:detail", kwargs={"pk": document.pk}),
        reverse("drawings:viewer", kwargs={"pk": document.pk, "number": 1}),
        reverse("drawings:page_image", kwargs={"pk": document.pk, "number": 1, "page": 1}),
    ]


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_granted_company_with_nda_reads(world, shared):
    share(shared, world.other_company, nda=True)
    for url in _urls(shared):
        assert _get(world, url).status_code == 200, url
    detail, viewer, page_image = (_get(world, url) for url in _urls(shared))
    assert "シャフト" in detail.content.decode()
    assert "D-100" in detail.content.decode()
    assert (
        'data-testid="page-image"' in viewer.content.decode() or "page" in viewer.content.decode()
    )
    image = _body(page_image)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(image)).size[0] > 0


def test_granted_company_without_nda_sees_nothing(world, shared):
    share(shared, world.other_company, nda=False)
    for url in _urls(shared):
        assert _get(world, url).status_code == 404, url
    listing = world.client_for(OTHER_COMPANY).get(reverse("drawings:list")).content.decode()
    assert "シャフト" not in listing
    assert "秘密保持への同意が必要です" in listing


def test_expired_grant_is_refused_and_logged(world, shared):
    share(shared, world.other_company, expires_at=timezone.now() - dt.timedelta(minutes=1))
    for url in _urls(shared):
        assert _get(world, url).status_code == 404, url
    assert DocumentEvent.objects.filter(document=shared, action="denied").count() == 3


def test_revoked_grant_is_refused_at_once(world, shared):
    grant = share(shared, world.other_company)
    assert _get(world, _urls(shared)[1]).status_code == 200
    world.client_for(MEMBER).post(
        reverse("drawings:grant_revoke", kwargs={"pk": shared.pk, "grant_pk": grant.pk})
    )
    assert Grant.objects.get(pk=grant.pk).revoked_at is not None
    assert _get(world, _urls(shared)[1]).status_code == 404


def test_view_only_grant_cannot_download(world, shared):
    share(shared, world.other_company, can_download=False)
    url = reverse("drawings:download", kwargs={"pk": shared.pk, "number": 1})
    assert _get(world, url).status_code == 403
    assert DocumentEvent.objects.filter(document=shared, action="denied").exists()


def test_download_grant_gets_a_watermarked_copy_not_the_original(world, shared):
    share(shared, world.other_company, can_download=True)
    url = reverse("drawings:download", kwargs={"pk": shared.pk, "number": 1})
    response = _get(world, url)
    assert response.status_code == 200
    original = shared.revisions.get().file.read()
    assert response.content != original
    assert "watermarked" in response["Content-Disposition"]
    # The copy is the same drawing with the mark laid over all of it.
    marked = Image.open(io.BytesIO(_body(response))).convert("RGB")
    source = Image.open(io.BytesIO(original)).convert("RGB")
    assert marked.size == source.size
    difference = ImageChops.difference(marked, source)
    width, height = marked.size
    for left in range(0, width, width // 2):
        for top in range(0, height, height // 2):
            box = (left, top, left + width // 2, top + height // 2)
            assert difference.crop(box).getbbox(), box  # every quarter carries the mark
    assert difference.convert("L").histogram()[0] > width * height * 0.5  # not blotted out


def test_the_access_log_and_its_csv_show_views_and_denials(world, shared):
    share(shared, world.other_company, can_download=False)
    viewer, download = (
        reverse(f"drawings:{name}", kwargs={"pk": shared.pk, "number": 1})
        for name in ("viewer", "download")
    )
    assert _get(world, viewer).status_code == 200
    assert _get(world, download).status_code == 403
    owner = world.client_for(MEMBER)
    page = owner.get(reverse("drawings:log", kwargs={"pk": shared.pk})).content.decode()
    assert "閲覧" in page
    assert "拒否されたアクセス" in page
    assert world.other_company.name in page
    response = owner.get(reverse("drawings:log_csv", kwargs={"pk": shared.pk}))
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == ["日時", "操作", "実行者", "実行者の企業", "IPアドレス", "版", "詳細"]
    partner_rows = [row for row in rows if row[3] == world.other_company.name]
    assert sorted(row[1] for row in partner_rows) == ["拒否されたアクセス", "閲覧"]
    assert all(row[4] == "127.0.0.1" and row[5] for row in partner_rows)


def test_the_access_log_csv_escapes_a_company_name_written_as_a_formula(world, shared):
    # A partner names its company so that the owner's spreadsheet would run a formula.
    world.other_company.name = '=HYPERLINK("http://evil.example","x")'
    world.other_company.save()
    share(shared, world.other_company)
    url = reverse("drawings:viewer", kwargs={"pk": shared.pk, "number": 1})
    assert _get(world, url).status_code == 200
    response = world.client_for(MEMBER).get(reverse("drawings:log_csv", kwargs={"pk": shared.pk}))
    _, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    companies = {row[3] for row in rows}
    assert '\'=HYPERLINK("http://evil.example","x")' in companies
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_partner_never_sees_owner_side_pages(world, shared):
    share(shared, world.other_company)
    for name in ("log", "grant_create", "revision_create", "retention", "destroy"):
        url = reverse(f"drawings:{name}", kwargs={"pk": shared.pk})
        assert _get(world, url).status_code == 403, name
