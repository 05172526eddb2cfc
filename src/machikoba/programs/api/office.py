"""The ward office's side through the API: its programmes and cohorts, creating and
changing them, instructors and sessions, graduation (preview and run), and the reports
(funnel, attendance grid, overdue). Officers only (anyone else: 403); another ward's
programme or cohort is not found. Graduation is run by the cohort's instructors too."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import AnyHttpUrl, AwareDatetime, ConfigDict, Field

from machikoba.accounts.rules import is_ward_officer
from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.api_fields import SOME_TEXT
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId, PathId
from machikoba.programs.api._router import router
from machikoba.programs.api.participant import SessionOut, session_out
from machikoba.programs.choices import ParticipantRole, ProgramKind
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Cohort, Program, Session
from machikoba.programs.selectors import graduates as graduate_selectors
from machikoba.programs.selectors import office as selectors
from machikoba.programs.services import graduation as graduation_services
from machikoba.programs.services import programs as services
from machikoba.wards.models import Municipality
from machikoba.wards.selectors import municipalities, served_municipalities

# --- schemas ----------------------------------------------------------------------------


class CohortSummaryOut(Schema):
    id: int
    fiscal_year: int
    name: str
    capacity: int
    accepted: int
    waitlisted: int
    applications_open_at: dt.datetime
    applications_close_at: dt.datetime


class ProgramOut(Schema):
    id: int
    ward: str
    ward_name: str
    kind: str
    name: str
    description: str
    participant_role: str
    wards_only: bool = Field(description="open to the wards' companies only")
    max_per_company: int
    min_sessions_attended: int = Field(description="sessions needed to graduate")
    requires_plan_accepted: bool
    partner_ward_ids: list[int]
    cohorts: list[CohortSummaryOut]


class ProgramIn(Schema):
    kind: ProgramKind
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    participant_role: ParticipantRole
    wards_only: bool = False
    max_per_company: int = Field(1, ge=1, le=50)
    min_sessions_attended: int = Field(4, ge=0, le=50)
    requires_plan_accepted: bool = False
    partner_ward_ids: list[BodyId] = Field(default_factory=list, max_length=23)


class ProgramCreateIn(ProgramIn):
    municipality_id: BodyId = Field(description="the lead ward: one the caller serves")


class CohortIn(Schema):
    fiscal_year: int = Field(ge=2000, le=2100)
    name: str = Field(min_length=1, max_length=80)
    capacity: int = Field(ge=1, le=500)
    applications_open_at: AwareDatetime
    applications_close_at: AwareDatetime


class ApplicationRowOut(Schema):
    id: int
    company_id: int
    company_name: str
    participant_name: str
    status: str
    applied_at: dt.datetime
    waitlist_position: int | None


class CohortOfficeOut(CohortSummaryOut):
    program_id: int
    program_name: str
    instructor_ids: list[int]
    sessions: list[SessionOut]
    applications: list[ApplicationRowOut]


class InstructorsIn(Schema):
    instructor_ids: list[BodyId] = Field(default_factory=list, max_length=50)


class SessionIn(Schema):
    """A session takes place somewhere: a place, an online URL, or both."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["place"], "properties": {"place": {"pattern": SOME_TEXT}}},
                {"required": ["online_url"], "properties": {"online_url": {"type": "string"}}},
            ]
        }
    )

    number: int = Field(ge=1, le=50)
    title: str = Field(min_length=1, max_length=120)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = Field("", max_length=200)
    online_url: AnyHttpUrl | None = Field(None, max_length=200)
    instructor_id: BodyId | None = None


class ProgramsCandidateOut(Schema):
    application_id: int
    company_name: str
    participant_name: str
    attended: int
    total: int
    plan_accepted: bool
    needs_plan: bool
    missing_sessions: int
    graduation_id: int | None


class GraduationOut(Schema):
    id: int
    application_id: int
    company_name: str
    graduated_on: dt.date
    sessions_attended: int
    sessions_total: int
    certificate_code: str


class GraduationPageOut(Schema):
    cohort_id: int
    finished: bool = Field(description="the last session is over")
    may_run: bool
    candidates: list[ProgramsCandidateOut]
    graduations: list[GraduationOut]


class GraduationRunOut(GraduationPageOut):
    summary: str
    graduated: list[int] = Field(description="applications graduated now")


class FunnelStepOut(Schema):
    key: str
    label: str
    count: int
    percent: int | None = Field(description="of the step before")


class FunnelRowOut(Schema):
    program_id: int | None = Field(description="empty: every programme together")
    program_name: str
    steps: list[FunnelStepOut]


class FunnelOut(Schema):
    fiscal_year: int
    years: list[int]
    rows: list[FunnelRowOut]
    total: FunnelRowOut


class ProgramsYearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="fiscal year (this one)")


class GridCellOut(Schema):
    session_id: int
    status: str | None


class GridRowOut(Schema):
    application_id: int
    company_name: str
    participant_name: str
    cells: list[GridCellOut]
    attended: int
    meets_threshold: bool


class GridOut(Schema):
    cohort_id: int
    threshold: int
    sessions: list[SessionOut]
    rows: list[GridRowOut]


class OverdueFollowUpOut(Schema):
    follow_up_id: int
    company_name: str
    due_on: dt.date
    days_overdue: int


class RollMissingOut(Schema):
    session_id: int
    cohort_id: int
    starts_at: dt.datetime
    participants: int
    recorded: int


class OverdueOut(Schema):
    today: dt.date
    follow_ups: list[OverdueFollowUpOut]
    sessions: list[RollMissingOut]


# --- helpers ----------------------------------------------------------------------------


def _officer(request) -> None:
    if not is_ward_officer(request.user):
        raise PermissionDenied


def _cohort(request, cohort_id: int) -> Cohort:
    return get_for_user_or_404(
        Cohort.objects.select_related("program__municipality"), request.user, CHANGE, pk=cohort_id
    )


def _cohort_summary(cohort: Cohort, accepted: int, waitlisted: int) -> dict:
    return {
        "id": cohort.pk,
        "fiscal_year": cohort.fiscal_year,
        "name": cohort.name,
        "capacity": cohort.capacity,
        "accepted": accepted,
        "waitlisted": waitlisted,
        "applications_open_at": cohort.applications_open_at,
        "applications_close_at": cohort.applications_close_at,
    }


def _program_out(row: selectors.ProgramRow) -> ProgramOut:
    program = row.program
    return ProgramOut(
        id=program.pk,
        ward=program.municipality.code,
        ward_name=program.municipality.display_name,
        kind=program.kind,
        name=program.name,
        description=program.description,
        participant_role=program.participant_role,
        wards_only=program.wards_only,
        max_per_company=program.max_per_company,
        min_sessions_attended=program.min_sessions_attended,
        requires_plan_accepted=program.requires_plan_accepted,
        partner_ward_ids=sorted(w.pk for w in program.partner_wards.all()),
        cohorts=[
            CohortSummaryOut(
                **_cohort_summary(
                    c, getattr(c, "accepted_count", 0), getattr(c, "waitlisted_count", 0)
                )
            )
            for year in row.years
            for c in year.cohorts
        ],
    )


def _program_row(request, program: Program) -> ProgramOut:
    row = next(
        (r for r in selectors.office_home(user=request.user) if r.program.pk == program.pk), None
    )
    if row is None:
        raise Http404
    return _program_out(row)


def _partner_wards(request, ids: list[int]) -> list[Municipality]:
    wards = list(municipalities(request.user).filter(pk__in=ids))
    if len(wards) != len(set(ids)):
        message = _("共同で実施する区を選び直してください。")
        raise ApplicationError(
            ProgramErrorCode.OFFICE_PROGRAM_INVALID,
            message,
            fields={"partner_ward_ids": [message]},
        )
    return wards


def _cohort_office(request, cohort: Cohort) -> CohortOfficeOut:
    page = selectors.cohort_office_page(user=request.user, cohort=cohort)
    return CohortOfficeOut(
        **_cohort_summary(cohort, page.accepted, page.waitlisted),
        program_id=cohort.program_id,
        program_name=cohort.program.name,
        instructor_ids=[u.pk for u in page.instructors],
        sessions=[session_out(s) for s in page.sessions],
        applications=[
            ApplicationRowOut(
                id=row.application.pk,
                company_id=row.application.company_id,
                company_name=row.application.company.name,
                participant_name=row.application.participant.get_full_name(),
                status=row.application.status,
                applied_at=row.application.applied_at,
                waitlist_position=row.waitlist_position,
            )
            for row in page.applications
        ],
    )


def _instructor(request, program: Program, pk: int | None):
    if pk is None:
        return None
    candidates = {
        u.pk: u for u in selectors.instructor_candidates(user=request.user, program=program)
    }
    if pk not in candidates:
        message = _("講師を選び直してください。")
        raise ApplicationError(
            ProgramErrorCode.OFFICE_INSTRUCTOR_NOT_ALLOWED,
            message,
            fields={"instructor_id": [message]},
        )
    return candidates[pk]


def _session_values(request, program: Program, payload: SessionIn) -> dict:
    return {
        "number": payload.number,
        "title": payload.title,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "place": payload.place,
        "online_url": str(payload.online_url) if payload.online_url else "",
        "instructor": _instructor(request, program, payload.instructor_id),
    }


def _graduation_page(request, cohort: Cohort) -> dict:
    preview = graduate_selectors.graduation_preview(request.user, cohort)
    return {
        "cohort_id": cohort.pk,
        "finished": preview.finished,
        "may_run": preview.may_run,
        "candidates": [
            ProgramsCandidateOut(
                application_id=c.application.pk,
                company_name=c.application.company.name,
                participant_name=c.application.participant.get_full_name(),
                attended=c.attended,
                total=c.total,
                plan_accepted=c.plan_accepted,
                needs_plan=c.needs_plan,
                missing_sessions=c.missing_sessions,
                graduation_id=c.graduation.pk if c.graduation else None,
            )
            for c in preview.candidates
        ],
        "graduations": [
            GraduationOut(
                id=g.pk,
                application_id=g.application_id,
                company_name=g.company.name,
                graduated_on=g.graduated_on,
                sessions_attended=g.sessions_attended,
                sessions_total=g.sessions_total,
                certificate_code=g.certificate_code,
            )
            for g in graduate_selectors.graduation_rows(request.user, cohort)
        ],
    }


def _graduation_cohort(request, cohort_id: int) -> Cohort:
    cohort = get_for_user_or_404(
        Cohort.objects.select_related("program"), request.user, VIEW, pk=cohort_id
    )
    if not graduate_selectors.may_run_graduation(request.user, cohort):
        raise PermissionDenied
    return cohort


def _funnel_row(row) -> FunnelRowOut:
    return FunnelRowOut(
        program_id=row.program.pk if row.program else None,
        program_name=row.program.name if row.program else str(_("すべてのプログラム")),
        steps=[
            FunnelStepOut(key=s.key, label=str(s.label), count=s.count, percent=s.percent)
            for s in row.steps
        ],
    )


# --- programmes and cohorts -------------------------------------------------------------------


@router.get("/office/programs", response=list[ProgramOut], summary="The ward's programmes")
def programs_office(request):
    _officer(request)
    return [_program_out(row) for row in selectors.office_home(user=request.user)]


@router.post("/office/programs", response={201: ProgramOut}, summary="Create a programme")
def programs_program_create(request, payload: ProgramCreateIn):
    _officer(request)
    ward = served_municipalities(request.user, "officer").filter(pk=payload.municipality_id).first()
    if ward is None:
        raise Http404
    values = payload.dict(exclude={"municipality_id", "partner_ward_ids"})
    program = services.program_create(
        actor=request.user,
        municipality=ward,
        partner_wards=_partner_wards(request, payload.partner_ward_ids),
        **values,
    )
    return Status(201, _program_row(request, program))


@router.put("/office/programs/{program_id}", response=ProgramOut, summary="Change a programme")
def programs_program_update(request, program_id: PathId, payload: ProgramIn):
    _officer(request)
    program = get_for_user_or_404(Program, request.user, CHANGE, pk=program_id)
    values = payload.dict(exclude={"partner_ward_ids"})
    services.program_update(
        actor=request.user,
        program=program,
        partner_wards=_partner_wards(request, payload.partner_ward_ids),
        **values,
    )
    return _program_row(request, program)


@router.post(
    "/office/programs/{program_id}/cohorts", response={201: CohortOfficeOut}, summary="Add a cohort"
)
def programs_cohort_create(request, program_id: PathId, payload: CohortIn):
    _officer(request)
    program = get_for_user_or_404(Program, request.user, CHANGE, pk=program_id)
    cohort = services.cohort_create(actor=request.user, program=program, **payload.dict())
    return Status(201, _cohort_office(request, _cohort(request, cohort.pk)))


@router.get(
    "/office/cohorts/{cohort_id}",
    response=CohortOfficeOut,
    summary="A cohort: applications, sessions, instructors",
)
def programs_cohort_office(request, cohort_id: PathId):
    _officer(request)
    return _cohort_office(request, _cohort(request, cohort_id))


@router.put("/office/cohorts/{cohort_id}", response=CohortOfficeOut, summary="Change a cohort")
def programs_cohort_update(request, cohort_id: PathId, payload: CohortIn):
    _officer(request)
    cohort = services.cohort_update(
        actor=request.user, cohort=_cohort(request, cohort_id), **payload.dict()
    )
    return _cohort_office(request, cohort)


@router.put(
    "/office/cohorts/{cohort_id}/instructors",
    response=CohortOfficeOut,
    summary="Set a cohort's instructors",
)
def programs_cohort_instructors(request, cohort_id: PathId, payload: InstructorsIn):
    _officer(request)
    cohort = _cohort(request, cohort_id)
    candidates = {
        u.pk: u for u in selectors.instructor_candidates(user=request.user, program=cohort.program)
    }
    unknown = [pk for pk in payload.instructor_ids if pk not in candidates]
    if unknown:
        message = _("講師を選び直してください。")
        raise ApplicationError(
            ProgramErrorCode.OFFICE_INSTRUCTOR_NOT_ALLOWED,
            message,
            fields={"instructor_ids": [message]},
        )
    services.cohort_instructors_set(
        actor=request.user,
        cohort=cohort,
        instructors=[candidates[pk] for pk in dict.fromkeys(payload.instructor_ids)],
    )
    return _cohort_office(request, cohort)


@router.post(
    "/office/cohorts/{cohort_id}/sessions", response={201: SessionOut}, summary="Add a session"
)
def programs_session_create(request, cohort_id: PathId, payload: SessionIn):
    _officer(request)
    cohort = _cohort(request, cohort_id)
    session = services.session_create(
        actor=request.user, cohort=cohort, **_session_values(request, cohort.program, payload)
    )
    return Status(201, session_out(session))


@router.put("/office/sessions/{session_id}", response=SessionOut, summary="Change a session")
def programs_session_update(request, session_id: PathId, payload: SessionIn):
    _officer(request)
    session = get_for_user_or_404(Session, request.user, VIEW, pk=session_id)
    cohort = _cohort(request, session.cohort_id)
    session = services.session_update(
        actor=request.user, session=session, **_session_values(request, cohort.program, payload)
    )
    return session_out(session)


# --- graduation ---------------------------------------------------------------------------------


@router.get(
    "/office/cohorts/{cohort_id}/graduation",
    response=GraduationPageOut,
    summary="Who meets the graduation rule, and who graduated (officers, instructors)",
)
def programs_graduation(request, cohort_id: PathId):
    return GraduationPageOut(**_graduation_page(request, _graduation_cohort(request, cohort_id)))


@router.post(
    "/office/cohorts/{cohort_id}/graduation",
    response=GraduationRunOut,
    summary="Graduate every seat that meets the rule (after the last session)",
)
def programs_graduation_run(request, cohort_id: PathId):
    cohort = _graduation_cohort(request, cohort_id)
    result = graduation_services.graduation_run(actor=request.user, cohort=cohort)
    return GraduationRunOut(
        **_graduation_page(request, cohort),
        summary=str(result.summary()),
        graduated=[g.application_id for g in result.graduated],
    )


# --- reports ------------------------------------------------------------------------------------


@router.get("/office/funnel", response=FunnelOut, summary="From application to investment")
def programs_funnel(request, query: Query[ProgramsYearQuery]):
    _officer(request)
    result = selectors.funnel(user=request.user, fiscal_year=query.year)
    return FunnelOut(
        fiscal_year=result.fiscal_year,
        years=result.years,
        rows=[_funnel_row(row) for row in result.rows],
        total=_funnel_row(result.total),
    )


@router.get(
    "/office/cohorts/{cohort_id}/attendance", response=GridOut, summary="A cohort's attendance"
)
def programs_attendance_grid(request, cohort_id: PathId):
    _officer(request)
    grid = selectors.attendance_grid(user=request.user, cohort=_cohort(request, cohort_id))
    return GridOut(
        cohort_id=grid.cohort.pk,
        threshold=grid.threshold,
        sessions=[session_out(s) for s in grid.sessions],
        rows=[
            GridRowOut(
                application_id=row.application.pk,
                company_name=row.application.company.name,
                participant_name=row.application.participant.get_full_name(),
                cells=[GridCellOut(session_id=c.session.pk, status=c.status) for c in row.cells],
                attended=row.attended,
                meets_threshold=row.meets_threshold,
            )
            for row in grid.rows
        ],
    )


@router.get(
    "/office/overdue", response=OverdueOut, summary="Follow-ups overdue and rolls not taken"
)
def programs_overdue(request):
    _officer(request)
    result = selectors.overdue(user=request.user)
    return OverdueOut(
        today=result.today,
        follow_ups=[
            OverdueFollowUpOut(
                follow_up_id=row.follow_up.pk,
                company_name=row.follow_up.graduation.company.name,
                due_on=row.follow_up.due_on,
                days_overdue=row.days_overdue,
            )
            for row in result.follow_ups
        ],
        sessions=[
            RollMissingOut(
                session_id=row.session.pk,
                cohort_id=row.session.cohort_id,
                starts_at=row.session.starts_at,
                participants=row.participants,
                recorded=row.recorded,
            )
            for row in result.sessions
        ],
    )
