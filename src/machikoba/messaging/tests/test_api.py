"""The messaging API follows the thread page: the inbox with unread counts, reading and
marking read, posting with files through the drawings store (view-only grants to the other
participants), floor workers without attachments, refusals that leave nothing behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.drawings.models import Document, Grant
from machikoba.drawings.tests import samples
from machikoba.drawings.tests.factories import png_bytes
from machikoba.messaging.models import Message
from machikoba.messaging.tests.factories import make_thread, post

LIMIT = 1_000_000


@pytest.fixture
def media(settings, tmp_path):
    folder, spool = tmp_path / "media", tmp_path / "spool"
    folder.mkdir()
    spool.mkdir()
    settings.MEDIA_ROOT = folder
    settings.FILE_UPLOAD_TEMP_DIR = spool
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.MACHIKOBA_DRAWING_MAX_BYTES = LIMIT
    return folder, spool


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _post(client, thread, **data):
    return client.post(reverse("api:messaging_message_post", args=[thread.pk]), data)


def test_inbox_unread_read_and_write(world, media):
    thread = make_thread(world.company, world.other_company)
    post(world.users[OTHER_COMPANY], world.other_company, thread, body="見積を送りました。")
    client = world.client_for(MEMBER)
    assert client.get(reverse("api:messaging_unread")).json() == {"unread": 1}
    inbox = client.get(reverse("api:messaging_threads"), {"unread_only": True}).json()
    assert [(t["id"], t["unread"]) for t in inbox["results"]] == [(thread.pk, 1)]
    assert inbox["results"][0]["last_body"] == "見積を送りました。"
    detail = client.get(reverse("api:messaging_thread", args=[thread.pk])).json()
    assert detail["unread"] == 1  # reading does not mark read
    assert detail["writing_company_id"] == world.company.pk
    assert [m["mine"] for m in detail["messages"]] == [False]
    read = client.post(reverse("api:messaging_thread_read", args=[thread.pk]))
    assert read.json()["unread"] == 0
    assert client.get(reverse("api:messaging_unread")).json() == {"unread": 0}
    sent = _post(client, thread, body="ありがとうございます。")
    assert sent.status_code == 201
    assert sent.json()["mine"] is True
    partner = world.client_for(OTHER_COMPANY)
    assert partner.get(reverse("api:messaging_unread")).json() == {"unread": 1}


def test_an_attachment_goes_through_the_drawings_store_view_only(world, media):
    thread = make_thread(world.company, world.other_company)
    file = SimpleUploadedFile("flange.png", png_bytes(), content_type="image/png")
    sent = _post(world.client_for(MEMBER), thread, body="図面です。", files=[file])
    assert sent.status_code == 201, sent.content
    attachment = sent.json()["attachments"][0]
    assert attachment["visible"] is True
    document = Document.objects.get(pk=attachment["document_id"])
    assert document.company == world.company
    grant = Grant.objects.get(document=document)
    assert (grant.grantee, grant.can_download) == (world.other_company, False)
    partner = world.client_for(OTHER_COMPANY)
    seen = partner.get(reverse("api:messaging_thread", args=[thread.pk])).json()
    shown = seen["messages"][0]["attachments"][0]
    assert shown["visible"] is True
    assert partner.get(shown["viewer_url"]).status_code == 200
    download = reverse("api:drawings_download", args=[document.pk, 1])
    assert partner.get(download).status_code == 403


def test_refusals_leave_no_message_and_no_file(world, media):
    folder, spool = media
    thread = make_thread(world.company, world.other_company)
    empty = _post(world.client_for(MEMBER), thread, body="  ")
    assert empty.status_code == 422
    assert empty.json()["code"] == "message_empty"
    floor = _post(
        world.client_for(FLOOR_WORKER),
        thread,
        body="写真です",
        files=[SimpleUploadedFile("a.png", png_bytes())],
    )
    assert floor.status_code == 403
    assert floor.json()["code"] == "attachment_not_allowed"
    html = _post(
        world.client_for(MEMBER),
        thread,
        body="図面",
        files=[SimpleUploadedFile("drawing.pdf", samples.HTML_BYTES)],
    )
    assert html.status_code == 422
    assert html.json()["code"] == "file_html"
    huge = _post(
        world.client_for(MEMBER),
        thread,
        body="大きな図面",
        files=[SimpleUploadedFile("huge.pdf", samples.pdf_bytes(pages=1) + b"%" * (3 * LIMIT))],
    )
    assert huge.status_code == 413
    assert huge.json()["code"] == "file_too_large"
    assert Message.objects.count() == 0
    assert Document.objects.count() == 0
    assert _files(folder) == []
    assert _files(spool) == []


def test_a_company_outside_the_thread_cannot_post_or_read(world, media):
    from machikoba.core.testing.factories import CompanyFactory

    thread = make_thread(world.company, CompanyFactory(name="第三精工"))
    post(world.users[MEMBER], world.company, thread, body="社外秘の話")
    outsider = world.client_for(OTHER_COMPANY)
    assert outsider.get(reverse("api:messaging_thread", args=[thread.pk])).status_code == 404
    assert _post(outsider, thread, body="割り込み").status_code == 404
    inbox = outsider.get(reverse("api:messaging_threads")).json()
    assert "社外秘の話" not in str(inbox)
    assert Message.objects.count() == 1
