"""Checking in with a session's code (the QR code on the screen of the session): what the
check-in page shows the caller (the session, when check-in is open, the attendance already
recorded, or why they cannot check in), and the check-in itself. A code that names no
session is not found; someone who holds no seat in the session's cohort is refused (403),
as on the page."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Query, Schema
from pydantic import Field

from machikoba.core.errors import ApplicationError
from machikoba.programs.api._router import router
from machikoba.programs.api.participant import ProgramsAttendanceOut, attendance_out
from machikoba.programs.selectors import sessions as session_selectors
from machikoba.programs.services import attendance as attendance_services


class CheckinIn(Schema):
    code: str = Field(min_length=1, max_length=40, description="the code of the session's QR")


class ProgramsCheckinQuery(Schema):
    code: str = Field(min_length=1, max_length=40, description="the code of the session's QR")


class ProgramsRefusalOut(Schema):
    code: str
    message: str


class ProgramsCheckinSessionOut(Schema):
    id: int
    number: int
    title: str
    program_name: str
    cohort_name: str
    place: str
    when: str = Field(description="the session's day and times, as the page prints them")


class ProgramsCheckinPageOut(Schema):
    session: ProgramsCheckinSessionOut
    opens: dt.datetime = Field(description="check-in opens")
    closes: dt.datetime = Field(description="check-in closes")
    is_open: bool
    application_id: int
    attendance: ProgramsAttendanceOut | None = Field(description="already recorded")
    refusal: ProgramsRefusalOut | None = Field(
        description="why the caller cannot check in now (else the check-in would be taken)"
    )


@router.get(
    "/checkin",
    response=ProgramsCheckinPageOut,
    summary="What a session's check-in code shows the caller (the check-in page)",
)
def programs_checkin_page(request, query: Query[ProgramsCheckinQuery]):
    page = session_selectors.checkin_page(request.user, query.code)
    if page is None:
        raise Http404
    if page.application is None:
        # Not a participant: the page answers 403 with the reason, so does the API.
        refusal = page.refusal
        if refusal is None:  # pragma: no cover - checkin_refusal always names one
            raise Http404
        raise refusal
    session = page.session
    return ProgramsCheckinPageOut(
        session=ProgramsCheckinSessionOut(
            id=session.pk,
            number=session.number,
            title=session.title,
            program_name=session.cohort.program.name,
            cohort_name=session.cohort.name,
            place=session.place,
            when=page.when,
        ),
        opens=page.opens,
        closes=page.closes,
        is_open=page.is_open,
        application_id=page.application.pk,
        attendance=attendance_out(page.attendance) if page.attendance is not None else None,
        refusal=_refusal_out(page.refusal),
    )


def _refusal_out(refusal: ApplicationError | None) -> ProgramsRefusalOut | None:
    if refusal is None:
        return None
    return ProgramsRefusalOut(code=str(refusal.code), message=str(refusal.message))


@router.post("/checkin", response=ProgramsAttendanceOut, summary="Check in with a session's code")
def programs_checkin(request, payload: CheckinIn):
    page = session_selectors.checkin_page(request.user, payload.code)
    if page is None:
        raise Http404
    attendance = attendance_services.attendance_check_in(actor=request.user, code=payload.code)
    return attendance_out(attendance)
