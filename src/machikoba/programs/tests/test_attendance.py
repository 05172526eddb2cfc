"""QR check-in and roll-call: the code works only for an accepted participant of the
session's cohort and only in the session's window (present, then late after 15 minutes);
a second scan returns the first record; roll-call is the cohort's instructors' and the
ward's officers', for the session's participants only, and corrects an earlier record."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, MembershipFactory, WardRoleFactory, ward
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    make_instructor,
    make_owner,
    session_now,
)
from machikoba.programs.choices import ApplicationStatus, AttendanceMethod, AttendanceStatus
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Attendance, Session
from machikoba.programs.services.attendance import (
    CHECKIN_OPENS_BEFORE,
    LATE_AFTER,
    attendance_check_in,
    attendance_record,
    session_rotate_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat():
    """An accepted owner of a cohort whose first session starts now."""
    cohort = CohortFactory()
    company, owner = make_owner()
    application = ApplicationFactory(cohort=cohort, company=company, participant=owner)
    session = session_now(cohort)
    return session, application


def _refused(call, code, *fragments):
    rows = list(Attendance.objects.values_list("pk", "status", "note"))
    audits = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    for fragment in fragments:
        assert fragment in str(caught.value.message), caught.value.message
    assert list(Attendance.objects.values_list("pk", "status", "note")) == rows
    assert AuditEvent.objects.count() == audits
    return str(caught.value.message)


# --- QR check-in ---------------------------------------------------------------------------


def test_checking_in_on_time_is_present_and_audited(seat):
    session, application = seat
    at = session.starts_at - dt.timedelta(minutes=10)
    attendance = attendance_check_in(
        actor=application.participant, code=session.checkin_code, now=at
    )
    assert attendance.status == AttendanceStatus.PRESENT
    assert attendance.method == AttendanceMethod.QR
    assert attendance.recorded_by == application.participant
    assert attendance.recorded_at == at
    event = AuditEvent.objects.get(verb="programs.attendance.check_in")
    assert event.company == application.company


@pytest.mark.parametrize(
    ("minutes", "status"),
    [
        (-30, AttendanceStatus.PRESENT),  # the window opens
        (15, AttendanceStatus.PRESENT),  # the last minute on time
        (16, AttendanceStatus.LATE),
        (120, AttendanceStatus.LATE),  # the session's end
    ],
)
def test_the_window_and_lateness(seat, minutes, status):
    session, application = seat
    at = session.starts_at + dt.timedelta(minutes=minutes)
    attendance = attendance_check_in(
        actor=application.participant, code=session.checkin_code, now=at
    )
    assert attendance.status == status
    assert dt.timedelta(minutes=30) == CHECKIN_OPENS_BEFORE
    assert dt.timedelta(minutes=15) == LATE_AFTER


@pytest.mark.parametrize("minutes", [-31, 121, 60 * 24 * 7])
def test_a_code_outside_its_window_is_refused_naming_the_sessions_time(seat, minutes):
    session, application = seat
    message = _refused(
        lambda: attendance_check_in(
            actor=application.participant,
            code=session.checkin_code,
            now=session.starts_at + dt.timedelta(minutes=minutes),
        ),
        ProgramErrorCode.CHECKIN_OUTSIDE_WINDOW,
        "このコードは受付時間外です",
        f"第{session.number}回",
    )
    opens = timezone.localtime(session.starts_at - CHECKIN_OPENS_BEFORE)
    assert f"{opens:%Y/%m/%d %H:%M}" in message


def test_the_code_of_another_sessions_is_refused_outside_its_own_window(seat):
    """Next week's code scanned today (a photo passed on) is outside that session's window."""
    session, application = seat
    later = session_now(session.cohort, starts_in_minutes=60 * 24 * 7, number=2)
    _refused(
        lambda: attendance_check_in(actor=application.participant, code=later.checkin_code),
        ProgramErrorCode.CHECKIN_OUTSIDE_WINDOW,
        "第2回",
    )


def test_the_code_of_another_cohorts_session_is_refused(seat):
    _session, application = seat
    elsewhere = session_now(CohortFactory())
    _refused(
        lambda: attendance_check_in(actor=application.participant, code=elsewhere.checkin_code),
        ProgramErrorCode.CHECKIN_NOT_PARTICIPANT,
        "受講者ではない",
    )


def test_an_unknown_code_is_refused(seat):
    _session, application = seat
    for code in ("nope", "", "x" * 200):
        _refused(
            lambda code=code: attendance_check_in(actor=application.participant, code=code),
            ProgramErrorCode.CHECKIN_CODE_UNKNOWN,
            "見つかりません",
        )


def test_people_without_an_accepted_seat_cannot_check_in(seat):
    session, application = seat
    colleague = MembershipFactory(company=application.company, role=CompanyRole.STAFF).user
    waiting = ApplicationFactory(cohort=session.cohort, status=ApplicationStatus.WAITLISTED)
    instructor = make_instructor(session.cohort)
    for actor in (colleague, waiting.participant, instructor):
        _refused(
            lambda actor=actor: attendance_check_in(actor=actor, code=session.checkin_code),
            ProgramErrorCode.CHECKIN_NOT_PARTICIPANT,
            "受講者ではない",
        )


def test_checking_in_twice_returns_the_first_record(seat):
    session, application = seat
    first = attendance_check_in(
        actor=application.participant, code=session.checkin_code, now=session.starts_at
    )
    again = attendance_check_in(
        actor=application.participant,
        code=session.checkin_code,
        now=session.starts_at + dt.timedelta(minutes=40),
    )
    assert again.pk == first.pk
    assert again.status == AttendanceStatus.PRESENT
    assert Attendance.objects.count() == 1
    assert AuditEvent.objects.filter(verb="programs.attendance.check_in").count() == 1


def test_an_arrival_after_being_marked_absent_replaces_the_absence(seat):
    session, application = seat
    officer = WardRoleFactory().user
    attendance_record(
        actor=officer, session=session, application=application, status=AttendanceStatus.ABSENT
    )
    late = attendance_check_in(
        actor=application.participant,
        code=session.checkin_code,
        now=session.starts_at + dt.timedelta(minutes=30),
    )
    assert late.status == AttendanceStatus.LATE
    assert late.method == AttendanceMethod.QR
    assert Attendance.objects.count() == 1


# --- roll-call -------------------------------------------------------------------------------


def test_an_instructor_takes_the_roll_and_corrects_it(seat):
    session, application = seat
    instructor = make_instructor(session.cohort)
    absent = attendance_record(
        actor=instructor,
        session=session,
        application=application,
        status=AttendanceStatus.ABSENT,
    )
    assert absent.method == AttendanceMethod.ROLL_CALL
    assert absent.recorded_by == instructor
    excused = attendance_record(
        actor=instructor,
        session=session,
        application=application,
        status=AttendanceStatus.EXCUSED,
        note=" 通院のため事前連絡あり ",
    )
    assert excused.pk == absent.pk
    row = Attendance.objects.get()
    assert (row.status, row.note) == (AttendanceStatus.EXCUSED, "通院のため事前連絡あり")
    events = AuditEvent.objects.filter(verb="programs.attendance.record").order_by("pk")
    assert [e.after["status"] for e in events] == ["absent", "excused"]
    assert events.last().before["status"] == "absent"


def test_an_officer_of_the_ward_records_attendance(seat):
    session, application = seat
    officer = WardRoleFactory().user
    row = attendance_record(
        actor=officer, session=session, application=application, status=AttendanceStatus.LATE
    )
    assert row.status == AttendanceStatus.LATE


def test_attendance_for_a_non_participant_is_refused(seat):
    session, _application = seat
    officer = WardRoleFactory().user
    other_cohorts = ApplicationFactory(cohort=CohortFactory())
    waiting = ApplicationFactory(cohort=session.cohort, status=ApplicationStatus.WAITLISTED)
    for target in (other_cohorts, waiting):
        _refused(
            lambda target=target: attendance_record(
                actor=officer, session=session, application=target, status="present"
            ),
            ProgramErrorCode.ATTENDANCE_NOT_PARTICIPANT,
            "受講者ではありません",
        )


def test_only_instructors_of_the_cohort_and_officers_of_the_ward_take_the_roll(seat):
    session, application = seat
    other_instructor = make_instructor(CohortFactory())
    sumida_officer = WardRoleFactory(municipality=ward(SUMIDA)).user
    for actor in (application.participant, other_instructor, sumida_officer):
        _refused(
            lambda actor=actor: attendance_record(
                actor=actor, session=session, application=application, status="present"
            ),
            ProgramErrorCode.ATTENDANCE_NOT_ALLOWED,
            "出欠を記録できるのは",
        )


def test_a_bad_status_a_long_note_and_a_future_attendance_are_refused(seat):
    session, application = seat
    officer = WardRoleFactory().user
    _refused(
        lambda: attendance_record(
            actor=officer, session=session, application=application, status="here"
        ),
        ProgramErrorCode.ATTENDANCE_INVALID,
        "出欠を選んでください",
    )
    _refused(
        lambda: attendance_record(
            actor=officer,
            session=session,
            application=application,
            status="excused",
            note="あ" * 201,
        ),
        ProgramErrorCode.ATTENDANCE_INVALID,
    )
    later = session_now(session.cohort, starts_in_minutes=60 * 24, number=2)
    _refused(
        lambda: attendance_record(
            actor=officer, session=later, application=application, status="present"
        ),
        ProgramErrorCode.ATTENDANCE_INVALID,
        "まだ始まっていない",
    )
    # An excused absence may be noted ahead.
    ahead = attendance_record(
        actor=officer, session=later, application=application, status="excused", note="出張"
    )
    assert ahead.status == AttendanceStatus.EXCUSED


# --- the code ----------------------------------------------------------------------------------


def test_a_new_code_retires_the_old_one(seat):
    session, application = seat
    old = session.checkin_code
    instructor = make_instructor(session.cohort)
    session_rotate_code(actor=instructor, session=session)
    new = Session.objects.get(pk=session.pk).checkin_code
    assert new != old
    assert len(new) >= 16
    _refused(
        lambda: attendance_check_in(actor=application.participant, code=old),
        ProgramErrorCode.CHECKIN_CODE_UNKNOWN,
    )
    assert attendance_check_in(actor=application.participant, code=new).status == "present"


def test_only_the_sessions_instructors_and_officers_renew_its_code(seat):
    session, application = seat
    with pytest.raises(ApplicationError) as caught:
        session_rotate_code(actor=application.participant, session=session)
    assert caught.value.code == ProgramErrorCode.ATTENDANCE_NOT_ALLOWED
    assert Session.objects.get(pk=session.pk).checkin_code == session.checkin_code
