"""The participant's side through the API: cohorts open to the company, applying, the
company's (and the participant's own) applications with their attendance, withdrawing
(declining, for the ward's officers), the session screen of its instructor (roll call, a
new check-in code), handouts, graduation certificates and the one-year follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.core.access import CHANGE, DELETE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import active_company_or_403, content_disposition
from machikoba.programs.api._router import router
from machikoba.programs.certificate_pdf import certificate_pdf
from machikoba.programs.choices import AttendanceStatus, InvestmentKind
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import (
    Application,
    Cohort,
    FollowUp,
    Graduation,
    Session,
    SessionMaterial,
)
from machikoba.programs.selectors import graduates as graduate_selectors
from machikoba.programs.selectors import participant as selectors
from machikoba.programs.selectors import sessions as session_selectors
from machikoba.programs.services import applications as application_services
from machikoba.programs.services import attendance as attendance_services
from machikoba.programs.services import follow_up as follow_up_services
from machikoba.programs.services import materials as material_services

# --- schemas ----------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    number: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    instructor_id: int | None


class CohortOut(Schema):
    id: int
    program_id: int
    program_name: str
    program_kind: str = Field(description="dojo (経営者) or leader (従業員)")
    participant_role: str = Field(description="owner or staff: who attends")
    ward: str
    fiscal_year: int
    name: str
    capacity: int
    accepted: int
    waitlisted: int
    seats_left: int
    applications_open_at: dt.datetime
    applications_close_at: dt.datetime
    sessions_count: int
    can_apply: bool = Field(description="the active company may apply now")
    refusal: str = Field(description="why it may not")
    my_application_ids: list[int]


class CohortDetailOut(CohortOut):
    description: str
    sessions: list[SessionOut]
    instructor_names: list[str]
    nominee_ids: list[int] = Field(description="people the company may nominate (staff course)")


class ApplyIn(Schema):
    motivation: str = Field("", max_length=2000)
    participant_id: BodyId | None = Field(
        None, description="the nominee on a staff course (the owner attends a dojo)"
    )


class AttendanceLineOut(Schema):
    session_id: int
    number: int
    starts_at: dt.datetime
    status: str | None = Field(description="present, late, excused, absent; empty before")
    past: bool


class ApplicationOut(Schema):
    id: int
    cohort_id: int
    cohort_name: str
    program_name: str
    company_id: int
    company_name: str
    participant_id: int
    participant_name: str
    status: str
    status_note: str
    motivation: str
    applied_at: dt.datetime
    waitlist_position: int | None
    attended: int
    sessions_total: int
    attendance: list[AttendanceLineOut]


class ApplicationDetailOut(ApplicationOut):
    can_withdraw: bool
    can_decline: bool
    graduation_id: int | None
    follow_up_id: int | None


class ProgramsReasonIn(Schema):
    reason: str = Field("", max_length=300)


class ProgramsDeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ProgramsAttendanceOut(Schema):
    session_id: int
    application_id: int
    status: str
    method: str
    recorded_at: dt.datetime
    note: str


class RollRowOut(Schema):
    application_id: int
    company_name: str
    participant_name: str
    status: str | None
    note: str


class SessionScreenOut(SessionOut):
    cohort_id: int
    checkin_url: str = Field(description="the address the QR code holds (secret while open)")
    checkin_opens: dt.datetime
    checkin_closes: dt.datetime
    checkin_open: bool
    roll: list[RollRowOut]


class RollIn(Schema):
    application_id: BodyId
    status: AttendanceStatus
    note: str = Field("", max_length=200)


class MaterialOut(Schema):
    id: int
    session_id: int
    title: str
    original_name: str
    mime: str
    size: int
    uploaded_at: dt.datetime


class MaterialIn(Schema):
    title: str = Field(min_length=1, max_length=120)


class FollowUpOut(Schema):
    id: int
    graduation_id: int
    due_on: dt.date
    can_answer: bool
    answered: bool
    answered_at: dt.datetime | None
    invested: bool | None
    invested_on: dt.date | None
    amount: int | None
    investment_kind: str
    description: str
    subsidy_reference: str


class ProgramsFollowUpIn(Schema):
    invested: bool
    invested_on: dt.date | None = None
    amount: int | None = Field(None, ge=0, le=10_000_000_000)
    investment_kind: Literal[tuple(InvestmentKind.values)] | Literal[""] = ""  # type: ignore[valid-type]
    description: str = Field("", max_length=500)
    subsidy_reference: str = Field("", max_length=40)


class CohortFilters(Schema):
    closed: bool = Field(False, description="include cohorts whose applications closed")


# --- helpers ----------------------------------------------------------------------------


def active_company(request):
    return getattr(request, "active_company", None) or None


def session_out(session: Session) -> SessionOut:
    return SessionOut(
        id=session.pk,
        number=session.number,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        online_url=session.online_url,
        instructor_id=session.instructor_id,
    )


def _cohort_fields(card: selectors.CohortCard) -> dict:
    cohort, program = card.cohort, card.program
    return {
        "id": cohort.pk,
        "program_id": program.pk,
        "program_name": program.name,
        "program_kind": program.kind,
        "participant_role": program.participant_role,
        "ward": program.municipality.display_name,
        "fiscal_year": cohort.fiscal_year,
        "name": cohort.name,
        "capacity": cohort.capacity,
        "accepted": card.accepted,
        "waitlisted": card.waitlisted,
        "seats_left": card.seats_left,
        "applications_open_at": cohort.applications_open_at,
        "applications_close_at": cohort.applications_close_at,
        "sessions_count": card.sessions,
        "can_apply": card.can_apply,
        "refusal": str(card.refusal.message) if card.refusal else "",
        "my_application_ids": [a.pk for a in card.mine],
    }


def _cohort_detail(request, cohort: Cohort) -> CohortDetailOut:
    page = selectors.cohort_page(request.user, cohort, active_company(request))
    return CohortDetailOut(
        **_cohort_fields(page.card),
        description=page.card.program.description,
        sessions=[session_out(line.session) for line in page.sessions],
        instructor_names=[u.get_full_name() for u in page.instructors],
        nominee_ids=[u.pk for u in page.nominees],
    )


def _application_fields(mine: selectors.MyApplication) -> dict:
    a = mine.application
    return {
        "id": a.pk,
        "cohort_id": a.cohort_id,
        "cohort_name": a.cohort.name,
        "program_name": a.cohort.program.name,
        "company_id": a.company_id,
        "company_name": a.company.name,
        "participant_id": a.participant_id,
        "participant_name": a.participant.get_full_name(),
        "status": a.status,
        "status_note": a.status_note,
        "motivation": a.motivation,
        "applied_at": a.applied_at,
        "waitlist_position": mine.position,
        "attended": mine.attended,
        "sessions_total": mine.sessions_total,
        "attendance": [
            AttendanceLineOut(
                session_id=line.session.pk,
                number=line.session.number,
                starts_at=line.session.starts_at,
                status=line.status,
                past=line.past,
            )
            for line in mine.attendance
        ],
    }


def application_detail(request, application: Application) -> ApplicationDetailOut:
    page = selectors.application_page(request.user, application)
    return ApplicationDetailOut(
        **_application_fields(page.mine),
        can_withdraw=page.can_withdraw,
        can_decline=page.can_decline,
        graduation_id=page.graduation.pk if page.graduation else None,
        follow_up_id=page.follow_up.pk if page.follow_up else None,
    )


def _application(request, application_id: int, action: str) -> Application:
    return get_for_user_or_404(
        Application.objects.select_related("cohort", "cohort__program", "company", "participant"),
        request.user,
        action,
        pk=application_id,
    )


def attendance_out(row) -> ProgramsAttendanceOut:
    return ProgramsAttendanceOut(
        session_id=row.session_id,
        application_id=row.application_id,
        status=row.status,
        method=row.method,
        recorded_at=row.recorded_at,
        note=row.note,
    )


def _managed_session(request, session_id: int) -> Session:
    return get_for_user_or_404(
        Session.objects.select_related("cohort", "cohort__program", "instructor"),
        request.user,
        MANAGE,
        pk=session_id,
    )


def _session_screen(request, session: Session) -> SessionScreenOut:
    page = session_selectors.session_page(request.user, session)
    return SessionScreenOut(
        **session_out(session).dict(),
        cohort_id=session.cohort_id,
        checkin_url=page.url,
        checkin_opens=page.opens,
        checkin_closes=page.closes,
        checkin_open=page.is_open,
        roll=[
            RollRowOut(
                application_id=row.application.pk,
                company_name=row.application.company.name,
                participant_name=row.application.participant.get_full_name(),
                status=row.attendance.status if row.attendance else None,
                note=row.attendance.note if row.attendance else "",
            )
            for row in page.roll
        ],
    )


def _material_out(item: SessionMaterial) -> MaterialOut:
    return MaterialOut(
        id=item.pk,
        session_id=item.session_id,
        title=item.title,
        original_name=item.original_name,
        mime=item.mime,
        size=item.size,
        uploaded_at=item.uploaded_at,
    )


def _follow_up_out(request, row: FollowUp) -> FollowUpOut:
    page = graduate_selectors.follow_up_page(request.user, row)
    return FollowUpOut(
        id=row.pk,
        graduation_id=row.graduation_id,
        due_on=row.due_on,
        can_answer=page.can_answer,
        answered=page.answered,
        answered_at=row.answered_at,
        invested=row.invested,
        invested_on=row.invested_on,
        amount=row.amount,
        investment_kind=row.investment_kind,
        description=row.description,
        subsidy_reference=row.subsidy_reference,
    )


# --- cohorts and applying -------------------------------------------------------------------


@router.get(
    "/cohorts", response=Page[CohortOut], summary="Cohorts open to apply to (soonest closing first)"
)
def programs_cohorts(request, params: Query[PageParams]):
    cards = selectors.open_cohorts(request.user, active_company(request))
    return page_of(cards, params, lambda card: CohortOut(**_cohort_fields(card)))


@router.get("/cohorts/{cohort_id}", response=CohortDetailOut, summary="A cohort")
def programs_cohort(request, cohort_id: PathId):
    return _cohort_detail(request, get_for_user_or_404(Cohort, request.user, VIEW, pk=cohort_id))


@router.post(
    "/cohorts/{cohort_id}/applications",
    response={201: ApplicationDetailOut},
    summary="Apply for the active company (accepted, or on the waitlist)",
)
def programs_apply(request, cohort_id: PathId, payload: ApplyIn):
    company = active_company_or_403(request)
    cohort = get_for_user_or_404(Cohort, request.user, VIEW, pk=cohort_id)
    page = selectors.cohort_page(request.user, cohort, company)
    participant = None
    if page.staff_course:
        participant = next((u for u in page.nominees if u.pk == payload.participant_id), None)
        applied = next(
            (a for a in page.card.mine if a.participant_id == payload.participant_id), None
        )
        if participant is None and applied is not None:
            # One of the company's people who has applied already: the state, not the field.
            raise ApplicationError(
                ProgramErrorCode.APPLICATION_DUPLICATE,
                _("%(person)s さんはこの期にすでに申し込んでいます。")
                % {"person": applied.participant.get_full_name()},
            )
        if participant is None:
            raise ApplicationError(
                ProgramErrorCode.APPLICATION_PARTICIPANT_INVALID,
                _participant_message(),
                fields={"participant_id": [_participant_message()]},
            )
    application = application_services.application_submit(
        actor=request.user,
        cohort=cohort,
        company=company,
        participant=participant,
        motivation=payload.motivation,
    )
    return Status(201, application_detail(request, _application(request, application.pk, VIEW)))


def _participant_message() -> str:
    return _("受講する人を選んでください。")


@router.get(
    "/applications",
    response=Page[ApplicationOut],
    summary="The company's applications and the caller's own as a participant",
)
def programs_applications(request, params: Query[PageParams]):
    rows = selectors.my_applications(request.user, active_company(request))
    return page_of(rows, params, lambda mine: ApplicationOut(**_application_fields(mine)))


@router.get(
    "/applications/{application_id}", response=ApplicationDetailOut, summary="An application"
)
def programs_application(request, application_id: PathId):
    return application_detail(request, _application(request, application_id, VIEW))


@router.post(
    "/applications/{application_id}/withdraw",
    response=ApplicationDetailOut,
    summary="Withdraw an application (the company)",
)
def programs_application_withdraw(request, application_id: PathId, payload: ProgramsReasonIn):
    row = _application(request, application_id, CHANGE)
    application_services.application_withdraw(
        actor=request.user, application=row, reason=payload.reason
    )
    return application_detail(request, _application(request, application_id, VIEW))


@router.post(
    "/applications/{application_id}/decline",
    response=ApplicationDetailOut,
    summary="Decline an application (the ward's officers)",
)
def programs_application_decline(request, application_id: PathId, payload: ProgramsDeclineIn):
    row = _application(request, application_id, MANAGE)
    application_services.application_decline(
        actor=request.user, application=row, reason=payload.reason
    )
    return application_detail(request, _application(request, application_id, VIEW))


# --- the session screen (check-in: ``checkin.py``) ------------------------------------------


@router.get(
    "/sessions/{session_id}",
    response=SessionScreenOut,
    summary="A session's screen: check-in code and roll (instructors, officers)",
)
def programs_session(request, session_id: PathId):
    response = _session_screen(request, _managed_session(request, session_id))
    return response


@router.post(
    "/sessions/{session_id}/roll",
    response=ProgramsAttendanceOut,
    summary="Record one participant's attendance",
)
def programs_roll_call(request, session_id: PathId, payload: RollIn):
    session = _managed_session(request, session_id)
    target = get_for_user_or_404(
        Application.objects.select_related("participant"),
        request.user,
        MANAGE,
        pk=payload.application_id,
    )
    attendance = attendance_services.attendance_record(
        actor=request.user,
        session=session,
        application=target,
        status=payload.status,
        note=payload.note,
    )
    return attendance_out(attendance)


@router.post(
    "/sessions/{session_id}/code",
    response=SessionScreenOut,
    summary="A new check-in code (the old QR code stops working)",
)
def programs_session_code_rotate(request, session_id: PathId):
    session = _managed_session(request, session_id)
    session = attendance_services.session_rotate_code(actor=request.user, session=session)
    return _session_screen(request, session)


# --- handouts ---------------------------------------------------------------------------------


@router.get(
    "/sessions/{session_id}/materials", response=list[MaterialOut], summary="A session's handouts"
)
def programs_materials(request, session_id: PathId):
    session = get_for_user_or_404(Session, request.user, VIEW, pk=session_id)
    rows = SessionMaterial.objects.for_user(request.user, VIEW).filter(session=session)
    return [_material_out(item) for item in rows.order_by("pk")]


@router.post(
    "/sessions/{session_id}/materials",
    response={201: MaterialOut},
    summary="Upload a handout: PDF, PNG or JPEG (officers, the cohort's instructors)",
)
def programs_material_upload(
    request, session_id: PathId, payload: Form[MaterialIn], file: File[UploadedFile]
):
    session = get_for_user_or_404(
        Session.objects.select_related("cohort__program"), request.user, CHANGE, pk=session_id
    )
    if file.size and file.size > material_services.material_max_bytes():
        message = material_services.material_too_large_message(file.size)
        raise ApplicationError(
            ProgramErrorCode.OFFICE_MATERIAL_INVALID,
            message,
            fields={"file": [message]},
            status_code=413,
        )
    item = material_services.material_upload(
        actor=request.user, session=session, title=payload.title, file=file
    )
    return Status(201, _material_out(item))


@router.get(
    "/materials/{material_id}",
    response={200: bytes},
    summary="Download a handout",
    # A handout is a PDF or a picture (the upload is checked from its content).
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in ("application/pdf", "image/png", "image/jpeg")
                }
            }
        }
    },
)
def programs_material(request, material_id: PathId):
    item = get_for_user_or_404(SessionMaterial, request.user, VIEW, pk=material_id)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.mime,
    )
    response["Content-Disposition"] = content_disposition(item.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete("/materials/{material_id}", response={204: None}, summary="Delete a handout")
def programs_material_delete(request, material_id: PathId):
    item = get_for_user_or_404(SessionMaterial, request.user, DELETE, pk=material_id)
    material_services.material_delete(actor=request.user, material=item)
    return Status(204, None)


# --- graduation certificates and follow-ups --------------------------------------------------


@router.get(
    "/graduations/{graduation_id}/certificate.pdf",
    summary="A graduation certificate (PDF): the company's owner and staff, the cohort's"
    " instructors, the ward's officers (as the page)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the certificate (PDF)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def programs_certificate(request, graduation_id: PathId):
    graduation = get_for_user_or_404(Graduation, request.user, VIEW, pk=graduation_id)
    full = graduate_selectors.graduation_for_certificate(graduation)
    response = HttpResponse(certificate_pdf(full), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        _("修了証_%(code)s.pdf") % {"code": full.certificate_code}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/follow-ups/{follow_up_id}", response=FollowUpOut, summary="A one-year follow-up")
def programs_follow_up(request, follow_up_id: PathId):
    row = get_for_user_or_404(
        FollowUp.objects.select_related("graduation"), request.user, VIEW, pk=follow_up_id
    )
    return _follow_up_out(request, row)


@router.put(
    "/follow-ups/{follow_up_id}", response=FollowUpOut, summary="Answer the follow-up (the company)"
)
def programs_follow_up_answer(request, follow_up_id: PathId, payload: ProgramsFollowUpIn):
    row = get_for_user_or_404(
        FollowUp.objects.select_related("graduation"), request.user, CHANGE, pk=follow_up_id
    )
    row = follow_up_services.follow_up_answer(
        actor=request.user,
        follow_up=row,
        invested=payload.invested,
        invested_on=payload.invested_on,
        amount=payload.amount,
        investment_kind=payload.investment_kind,
        description=payload.description,
        subsidy_reference=payload.subsidy_reference,
    )
    return _follow_up_out(request, row)
