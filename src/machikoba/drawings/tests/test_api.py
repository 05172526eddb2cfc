"""The drawings API follows the pages' rules: uploads through the same checks (a refused
file leaves nothing behind), downloads and pages through the same grants and watermark,
refusals logged, the one error shape."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings import api
from machikoba.drawings.choices import DocumentAction, DocumentKind, RetentionRule
from machikoba.drawings.models import Document, DocumentEvent, Grant, Revision
from machikoba.drawings.tests import samples
from machikoba.drawings.tests.factories import (
    destroyed_document,
    make_document,
    png_bytes,
    share,
)

JSON = "application/json"
LIMIT = 1_000_000


@pytest.fixture
def folders(settings, tmp_path):
    media, spool = tmp_path / "media", tmp_path / "spool"
    media.mkdir()
    spool.mkdir()
    settings.MEDIA_ROOT = media
    settings.FILE_UPLOAD_TEMP_DIR = spool
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload is spooled to a file
    settings.MACHIKOBA_DRAWING_MAX_BYTES = LIMIT
    return media, spool


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type=JSON)


def _create(client, file, **fields):
    return client.post(
        reverse("api:drawings_document_create"),
        {"title": "フランジ", "kind": "drawing", **fields, "file": file},
    )


def test_an_upload_is_sniffed_stored_and_listed(world, folders):
    client = world.client_for(MEMBER)
    pdf = SimpleUploadedFile("flange.pdf", samples.pdf_bytes(pages=2))
    response = _create(client, pdf, drawing_number="F-12")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["revisions"][0]["file_kind"] == "pdf"
    assert body["revisions"][0]["page_count"] == 2
    assert body["grants"] == []
    assert Document.objects.get().created_by == world.users[MEMBER]
    listed = client.get(reverse("api:drawings_list"), {"q": "F-12"}).json()
    assert [d["id"] for d in listed["results"]] == [body["id"]]
    assert listed["results"][0]["latest_revision"] == 1
    assert client.get(reverse("api:drawings_list"), {"q": "無関係"}).json()["count"] == 0


def test_a_bad_file_is_refused_with_the_error_shape_and_leaves_nothing(world, folders):
    media, spool = folders
    html = SimpleUploadedFile("drawing.pdf", samples.HTML_BYTES)
    response = _create(world.client_for(MEMBER), html)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "file_html"
    assert set(body) == {"code", "message", "fields"}
    assert Document.objects.count() == 0
    assert _files(media) == []
    assert _files(spool) == []


def _huge():
    return SimpleUploadedFile("huge.pdf", samples.pdf_bytes(pages=1) + b"%" * (3 * LIMIT))


def test_an_oversized_upload_is_dropped_while_streaming(world, folders):
    media, spool = folders
    response = _create(world.client_for(MEMBER), _huge())
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "file_too_large"
    assert body["fields"]["file"] == ["ファイルが大きすぎます（上限 1 MB）。"]
    assert Document.objects.count() == 0
    assert _files(media) == []
    assert _files(spool) == []
    document = make_document(world.company)
    before = _files(media)
    revision = world.client_for(MEMBER).post(
        reverse("api:drawings_revision_upload", args=[document.pk]),
        {"change_note": "穴位置変更", "file": _huge()},
    )
    assert revision.status_code == 413
    assert Revision.objects.filter(document=document).count() == 1
    assert _files(media) == before


def test_a_blank_title_or_change_note_is_refused_by_the_schema(world, folders):
    client = world.client_for(MEMBER)
    response = _create(client, SimpleUploadedFile("a.png", png_bytes()), title="   ")
    assert response.status_code == 422
    assert "title" in response.json()["fields"]
    document = make_document(world.company)
    response = client.post(
        reverse("api:drawings_revision_upload", args=[document.pk]),
        {"change_note": " ", "file": SimpleUploadedFile("b.png", png_bytes())},
    )
    assert response.status_code == 422
    assert Revision.objects.filter(document=document).count() == 1
    assert Document.objects.count() == 1


def test_a_new_revision_is_the_next_letter(world, folders):
    document = make_document(world.company)
    response = world.client_for(STAFF).post(
        reverse("api:drawings_revision_upload", args=[document.pk]),
        {"change_note": "穴位置変更", "file": SimpleUploadedFile("b.png", png_bytes())},
    )
    assert response.status_code == 201
    assert response.json()["label"] == "B"
    detail = world.client_for(MEMBER).get(reverse("api:drawings_document", args=[document.pk]))
    assert [r["label"] for r in detail.json()["revisions"]] == ["A", "B"]


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_pages_and_downloads_carry_the_watermark_for_partners(world, folders):
    document = make_document(world.company)
    share(document, world.other_company, can_download=True)
    partner = world.client_for(OTHER_COMPANY)
    viewer = partner.get(reverse("api:drawings_viewer", args=[document.pk, 1]))
    assert viewer.status_code == 200
    assert viewer.json()["can_download"] is True
    page = partner.get(viewer.json()["pages"][0]["url"])
    assert page["Content-Type"] == "image/png"
    assert page["Cache-Control"] == "private, no-store"
    blank = png_bytes()
    assert _image(page.content).getextrema() != _image(blank).getextrema()
    download = partner.get(reverse("api:drawings_download", args=[document.pk, 1]))
    assert download.status_code == 200
    assert "shaft_watermarked.png" in download["Content-Disposition"]
    assert download.content != blank
    owner = world.client_for(MEMBER).get(reverse("api:drawings_download", args=[document.pk, 1]))
    assert b"".join(owner.streaming_content) == blank
    actions = list(DocumentEvent.objects.filter(document=document).values_list("action", flat=True))
    assert actions.count(DocumentAction.DOWNLOAD) == 2
    assert DocumentAction.VIEW in actions


def test_a_partner_without_download_right_is_refused_and_logged(world, folders):
    document = make_document(world.company)
    share(document, world.other_company)
    response = world.client_for(OTHER_COMPANY).get(
        reverse("api:drawings_download", args=[document.pk, 1])
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert DocumentEvent.objects.filter(
        document=document, action=DocumentAction.DENIED, actor=world.users[OTHER_COMPANY]
    ).exists()


def test_another_company_learns_nothing_and_the_attempt_is_logged(world, folders):
    document = make_document(world.company)
    client = world.client_for(OTHER_COMPANY)
    response = client.get(reverse("api:drawings_document", args=[document.pk]))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "見つかりません。", "fields": {}}
    assert client.get(reverse("api:drawings_shared")).json()["results"] == []
    assert DocumentEvent.objects.filter(
        document=document, action=DocumentAction.DENIED, actor=world.users[OTHER_COMPANY]
    ).exists()


def test_share_accept_and_revoke_through_the_api(world, folders):
    document = make_document(world.company)
    owner, partner = world.client_for(MEMBER), world.client_for(OTHER_COMPANY)
    nda = _post(owner, reverse("api:drawings_nda_publish"), {"body": "秘密保持の条項 v1"})
    assert nda.status_code == 201
    grant = _post(
        owner,
        reverse("api:drawings_grant_create", args=[document.pk]),
        {"grantee_id": world.other_company.pk, "revision_number": 1},
    )
    assert grant.status_code == 201
    assert grant.json()["revision_number"] == 1
    pending = partner.get(reverse("api:drawings_nda_pending")).json()
    assert [n["id"] for n in pending] == [nda.json()["id"]]
    assert partner.get(reverse("api:drawings_shared")).json()["count"] == 0
    assert (
        partner.post(reverse("api:drawings_nda_accept", args=[nda.json()["id"]])).status_code == 200
    )
    shared = partner.get(reverse("api:drawings_shared")).json()
    assert [d["id"] for d in shared["results"]] == [document.pk]
    grants = owner.get(reverse("api:drawings_grants", args=[document.pk])).json()
    assert grants[0]["nda_accepted"] is True
    revoked = owner.post(
        reverse("api:drawings_grant_revoke", args=[document.pk, grant.json()["id"]])
    )
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert partner.get(reverse("api:drawings_document", args=[document.pk])).status_code == 404
    again = owner.post(reverse("api:drawings_grant_revoke", args=[document.pk, grant.json()["id"]]))
    assert again.status_code == 409
    assert again.json()["code"] == "grant_already_revoked"


def test_grant_refusals_name_their_fields(world, folders):
    document = make_document(world.company)
    owner = world.client_for(MEMBER)
    url = reverse("api:drawings_grant_create", args=[document.pk])
    past = (timezone.now() - timezone.timedelta(hours=1)).isoformat()
    response = _post(owner, url, {"grantee_id": world.company.pk, "expires_at": past})
    assert response.status_code == 422
    assert response.json()["code"] == "grant_invalid"
    assert set(response.json()["fields"]) == {"grantee", "expires_at"}
    missing = _post(owner, url, {"grantee_id": world.other_company.pk, "revision_number": 9})
    assert missing.status_code == 422
    assert set(missing.json()["fields"]) == {"revision_number"}
    assert not Grant.objects.exists()


def test_retention_and_destruction(world, folders):
    document = make_document(world.company)
    owner = world.client_for(MEMBER)
    url = reverse("api:drawings_retention", args=[document.pk])
    bad = owner.put(url, data=json.dumps({"rule": "on_date"}), content_type=JSON)
    assert bad.status_code == 422
    assert bad.json()["code"] == "retention_invalid"
    assert set(bad.json()["fields"]) == {"date"}
    closed = timezone.localdate()
    good = owner.put(
        url,
        data=json.dumps({"rule": "after_close", "months": 12, "closed_on": str(closed)}),
        content_type=JSON,
    )
    assert good.status_code == 200
    assert good.json()["destroy_on"] is not None
    destroyed = _post(
        owner,
        reverse("api:drawings_destroy", args=[document.pk]),
        {"reason": "取引終了", "confirm": True},
    )
    assert destroyed.status_code == 201
    number = destroyed.json()["number"]
    certificate = owner.get(reverse("api:drawings_certificate", args=[document.pk]))
    assert certificate.json()["number"] == number
    pdf = owner.get(reverse("api:drawings_certificate_pdf", args=[document.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    _media, _spool = folders
    assert _files(_media) == []


def test_a_destroyed_document_is_gone(world, folders):
    document = destroyed_document(world.company)
    client = world.client_for(MEMBER)
    for url in (
        reverse("api:drawings_viewer", args=[document.pk, 1]),
        reverse("api:drawings_download", args=[document.pk, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 410
        assert response.json()["code"] == "document_destroyed"
    upload = client.post(
        reverse("api:drawings_revision_upload", args=[document.pk]),
        {"change_note": "x", "file": SimpleUploadedFile("b.png", png_bytes())},
    )
    assert upload.status_code == 410


def test_the_log_lists_what_happened(world, folders):
    document = make_document(world.company)
    share(document, world.other_company)
    world.client_for(OTHER_COMPANY).get(reverse("api:drawings_viewer", args=[document.pk, 1]))
    log = world.client_for(MEMBER).get(
        reverse("api:drawings_log", args=[document.pk]), {"action": "view"}
    )
    rows = log.json()["results"]
    assert [r["action"] for r in rows] == ["view"]
    assert rows[0]["actor_company_name"] == world.other_company.name
    assert rows[0]["revision_label"] == "A"


def test_the_api_uploads_still_check_csrf_for_a_session(world, folders):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[MEMBER])
    response = _create(client, SimpleUploadedFile("a.png", png_bytes()))
    assert response.status_code == 403
    assert Document.objects.count() == 0


def test_the_schema_choices_are_the_models():
    assert set(api.KINDS.__args__) == set(DocumentKind.values)
    assert set(api.RULES.__args__) == set(RetentionRule.values)
