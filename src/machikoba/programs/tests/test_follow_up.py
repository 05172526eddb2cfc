"""The one-year follow-up: the company's answer (validated, correctable with an audit) and
the reminders' cadence (asked on the due day, then every 14 days, never twice a day)."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import MembershipFactory, WardRoleFactory
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    make_graduate,
    make_owner,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.programs.choices import InvestmentKind
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models import FollowUp
from machikoba.programs.services.follow_up import follow_up_answer, follow_ups_remind
from machikoba.programs.tasks import remind_follow_ups

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def graduate():
    company, owner = make_owner(name="修了 花子")
    application = ApplicationFactory(company=company, participant=owner)
    graduation = make_graduate(application, graduated_days_ago=365)
    return graduation.follow_up, owner


def _answer(follow_up, actor, **fields):
    values = {
        "invested": True,
        "invested_on": follow_up.graduation.graduated_on + dt.timedelta(days=60),
        "amount": 1_500_000,
        "investment_kind": InvestmentKind.SOFTWARE,
        "description": "生産管理システム",
    }
    values.update(fields)
    return follow_up_answer(actor=actor, follow_up=follow_up, **values)


def test_owner_answers_an_investment(graduate):
    follow_up, owner = graduate
    _answer(follow_up, owner, subsidy_reference="DX-2026-0012")
    follow_up.refresh_from_db()
    assert follow_up.invested is True
    assert follow_up.amount == 1_500_000
    assert follow_up.investment_kind == "software"
    assert follow_up.answered_by == owner
    assert follow_up.subsidy_reference == "DX-2026-0012"
    assert follow_up.answered_at is not None
    assert AuditEvent.objects.filter(verb="programs.follow_up.answer").count() == 1


def test_answering_no_clears_the_investment_fields(graduate):
    follow_up, owner = graduate
    _answer(follow_up, owner)
    follow_up_answer(
        actor=owner, follow_up=follow_up, invested=False, amount=99, investment_kind="other"
    )
    follow_up.refresh_from_db()
    assert follow_up.invested is False
    assert (follow_up.amount, follow_up.investment_kind, follow_up.invested_on) == (None, "", None)


def test_a_second_answer_replaces_the_first_with_an_audit(graduate):
    follow_up, owner = graduate
    _answer(follow_up, owner)
    staff = MembershipFactory(company=follow_up.graduation.company, role=CompanyRole.STAFF).user
    _answer(follow_up, staff, amount=2_000_000, investment_kind=InvestmentKind.EQUIPMENT)
    follow_up.refresh_from_db()
    assert follow_up.amount == 2_000_000
    assert follow_up.answered_by == staff
    event = AuditEvent.objects.get(verb="programs.follow_up.update")
    assert event.before["investment_kind"] == "software"
    assert event.after["investment_kind"] == "equipment"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": None}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"investment_kind": ""}, "investment_kind"),
        ({"investment_kind": "stocks"}, "investment_kind"),
        ({"invested_on": None}, "invested_on"),
        ({"invested": None}, "invested"),
    ],
)
def test_bad_answers_are_refused_with_nothing_written(graduate, fields, field):
    follow_up, owner = graduate
    with pytest.raises(ApplicationError) as caught:
        _answer(follow_up, owner, **fields)
    assert caught.value.code == HomeworkErrorCode.FOLLOW_UP_INVALID
    assert field in caught.value.fields
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
    assert follow_up.invested is None


def test_the_investment_date_lies_between_graduating_and_today(graduate):
    follow_up, owner = graduate
    graduated_on = follow_up.graduation.graduated_on
    for day in (graduated_on - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(ApplicationError) as caught:
            _answer(follow_up, owner, invested_on=day)
        assert "修了した日" in caught.value.fields["invested_on"][0]
    _answer(follow_up, owner, invested_on=graduated_on)
    _answer(follow_up, owner, invested_on=timezone.localdate())


def test_only_the_company_answers(graduate):
    follow_up, _owner = graduate
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    worker = MembershipFactory(
        company=follow_up.graduation.company, role=CompanyRole.FLOOR_WORKER
    ).user
    for actor in (officer, worker):
        with pytest.raises(ApplicationError) as caught:
            _answer(follow_up, actor)
        assert caught.value.code == HomeworkErrorCode.FOLLOW_UP_NOT_ALLOWED
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


def _remind(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = follow_ups_remind()
    run_queued_tasks("notification")
    return sent


def test_reminder_cadence(graduate, frozen_clock, django_capture_on_commit_callbacks):
    follow_up, owner = graduate
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    # A follow-up not due yet is left alone.
    company, other_owner = make_owner()
    make_graduate(
        ApplicationFactory(company=company, participant=other_owner), graduated_days_ago=10
    )

    def at(days, hour=9):
        frozen_clock.move_to(start + dt.timedelta(days=days, hours=hour - 9))
        return _remind(django_capture_on_commit_callbacks)

    assert at(0) == 1  # due today: asked
    assert at(0, hour=23) == 0  # never twice on one day
    assert at(1) == 0
    assert at(13, hour=23) == 0
    assert at(14) == 1  # the first reminder
    assert at(14, hour=20) == 0
    assert at(27) == 0
    assert at(28) == 1  # the second
    follow_up.refresh_from_db()
    assert follow_up.reminders_sent == 2
    assert timezone.localdate(follow_up.asked_at) == start.date()
    assert timezone.localdate(follow_up.last_reminded_at) == (start + dt.timedelta(days=28)).date()
    notices = Notification.objects.filter(kind="follow_up_due")
    assert notices.count() == 3
    assert {n.user for n in notices} == {owner}
    assert notices.first().url == f"/programs/follow-ups/{follow_up.pk}/"
    _answer(follow_up, owner)
    assert at(42) == 0  # answered: no more
    assert FollowUp.objects.exclude(pk=follow_up.pk).get().asked_at is None


def test_a_late_run_asks_once_then_waits_14_days(
    graduate, frozen_clock, django_capture_on_commit_callbacks
):
    _follow_up, _owner = graduate
    start = timezone.localtime()
    frozen_clock.move_to(start + dt.timedelta(days=5))  # the scheduler was down on the due day
    assert _remind(django_capture_on_commit_callbacks) == 1
    frozen_clock.move_to(start + dt.timedelta(days=18))
    assert _remind(django_capture_on_commit_callbacks) == 0
    frozen_clock.move_to(start + dt.timedelta(days=19))
    assert _remind(django_capture_on_commit_callbacks) == 1


def test_the_task_is_scheduled_and_runs_the_service(graduate, django_capture_on_commit_callbacks):
    assert settings.PERIODIC_TASKS["programs.remind_follow_ups"][0] == (
        "machikoba.programs.tasks.remind_follow_ups"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_follow_ups.call() == 1
