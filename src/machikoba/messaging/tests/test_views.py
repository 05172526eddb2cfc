"""The inbox, the thread page (reading marks read, writing with an attachment, the NDA
step for a partner) and the unread badge in the navigation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings import services as drawing_services
from machikoba.drawings.models import Document
from machikoba.drawings.tests.factories import png_bytes
from machikoba.messaging import selectors
from machikoba.messaging.models import Message, MessageAttachment
from machikoba.messaging.tests.factories import make_thread, png_upload, post


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _url(thread):
    return reverse("messaging:thread", args=[thread.pk])


def test_the_badge_the_inbox_and_reading_a_thread(world):
    thread = make_thread(world.company, world.other_company, subject_path="/jobs/1/")
    post(world.users[MEMBER], world.company, thread, body="一通目")
    post(world.users[STAFF], world.company, thread, body="二通目")
    partner = world.client_for(OTHER_COMPANY)

    home = partner.get(reverse("web:home")).content.decode()
    assert 'data-testid="unread-messages">2</span>' in home
    inbox = partner.get(reverse("messaging:inbox")).content.decode()
    assert "未読 2 件" in inbox
    assert "二通目" in inbox

    page = partner.get(_url(thread)).content.decode()
    assert page.index("一通目") < page.index("二通目")  # oldest first
    assert page.index('data-testid="unread-divider"') < page.index("一通目")
    assert 'href="/jobs/1/"' in page
    assert selectors.unread_count(world.users[OTHER_COMPANY]) == 0
    again = partner.get(_url(thread)).content.decode()
    assert 'data-testid="unread-divider"' not in again
    assert 'data-testid="unread-messages"' not in again


def test_posting_with_an_attachment(world):
    thread = make_thread(world.company, world.other_company)
    response = world.client_for(STAFF).post(
        _url(thread), {"body": "図面を送ります", "file": png_upload("図面.png")}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"] == f"{_url(thread)}#message-{message.pk}"
    assert MessageAttachment.objects.filter(message=message).count() == 1
    page = world.client_for(OTHER_COMPANY).get(_url(thread)).content.decode()
    document = Document.objects.get()
    assert reverse("drawings:viewer", args=[document.pk, 1]) in page
    assert "図面.png" in page


def test_a_partner_accepts_the_owners_nda_before_seeing_an_attachment(world):
    drawing_services.nda_publish(
        actor=world.users[MEMBER], company=world.company, body="秘密を守ること"
    )
    thread = make_thread(world.company, world.other_company)
    post(world.users[MEMBER], world.company, thread, body="図面です", uploads=[png_upload()])
    partner = world.client_for(OTHER_COMPANY)
    page = partner.get(_url(thread)).content.decode()
    assert 'data-testid="nda-link"' in page
    assert 'data-testid="attachment-link"' not in page
    assert "shaft.png" not in page  # not even the file name before the NDA
    nda = world.company.nda_texts.get()
    partner.post(reverse("drawings:nda_accept", args=[nda.pk]), {"agree": "yes"})
    page = partner.get(_url(thread)).content.decode()
    assert 'data-testid="attachment-link"' in page
    assert 'data-testid="nda-link"' not in page


def test_an_empty_message_is_refused_on_the_form(world):
    thread = make_thread(world.company, world.other_company)
    response = world.client_for(MEMBER).post(_url(thread), {"body": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "メッセージを入力するか、ファイルを添付してください。" in page
    assert 'aria-invalid="true"' in page
    assert Message.objects.count() == 0


def test_an_oversized_file_is_refused_while_streaming(world, settings, media):
    settings.MACHIKOBA_DRAWING_MAX_BYTES = 1000
    thread = make_thread(world.company, world.other_company)
    big = SimpleUploadedFile("big.png", png_bytes(2000, 2000, color=(1, 2, 3)) + b"\0" * 5000)
    response = world.client_for(MEMBER).post(_url(thread), {"body": "大きい図面", "file": big})
    assert response.status_code == 200
    assert "ファイルが大きすぎます（上限 1 MB）" in response.content.decode()
    assert Message.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_floor_workers_get_no_file_field(world):
    thread = make_thread(world.company, world.other_company)
    page = world.client_for(FLOOR_WORKER).get(_url(thread)).content.decode()
    assert 'type="file"' not in page
    assert "ファイルを添付できるのは、経営者とスタッフです。" in page
    owner_page = world.client_for(MEMBER).get(_url(thread)).content.decode()
    assert 'type="file"' in owner_page


def test_the_inbox_costs_the_same_few_queries_for_many_threads(
    world, django_assert_max_num_queries
):
    partner = world.client_for(OTHER_COMPANY)
    url = reverse("messaging:inbox")

    def grow(n):
        for i in range(n):
            thread = make_thread(world.company, world.other_company, title=f"件 {i}")
            post(world.users[MEMBER], world.company, thread)

    grow(2)
    partner.get(url)
    # session, user, ward roles, memberships, threads (+ counts and previews in the same
    # query), their participants, the header's two unread counts (one query) …
    with django_assert_max_num_queries(8) as small:
        partner.get(url)
    grow(8)
    with django_assert_max_num_queries(len(small)):
        response = partner.get(url)
    assert response.content.decode().count('data-testid="thread-unread"') == 10


def test_the_thread_page_does_not_grow_with_the_messages(world, django_assert_max_num_queries):
    thread = make_thread(world.company, world.other_company)
    post(world.users[MEMBER], world.company, thread, uploads=[png_upload()])
    partner = world.client_for(OTHER_COMPANY)
    partner.get(_url(thread))
    with django_assert_max_num_queries(18) as small:
        partner.get(_url(thread))
    for _ in range(5):
        post(world.users[MEMBER], world.company, thread, uploads=[png_upload()])
        post(world.users[OTHER_COMPANY], world.other_company, thread)
    with django_assert_max_num_queries(len(small)):
        response = partner.get(_url(thread))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="message"') == 11
