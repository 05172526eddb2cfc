"""Writes of attendance: the participant's QR check-in at the venue, the roll-call by an
instructor or the ward's officer (late arrivals, excused absences), and a fresh check-in
code for a session.

The check-in code is shown on the instructor's screen as a QR code and is accepted only
from ``CHECKIN_OPENS_BEFORE`` before the session until it ends; an arrival more than
``LATE_AFTER`` after the start is late. Checking in twice returns the first record.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import MANAGE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.programs.choices import (
    ATTENDED_STATUSES,
    ApplicationStatus,
    AttendanceMethod,
    AttendanceStatus,
)
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Application, Attendance, Session
from machikoba.programs.selectors.participant import (
    CHECKIN_OPENS_BEFORE,
    LATE_AFTER,
    checkin_window,
)
from machikoba.programs.selectors.sessions import checkin_refusal, session_for_code

__all__ = [
    "CHECKIN_OPENS_BEFORE",
    "LATE_AFTER",
    "attendance_check_in",
    "attendance_record",
    "session_rotate_code",
]

AUDITED = ["status", "method", "note"]


def _new_code() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def attendance_check_in(*, actor: User, code: str, now: dt.datetime | None = None) -> Attendance:
    """``actor`` checks in to the session whose code they scanned: present until
    ``LATE_AFTER`` past its start, late after that. Only an accepted participant of the
    session's cohort, only inside the window; a second scan returns the first record."""
    now = now or timezone.now()
    session = session_for_code((code or "").strip())
    if session is None:
        raise ApplicationError(
            ProgramErrorCode.CHECKIN_CODE_UNKNOWN,
            _(
                "このコードの講義回は見つかりません。講師の画面の QR コードを"
                "もう一度読み取ってください。"
            ),
            status_code=404,
        )
    application = (
        Application.objects.select_for_update()
        .filter(cohort_id=session.cohort_id, participant=actor, status=ApplicationStatus.ACCEPTED)
        .first()
    )
    refusal = checkin_refusal(session, application, now)
    if refusal is not None or application is None:
        raise refusal or ApplicationError(ProgramErrorCode.CHECKIN_NOT_PARTICIPANT, "")
    existing = Attendance.objects.filter(session=session, application=application).first()
    if existing is not None and existing.status in ATTENDED_STATUSES:
        return existing  # a second scan, a double tap: the first record stands
    status = (
        AttendanceStatus.PRESENT if now <= session.starts_at + LATE_AFTER else AttendanceStatus.LATE
    )
    attendance = existing or Attendance(session=session, application=application)
    before = snapshot(attendance, AUDITED) if existing else None
    attendance.status = status
    attendance.method = AttendanceMethod.QR
    attendance.recorded_at = now
    attendance.recorded_by = actor
    full_clean_or_raise(attendance, code=ProgramErrorCode.ATTENDANCE_INVALID)
    attendance.save()
    audit_record(
        actor=actor,
        verb="programs.attendance.check_in",
        target=attendance,
        company=application.company,
        before=before,
        after=snapshot(attendance, AUDITED),
    )
    return attendance


@transaction.atomic
def attendance_record(
    *,
    actor: User,
    session: Session,
    application: Application,
    status: str,
    note: str = "",
) -> Attendance:
    """An instructor of the cohort or an officer of the ward records (or corrects) one
    participant's attendance at ``session``: present, late, excused or absent, with a
    note. Only an accepted participant of that session's cohort; attending is recorded
    only once the session's check-in has opened (an excused absence may be noted
    ahead)."""
    if (
        not Session.objects.for_user(actor, MANAGE).filter(pk=session.pk).exists()
        or not Application.objects.for_user(actor, MANAGE).filter(pk=application.pk).exists()
    ):
        raise PermissionRefused(
            ProgramErrorCode.ATTENDANCE_NOT_ALLOWED,
            _("出欠を記録できるのは、この期の講師と、講座を実施する区の職員だけです。"),
        )
    application = Application.objects.select_for_update().get(pk=application.pk)
    if (
        application.cohort_id != session.cohort_id
        or application.status != ApplicationStatus.ACCEPTED
    ):
        raise ApplicationError(
            ProgramErrorCode.ATTENDANCE_NOT_PARTICIPANT,
            _("%(person)s さん (%(company)s) はこの講義回の受講者ではありません。")
            % {
                "person": application.participant.get_full_name(),
                "company": application.company.name,
            },
        )
    if status not in AttendanceStatus.values:
        message = _("出欠を選んでください。")
        raise ApplicationError(
            ProgramErrorCode.ATTENDANCE_INVALID, message, fields={"status": [message]}
        )
    now = timezone.now()
    opens, _closes = checkin_window(session)
    if status != AttendanceStatus.EXCUSED and now < opens:
        raise ApplicationError(
            ProgramErrorCode.ATTENDANCE_INVALID,
            _(
                "まだ始まっていない講義回の出欠は記録できません (届出のある欠席だけは"
                "前もって記録できます)。"
            ),
        )
    existing = Attendance.objects.filter(session=session, application=application).first()
    attendance = existing or Attendance(session=session, application=application)
    before = snapshot(attendance, AUDITED) if existing else None
    attendance.status = status
    attendance.method = AttendanceMethod.ROLL_CALL
    attendance.note = (note or "").strip()
    attendance.recorded_at = now
    attendance.recorded_by = actor
    full_clean_or_raise(attendance, code=ProgramErrorCode.ATTENDANCE_INVALID)
    attendance.save()
    audit_record(
        actor=actor,
        verb="programs.attendance.record",
        target=attendance,
        company=application.company,
        before=before,
        after=snapshot(attendance, AUDITED),
    )
    return attendance


@transaction.atomic
def session_rotate_code(*, actor: User, session: Session) -> Session:
    """A new check-in code for ``session`` (the old one, photographed and passed on,
    stops working at once). Its instructors and the ward's officers only."""
    if not Session.objects.for_user(actor, MANAGE).filter(pk=session.pk).exists():
        raise PermissionRefused(
            ProgramErrorCode.ATTENDANCE_NOT_ALLOWED,
            _(
                "チェックインコードを変えられるのは、この期の講師と、講座を実施する区の職員だけです。"
            ),
        )
    session = Session.objects.select_for_update().get(pk=session.pk)
    session.checkin_code = _new_code()
    full_clean_or_raise(session, code=ProgramErrorCode.ATTENDANCE_INVALID)
    session.save(update_fields=["checkin_code", "updated_at"])
    audit_record(actor=actor, verb="programs.session.rotate_code", target=session)
    return session
