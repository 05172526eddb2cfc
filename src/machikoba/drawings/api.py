"""Drawings API: documents, revisions, the watermarked viewer and downloads, grants, NDAs,
retention, destruction and the access log, through the same selectors, services, access
layer, upload checks and watermarking as the pages (``drawings.views``)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from pydantic import Field

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, DELETE, VIEW, can, get_for_user_or_404
from machikoba.core.api_fields import SOME_TEXT
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId, PathId
from machikoba.core.stored_files import read_small
from machikoba.core.uploads import SizeLimitedUploadHandler
from machikoba.core.views import active_company_or_403, client_ip, content_disposition
from machikoba.drawings import selectors, services
from machikoba.drawings.access import is_owner_member
from machikoba.drawings.certificate_pdf import destruction_certificate_pdf
from machikoba.drawings.choices import DocumentAction
from machikoba.drawings.downloads import download_response, viewer_open, watermark_lines_for
from machikoba.drawings.error_codes import DrawingsErrorCode
from machikoba.drawings.models import (
    DestructionCertificate,
    Document,
    Grant,
    NdaText,
    Revision,
)
from machikoba.drawings.sniffing import too_large_message
from machikoba.drawings.watermark import (
    watermark_stored_page,
)

router = Router(tags=["drawings"])


class SignedInRequest(HttpRequest):
    """The default auth lets only signed-in callers through."""

    user: User


KINDS = Literal["drawing", "spec", "inspection_report", "material_certificate", "other"]
RULES = Literal["keep", "on_date", "after_close"]


# --- uploads ----------------------------------------------------------------------------


def drawing_max_bytes() -> int:
    return int(settings.MACHIKOBA_DRAWING_MAX_BYTES)


def _too_large(request: Any, limit: int) -> ApplicationError:
    message = too_large_message(limit)
    return ApplicationError(
        DrawingsErrorCode.FILE_TOO_LARGE,
        message,
        fields={name: [message] for name in request.oversized_uploads},
        status_code=413,
    )


def refuse_oversized_upload(request: Any, limit: Callable[[], int] = drawing_max_bytes) -> None:
    """In an operation whose files are optional: refuse (413) when one was dropped for its
    size, rather than go on without it."""
    if getattr(request, "oversized_uploads", None):
        raise _too_large(request, limit())


def limit_api_upload_size(limit: Callable[[], int]) -> Callable[[Any], Any]:
    """``core.uploads.limit_upload_size`` for an API operation (``@decorate_view``): files
    over ``limit()`` bytes are dropped while they stream in, before anything reaches the
    disk. The operation then lacks its file (a 422 from the schema); it is answered as
    what it is, 413 ``file_too_large`` with the page's message."""

    def decorator(run: Any) -> Any:
        operation = getattr(run, "__self__", None)

        @functools.wraps(run)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            request.oversized_uploads = []
            request.upload_handlers.insert(0, SizeLimitedUploadHandler(request, limit()))
            response: HttpResponse = run(request, *args, **kwargs)
            if request.oversized_uploads and response.status_code == 422 and operation:
                error = _too_large(request, limit())
                too_large: HttpResponse = operation.api.on_exception(request, error)
                return too_large
            return response

        return wrapper

    return decorator


# --- schemas ----------------------------------------------------------------------------


class RevisionOut(Schema):
    number: int
    label: str = Field(description="A, B, … as the document is revised")
    change_note: str
    original_name: str
    file_kind: str = Field(description="pdf, dxf, png, jpeg or step (from the content)")
    mime: str
    size: int
    sha256: str
    page_count: int
    preview_status: str
    preview_pages_done: int
    created_at: dt.datetime


class DrawingsDocumentOut(Schema):
    id: int
    company_id: int
    company_name: str
    title: str
    drawing_number: str
    kind: str
    owner: bool = Field(description="the caller's company owns the document")
    latest_revision: int | None = Field(description="number of the newest revision seen")
    retention_rule: str
    destroy_on: dt.date | None
    destroyed_at: dt.datetime | None
    updated_at: dt.datetime


class GrantOut(Schema):
    id: int
    document_id: int
    grantee_id: int
    grantee_name: str
    revision_number: int | None = Field(description="null: every revision, later ones too")
    can_download: bool
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool
    nda_accepted: bool | None = Field(
        None, description="whether the grantee accepted the owner's NDA (owner's view only)"
    )
    created_at: dt.datetime


class DocumentDetailOut(DrawingsDocumentOut):
    retention_date: dt.date | None
    retention_months: int | None
    closed_on: dt.date | None
    can_edit: bool
    can_destroy: bool
    revisions: list[RevisionOut]
    grants: list[GrantOut] | None = Field(description="the owner's people only")


class DocumentFilters(Schema):
    kind: KINDS | None = None
    q: str = Field("", max_length=100, description="part of the title or drawing number")


class DocumentUploadIn(Schema):
    title: str = Field(max_length=200, pattern=SOME_TEXT)
    drawing_number: str = Field("", max_length=100)
    kind: KINDS = "drawing"
    change_note: str = Field("", max_length=500)


class RevisionUploadIn(Schema):
    change_note: str = Field(max_length=500, pattern=SOME_TEXT, description="what changed")


class PreviewPageOut(Schema):
    number: int
    width: int
    height: int
    url: str = Field(description="the watermarked page (PNG); add ?size=zoom for the zoom")


class ViewerOut(Schema):
    document_id: int
    revision: RevisionOut
    owner: bool
    can_download: bool
    pages: list[PreviewPageOut]


class GrantIn(Schema):
    grantee_id: BodyId
    revision_number: int | None = Field(
        None, ge=1, le=32767, description="one revision only; omit for every revision"
    )
    can_download: bool = False
    expires_at: dt.datetime | None = Field(None, description="a future time; null: until revoked")


class NdaOut(Schema):
    id: int
    company_id: int
    company_name: str
    version: int
    body: str
    created_at: dt.datetime


class NdaIn(Schema):
    body: str = Field(max_length=20000, pattern=SOME_TEXT)


class RetentionIn(Schema):
    rule: RULES
    date: dt.date | None = Field(None, description="on_date: the day to destroy")
    months: int | None = Field(None, ge=1, le=600, description="after_close: months after")
    closed_on: dt.date | None = Field(None, description="the day the deal closed (not future)")


class DestroyIn(Schema):
    reason: str = Field(max_length=300, pattern=SOME_TEXT)
    confirm: Literal[True] = Field(description="the files go for good")


class CertificateOut(Schema):
    number: str
    destroyed_at: dt.datetime
    company_name: str
    document_title: str
    drawing_number: str
    reason: str
    requested_by_label: str
    revisions: list[dict[str, Any]]
    files_removed: int
    grants_revoked: int


class DrawingsEventOut(Schema):
    occurred_at: dt.datetime
    action: str
    actor_label: str
    actor_company_name: str
    ip_address: str | None
    revision_label: str | None
    detail: str


class DrawingsEventFilters(Schema):
    action: (
        Literal[
            "upload",
            "view",
            "download",
            "grant",
            "revoke",
            "nda_accept",
            "denied",
            "retention",
            "destroy",
        ]
        | None
    ) = None


def _binary(description: str, *media: str) -> dict[str, Any]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {200: {"description": description, "content": dict.fromkeys(media, binary)}}
    }


# --- helpers ----------------------------------------------------------------------------


def _document(request: SignedInRequest, pk: int, action: str = VIEW) -> Document:
    """The document through the access layer; a refused signed-in caller is recorded on
    the document's log, as on the pages."""
    try:
        return get_for_user_or_404(
            Document.objects.select_related("company"), request.user, action, pk=pk
        )
    except (Http404, PermissionDenied):
        if request.user.is_authenticated:
            services.document_refusal_record(
                document_pk=pk,
                actor=request.user,
                ip_address=client_ip(request),
                detail=request.path,
            )
        raise


def _gone(document: Document) -> ApplicationError:
    return ApplicationError(
        DrawingsErrorCode.DOCUMENT_DESTROYED,
        _("この図面は破棄済みです。破棄証明は所有企業が確認できます。"),
        status_code=410,
    )


def _revision(request: SignedInRequest, pk: int, number: int) -> Revision:
    """As the viewer's: one scoped query; a refusal asks about the document (404/403, and
    a line in its log); a destroyed document is gone (410)."""
    revision = (
        Revision.objects.for_user(request.user, VIEW)
        .select_related("document__company")
        .filter(document_id=pk, number=number)
        .first()
    )
    if revision is None:
        document = _document(request, pk)
        if document.is_destroyed:
            raise _gone(document)
        services.document_event_record(
            document=document,
            action=DocumentAction.DENIED,
            actor=request.user,
            ip_address=client_ip(request),
            detail=request.path,
        )
        raise Http404
    if revision.document.is_destroyed:
        raise _gone(revision.document)
    return revision


def _revision_out(revision: Revision) -> RevisionOut:
    return RevisionOut(
        number=revision.number,
        label=revision.label,
        change_note=revision.change_note,
        original_name=revision.original_name,
        file_kind=revision.file_kind,
        mime=revision.mime,
        size=revision.size,
        sha256=revision.sha256,
        page_count=revision.page_count,
        preview_status=revision.preview_status,
        preview_pages_done=revision.preview_pages_done,
        created_at=revision.created_at,
    )


def _summary(document: Document, *, owner: bool, latest: int | None) -> dict[str, Any]:
    return {
        "id": document.pk,
        "company_id": document.company_id,
        "company_name": document.company.name,
        "title": document.title,
        "drawing_number": document.drawing_number,
        "kind": document.kind,
        "owner": owner,
        "latest_revision": latest,
        "retention_rule": document.retention_rule,
        "destroy_on": document.destroy_on,
        "destroyed_at": document.destroyed_at,
        "updated_at": document.updated_at,
    }


def _grant_out(grant: Grant, nda_accepted: bool | None = None) -> GrantOut:
    return GrantOut(
        id=grant.pk,
        document_id=grant.document_id,
        grantee_id=grant.grantee_id,
        grantee_name=grant.grantee.name,
        revision_number=grant.revision.number if grant.revision is not None else None,
        can_download=grant.can_download,
        expires_at=grant.expires_at,
        revoked_at=grant.revoked_at,
        active=grant.is_active,
        nda_accepted=nda_accepted,
        created_at=grant.created_at,
    )


def _detail(request: SignedInRequest, document: Document) -> DocumentDetailOut:
    owner = is_owner_member(request.user, document)
    revisions = list(
        Revision.objects.for_user(request.user, VIEW).filter(document=document).order_by("number")
    )
    grants = None
    if owner:
        grants = [
            _grant_out(g, g.nda_accepted)
            for g in selectors.grants_of(user=request.user, document=document)
        ]
    return DocumentDetailOut(
        **_summary(document, owner=owner, latest=revisions[-1].number if revisions else None),
        retention_date=document.retention_date,
        retention_months=document.retention_months,
        closed_on=document.closed_on,
        can_edit=can(request.user, CHANGE, document),
        can_destroy=can(request.user, DELETE, document),
        revisions=[_revision_out(r) for r in revisions],
        grants=grants,
    )


def _filtered(documents: Any, filters: DocumentFilters) -> Any:
    from django.db.models import Q

    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    if filters.q.strip():
        q = filters.q.strip()
        documents = documents.filter(Q(title__icontains=q) | Q(drawing_number__icontains=q))
    return documents


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- lists ------------------------------------------------------------------------------


@router.get(
    "/documents", response=Page[DrawingsDocumentOut], summary="Our company's documents (drawings …)"
)
def drawings_list(request, params: Query[PageParams], filters: Query[DocumentFilters]):
    company = active_company_or_403(request)
    documents = _filtered(
        selectors.documents_of(user=request.user, company=company).select_related("company"),
        filters,
    )

    def out(document: Document) -> DrawingsDocumentOut:
        numbers = [r.number for r in document.revisions.all()]
        return DrawingsDocumentOut(
            **_summary(document, owner=True, latest=max(numbers, default=None))
        )

    return page_of(documents, params, out)


@router.get(
    "/shared",
    response=Page[DrawingsDocumentOut],
    summary="Documents other companies shared with us (grant active, NDA accepted)",
)
def drawings_shared(request, params: Query[PageParams], filters: Query[DocumentFilters]):
    company = active_company_or_403(request)
    documents = _filtered(
        selectors.documents_shared_with(user=request.user, company=company), filters
    )

    def out(document: Document) -> DrawingsDocumentOut:
        latest = (
            Revision.objects.for_user(request.user, VIEW)
            .filter(document=document)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        return DrawingsDocumentOut(**_summary(document, owner=False, latest=latest))

    return page_of(documents, params, out)


@router.get(
    "/nda/pending",
    response=list[NdaOut],
    summary="NDAs to accept before what their owners shared with us shows",
)
def drawings_nda_pending(request):
    company = active_company_or_403(request)
    return [_nda_out(n) for n in selectors.owners_awaiting_nda(user=request.user, company=company)]


# --- one document -----------------------------------------------------------------------


@router.post("/documents", response={201: DocumentDetailOut}, summary="Upload a new document")
@decorate_view(limit_api_upload_size(drawing_max_bytes))
def drawings_document_create(request, payload: Form[DocumentUploadIn], file: File[UploadedFile]):
    company = active_company_or_403(request)
    document = services.document_create(
        actor=request.user,
        company=company,
        title=payload.title,
        drawing_number=payload.drawing_number,
        kind=payload.kind,
        upload=file,
        change_note=payload.change_note,
    )
    return Status(201, _detail(request, document))


@router.get(
    "/documents/{document_id}",
    response=DocumentDetailOut,
    summary="A document with the revisions you may see (and, for its owner, its grants)",
)
def drawings_document(request, document_id: PathId):
    return _detail(request, _document(request, document_id))


@router.post(
    "/documents/{document_id}/revisions",
    response={201: RevisionOut},
    summary="Upload a new revision",
)
@decorate_view(limit_api_upload_size(drawing_max_bytes))
def drawings_revision_upload(
    request, document_id: PathId, payload: Form[RevisionUploadIn], file: File[UploadedFile]
):
    document = _document(request, document_id, CHANGE)
    if document.is_destroyed:
        raise _gone(document)
    revision = services.revision_add(
        actor=request.user, document=document, upload=file, change_note=payload.change_note
    )
    return Status(201, _revision_out(revision))


@router.get(
    "/documents/{document_id}/revisions/{number}",
    response=ViewerOut,
    summary="Open a revision in the viewer (logged): its watermarked pages",
)
def drawings_viewer(request, document_id: PathId, number: PathId):
    revision = _revision(request, document_id, number)
    opened = viewer_open(request, revision)
    return ViewerOut(
        document_id=revision.document_id,
        revision=_revision_out(revision),
        owner=opened.owner,
        can_download=opened.can_download,
        pages=[
            PreviewPageOut(
                number=p.number,
                width=p.width,
                height=p.height,
                url=reverse("api:drawings_page", args=[revision.document_id, number, p.number]),
            )
            for p in opened.pages
        ],
    )


class PageQuery(Schema):
    size: Literal["screen", "zoom"] = "screen"


@router.get(
    "/documents/{document_id}/revisions/{number}/pages/{page}",
    summary="One preview page, watermarked with who looks and when (PNG)",
    openapi_extra=_binary("the watermarked page", "image/png"),
)
def drawings_page(
    request, document_id: PathId, number: PathId, page: PathId, query: Query[PageQuery]
):
    revision = _revision(request, document_id, number)
    preview = revision.preview_pages.filter(number=page).first()
    if preview is None:
        raise Http404
    field = preview.zoom if query.size == "zoom" else preview.screen
    png = watermark_stored_page(
        str(field.name), lambda: read_small(field), lines=watermark_lines_for(request)
    )
    return _private(HttpResponse(png, content_type="image/png"))


@router.get(
    "/documents/{document_id}/revisions/{number}/download",
    summary="Download: the original for the owner, a watermarked copy for a partner allowed to",
    openapi_extra=_binary(
        "the file as uploaded (owners), or watermarked as PDF or PNG (partners)",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/octet-stream",
    ),
)
def drawings_download(request, document_id: PathId, number: PathId):
    return download_response(request, _revision(request, document_id, number))


@router.get(
    "/documents/{document_id}/log",
    response=Page[DrawingsEventOut],
    summary="The document's access log: every view, download, grant and refusal",
)
def drawings_log(
    request, document_id: PathId, params: Query[PageParams], filters: Query[DrawingsEventFilters]
):
    document = _document(request, document_id, CHANGE)
    events = selectors.document_events(user=request.user, document=document).select_related(
        "revision"
    )
    if filters.action:
        events = events.filter(action=filters.action)
    return page_of(
        events,
        params,
        lambda e: DrawingsEventOut(
            occurred_at=e.occurred_at,
            action=e.action,
            actor_label=e.actor_label,
            actor_company_name=e.actor_company_name,
            ip_address=e.ip_address,
            revision_label=e.revision.label if e.revision else None,
            detail=e.detail,
        ),
    )


# --- sharing ----------------------------------------------------------------------------


def _live(request: SignedInRequest, pk: int, action: str) -> Document:
    """The document for an operation that changes it: a destroyed one is gone (410)."""
    document = _document(request, pk, action)
    if document.is_destroyed:
        raise _gone(document)
    return document


@router.get(
    "/documents/{document_id}/grants",
    response=list[GrantOut],
    summary="Who the document is shared with (its owners and staff)",
)
def drawings_grants(request, document_id: PathId):
    document = _document(request, document_id, CHANGE)
    return [
        _grant_out(g, g.nda_accepted)
        for g in selectors.grants_of(user=request.user, document=document)
    ]


@router.post(
    "/documents/{document_id}/grants",
    response={201: GrantOut},
    summary="Share the document (or one revision) with another company",
)
def drawings_grant_create(request, document_id: PathId, payload: GrantIn):
    document = _live(request, document_id, CHANGE)
    grantee = get_for_user_or_404(Company, request.user, VIEW, pk=payload.grantee_id)
    revision = None
    if payload.revision_number is not None:
        revision = (
            Revision.objects.for_user(request.user, VIEW)
            .filter(document=document, number=payload.revision_number)
            .first()
        )
        if revision is None:
            raise ApplicationError(
                DrawingsErrorCode.GRANT_INVALID,
                _("入力内容を確認してください。"),
                fields={"revision_number": [_("この図面の版を選んでください。")]},
            )
    try:
        grant = services.grant_create(
            actor=request.user,
            document=document,
            grantee=grantee,
            revision=revision,
            can_download=payload.can_download,
            expires_at=payload.expires_at,
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        # The page's form names the revision "revision"; the API's field is its number.
        if "revision" in error.fields:
            error.fields["revision_number"] = error.fields.pop("revision")
        raise
    return Status(201, _grant_out(grant))


@router.post(
    "/documents/{document_id}/grants/{grant_id}/revoke",
    response=GrantOut,
    summary="Take a share back: the next request of the grantee is refused",
)
def drawings_grant_revoke(request, document_id: PathId, grant_id: PathId):
    document = _document(request, document_id, CHANGE)
    grant = get_for_user_or_404(
        Grant.objects.select_related("grantee", "revision", "document__company"),
        request.user,
        CHANGE,
        pk=grant_id,
        document=document,
    )
    services.grant_revoke(actor=request.user, grant=grant, ip_address=client_ip(request))
    return _grant_out(grant)


# --- NDAs -------------------------------------------------------------------------------


def _nda_out(nda: NdaText) -> NdaOut:
    return NdaOut(
        id=nda.pk,
        company_id=nda.company_id,
        company_name=nda.company.name,
        version=nda.version,
        body=nda.body,
        created_at=nda.created_at,
    )


def _nda_editor_company(request: SignedInRequest) -> Company:
    company = active_company_or_403(request)
    if not can(request.user, CHANGE, company):
        raise PermissionDenied
    return company


@router.get(
    "/nda",
    response={200: NdaOut, 204: None},
    summary="Our NDA's current version (204: none yet); owners and staff",
)
def drawings_nda(request):
    company = _nda_editor_company(request)
    current = (
        NdaText.objects.for_user(request.user, VIEW)
        .filter(company=company)
        .select_related("company")
        .order_by("-version")
        .first()
    )
    if current is None:
        return Status(204, None)
    return _nda_out(current)


@router.post(
    "/nda",
    response={201: NdaOut},
    summary="Publish a new version of our NDA: partners must accept it again",
)
def drawings_nda_publish(request, payload: NdaIn):
    company = _nda_editor_company(request)
    nda = services.nda_publish(actor=request.user, company=company, body=payload.body)
    return Status(201, _nda_out(nda))


@router.get("/nda/{nda_id}", response=NdaOut, summary="An owner's NDA, to read before accepting")
def drawings_nda_text(request, nda_id: PathId):
    active_company_or_403(request)
    nda = get_for_user_or_404(
        NdaText.objects.select_related("company"), request.user, VIEW, pk=nda_id
    )
    return _nda_out(nda)


@router.post(
    "/nda/{nda_id}/accept",
    response=NdaOut,
    summary="Accept an owner's NDA: what they shared with us shows (owners and staff)",
)
def drawings_nda_accept(request, nda_id: PathId):
    company = active_company_or_403(request)
    nda = get_for_user_or_404(
        NdaText.objects.select_related("company"), request.user, VIEW, pk=nda_id
    )
    services.nda_accept(actor=request.user, company=company, nda=nda, ip_address=client_ip(request))
    return _nda_out(nda)


# --- retention and destruction ----------------------------------------------------------


@router.put(
    "/documents/{document_id}/retention",
    response=DocumentDetailOut,
    summary="How long the document is kept: for good, until a date, or months after close",
)
def drawings_retention(request, document_id: PathId, payload: RetentionIn):
    document = _live(request, document_id, CHANGE)
    document = services.document_retention_set(
        actor=request.user,
        document=document,
        rule=payload.rule,
        date=payload.date,
        months=payload.months,
        closed_on=payload.closed_on,
        ip_address=client_ip(request),
    )
    return _detail(request, document)


def _certificate_out(certificate: DestructionCertificate) -> CertificateOut:
    return CertificateOut(
        number=certificate.number,
        destroyed_at=certificate.destroyed_at,
        company_name=certificate.company_name,
        document_title=certificate.document_title,
        drawing_number=certificate.drawing_number,
        reason=certificate.reason,
        requested_by_label=certificate.requested_by_label,
        revisions=certificate.revisions,
        files_removed=certificate.files_removed,
        grants_revoked=certificate.grants_revoked,
    )


@router.post(
    "/documents/{document_id}/destroy",
    response={201: CertificateOut},
    summary="Destroy now (owners): files purged, shares revoked, a 破棄証明 issued",
)
def drawings_destroy(request, document_id: PathId, payload: DestroyIn):
    document = _live(request, document_id, DELETE)
    certificate = services.document_destroy(
        actor=request.user, document=document, reason=payload.reason, ip_address=client_ip(request)
    )
    return Status(201, _certificate_out(certificate))


def _certificate(request: SignedInRequest, document_id: int) -> DestructionCertificate:
    document = _document(request, document_id, CHANGE)
    return get_for_user_or_404(DestructionCertificate, request.user, VIEW, document=document)


@router.get(
    "/documents/{document_id}/certificate",
    response=CertificateOut,
    summary="The 破棄証明 of a destroyed document",
)
def drawings_certificate(request, document_id: PathId):
    return _certificate_out(_certificate(request, document_id))


@router.get(
    "/documents/{document_id}/certificate.pdf",
    summary="The 破棄証明 as PDF",
    openapi_extra=_binary("the certificate (PDF)", "application/pdf"),
)
def drawings_certificate_pdf(request, document_id: PathId):
    certificate = _certificate(request, document_id)
    response = HttpResponse(
        destruction_certificate_pdf(certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition(f"{certificate.number}.pdf")
    return _private(response)
