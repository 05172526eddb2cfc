"""The scheduler's mailings (``tasks_events.event_mailings``, hourly): the reminder to the
people registered for tomorrow's events from 9:00 the day before, once; the survey's
link to the attendees an hour after the end, once, and not before an attendee is
recorded. Time is frozen and moved."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.models import Notification
from machikoba.core.testing.factories_lab import make_lab
from machikoba.core.testing.factories_lab_events import (
    answer_survey,
    make_event,
    make_member,
    register,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import EventStatus, RegistrationStatus
from machikoba.lab.services.events import event_reminders_send, event_surveys_send
from machikoba.lab.tasks_events import event_mailings

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

R = RegistrationStatus


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(service):
        with django_capture_on_commit_callbacks(execute=True):
            reached = service()
        run_queued_tasks("notification")
        return reached

    return call


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def in_three_days():
    return timezone.localdate() + dt.timedelta(days=3)


def test_the_reminder_goes_once_from_nine_the_day_before(lab, run, frozen_clock, in_three_days):
    starts = _at(in_three_days, 14)
    event = make_event(lab, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    (_, registered), (_, waiting), (_, gone) = make_member(), make_member(), make_member()
    register(event, registered)
    register(event, waiting, status=R.WAITLISTED)
    register(event, gone, status=R.CANCELLED)
    day_before = in_three_days - dt.timedelta(days=1)
    frozen_clock.move_to(_at(day_before, 8, 59))
    assert run(event_reminders_send) == 0
    frozen_clock.move_to(_at(day_before, 9))
    assert run(event_reminders_send) == 1
    frozen_clock.move_to(_at(day_before, 10))
    assert run(event_reminders_send) == 0
    frozen_clock.move_to(_at(in_three_days, 9))
    assert run(event_reminders_send) == 0
    notice = Notification.objects.get(kind="lab_event_reminder")
    assert notice.user == registered
    assert event.title in notice.title
    assert notice.url.endswith(f"/lab/events/{event.pk}/")
    event.refresh_from_db()
    assert event.reminded_at == _at(day_before, 9)


def test_a_late_scheduler_still_reminds_before_the_start(lab, run, frozen_clock, in_three_days):
    starts = _at(in_three_days, 10)
    event = make_event(lab, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    register(event, make_member()[1])
    frozen_clock.move_to(_at(in_three_days, 9, 30))  # the scheduler was down all day before
    assert run(event_reminders_send) == 1
    other = make_event(lab, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    register(other, make_member()[1])
    frozen_clock.move_to(_at(in_three_days, 10, 1))  # started: too late to remind
    assert run(event_reminders_send) == 0


def test_drafts_and_cancelled_events_are_not_reminded(lab, run, frozen_clock, in_three_days):
    starts = _at(in_three_days, 14)
    for status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        event = make_event(
            lab, status=status, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )
        register(event, make_member()[1])
    frozen_clock.move_to(_at(in_three_days - dt.timedelta(days=1), 12))
    assert run(event_reminders_send) == 0
    assert not Notification.objects.exists()


def test_the_survey_goes_once_to_attendees_an_hour_after_the_end(
    lab, run, frozen_clock, in_three_days
):
    starts = _at(in_three_days, 14)
    ends = starts + dt.timedelta(hours=2)
    event = make_event(lab, starts_at=starts, ends_at=ends)
    (_, came), (_, answered), (_, absent) = make_member(), make_member(), make_member()
    register(event, came, status=R.ATTENDED)
    answer_survey(register(event, answered, status=R.ATTENDED))
    register(event, absent)
    frozen_clock.move_to(ends + dt.timedelta(minutes=59))
    assert run(event_surveys_send) == 0
    frozen_clock.move_to(ends + dt.timedelta(hours=1))
    assert run(event_surveys_send) == 1
    frozen_clock.move_to(ends + dt.timedelta(hours=2))
    assert run(event_surveys_send) == 0
    notice = Notification.objects.get(kind="lab_event_survey")
    assert notice.user == came
    assert notice.url.endswith(f"/lab/events/{event.pk}/survey/")
    event.refresh_from_db()
    assert event.survey_sent_at == ends + dt.timedelta(hours=1)


def test_the_survey_waits_for_attendance_for_two_weeks(lab, run, frozen_clock, in_three_days):
    starts = _at(in_three_days, 14)
    ends = starts + dt.timedelta(hours=2)
    event = make_event(lab, starts_at=starts, ends_at=ends)
    registration = register(event, make_member()[1])
    frozen_clock.move_to(ends + dt.timedelta(hours=3))
    assert run(event_surveys_send) == 0  # nobody marked present yet
    registration.status = R.ATTENDED  # the staff mark attendance the next morning
    registration.save()
    frozen_clock.move_to(ends + dt.timedelta(hours=20))
    assert run(event_surveys_send) == 1
    late = make_event(lab, starts_at=starts, ends_at=ends)
    register(late, make_member()[1], status=R.ATTENDED)
    frozen_clock.move_to(ends + dt.timedelta(days=15))
    assert run(event_surveys_send) == 0


def test_the_task_runs_both_mailings(lab, run, frozen_clock, in_three_days):
    starts = _at(in_three_days, 14)
    tomorrow = make_event(lab, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    register(tomorrow, make_member()[1])
    ended = make_event(
        lab,
        starts_at=starts - dt.timedelta(days=2),
        ends_at=starts - dt.timedelta(days=2, hours=-1),
    )
    register(ended, make_member()[1], status=R.ATTENDED)
    frozen_clock.move_to(_at(in_three_days - dt.timedelta(days=1), 9))
    assert run(event_mailings.call) == 2
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        "lab_event_reminder",
        "lab_event_survey",
    }
