"""The drawings API's permission matrix: another company, officers of any ward, the metro
viewer, the company's advisor and its owner's instructor, admins and anonymous callers get
nothing of a company's documents (404, or 401/403 before anything is read)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.core.testing.matrix import (
    ADMIN,
    ADVISOR,
    ANONYMOUS,
    BANK,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)
from machikoba.drawings.tests.factories import (
    destroyed_document,
    make_document,
    png_bytes,
    share,
)

JSON = "application/json"

# People with no company: the drawings API is a company's, they get 403 from it.
NO_COMPANY = dict.fromkeys(
    (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF, ADMIN),
    403,
)
# Lists of the caller's company: every company's people (each sees its own).
COMPANY_LISTS = expect(200, **{ANONYMOUS: 401, **NO_COMPANY})
# A document of the company: its people read it; nobody else learns it exists.
READERS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
# Owner-side operations: the owning company's owners and staff.
EDITORS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})


def _doc(name, *rest):
    return lambda w: reverse(f"api:{name}", args=[make_document(w.company).pk, *rest])


def _upload(name="part.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _nda_of_owner(w):
    grant = share(make_document(w.company), w.other_company, nda=False)
    return grant.document.company.nda_texts.get()


def _revocable(w):
    grant = share(make_document(w.company), w.other_company)
    return reverse("api:drawings_grant_revoke", args=[grant.document_id, grant.pk])


MATRIX = [
    Case("api:drawings_list", lambda w: reverse("api:drawings_list"), COMPANY_LISTS),
    Case("api:drawings_shared", lambda w: reverse("api:drawings_shared"), COMPANY_LISTS),
    Case("api:drawings_nda_pending", lambda w: reverse("api:drawings_nda_pending"), COMPANY_LISTS),
    Case(
        "api:drawings_document_create",
        lambda w: reverse("api:drawings_document_create"),
        # Each company's owners and staff upload for their own company.
        expect(201, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"title": "フランジ", "kind": "drawing", "file": _upload()},
    ),
    Case("api:drawings_document", _doc("drawings_document"), READERS),
    Case(
        "api:drawings_revision_upload",
        _doc("drawings_revision_upload"),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {"change_note": "穴位置変更", "file": _upload()},
    ),
    Case("api:drawings_viewer", _doc("drawings_viewer", 1), READERS),
    Case("api:drawings_page", _doc("drawings_page", 1, 1), READERS),
    Case("api:drawings_download", _doc("drawings_download", 1), READERS),
    Case("api:drawings_grants", _doc("drawings_grants"), EDITORS),
    Case(
        "api:drawings_grant_create",
        _doc("drawings_grant_create"),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {"grantee_id": w.other_company.pk},
        content_type=JSON,
    ),
    Case(
        "api:drawings_grant_revoke",
        _revocable,
        # The grantee sees the document (NDA accepted) but may not change its grants.
        expect(404, **{ANONYMOUS: 401, **dict.fromkeys((MEMBER, STAFF), 200)})
        | {FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        method="POST",
    ),
    Case(
        "api:drawings_nda",
        lambda w: reverse("api:drawings_nda"),
        # No NDA text yet: 204 for each company's owners and staff.
        expect(204, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
    ),
    Case(
        "api:drawings_nda_publish",
        lambda w: reverse("api:drawings_nda_publish"),
        expect(201, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"body": "第1条 秘密情報は見積と製作のためだけに使う。"},
        content_type=JSON,
    ),
    Case(
        "api:drawings_nda_text",
        lambda w: reverse("api:drawings_nda_text", args=[_nda_of_owner(w).pk]),
        # Anyone with a company reads an owner's terms (to decide whether to accept).
        COMPANY_LISTS,
    ),
    Case(
        "api:drawings_nda_accept",
        lambda w: reverse("api:drawings_nda_accept", args=[_nda_of_owner(w).pk]),
        expect(200, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
    ),
    Case(
        "api:drawings_retention",
        _doc("drawings_retention"),
        EDITORS,
        method="PUT",
        data=lambda w: {"rule": "after_close", "months": 36},
        content_type=JSON,
    ),
    Case(
        "api:drawings_destroy",
        _doc("drawings_destroy"),
        # Destroying is the owner's decision alone.
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 403, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {"reason": "取引終了", "confirm": True},
        content_type=JSON,
    ),
    Case(
        "api:drawings_certificate",
        lambda w: reverse("api:drawings_certificate", args=[destroyed_document(w.company).pk]),
        EDITORS,
    ),
    Case(
        "api:drawings_certificate_pdf",
        lambda w: reverse("api:drawings_certificate_pdf", args=[destroyed_document(w.company).pk]),
        EDITORS,
    ),
    Case("api:drawings_log", _doc("drawings_log"), EDITORS),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)


def test_the_grantee_reads_only_through_an_active_grant_with_the_nda_accepted(
    world, settings, tmp_path
):
    """The standard actors meet no grant; here the other company holds one, without and
    then with the NDA, and after it expired."""
    settings.MEDIA_ROOT = tmp_path
    document = make_document(world.company)
    grant = share(document, world.other_company, nda=False)
    client = world.client_for(OTHER_COMPANY)
    urls = [
        reverse("api:drawings_document", args=[document.pk]),
        reverse("api:drawings_viewer", args=[document.pk, 1]),
        reverse("api:drawings_page", args=[document.pk, 1, 1]),
    ]
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    nda = document.company.nda_texts.get()
    accepted = client.post(reverse("api:drawings_nda_accept", args=[nda.pk]))
    assert accepted.status_code == 200
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    # Owner-side reads stay the owner's.
    for name in ("drawings_grants", "drawings_log"):
        assert client.get(reverse(f"api:{name}", args=[document.pk])).status_code == 403
    grant.expires_at = grant.created_at - dt.timedelta(seconds=1)
    grant.save()
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    for actor in (VENDOR, BANK):
        assert world.client_for(actor).get(urls[0]).status_code == 404
