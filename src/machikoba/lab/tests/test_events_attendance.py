"""Attendance marked by hand (from the event's day), the training records of a training
session's attendees (「修了を記録」: that is how a person attends the training and may
then book), and the survey after the event (once per registration, summarised for the
staff)."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, WardRoleFactory, ward
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
)
from machikoba.core.testing.factories_lab_events import (
    answer_survey,
    make_event,
    make_member,
    make_visitor,
    register,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models import TrainingRecord
from machikoba.lab.models_events import Registration, SurveyResponse
from machikoba.lab.selectors.events import attendance_page, my_events, survey_summary
from machikoba.lab.services.registrations import attendance_mark, training_records_record
from machikoba.lab.services.surveys import survey_submit

pytestmark = pytest.mark.django_db

R = RegistrationStatus


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


def _refused(code, call):
    rows = lambda: (  # noqa: E731
        list(Registration.objects.values_list("pk", "status")),
        TrainingRecord.objects.count(),
        SurveyResponse.objects.count(),
    )
    before = rows()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert rows() == before
    return caught.value


def _underway(lab, **fields):
    return make_event(lab, starts_in=-dt.timedelta(minutes=30), **fields)


# --- attendance ----------------------------------------------------------------------------


def test_staff_mark_a_registered_person_present(lab, staff):
    event = _underway(lab)
    registration = register(event, make_member()[1])
    attendance_mark(actor=staff, registration=registration)
    registration.refresh_from_db()
    assert registration.status == R.ATTENDED
    assert registration.attended_at is not None
    assert AuditEvent.objects.filter(verb="lab_registration.attended").count() == 1
    page = attendance_page(staff, event)
    assert [row.registration for row in page.attended] == [registration]


def test_attendance_is_marked_from_the_events_day_only(lab, staff):
    event = make_event(lab, starts_in=dt.timedelta(days=3))
    registration = register(event, make_member()[1])
    _refused(
        EventErrorCode.ATTENDANCE_TOO_EARLY,
        lambda: attendance_mark(actor=staff, registration=registration),
    )
    assert attendance_page(staff, event).may_mark is False


def test_a_waitlisted_or_cancelled_person_is_not_marked(lab, staff):
    event = _underway(lab)
    for status in (R.WAITLISTED, R.CANCELLED):
        registration = register(event, make_member()[1], status=status)
        _refused(
            EventErrorCode.TRANSITION_NOT_ALLOWED,
            lambda registration=registration: attendance_mark(
                actor=staff, registration=registration
            ),
        )


def test_attendance_of_a_cancelled_event_is_refused(lab, staff):
    event = _underway(lab, status=EventStatus.CANCELLED)
    registration = register(event, make_member()[1])
    _refused(
        EventErrorCode.EVENT_CANCELLED,
        lambda: attendance_mark(actor=staff, registration=registration),
    )


def test_only_the_labs_staff_mark_attendance(lab):
    event = _underway(lab)
    _, person = make_member()
    registration = register(event, person)
    other_ward_staff = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(SUMIDA)).user
    for actor in (person, WardRoleFactory(role=WardRole.OFFICER).user, other_ward_staff):
        _refused(
            EventErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: attendance_mark(actor=actor, registration=registration),
        )


# --- training records ------------------------------------------------------------------------


def test_recording_the_training_of_attendees(lab, staff, django_capture_on_commit_callbacks):
    cobot = make_item(lab)
    training = make_training(lab, [cobot], validity_days=365)
    event = _underway(lab, kind=EventKind.TRAINING, training=training)
    company, came = make_member()
    _, absent = make_member()
    attended = register(event, came, company=company)
    register(event, absent)
    attendance_mark(actor=staff, registration=attended)
    register(event, visitor=make_visitor(lab), status=R.ATTENDED)  # no account: no record
    page = attendance_page(staff, event)
    assert page.to_record == 1
    with django_capture_on_commit_callbacks(execute=True):
        records = training_records_record(actor=staff, event=event)
    run_queued_tasks("notification")
    assert len(records) == 1
    record = TrainingRecord.objects.get()
    assert (record.user, record.company, record.event, record.training) == (
        came,
        company,
        event,
        training,
    )
    day = timezone.localdate(event.starts_at)
    assert record.passed_on == day
    assert record.expires_on == day + dt.timedelta(days=365)
    assert record.recorded_by == staff
    assert record.expires_on >= timezone.localdate()  # valid today: the person may book
    assert AuditEvent.objects.filter(verb="lab_training_record.create").count() == 1
    notice = Notification.objects.get(user=came, kind="lab_event_training_recorded")
    assert training.name in notice.title
    assert not Notification.objects.filter(user=absent).exists()
    page = attendance_page(staff, event)
    assert page.to_record == 0
    assert [row.trained for row in page.attended if row.registration.user] == [True]
    # Pressed again: nobody left to record, and nothing is recorded twice.
    _refused(
        EventErrorCode.NOTHING_TO_RECORD,
        lambda: training_records_record(actor=staff, event=event),
    )


def test_records_for_the_chosen_attendees_only(lab, staff):
    training = make_training(lab)
    event = _underway(lab, kind=EventKind.TRAINING, training=training)
    first = register(event, make_member()[1], status=R.ATTENDED)
    second = register(event, make_member()[1], status=R.ATTENDED)
    training_records_record(actor=staff, event=event, registration_ids=[second.pk])
    assert list(TrainingRecord.objects.values_list("user", flat=True)) == [second.user_id]
    training_records_record(actor=staff, event=event)
    assert TrainingRecord.objects.filter(user=first.user).count() == 1


def test_no_record_from_another_kind_of_event_or_by_others(lab, staff):
    seminar = _underway(lab)
    register(seminar, make_member()[1], status=R.ATTENDED)
    _refused(
        EventErrorCode.NOT_A_TRAINING_SESSION,
        lambda: training_records_record(actor=staff, event=seminar),
    )
    session = _underway(lab, kind=EventKind.TRAINING, training=make_training(lab))
    _, person = make_member()
    register(session, person, status=R.ATTENDED)
    for actor in (person, WardRoleFactory(role=WardRole.OFFICER).user):
        _refused(
            EventErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: training_records_record(actor=actor, event=session),
        )


def test_no_record_without_attendance(lab, staff):
    session = _underway(lab, kind=EventKind.TRAINING, training=make_training(lab))
    register(session, make_member()[1])
    _refused(
        EventErrorCode.NOTHING_TO_RECORD,
        lambda: training_records_record(actor=staff, event=session),
    )


def test_no_record_from_a_cancelled_session(lab, staff):
    session = _underway(
        lab, kind=EventKind.TRAINING, training=make_training(lab), status=EventStatus.CANCELLED
    )
    register(session, make_member()[1], status=R.ATTENDED)
    _refused(
        EventErrorCode.EVENT_CANCELLED,
        lambda: training_records_record(actor=staff, event=session),
    )


# --- the survey --------------------------------------------------------------------------------


def _ended(lab):
    return make_event(lab, starts_in=-dt.timedelta(hours=3), hours=2)


def test_an_attendee_answers_once(lab):
    event = _ended(lab)
    company, person = make_member()
    registration = register(event, person, company=company, status=R.ATTENDED)
    assert [i.registration for i in my_events(person).surveys] == [registration]
    answer = survey_submit(
        actor=person,
        registration=registration,
        rating=5,
        useful=True,
        met_partner="  テストITソリューションズ 田中さん (生産管理)  ",
        comment="実機を触れてよかった",
    )
    assert (answer.rating, answer.useful) == (5, True)
    assert answer.met_partner == "テストITソリューションズ 田中さん (生産管理)"
    assert AuditEvent.objects.get(verb="lab_survey.submit").company == company
    assert my_events(person).surveys == []
    _refused(
        EventErrorCode.SURVEY_ALREADY_ANSWERED,
        lambda: survey_submit(actor=person, registration=registration, rating=1, useful=False),
    )


def test_only_the_attendee_answers(lab):
    event = _ended(lab)
    company, person = make_member()
    _, colleague = make_member(company)
    attended = register(event, person, company=company, status=R.ATTENDED)
    no_show = register(event, colleague, company=company)
    _refused(
        EventErrorCode.NOT_ATTENDED,
        lambda: survey_submit(actor=colleague, registration=attended, rating=3, useful=True),
    )
    _refused(
        EventErrorCode.NOT_ATTENDED,
        lambda: survey_submit(actor=colleague, registration=no_show, rating=3, useful=True),
    )


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("rating", {"rating": 0}),
        ("rating", {"rating": 6}),
        ("rating", {"rating": None}),
        ("met_partner", {"met_partner": "あ" * 201}),
        ("comment", {"comment": "あ" * 1001}),
    ],
)
def test_bad_answers_are_refused(lab, field, values):
    event = _ended(lab)
    _, person = make_member()
    registration = register(event, person, status=R.ATTENDED)
    answer = {"rating": 3, "useful": True, **values}
    error = _refused(
        EventErrorCode.SURVEY_INVALID,
        lambda: survey_submit(actor=person, registration=registration, **answer),
    )
    assert field in error.fields


def test_staff_read_the_answers_summarised(lab, staff):
    event = _ended(lab)
    answers = [
        (5, True, "テストITソリューションズ (在庫管理)", "良かった"),
        (4, True, "", ""),
        (2, False, "大森精機 (治具の共同開発)", ""),
    ]
    for rating, useful, partner, comment in answers:
        registration = register(event, make_member()[1], status=R.ATTENDED)
        answer_survey(
            registration, rating=rating, useful=useful, met_partner=partner, comment=comment
        )
    summary = survey_summary(staff, event)
    assert (summary.count, summary.average, summary.useful) == (3, 3.7, 2)
    assert [a.met_partner for a in summary.partners] == [
        "テストITソリューションズ (在庫管理)",
        "大森精機 (治具の共同開発)",
    ]
    assert [a.comment for a in summary.comments] == ["良かった"]
    # Another ward's staff and the ward's officers read no answers.
    for other in (
        WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(SUMIDA)).user,
        WardRoleFactory(role=WardRole.OFFICER).user,
        make_member()[1],
    ):
        assert survey_summary(other, event).count == 0
