"""Notices to individual people (an instructor, an advisor): stored in the app and
e-mailed after commit, each as that person chooses (core.notifications.notify_users)."""

import pytest
from django.core import mail
from django.db import transaction

from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.notifications import notify_users
from machikoba.core.testing.factories import UserFactory
from machikoba.core.testing.processes import run_queued_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _mail_delivered_here(settings):
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_each_person_named_gets_the_notice_in_the_app_and_by_e_mail():
    first, second, bystander = UserFactory(), UserFactory(), UserFactory()
    with transaction.atomic():
        notify_users(
            users=[first, second, first],
            kind="plan_submitted",
            params={"company": "蒲田精機", "cohort": "第1期", "revision": 2},
            path="/programs/teaching/",
        )
    assert run_queued_tasks("deliver_user_notification") == [2]
    notices = Notification.objects.order_by("user_id")
    assert [n.user_id for n in notices] == sorted([first.pk, second.pk])
    assert notices[0].title == "DX計画書が提出されました: 蒲田精機"
    assert "第2版" in notices[0].body
    assert notices[0].url == "/programs/teaching/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert not Notification.objects.filter(user=bystander).exists()


def test_a_person_who_turned_off_e_mail_gets_only_the_in_app_notice():
    person = UserFactory()
    NotificationPreference.objects.create(
        user=person, kind="engagement_assigned", in_app=True, email=False
    )
    with transaction.atomic():
        notify_users(
            users=[person],
            kind="engagement_assigned",
            params={"company": "蒲田精機", "advisors": "山田", "period": "6か月"},
        )
    run_queued_tasks("deliver_user_notification")
    assert Notification.objects.filter(user=person).count() == 1
    assert mail.outbox == []


def test_an_unknown_kind_is_refused_before_anything_is_queued():
    with pytest.raises(ValueError, match="no_such_kind"):
        notify_users(users=[UserFactory()], kind="no_such_kind", params={})


def test_nobody_to_tell_queues_nothing():
    with transaction.atomic():
        notify_users(users=[], kind="graduated", params={})
    assert run_queued_tasks("deliver_user_notification") == []
