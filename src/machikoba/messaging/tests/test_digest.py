"""The e-mail digest of unread messages: one e-mail per person through the queued backend
and a real SMTP server, each person's choice kept, nothing mailed twice."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.testing.factories import MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.core.testing.processes import SmtpInbox, run_queued_tasks
from machikoba.messaging import services
from machikoba.messaging.models import ThreadReadState
from machikoba.messaging.tests.factories import make_thread, post

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def inbox(settings):
    with SmtpInbox() as smtp:
        settings.EMAIL_BACKEND = "machikoba.core.mail.QueuedEmailBackend"
        settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.MACHIKOBA_SITE_URL = "https://machikoba.example.jp"
        yield smtp


def _later(minutes=10):
    return timezone.now() + dt.timedelta(minutes=minutes)


def _digest(capture, now=None):
    with capture(execute=True):
        told = services.message_digests_send(now=now or _later())
    run_queued_tasks("deliver_email")
    return told


def test_one_japanese_email_per_person_listing_threads_and_counts(
    world, inbox, django_capture_on_commit_callbacks
):
    partner_staff = MembershipFactory(company=world.other_company, role=CompanyRole.STAFF).user
    shaft = make_thread(world.company, world.other_company, title="TK-2041 段付きシャフト")
    flange = make_thread(world.company, world.other_company, title="F-200 フランジ")
    post(world.users[MEMBER], world.company, shaft, body="価格は 80,000 円でお願いします")
    post(world.users[STAFF], world.company, shaft)
    post(world.users[MEMBER], world.company, flange)

    assert _digest(django_capture_on_commit_callbacks) == 2  # the partner's owner and staff
    partner = world.users[OTHER_COMPANY]
    assert sorted(m["To"] for m in inbox.messages) == sorted([partner.email, partner_staff.email])
    message = next(m for m in inbox.messages if m["To"] == partner.email)
    assert message["Subject"].strip() == "[machikoba] 未読のメッセージが 3 件あります"
    body = message.get_content()
    assert f"・TK-2041 段付きシャフト ({world.company.name}): 2 件" in body
    assert f"https://machikoba.example.jp/messages/{shaft.pk}/" in body
    assert f"・F-200 フランジ ({world.company.name}): 1 件" in body
    assert "https://machikoba.example.jp/messages/" in body
    assert "80,000" not in body  # the digest names threads, never what was said
    # The sender's colleagues are not told about their own company's messages.
    for actor in (MEMBER, STAFF, FLOOR_WORKER):
        assert world.users[actor].email not in [m["To"] for m in inbox.messages]
    notice = Notification.objects.get(user=partner)
    assert (notice.kind, notice.url) == ("message_digest", "/messages/")


def test_nothing_is_mailed_twice_and_only_news_comes_later(
    world, inbox, django_capture_on_commit_callbacks
):
    thread = make_thread(world.company, world.other_company)
    other = make_thread(world.company, world.other_company, title="別件")
    post(world.users[MEMBER], world.company, thread)
    assert _digest(django_capture_on_commit_callbacks) == 1
    assert _digest(django_capture_on_commit_callbacks) == 0
    assert len(inbox.messages) == 1
    post(world.users[MEMBER], world.company, other)
    assert _digest(django_capture_on_commit_callbacks) == 1
    body = inbox.messages[-1].get_content()
    assert "別件" in body
    assert f"/messages/{thread.pk}/" not in body
    state = ThreadReadState.objects.get(thread=thread, user=world.users[OTHER_COMPANY])
    assert state.digested_through is not None
    assert state.last_read_at is None


def test_fresh_or_read_messages_are_not_mailed(world, inbox, django_capture_on_commit_callbacks):
    thread = make_thread(world.company, world.other_company)
    post(world.users[MEMBER], world.company, thread)
    # Within the first minutes the person may still be reading along.
    assert _digest(django_capture_on_commit_callbacks, now=_later(minutes=1)) == 0
    services.thread_mark_read(user=world.users[OTHER_COMPANY], thread=thread)
    assert _digest(django_capture_on_commit_callbacks) == 0
    # Older than the look-back window: left to the inbox.
    assert _digest(django_capture_on_commit_callbacks, now=_later(minutes=60 * 24 * 8)) == 0
    assert inbox.messages == []


def test_each_person_chooses_email_and_in_app(world, inbox, django_capture_on_commit_callbacks):
    partner_staff = MembershipFactory(company=world.other_company, role=CompanyRole.STAFF).user
    NotificationPreference.objects.create(
        user=world.users[OTHER_COMPANY], kind="message_digest", in_app=True, email=False
    )
    NotificationPreference.objects.create(
        user=partner_staff, kind="message_digest", in_app=False, email=False
    )
    post(world.users[MEMBER], world.company, make_thread(world.company, world.other_company))
    assert _digest(django_capture_on_commit_callbacks) == 1
    assert inbox.messages == []
    assert Notification.objects.filter(user=world.users[OTHER_COMPANY]).count() == 1
    assert not Notification.objects.filter(user=partner_staff).exists()


def test_the_periodic_task_is_scheduled(settings):
    name, interval = settings.PERIODIC_TASKS["messaging.send_message_digests"]
    assert name == "machikoba.messaging.tasks.send_message_digests"
    assert interval == 900


def test_the_task_sends_the_digests(world, inbox, django_capture_on_commit_callbacks):
    from machikoba.messaging.models import Message
    from machikoba.messaging.tasks import send_message_digests

    thread = make_thread(world.company, world.other_company)
    post(world.users[MEMBER], world.company, thread)
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_message_digests.call() == 1
    run_queued_tasks("deliver_email")
    assert [m["To"] for m in inbox.messages] == [world.users[OTHER_COMPANY].email]
