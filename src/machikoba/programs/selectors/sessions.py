"""Reads of a session's day: the check-in page a participant's phone opens from the QR
code, and the instructor's (or officer's) session screen with that QR code and the roll.
The check-in window and the wording are in ``selectors.participant``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import (
    MANAGE,
)
from machikoba.core.dates import format_datetime
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.qr import qr_svg
from machikoba.programs.choices import (
    ApplicationStatus,
    AttendanceStatus,
)
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Application, Attendance, Session
from machikoba.programs.selectors.participant import (
    CHECKIN_CODE_MAX_LENGTH,
    checkin_is_open,
    checkin_window,
    session_label,
    session_when,
)

# --- the check-in page a QR code opens ------------------------------------------------------


def session_for_code(code: str) -> Session | None:
    """The session a check-in code names, or None. The code is the key here (it is
    printed on the instructor's screen); what the holder may do is checked after."""
    if not code or len(code) > CHECKIN_CODE_MAX_LENGTH:
        return None
    return (
        Session.objects.select_related("cohort", "cohort__program")
        .filter(checkin_code=code)
        .first()
    )


@dataclass(frozen=True)
class CheckinPage:
    session: Session
    when: str
    opens: dt.datetime
    closes: dt.datetime
    is_open: bool
    application: Application | None
    attendance: Attendance | None
    refusal: ApplicationError | None


def checkin_refusal(
    session: Session, application: Application | None, now: dt.datetime
) -> ApplicationError | None:
    """Why the check-in of ``application`` (None: the person holds no seat) at
    ``session`` is refused now, or None."""
    if application is None:
        return PermissionRefused(
            ProgramErrorCode.CHECKIN_NOT_PARTICIPANT,
            _(
                "あなたは「%(program)s %(cohort)s」の受講者ではないため、出席を記録できません。"
                "受講が決まった方のスマートフォンで読み取ってください。"
            )
            % {"program": session.cohort.program.name, "cohort": session.cohort.name},
        )
    if not checkin_is_open(session, now):
        opens, closes = checkin_window(session)
        return ApplicationError(
            ProgramErrorCode.CHECKIN_OUTSIDE_WINDOW,
            _(
                "このコードは受付時間外です。%(session)s の出席の受付は "
                "%(opens)s から %(closes)s までです。"
            )
            % {
                "session": session_label(session),
                "opens": format_datetime(opens),
                "closes": format_datetime(closes),
            },
        )
    return None


def participant_application(user: User, session: Session) -> Application | None:
    """The user's accepted seat in the session's cohort, if any."""
    return (
        Application.objects.filter(
            cohort_id=session.cohort_id, participant=user, status=ApplicationStatus.ACCEPTED
        )
        .select_related("company")
        .first()
    )


def checkin_page(user: User, code: str) -> CheckinPage | None:
    """What the check-in link shows ``user``: the session, and either the big button,
    the attendance already recorded, or why they cannot check in. None for a code that
    names no session."""
    session = session_for_code(code)
    if session is None:
        return None
    now = timezone.now()
    application = participant_application(user, session)
    attendance = None
    if application is not None:
        attendance = Attendance.objects.filter(session=session, application=application).first()
    opens, closes = checkin_window(session)
    return CheckinPage(
        session=session,
        when=session_when(session),
        opens=opens,
        closes=closes,
        is_open=opens <= now <= closes,
        application=application,
        attendance=attendance,
        refusal=checkin_refusal(session, application, now),
    )


# --- the instructor's session screen ------------------------------------------------------


def checkin_url(session: Session) -> str:
    """The absolute address the session's QR code carries."""
    return settings.MACHIKOBA_SITE_URL.rstrip("/") + reverse(
        "programs:checkin", args=[session.checkin_code]
    )


@dataclass(frozen=True)
class RollRow:
    application: Application
    attendance: Attendance | None

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.attendance else None


@dataclass(frozen=True)
class SessionPage:
    session: Session
    when: str
    opens: dt.datetime
    closes: dt.datetime
    is_open: bool
    url: str
    qr: SafeString
    roll: list[RollRow]
    statuses: list[tuple[str, str]]

    @property
    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(AttendanceStatus.values, 0)
        for row in self.roll:
            if row.status:
                result[row.status] += 1
        return result

    @property
    def unrecorded(self) -> int:
        return sum(1 for row in self.roll if row.status is None)


def session_page(user: User, session: Session) -> SessionPage:
    """The screen an instructor (or officer) runs a session from: the check-in QR code,
    the window it works in, and the roll of the cohort's accepted participants with what
    is recorded for each."""
    now = timezone.now()
    applications = list(
        Application.objects.for_user(user, MANAGE)
        .filter(cohort_id=session.cohort_id, status=ApplicationStatus.ACCEPTED)
        .select_related("company", "participant")
        .order_by("company__name_kana", "company__name", "pk")
    )
    recorded = {
        a.application_id: a
        for a in Attendance.objects.for_user(user, MANAGE).filter(session=session)
    }
    opens, closes = checkin_window(session)
    url = checkin_url(session)
    label = _("%(session)s の出席受付の QR コード") % {"session": session_label(session)}
    return SessionPage(
        session=session,
        when=session_when(session),
        opens=opens,
        closes=closes,
        is_open=opens <= now <= closes,
        url=url,
        qr=qr_svg(url, label=label, testid="session-qr", width=280),
        roll=[RollRow(application=a, attendance=recorded.get(a.pk)) for a in applications],
        statuses=[(value, str(label)) for value, label in AttendanceStatus.choices],
    )
