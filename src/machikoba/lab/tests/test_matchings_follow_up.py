"""The three-month question: the periodic task asks both parties of each standing matching
whose ``follow_up_due_on`` has come, once ("取引につながりましたか?"), and never a
proposal, a declined one or one already answered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories_lab import make_item, make_lab
from machikoba.core.testing.factories_lab_ecosystem import light_world, make_matching
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY, STAFF, VENDOR
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import FollowUpAnswer, MatchingStatus
from machikoba.lab.services.matchings import matching_follow_up_answer, matching_follow_ups_send
from machikoba.lab.tasks_ecosystem import ask_matching_follow_ups

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def world():
    return light_world()


@pytest.fixture
def item():
    return make_item(make_lab())


def _run(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        asked = ask_matching_follow_ups.call()
    run_queued_tasks("notification")
    return asked


def test_both_parties_are_asked_once_when_the_three_months_are_up(
    world, item, frozen_clock, django_capture_on_commit_callbacks
):
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    frozen_clock.move_to(start)
    matching = make_matching(world.company, world.vendor, item=item, agreed_days_ago=0)
    due = matching.follow_up_due_on
    assert due > timezone.localdate()

    def at(day: dt.date, hour: int = 9) -> int:
        frozen_clock.move_to(start + dt.timedelta(days=(day - start.date()).days, hours=hour - 9))
        return _run(django_capture_on_commit_callbacks)

    assert at(due - dt.timedelta(days=1), hour=23) == 0  # not yet
    assert at(due) == 1
    matching.refresh_from_db()
    assert timezone.localdate(matching.follow_up_asked_at) == due
    notices = Notification.objects.filter(kind="lab_matching_follow_up")
    reached = {n.user for n in notices}
    assert reached == {world.users[MEMBER], world.users[STAFF], world.users[VENDOR]}
    assert all("取引につながりましたか" in n.title for n in notices)
    assert "テストITソリューションズ" in notices.get(user=world.users[MEMBER]).title
    assert at(due, hour=20) == 0  # once, however often it runs
    assert at(due + dt.timedelta(days=30)) == 0
    assert Notification.objects.filter(kind="lab_matching_follow_up").count() == 3
    assert AuditEvent.objects.filter(verb="lab.matching.follow_up.ask").count() == 1


def test_proposals_declined_and_answered_ones_are_not_asked(
    world, item, django_capture_on_commit_callbacks
):
    old = 100
    make_matching(
        world.company, world.vendor, item=item, agreed_days_ago=old, status=MatchingStatus.PROPOSED
    )
    make_matching(
        world.company,
        world.other_company,
        item=item,
        agreed_days_ago=old,
        status=MatchingStatus.DECLINED,
    )
    answered = make_matching(world.vendor, world.other_company, item=item, agreed_days_ago=old)
    matching_follow_up_answer(
        actor=world.users[OTHER_COMPANY],
        matching=answered,
        company=world.other_company,
        answer=FollowUpAnswer.YES,
    )
    assert _run(django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(kind="lab_matching_follow_up").exists()


def test_a_proposal_confirmed_late_is_asked_at_the_next_run(world, item):
    matching = make_matching(
        world.company, world.vendor, item=item, agreed_days_ago=100, status=MatchingStatus.PROPOSED
    )
    assert matching_follow_ups_send() == 0
    type(matching).objects.filter(pk=matching.pk).update(status=MatchingStatus.CONFIRMED)
    assert matching_follow_ups_send() == 1
    assert matching_follow_ups_send() == 0


def test_the_party_answers_after_being_asked(world, item):
    matching = make_matching(world.company, world.vendor, item=item, agreed_days_ago=95)
    matching_follow_ups_send()
    answered = matching_follow_up_answer(
        actor=world.users[MEMBER],
        matching=matching,
        company=world.company,
        answer=FollowUpAnswer.YES,
        note="月20万円の継続受注",
    )
    assert answered.follow_up_answer == FollowUpAnswer.YES
    assert AuditEvent.objects.filter(verb="lab.matching.follow_up.answer").count() == 1
