"""Opening threads, posting messages with attachments, removing participants and read
states, through the services (the job helper is the network's: network/tests/test_threads.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.companies.choices import CompanyRole
from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import (
    ADMIN,
    FLOOR_WORKER,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    STAFF,
)
from machikoba.drawings.models import Document, Grant, Revision
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.messaging import internal, selectors, services
from machikoba.messaging.models import Message, MessageAttachment, Thread, ThreadParticipant
from machikoba.messaging.tests.factories import make_thread, png_upload, post


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def _third():
    company = CompanyFactory(name="第三熱処理株式会社")
    return company, MembershipFactory(company=company, role=CompanyRole.OWNER).user


# --- thread_open ------------------------------------------------------------------------


def test_opening_a_thread_twice_finds_the_same_one_and_adds_missing_parties(world):
    third, _user = _third()
    first = internal.thread_open(
        key="team:4", title="共同受注チーム", companies=[world.company], subject_path="/teams/4/"
    )
    again = internal.thread_open(
        key="team:4", title="別の件名", companies=[world.company, third, world.other_company]
    )
    assert again.pk == first.pk
    assert again.title == "共同受注チーム"  # kept from the first opening
    assert again.subject_path == "/teams/4/"
    companies = ThreadParticipant.objects.filter(thread=first).values_list("company", flat=True)
    assert sorted(companies) == sorted([world.company.pk, third.pk, world.other_company.pk])


def test_opening_again_brings_a_removed_company_back(world):
    thread = make_thread(world.company, world.other_company, key="team:9")
    services.thread_participant_remove(
        actor=world.users[MEMBER], thread=thread, company=world.other_company
    )
    assert not Thread.objects.for_user(world.users[OTHER_COMPANY], VIEW).exists()
    internal.thread_open(key="team:9", title="x", companies=[world.other_company])
    assert Thread.objects.for_user(world.users[OTHER_COMPANY], VIEW).get() == thread


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": " "}, "key"),
        ({"title": ""}, "title"),
        ({"subject_path": "https://evil.example/"}, "subject_path"),
        ({"subject_path": "//evil.example/"}, "subject_path"),
        ({"companies": []}, "companies"),
    ],
)
def test_a_thread_needs_a_key_title_local_link_and_companies(world, fields, field):
    arguments = {"key": "job:1:partner:2", "title": "件名", "companies": [world.company]}
    arguments.update(fields)
    with pytest.raises(ApplicationError) as info:
        internal.thread_open(**arguments)
    assert field in info.value.fields
    assert Thread.objects.count() == 0


# --- message_post -----------------------------------------------------------------------


def test_a_message_is_stored_and_read_by_its_author(world):
    thread = make_thread(world.company, world.other_company)
    message = post(world.users[STAFF], world.company, thread, body="  納期は来週金曜です。 ")
    assert message.body == "納期は来週金曜です。"
    assert (message.company, message.author) == (world.company, world.users[STAFF])
    thread.refresh_from_db()
    assert thread.last_message_at == message.created_at
    assert selectors.unread_count(world.users[OTHER_COMPANY]) == 1
    assert selectors.unread_count(world.users[STAFF]) == 0
    # What a colleague sent for one's own company is not news.
    assert selectors.unread_count(world.users[MEMBER]) == 0


def test_messages_are_append_only(world):
    message = post(world.users[MEMBER], world.company, make_thread(world.company))
    message.body = "書き換え"
    with pytest.raises(ValueError, match="append-only"):
        message.save()
    with pytest.raises(ValueError, match="append-only"):
        message.delete()


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "message_empty"), ("   ", "message_empty"), ("あ" * 5001, "message_too_long")],
)
def test_an_empty_or_overlong_message_is_refused(world, body, code):
    thread = make_thread(world.company, world.other_company)
    with pytest.raises(ApplicationError) as info:
        post(world.users[MEMBER], world.company, thread, body=body)
    assert info.value.code == code
    assert info.value.fields["body"]
    assert Message.objects.count() == 0


def test_only_people_of_a_current_participant_may_post(world):
    third, third_owner = _third()
    thread = make_thread(world.company, third)
    refusals = [
        (world.users[OTHER_COMPANY], world.other_company),  # not a participant
        (world.users[OTHER_COMPANY], world.company),  # not their company
        (world.users[OFFICER], world.company),
        (world.users[ADMIN], world.company),
    ]
    for actor, company in refusals:
        with pytest.raises(PermissionRefused):
            post(actor, company, thread)
    services.thread_participant_remove(actor=world.users[MEMBER], thread=thread, company=third)
    with pytest.raises(PermissionRefused):
        post(third_owner, third, thread)
    assert Message.objects.count() == 0


def test_floor_workers_write_but_only_owners_and_staff_attach(world, tmp_path):
    thread = make_thread(world.company, world.other_company)
    post(world.users[FLOOR_WORKER], world.company, thread, body="出荷しました")
    with pytest.raises(PermissionRefused) as info:
        post(world.users[FLOOR_WORKER], world.company, thread, uploads=[png_upload()])
    assert info.value.fields["file"]
    assert Message.objects.count() == 1
    assert Document.objects.count() == 0
    assert _files(tmp_path) == []


def test_an_attachment_becomes_a_document_shared_view_only_with_the_other_parties(world, tmp_path):
    third, third_owner = _third()
    gone = CompanyFactory(name="退出工業株式会社")
    thread = make_thread(world.company, world.other_company, third, gone)
    services.thread_participant_remove(actor=world.users[MEMBER], thread=thread, company=gone)
    message = post(
        world.users[STAFF], world.company, thread, body="", uploads=[png_upload("図面.png")]
    )
    attachment = MessageAttachment.objects.get(message=message)
    document = attachment.document
    assert (document.company, document.title, document.kind) == (world.company, "図面.png", "other")
    assert document.latest_revision.file_kind == "png"
    grants = Grant.objects.filter(document=document)
    assert sorted(g.grantee_id for g in grants) == sorted([world.other_company.pk, third.pk])
    assert not any(g.can_download for g in grants)
    assert len(_files(tmp_path)) == 1
    # The other parties see the file through the drawings access layer (no NDA here).
    for user in (world.users[OTHER_COMPANY], third_owner):
        assert Revision.objects.for_user(user, VIEW).filter(document=document).exists()


def test_a_refused_file_leaves_nothing_behind(world, tmp_path):
    thread = make_thread(world.company, world.other_company)
    bad = SimpleUploadedFile("page.pdf", b"<html><body>not a drawing</body></html>")
    with pytest.raises(ApplicationError) as info:
        post(world.users[MEMBER], world.company, thread, body="図面です", uploads=[bad])
    assert info.value.code == "file_html"
    assert info.value.fields["file"]
    assert Message.objects.count() == 0
    assert Document.objects.count() == 0
    assert _files(tmp_path) == []
    thread.refresh_from_db()
    assert thread.last_message_at is None


def test_a_bad_second_file_removes_the_first_one_stored(world, tmp_path):
    thread = make_thread(world.company, world.other_company)
    good = SimpleUploadedFile("flange.pdf", pdf_bytes(pages=1))
    empty = SimpleUploadedFile("empty.pdf", b"")
    with pytest.raises(ApplicationError):
        post(world.users[MEMBER], world.company, thread, uploads=[good, empty])
    assert Message.objects.count() == 0
    assert Document.objects.count() == 0
    assert _files(tmp_path) == []


def test_a_failure_after_the_file_was_stored_removes_it(world, tmp_path, monkeypatch):
    from machikoba.drawings import services as drawing_services

    def broken_grant(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(drawing_services, "grant_create", broken_grant)
    thread = make_thread(world.company, world.other_company)
    with pytest.raises(RuntimeError):
        post(world.users[MEMBER], world.company, thread, uploads=[png_upload()])
    assert Message.objects.count() == 0
    assert Document.objects.count() == 0
    assert _files(tmp_path) == []


def test_too_many_files_are_refused(world):
    thread = make_thread(world.company, world.other_company)
    with pytest.raises(ApplicationError) as info:
        post(world.users[MEMBER], world.company, thread, uploads=[png_upload()] * 6)
    assert info.value.code == "too_many_attachments"


# --- participants -----------------------------------------------------------------------


def test_a_removed_company_sees_nothing_and_loses_the_attachments_sent_to_it(world):
    thread = make_thread(world.company, world.other_company)
    post(world.users[MEMBER], world.company, thread, uploads=[png_upload()])
    post(world.users[OTHER_COMPANY], world.other_company, thread, body="受け取りました")
    partner = world.users[OTHER_COMPANY]
    with pytest.raises(PermissionRefused):  # floor workers do not manage participants
        services.thread_participant_remove(
            actor=world.users[FLOOR_WORKER], thread=thread, company=world.other_company
        )
    services.thread_participant_remove(
        actor=world.users[MEMBER], thread=thread, company=world.other_company
    )
    assert not Thread.objects.for_user(partner, VIEW).exists()
    assert not Message.objects.for_user(partner, VIEW).exists()
    assert not MessageAttachment.objects.for_user(partner, VIEW).exists()
    assert not Document.objects.for_user(partner, VIEW).exists()
    assert selectors.unread_count(partner) == 0
    with pytest.raises(ApplicationError):
        services.thread_participant_remove(
            actor=world.users[MEMBER], thread=thread, company=world.other_company
        )


def test_officers_and_admins_never_see_threads(world):
    thread = make_thread(world.company, world.other_company)
    post(world.users[MEMBER], world.company, thread)
    for actor in (OFFICER, ADMIN):
        user = world.users[actor]
        assert list(selectors.threads_for(user)) == []
        assert selectors.unread_count(user) == 0
        assert not Message.objects.for_user(user, VIEW).exists()
        with pytest.raises(PermissionRefused):
            services.thread_mark_read(user=user, thread=thread)


# --- read states ------------------------------------------------------------------------


def test_unread_counts_per_thread_and_reading(world):
    partner = world.users[OTHER_COMPANY]
    one = make_thread(world.company, world.other_company, title="一")
    two = make_thread(world.company, world.other_company, title="二")
    post(world.users[MEMBER], world.company, one)
    post(world.users[STAFF], world.company, one)
    post(world.users[MEMBER], world.company, two)
    inbox = {t.title: t.unread for t in selectors.threads_for(partner)}
    assert inbox == {"一": 2, "二": 1}
    assert [t.title for t in selectors.threads_for(partner)] == ["二", "一"]  # newest first
    services.thread_mark_read(user=partner, thread=one)
    assert selectors.unread_count(partner) == 1
    post(world.users[MEMBER], world.company, one, body="追加です")
    assert {t.title: t.unread for t in selectors.threads_for(partner)} == {"一": 1, "二": 1}
    assert selectors.threads_for(partner)[0].last_body == "追加です"
