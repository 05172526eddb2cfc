"""The engagement its team, its company and the ward's officers share (each sees what they
may do there) and the team's work on it: visits, phases, notes, evidence, measurements,
closing, the closing report; and the advisor's own home."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from ninja import File, Form, Query, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.advisory import selectors, services
from machikoba.advisory.api._router import router
from machikoba.advisory.api.schemas import (
    AdvisorOut,
    AfterIn,
    CloseIn,
    EngagementOut,
    EngagementStatusChoice,
    EngagementSummaryOut,
    EvidenceOut,
    MeasurementIn,
    MeasurementOut,
    NoteIn,
    PhaseOut,
    VisitIn,
    VisitOut,
    advisor_out,
    engagement_out,
    engagement_summary_out,
    evidence_out,
    measurement_out,
    phase_out,
    visit_out,
)
from machikoba.advisory.closing_report_pdf import closing_report_pdf
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Engagement, Measurement, Phase, PhaseEvidence, Visit
from machikoba.advisory.selectors.engagements import engagements_visible
from machikoba.advisory.services.engagements import evidence_max_bytes
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.api_uploads import upload_limit
from machikoba.core.ids import PathId
from machikoba.core.views import content_disposition
from machikoba.drawings.sniffing import too_large_message

# --- the advisor's home ------------------------------------------------------------------


class AdvisorEngagementOut(Schema):
    engagement: EngagementSummaryOut
    next_phase: str | None = Field(description="kind of the first phase not done")
    next_phase_due_on: str | None
    overdue: bool
    unsigned_visits: int
    lead: bool


class AdvisorHomeOut(Schema):
    advisor: AdvisorOut
    engagements: list[AdvisorEngagementOut]
    month_signed_minutes: int
    month_unsigned_minutes: int


@router.get("/me", response=AdvisorHomeOut, summary="The advisor's engagements and month")
def advisory_advisor_home(request: Any) -> AdvisorHomeOut:
    home = selectors.advisor_home(user=request.user)
    if home is None:
        raise PermissionDenied
    return AdvisorHomeOut(
        advisor=advisor_out(home.advisor),
        engagements=[
            AdvisorEngagementOut(
                engagement=engagement_summary_out(row.engagement),
                next_phase=row.next_phase.kind if row.next_phase else None,
                next_phase_due_on=row.next_phase.due_on.isoformat() if row.next_phase else None,
                overdue=row.overdue,
                unsigned_visits=row.unsigned_visits,
                lead=row.lead,
            )
            for row in home.engagements
        ],
        month_signed_minutes=home.month.signed_minutes,
        month_unsigned_minutes=home.month.unsigned_minutes,
    )


# --- engagements -------------------------------------------------------------------------


class EngagementFilters(Schema):
    status: EngagementStatusChoice | None = None


def _engagement(request: Any, pk: int) -> Engagement:
    return get_for_user_or_404(
        Engagement.objects.select_related("company", "municipality", "request"),
        request.user,
        VIEW,
        pk=pk,
    )


def _page(request: Any, item: Engagement) -> selectors.EngagementPage:
    return selectors.engagement_page(user=request.user, engagement=item)


@router.get(
    "/engagements",
    response=Page[EngagementSummaryOut],
    summary="Engagements the caller may see (their company's, team's or ward's)",
)
def advisory_engagements(
    request: Any, params: Query[PageParams], filters: Query[EngagementFilters]
) -> dict[str, Any]:
    rows = engagements_visible(user=request.user, status=filters.status)
    return page_of(rows, params, engagement_summary_out)


@router.get(
    "/engagements/{engagement_id}",
    response=EngagementOut,
    summary="One engagement: team, phases, visits, measurements, hours, what the caller may do",
)
def advisory_engagement(request: Any, engagement_id: PathId) -> EngagementOut:
    return engagement_out(_page(request, _engagement(request, engagement_id)))


@router.post(
    "/engagements/{engagement_id}/visits",
    response={201: VisitOut},
    summary="Log a visit (an advisor on the team)",
)
def advisory_visit_create(
    request: Any, engagement_id: PathId, payload: VisitIn
) -> Status[VisitOut]:
    item = _engagement(request, engagement_id)
    if not _page(request, item).is_team:
        raise PermissionDenied
    visit = services.visit_log(
        actor=request.user,
        engagement=item,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        work_done=payload.work_done,
        next_steps=payload.next_steps,
    )
    return Status(201, visit_out(visit))


@router.put("/visits/{visit_id}", response=VisitOut, summary="Correct one's own visit record")
def advisory_visit_update(request: Any, visit_id: PathId, payload: VisitIn) -> VisitOut:
    visit = get_for_user_or_404(
        Visit.objects.select_related("engagement__company", "advisor__user"),
        request.user,
        VIEW,
        pk=visit_id,
    )
    if not services.is_visit_author(request.user, visit):
        raise PermissionDenied
    updated = services.visit_update(
        actor=request.user,
        visit=visit,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        work_done=payload.work_done,
        next_steps=payload.next_steps,
    )
    return visit_out(updated)


# --- phases ------------------------------------------------------------------------------


def _phase(request: Any, pk: int) -> Phase:
    return get_for_user_or_404(
        Phase.objects.select_related("engagement__company"), request.user, VIEW, pk=pk
    )


def _phase_out(request: Any, phase: Phase) -> PhaseOut:
    page = _page(request, phase.engagement)
    return phase_out(next(r for r in page.phases if r.phase.pk == phase.pk))


PhaseAction = Literal["start", "complete"]


class PhaseActionIn(Schema):
    action: PhaseAction = Field(description="start (not started → in progress) or complete")


@router.post(
    "/phases/{phase_id}/transition",
    response=PhaseOut,
    summary="Start or complete a phase (the team or the ward's officers)",
)
def advisory_phase_transition(request: Any, phase_id: PathId, payload: PhaseActionIn) -> PhaseOut:
    phase = _phase(request, phase_id)
    call = services.phase_start if payload.action == "start" else services.phase_complete
    call(actor=request.user, phase=phase)
    return _phase_out(request, _phase(request, phase_id))


@router.put(
    "/phases/{phase_id}/note",
    response=PhaseOut,
    summary="Save a phase's note (the team or the ward's officers)",
)
def advisory_phase_note(request: Any, phase_id: PathId, payload: NoteIn) -> PhaseOut:
    phase = _phase(request, phase_id)
    if not _page(request, phase.engagement).may_change:
        raise PermissionDenied
    services.phase_note_update(actor=request.user, phase=phase, note=payload.note)
    return _phase_out(request, _phase(request, phase_id))


@router.post(
    "/phases/{phase_id}/evidence",
    response={201: EvidenceOut},
    summary="Add evidence to a phase (PDF, PNG or JPEG; the same checks as the page)",
)
@decorate_view(
    upload_limit(
        evidence_max_bytes, code=AdvisoryErrorCode.EVIDENCE_INVALID, message=too_large_message
    )
)
def advisory_evidence_add(
    request: Any,
    phase_id: PathId,
    title: Annotated[str, Form(..., min_length=1, max_length=120)],
    file: Annotated[UploadedFile, File(..., description="PDF, PNG or JPEG")],
) -> Status[EvidenceOut]:
    phase = _phase(request, phase_id)
    if not _page(request, phase.engagement).may_change:
        raise PermissionDenied
    evidence = services.evidence_add(actor=request.user, phase=phase, title=title, upload=file)
    return Status(201, evidence_out(evidence))


@router.get(
    "/evidence/{evidence_id}",
    response={200: None},
    summary="Download a phase's evidence file",
)
def advisory_evidence_download(request: Any, evidence_id: PathId) -> FileResponse:
    evidence = get_for_user_or_404(PhaseEvidence, request.user, VIEW, pk=evidence_id)
    if not evidence.file.name:
        raise Http404
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=evidence.mime)
    response["Content-Disposition"] = content_disposition(evidence.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- measurements ------------------------------------------------------------------------


def _require_changer(request: Any, item: Engagement) -> selectors.EngagementPage:
    page = _page(request, item)
    if not page.may_change:
        raise PermissionDenied
    return page


def _measurement_out(request: Any, item: Engagement, pk: int) -> MeasurementOut:
    page = _page(request, item)
    return measurement_out(next(r for r in page.measurements if r.measurement.pk == pk))


@router.post(
    "/engagements/{engagement_id}/measurements",
    response={201: MeasurementOut},
    summary="Add an indicator with its value before (the team or the ward's officers)",
)
def advisory_measurement_add(
    request: Any, engagement_id: PathId, payload: MeasurementIn
) -> Status[MeasurementOut]:
    item = _engagement(request, engagement_id)
    _require_changer(request, item)
    created = services.measurement_add(actor=request.user, engagement=item, **payload.dict())
    return Status(201, _measurement_out(request, item, created.pk))


@router.put(
    "/measurements/{measurement_id}/after",
    response=MeasurementOut,
    summary="Record an indicator's value after (the team or the ward's officers)",
)
def advisory_measurement_after(
    request: Any, measurement_id: PathId, payload: AfterIn
) -> MeasurementOut:
    measurement = get_for_user_or_404(
        Measurement.objects.select_related("engagement__company"),
        request.user,
        VIEW,
        pk=measurement_id,
    )
    item = measurement.engagement
    _require_changer(request, item)
    services.measurement_record_after(
        actor=request.user,
        measurement=measurement,
        after_value=payload.after_value,
        after_on=payload.after_on,
    )
    return _measurement_out(request, item, measurement.pk)


# --- closing -----------------------------------------------------------------------------


@router.post(
    "/engagements/{engagement_id}/close",
    response=EngagementOut,
    summary="Close the engagement with a summary (the lead advisor or the ward's officers)",
)
def advisory_engagement_close(
    request: Any, engagement_id: PathId, payload: CloseIn
) -> EngagementOut:
    item = _engagement(request, engagement_id)
    page = _page(request, item)
    if not (page.is_office or page.is_lead):
        raise PermissionDenied
    services.engagement_close(actor=request.user, engagement=item, summary=payload.summary)
    return engagement_out(_page(request, _engagement(request, engagement_id)))


@router.get(
    "/engagements/{engagement_id}/report.pdf",
    response={200: None},
    summary="The engagement's closing report (PDF)",
)
def advisory_closing_report(request: Any, engagement_id: PathId) -> HttpResponse:
    item = _engagement(request, engagement_id)
    content = closing_report_pdf(_page(request, item))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"closing-report-ENG-{item.pk}.pdf", inline=True
    )
    response["Cache-Control"] = "private, no-store"
    return response
