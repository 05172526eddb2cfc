"""The 産学官金 consortium through the API: partners (the office's), projects (the office
runs them; their participants read them; documents behind an access check) and DX-loan
referrals (the officer's, the company's, and the bank's: only those addressed to it).
A row of another ward, another company's project or a referral not addressed to one's
bank is not found; a row one may read but not change is refused (403)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import invalid_input
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import content_disposition
from machikoba.lab.api.common import CompanyRef, Email, company_ref, pick, pick_from
from machikoba.lab.choices import PartnerKind, ProjectKind, ProjectStatus, ReferralStatus
from machikoba.lab.error_codes import EcosystemErrorCode
from machikoba.lab.models_ecosystem import (
    LoanReferral,
    Partner,
    Project,
    ProjectDocument,
    ProjectParticipant,
)
from machikoba.lab.selectors import ecosystem as selectors
from machikoba.lab.services import partners as partner_services
from machikoba.lab.services import projects as project_services
from machikoba.lab.services import referrals as referral_services
from machikoba.lab.services.referrals import MAX_AMOUNT
from machikoba.wards.models import Municipality

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class PartnerIn(Schema):
    kind: PartnerKind
    name: str = Field(min_length=1, max_length=120)
    company_id: BodyId | None = Field(None, description="the partner's company account")
    contact_name: str = Field("", max_length=80)
    contact_email: Email | None = None
    note: str = Field("", max_length=500)


class PartnerCreateIn(PartnerIn):
    municipality_id: BodyId | None = Field(
        None, description="the ward (needed when the caller serves several)"
    )


class PartnerOut(Schema):
    id: int
    municipality_id: int
    kind: PartnerKind
    name: str
    company: CompanyRef | None
    contact_name: str
    contact_email: str
    note: str
    active: bool


class ProjectIn(Schema):
    kind: ProjectKind
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field("", max_length=3000)
    starts_on: dt.date
    ends_on: dt.date


class ProjectCreateIn(ProjectIn):
    municipality_id: BodyId | None = Field(
        None, description="the ward (needed when the caller serves several)"
    )


class ProjectUpdateIn(ProjectIn):
    outcome: str = Field("", max_length=3000)


class ProjectOut(Schema):
    id: int
    municipality_id: int
    kind: ProjectKind
    title: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date
    status: ProjectStatus
    outcome: str
    companies: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)


class LabParticipantOut(Schema):
    id: int
    company: CompanyRef | None
    partner_id: int | None
    partner_name: str | None
    role: str


class LabDocumentOut(Schema):
    id: int
    title: str
    original_name: str
    mime: str
    size: int
    url: str = Field(description="the API address of the file")


class ProjectPageOut(ProjectOut):
    participants: list[LabParticipantOut]
    documents: list[LabDocumentOut]
    may_change: bool
    next_statuses: list[ProjectStatus]


class StatusFilter(Schema):
    status: ProjectStatus | None = None


class ProjectStatusIn(Schema):
    to: ProjectStatus
    outcome: str = Field("", max_length=3000)


class ParticipantIn(Schema):
    company_id: BodyId | None = None
    partner_id: BodyId | None = None
    role: str = Field("", max_length=120)


class DocumentIn(Schema):
    title: str = Field(min_length=1, max_length=120)


class ReferralIn(Schema):
    company_id: BodyId
    bank_id: BodyId = Field(description="a partner bank linked to a company account")
    amount_requested: int = Field(ge=1, le=MAX_AMOUNT, description="yen")
    purpose: str = Field(min_length=1, max_length=500)


class ReferralOut(Schema):
    id: int
    municipality_id: int
    company: CompanyRef
    bank_id: int
    bank_name: str
    amount_requested: int
    purpose: str
    status: ReferralStatus
    amount_approved: int | None
    outcome_note: str
    decided_at: dt.datetime | None
    created_at: dt.datetime
    seen_as: str = Field(description="office, company or bank")


class ReferralPageOut(ReferralOut):
    is_bank: bool
    may_record: bool
    may_withdraw: bool
    outcome_choices: list[ReferralStatus]


class ReferralFilter(Schema):
    status: ReferralStatus | None = None


class OutcomeIn(Schema):
    status: ReferralStatus
    amount_approved: int | None = Field(None, ge=1, le=MAX_AMOUNT)
    note: str = Field("", max_length=500)


# --- helpers ------------------------------------------------------------------------------


def _require_office(request) -> None:
    if not selectors.is_office(request.user):
        raise PermissionDenied


def _ward(request, pk: int | None, code: EcosystemErrorCode) -> Municipality:
    wards = selectors.office_municipalities(request.user)
    if pk is not None:
        return pick_from(wards, pk)
    if len(wards) != 1:
        if not wards:
            raise PermissionDenied  # the office serves no ward any more
        raise invalid_input(code, municipality_id=_("区を選んでください。"))
    return wards[0]


def _partner_out(partner: Partner) -> PartnerOut:
    return PartnerOut(
        id=partner.pk,
        municipality_id=partner.municipality_id,
        kind=PartnerKind(partner.kind),
        name=partner.name,
        company=company_ref(partner.company),
        contact_name=partner.contact_name,
        contact_email=partner.contact_email,
        note=partner.note,
        active=partner.active,
    )


def _partner_data(request, payload: PartnerIn) -> dict:
    return {
        "kind": payload.kind,
        "name": payload.name,
        "company": pick(selectors.linkable_companies(request.user), payload.company_id),
        "contact_name": payload.contact_name,
        "contact_email": payload.contact_email or "",
        "note": payload.note,
    }


def _project_out(project: Project, companies=(), partners=()) -> dict:
    return {
        "id": project.pk,
        "municipality_id": project.municipality_id,
        "kind": project.kind,
        "title": project.title,
        "summary": project.summary,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "status": project.status,
        "outcome": project.outcome,
        "companies": list(companies),
        "partners": list(partners),
    }


def _document_out(document: ProjectDocument) -> LabDocumentOut:
    return LabDocumentOut(
        id=document.pk,
        title=document.title,
        original_name=document.original_name,
        mime=document.mime,
        size=document.size,
        url=reverse("api:lab_project_document", args=[document.pk]),
    )


def _project_page(request, project: Project) -> ProjectPageOut:
    project = get_for_user_or_404(
        Project.objects.select_related("municipality"), request.user, VIEW, pk=project.pk
    )
    page = selectors.project_page(request.user, project)
    return ProjectPageOut(
        **_project_out(
            project,
            [p.company.name for p in page.participants if p.company],
            [p.partner.name for p in page.participants if p.partner],
        ),
        participants=[
            LabParticipantOut(
                id=p.pk,
                company=company_ref(p.company),
                partner_id=p.partner_id,
                partner_name=p.partner.name if p.partner else None,
                role=p.role,
            )
            for p in page.participants
        ],
        documents=[_document_out(d) for d in page.documents],
        may_change=page.may_change,
        next_statuses=[ProjectStatus(value) for value, _label in page.next_statuses],
    )


def _changeable_project(request, pk: int) -> Project:
    return get_for_user_or_404(
        Project.objects.select_related("municipality"), request.user, CHANGE, pk=pk
    )


def _referral_out(row) -> dict:
    r = row.referral
    return {
        "id": r.pk,
        "municipality_id": r.municipality_id,
        "company": CompanyRef(id=r.company.pk, name=r.company.name),
        "bank_id": r.bank_id,
        "bank_name": r.bank.name,
        "amount_requested": r.amount_requested,
        "purpose": r.purpose,
        "status": r.status,
        "amount_approved": r.amount_approved,
        "outcome_note": r.outcome_note,
        "decided_at": r.decided_at,
        "created_at": r.created_at,
        "seen_as": row.seen_as,
    }


def _referral(request, pk: int, action: str = VIEW) -> LoanReferral:
    return get_for_user_or_404(
        LoanReferral.objects.select_related("company", "bank", "municipality"),
        request.user,
        action,
        pk=pk,
    )


def _referral_page(request, referral: LoanReferral) -> ReferralPageOut:
    referral = _referral(request, referral.pk)
    page = selectors.referral_page(request.user, referral)
    return ReferralPageOut(
        **_referral_out(page),
        is_bank=page.is_bank,
        may_record=page.may_record,
        may_withdraw=page.may_withdraw,
        outcome_choices=[ReferralStatus(value) for value, _label in page.outcome_choices],
    )


# --- partners -----------------------------------------------------------------------------


@router.get("/partners", response=Page[PartnerOut], summary="The consortium's partners")
def lab_partners(request, params: Query[PageParams]):
    _require_office(request)
    return page_of(selectors.partner_list(request.user), params, _partner_out)


@router.post("/partners", response={201: PartnerOut}, summary="Register a partner")
def lab_partner_create(request, payload: PartnerCreateIn):
    _require_office(request)
    ward = _ward(request, payload.municipality_id, EcosystemErrorCode.PARTNER_INVALID)
    partner = partner_services.partner_create(
        actor=request.user, municipality=ward, **_partner_data(request, payload)
    )
    return Status(201, _partner_out(partner))


@router.put("/partners/{partner_id}", response=PartnerOut, summary="Change a partner")
def lab_partner_update(request, partner_id: PathId, payload: PartnerIn):
    partner = get_for_user_or_404(Partner, request.user, CHANGE, pk=partner_id)
    partner = partner_services.partner_update(
        actor=request.user, partner=partner, **_partner_data(request, payload)
    )
    return _partner_out(partner)


@router.post("/partners/{partner_id}/deactivate", response=PartnerOut, summary="End a partnership")
def lab_partner_deactivate(request, partner_id: PathId):
    partner = get_for_user_or_404(Partner, request.user, CHANGE, pk=partner_id)
    return _partner_out(partner_services.partner_deactivate(actor=request.user, partner=partner))


@router.post(
    "/partners/{partner_id}/reactivate", response=PartnerOut, summary="Resume a partnership"
)
def lab_partner_reactivate(request, partner_id: PathId):
    partner = get_for_user_or_404(Partner, request.user, CHANGE, pk=partner_id)
    return _partner_out(partner_services.partner_reactivate(actor=request.user, partner=partner))


# --- projects -----------------------------------------------------------------------------


@router.get("/projects", response=Page[ProjectOut], summary="Consortium projects")
def lab_projects(request, params: Query[PageParams], filters: Query[StatusFilter]):
    if not (selectors.is_office(request.user) or selectors.has_company(request.user)):
        raise PermissionDenied
    rows = selectors.project_list(request.user, status=filters.status or "")
    return page_of(rows, params, lambda r: _project_out(r.project, r.companies, r.partners))


@router.post("/projects", response={201: ProjectPageOut}, summary="Start a project")
def lab_project_create(request, payload: ProjectCreateIn):
    _require_office(request)
    ward = _ward(request, payload.municipality_id, EcosystemErrorCode.PROJECT_INVALID)
    project = project_services.project_create(
        actor=request.user,
        municipality=ward,
        **payload.model_dump(exclude={"municipality_id"}),
    )
    return Status(201, _project_page(request, project))


@router.get("/projects/{project_id}", response=ProjectPageOut, summary="A project")
def lab_project(request, project_id: PathId):
    project = get_for_user_or_404(
        Project.objects.select_related("municipality"), request.user, VIEW, pk=project_id
    )
    return _project_page(request, project)


@router.put("/projects/{project_id}", response=ProjectPageOut, summary="Change a project")
def lab_project_update(request, project_id: PathId, payload: ProjectUpdateIn):
    project = _changeable_project(request, project_id)
    project = project_services.project_update(
        actor=request.user, project=project, **payload.model_dump()
    )
    return _project_page(request, project)


@router.post("/projects/{project_id}/status", response=ProjectPageOut, summary="Move a project on")
def lab_project_status(request, project_id: PathId, payload: ProjectStatusIn):
    project = _changeable_project(request, project_id)
    project = project_services.project_transition(
        actor=request.user, project=project, to=payload.to, outcome=payload.outcome
    )
    return _project_page(request, project)


@router.post(
    "/projects/{project_id}/participants",
    response={201: ProjectPageOut},
    summary="Add a company or a partner to a project",
)
def lab_project_participant_add(request, project_id: PathId, payload: ParticipantIn):
    project = _changeable_project(request, project_id)
    project_services.participant_add(
        actor=request.user,
        project=project,
        company=pick(selectors.participant_companies(request.user), payload.company_id),
        partner=pick(selectors.participant_partners(request.user, project), payload.partner_id),
        role=payload.role,
    )
    return Status(201, _project_page(request, project))


@router.delete(
    "/project-participants/{participant_id}",
    response={204: None},
    summary="Take a participant off a project",
)
def lab_project_participant_remove(request, participant_id: PathId):
    participant = get_for_user_or_404(
        ProjectParticipant.objects.select_related("project"),
        request.user,
        CHANGE,
        pk=participant_id,
    )
    project_services.participant_remove(actor=request.user, participant=participant)
    return Status(204, None)


@router.post(
    "/projects/{project_id}/documents",
    response={201: LabDocumentOut},
    summary="Add a document (PDF, PNG, JPEG) to a project",
)
def lab_project_document_add(
    request, project_id: PathId, file: File[UploadedFile], payload: Form[DocumentIn]
):
    project = _changeable_project(request, project_id)
    document = project_services.document_add(
        actor=request.user, project=project, title=payload.title, upload=file
    )
    return Status(201, _document_out(document))


@router.get(
    "/project-documents/{document_id}",
    response={200: None},
    summary="Download a project's document",
    openapi_extra={
        "responses": {
            200: {
                "description": "the document in the type it was uploaded as",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def lab_project_document(request, document_id: PathId):
    document = get_for_user_or_404(ProjectDocument, request.user, VIEW, pk=document_id)
    if not document.file.name:
        raise Http404
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=document.mime)
    response["Content-Disposition"] = content_disposition(document.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete(
    "/project-documents/{document_id}", response={204: None}, summary="Remove a document"
)
def lab_project_document_remove(request, document_id: PathId):
    document = get_for_user_or_404(
        ProjectDocument.objects.select_related("project"), request.user, CHANGE, pk=document_id
    )
    project_services.document_remove(actor=request.user, document=document)
    return Status(204, None)


# --- DX-loan referrals --------------------------------------------------------------------


@router.get("/referrals", response=Page[ReferralOut], summary="DX-loan referrals")
def lab_referrals(request, params: Query[PageParams], filters: Query[ReferralFilter]):
    if not (selectors.is_officer(request.user) or selectors.has_company(request.user)):
        raise PermissionDenied
    rows = selectors.referral_list(request.user, status=filters.status or "")
    return page_of(rows, params, _referral_out)


@router.post(
    "/referrals", response={201: ReferralPageOut}, summary="Refer a company to a partner bank"
)
def lab_referral_create(request, payload: ReferralIn):
    if not selectors.is_officer(request.user):
        raise PermissionDenied
    referral = referral_services.referral_create(
        actor=request.user,
        company=pick(selectors.referable_companies(request.user), payload.company_id),
        bank=pick(selectors.referral_banks(request.user), payload.bank_id),
        amount_requested=payload.amount_requested,
        purpose=payload.purpose,
    )
    return Status(201, _referral_page(request, referral))


@router.get("/referrals/{referral_id}", response=ReferralPageOut, summary="A DX-loan referral")
def lab_referral(request, referral_id: PathId):
    return _referral_page(request, _referral(request, referral_id))


@router.post(
    "/referrals/{referral_id}/outcome",
    response=ReferralPageOut,
    summary="Record the bank's decision (the bank)",
)
def lab_referral_outcome(request, referral_id: PathId, payload: OutcomeIn):
    referral = _referral(request, referral_id, CHANGE)
    if not selectors.referral_page(request.user, referral).is_bank:
        raise PermissionDenied  # the officer withdraws; only the bank records an outcome
    referral = referral_services.referral_outcome_record(
        actor=request.user,
        referral=referral,
        status=payload.status,
        amount_approved=payload.amount_approved,
        note=payload.note,
    )
    return _referral_page(request, referral)


@router.post(
    "/referrals/{referral_id}/withdraw",
    response=ReferralPageOut,
    summary="Withdraw a referral (the officer)",
)
def lab_referral_withdraw(request, referral_id: PathId):
    referral = _referral(request, referral_id, MANAGE)
    referral = referral_services.referral_withdraw(actor=request.user, referral=referral)
    return _referral_page(request, referral)
