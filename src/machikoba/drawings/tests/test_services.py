"""Uploading documents and revisions, sharing them and the NDA, through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings import services
from machikoba.drawings.models import (
    Document,
    DocumentEvent,
    Grant,
    NdaAcceptance,
    PreviewPage,
    Revision,
)
from machikoba.drawings.tests.factories import make_document
from machikoba.drawings.tests.samples import dxf_bytes, pdf_bytes

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def _upload(world, name, content, actor=MEMBER):
    return services.document_create(
        actor=world.users[actor],
        company=world.company,
        title="フランジ",
        drawing_number="F-200",
        kind="drawing",
        upload=SimpleUploadedFile(name, content),
        change_note="初版",
    )


def test_upload_stores_the_file_checksum_and_queues_previews(
    world, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = _upload(world, "flange.pdf", pdf_bytes(pages=3))
    revision = document.revisions.get()
    assert (revision.number, revision.label, revision.file_kind, revision.page_count) == (
        1,
        "A",
        "pdf",
        3,
    )
    assert len(revision.sha256) == 64
    assert revision.original_name == "flange.pdf"
    assert not revision.file.name.endswith("flange.pdf")  # stored under our own name
    assert DBTaskResult.objects.filter(task_path__endswith="build_previews").count() == 1
    assert DocumentEvent.objects.filter(document=document, action="upload").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.pdf", b"<html><body>not a drawing</body></html>", "file_html"),
        ("empty.pdf", b"", "file_empty"),
        ("../../etc/passwd.pdf", b"%PDF-1.4 broken", "file_corrupt"),
    ],
)
def test_refused_uploads_store_nothing(world, tmp_path, name, content, code):
    with pytest.raises(ApplicationError) as info:
        _upload(world, name, content)
    assert info.value.code == code
    assert info.value.fields["file"]  # shown beside the file field, in Japanese
    assert Document.objects.count() == 0
    assert Revision.objects.count() == 0
    assert _files(tmp_path) == []


def test_floor_workers_and_other_companies_cannot_upload(world, tmp_path):
    for actor in (FLOOR_WORKER,):
        with pytest.raises(PermissionRefused):
            _upload(world, "a.pdf", pdf_bytes(pages=1), actor=actor)
    with pytest.raises(PermissionRefused):
        services.document_create(
            actor=world.users[OTHER_COMPANY],
            company=world.company,
            title="x",
            kind="drawing",
            upload=SimpleUploadedFile("a.pdf", pdf_bytes(pages=1)),
        )
    assert _files(tmp_path) == []


def test_a_new_revision_needs_a_change_note_and_becomes_latest(world):
    document = _upload(world, "flange.pdf", pdf_bytes(pages=1))
    with pytest.raises(ApplicationError):
        services.revision_add(
            actor=world.users[STAFF],
            document=document,
            upload=SimpleUploadedFile("b.pdf", pdf_bytes(pages=1)),
            change_note=" ",
        )
    services.revision_add(
        actor=world.users[STAFF],
        document=document,
        upload=SimpleUploadedFile("b.dxf", dxf_bytes()),
        change_note="穴位置変更",
    )
    assert document.latest_revision.label == "B"
    assert document.latest_revision.file_kind == "dxf"


def test_preview_task_renders_pages_and_marks_ready(world):
    from machikoba.drawings.tasks import build_previews

    document = _upload(world, "flange.pdf", pdf_bytes(pages=2))
    revision = document.revisions.get()
    assert build_previews.call(revision.pk) == "ready"
    revision.refresh_from_db()
    assert revision.preview_status == "ready"
    assert revision.preview_pages_done == 2
    assert PreviewPage.objects.filter(revision=revision).count() == 2


def test_a_crashing_preview_marks_the_revision_failed_with_a_reason(world):
    from machikoba.drawings.tasks import build_previews

    document = _upload(world, "flange.pdf", pdf_bytes(pages=1))
    revision = document.revisions.get()
    with revision.file.open("wb") as handle:  # the stored file got damaged
        handle.write(b"%PDF-1.7\n garbage")
    assert build_previews.call(revision.pk) == "failed"
    revision.refresh_from_db()
    assert revision.preview_status == "failed"
    assert revision.preview_error
    assert PreviewPage.objects.filter(revision=revision).count() == 0


def test_grant_rules(world):
    import datetime as dt

    from django.utils import timezone

    document = _upload(world, "flange.pdf", pdf_bytes(pages=1))
    owner = world.users[MEMBER]
    with pytest.raises(ApplicationError) as info:
        services.grant_create(actor=owner, document=document, grantee=world.company)
    assert "grantee" in info.value.fields
    with pytest.raises(ApplicationError) as info:
        services.grant_create(
            actor=owner,
            document=document,
            grantee=world.other_company,
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    assert "expires_at" in info.value.fields
    with pytest.raises(PermissionRefused):
        services.grant_create(
            actor=world.users[OTHER_COMPANY], document=document, grantee=world.other_company
        )
    grant = services.grant_create(actor=owner, document=document, grantee=world.other_company)
    services.grant_revoke(actor=owner, grant=grant)
    with pytest.raises(ApplicationError):
        services.grant_revoke(actor=owner, grant=Grant.objects.get(pk=grant.pk))
    actions = list(DocumentEvent.objects.filter(document=document).values_list("action", flat=True))
    assert {"grant", "revoke"} <= set(actions)


def test_a_new_nda_version_needs_a_new_acceptance(world):
    owner, partner = world.users[MEMBER], world.users[OTHER_COMPANY]
    v1 = services.nda_publish(actor=owner, company=world.company, body="第1版の条項")
    services.nda_accept(actor=partner, company=world.other_company, nda=v1)
    v2 = services.nda_publish(actor=owner, company=world.company, body="第2版の条項")
    with pytest.raises(ApplicationError):
        services.nda_accept(actor=partner, company=world.other_company, nda=v1)
    services.nda_accept(actor=partner, company=world.other_company, nda=v2)
    assert NdaAcceptance.objects.filter(company=world.other_company).count() == 2
    with pytest.raises(PermissionRefused):
        services.nda_accept(actor=world.users[FLOOR_WORKER], company=world.company, nda=v2)


def test_a_new_nda_version_closes_the_drawings_until_it_is_accepted(world):
    owner, partner = world.users[MEMBER], world.users[OTHER_COMPANY]
    document = make_document(world.company, title="秘密のシャフト")
    v1 = services.nda_publish(actor=owner, company=world.company, body="第1版の条項")
    services.nda_accept(actor=partner, company=world.other_company, nda=v1)
    services.grant_create(actor=owner, document=document, grantee=world.other_company)
    client = world.client_for(OTHER_COMPANY)
    detail = reverse("drawings:detail", args=[document.pk])
    viewer = reverse("drawings:viewer", args=[document.pk, 1])
    opened = client.get(detail)
    assert opened.status_code == 200
    assert "秘密のシャフト" in opened.content.decode()

    v2 = services.nda_publish(actor=owner, company=world.company, body="第2版の条項")
    assert client.get(detail).status_code == 404  # v1 no longer opens it
    assert client.get(viewer).status_code == 404
    assert document.pk not in {d.pk for d in Document.objects.for_user(partner, VIEW)}

    services.nda_accept(actor=partner, company=world.other_company, nda=v2)
    assert client.get(detail).status_code == 200
    assert client.get(viewer).status_code == 200
