"""Drawings: upload, revisions, sharing, NDA, the watermarked viewer and the access log."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, DELETE, VIEW, can, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.exports import csv_writer
from machikoba.core.stored_files import read_small
from machikoba.core.uploads import limit_upload_size
from machikoba.core.views import (
    active_company_or_403,
    client_ip,
    content_disposition,
    safe_next,
    save_form,
)
from machikoba.drawings import selectors, services
from machikoba.drawings.access import is_owner_member
from machikoba.drawings.certificate_pdf import destruction_certificate_pdf
from machikoba.drawings.choices import DocumentAction
from machikoba.drawings.downloads import download_response, viewer_open, watermark_lines_for
from machikoba.drawings.forms import (
    DestroyForm,
    DocumentUploadForm,
    GrantForm,
    NdaForm,
    RetentionForm,
    RevisionUploadForm,
)
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


def _document(request, pk: int, action: str = VIEW) -> Document:
    """The document through the access layer; a signed-in person who is refused is
    recorded on the document's log (an expired or revoked grant, a missing NDA)."""
    try:
        return get_for_user_or_404(Document, request.user, action, pk=pk)
    except (Http404, PermissionDenied):
        if request.user.is_authenticated:
            services.document_refusal_record(
                document_pk=pk,
                actor=request.user,
                ip_address=client_ip(request),
                detail=request.path,
            )
        raise


class DocumentDestroyed(Exception):
    """The document's files were purged; its pages answer 410 with the certificate."""


def _gone_when_destroyed(view):
    """Pages of a destroyed document say so (410), with the way to its certificate."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DocumentDestroyed as gone:
            document = gone.args[0]
            return render(
                request,
                "drawings/destroyed.html",
                {"document": document, "can_edit": can(request.user, CHANGE, document)},
                status=410,
            )

    return wrapper


def _live_document(request, pk: int, action: str) -> Document:
    """The document for a page that changes it: a destroyed one answers 410."""
    document = _document(request, pk, action)
    if document.is_destroyed:
        raise DocumentDestroyed(document)
    return document


@login_required
def document_list(request):
    company = active_company_or_403(request)
    return render(
        request,
        "drawings/document_list.html",
        {
            "own": selectors.documents_of(user=request.user, company=company),
            "shared": selectors.documents_shared_with(user=request.user, company=company),
            "awaiting_nda": selectors.owners_awaiting_nda(user=request.user, company=company),
            "company": company,
            "can_upload": can(request.user, CHANGE, company),
        },
    )


def _drawing_max_bytes() -> int:
    return settings.MACHIKOBA_DRAWING_MAX_BYTES


def _refuse_oversized(request, form) -> None:
    """Say so on the form when the upload was dropped for its size while streaming."""
    if request.oversized_uploads:
        form.add_error("file", too_large_message(_drawing_max_bytes()))


@login_required
@limit_upload_size(_drawing_max_bytes)
def document_create(request):
    company = active_company_or_403(request)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    _refuse_oversized(request, form)
    done = save_form(
        request,
        form,
        lambda data: services.document_create(
            actor=request.user,
            company=company,
            title=data["title"],
            drawing_number=data["drawing_number"],
            kind=data["kind"],
            upload=data["file"],
            change_note=data["change_note"],
        ),
        success_message=_("図面を登録しました。プレビューを作成しています。"),
        next_url=lambda document: reverse("drawings:detail", args=[document.pk]),
    )
    if done:
        return done
    return render(request, "drawings/document_form.html", {"form": form, "company": company})


@login_required
def document_detail(request, pk: int):
    document = _document(request, pk)
    owner = is_owner_member(request.user, document)
    revisions = Revision.objects.for_user(request.user, VIEW).filter(document=document)
    context = {
        "document": document,
        "revisions": revisions,
        "owner": owner,
        "can_edit": can(request.user, CHANGE, document),
        "can_destroy": can(request.user, DELETE, document),
    }
    if owner:
        context["grants"] = selectors.grants_of(user=request.user, document=document)
    return render(request, "drawings/document_detail.html", context)


@login_required
@limit_upload_size(_drawing_max_bytes)
@_gone_when_destroyed
def revision_create(request, pk: int):
    document = _live_document(request, pk, CHANGE)
    form = RevisionUploadForm(request.POST or None, request.FILES or None)
    _refuse_oversized(request, form)
    done = save_form(
        request,
        form,
        lambda data: services.revision_add(
            actor=request.user,
            document=document,
            upload=data["file"],
            change_note=data["change_note"],
        ),
        success_message=_("新しい版を登録しました。"),
        next_url=reverse("drawings:detail", args=[document.pk]),
    )
    if done:
        return done
    return render(request, "drawings/revision_form.html", {"form": form, "document": document})


def _revision(request, pk: int, number: int) -> Revision:
    """One scoped query on the common path (every page image comes through here); only a
    refusal asks about the document, to answer 404/403 and log the attempt."""
    revision = (
        Revision.objects.for_user(request.user, VIEW)
        .select_related("document")
        .filter(document_id=pk, number=number)
        .first()
    )
    if revision is None:
        document = _document(request, pk)  # raises, and logs, when the document is hidden
        if document.is_destroyed:
            raise DocumentDestroyed(document)
        services.document_event_record(
            document=document,
            action=DocumentAction.DENIED,
            actor=request.user,
            ip_address=client_ip(request),
            detail=request.path,
        )
        raise Http404
    if revision.document.is_destroyed:
        raise DocumentDestroyed(revision.document)
    return revision


@login_required
@require_GET
@_gone_when_destroyed
def viewer(request, pk: int, number: int):
    revision = _revision(request, pk, number)
    opened = viewer_open(request, revision)
    return render(
        request,
        "drawings/viewer.html",
        {
            "revision": revision,
            "document": revision.document,
            "pages": opened.pages,
            "owner": opened.owner,
            "can_download": opened.can_download,
        },
    )


@login_required
@require_GET
@_gone_when_destroyed
def page_image(request, pk: int, number: int, page: int):
    """A preview page, watermarked with who is looking and when, never cached shared."""
    revision = _revision(request, pk, number)
    # A page of the revision the access layer has just granted: no second scope needed.
    preview = revision.preview_pages.filter(number=page).first()
    if preview is None:
        raise Http404
    field = preview.zoom if request.GET.get("size") == "zoom" else preview.screen
    png = watermark_stored_page(
        field.name, lambda: read_small(field), lines=watermark_lines_for(request)
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
@_gone_when_destroyed
def download(request, pk: int, number: int):
    """Owners get the original; partners allowed to download get a watermarked copy
    (PDF, or the image); formats that cannot carry a watermark are view-only."""
    return download_response(request, _revision(request, pk, number))


@login_required
@_gone_when_destroyed
def grant_create(request, pk: int):
    document = _live_document(request, pk, CHANGE)
    form = GrantForm(
        request.POST or None,
        companies=Company.objects.for_user(request.user, VIEW)
        .filter(is_active=True)
        .exclude(pk=document.company_id),
        revisions=Revision.objects.for_user(request.user, VIEW).filter(document=document),
    )
    done = save_form(
        request,
        form,
        lambda data: services.grant_create(
            actor=request.user,
            document=document,
            grantee=data["grantee"],
            revision=data["revision"],
            can_download=data["can_download"],
            expires_at=data["expires_at"],
            ip_address=client_ip(request),
        ),
        success_message=_("共有しました。相手が秘密保持に同意すると見られるようになります。"),
        next_url=reverse("drawings:detail", args=[document.pk]),
    )
    if done:
        return done
    return render(request, "drawings/grant_form.html", {"form": form, "document": document})


@login_required
@require_POST
def grant_revoke(request, pk: int, grant_pk: int):
    document = _document(request, pk, CHANGE)
    grant = get_for_user_or_404(Grant, request.user, CHANGE, pk=grant_pk, document=document)
    try:
        services.grant_revoke(actor=request.user, grant=grant, ip_address=client_ip(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("共有を取り消しました。相手はもう見られません。"))
    return redirect("drawings:detail", pk=document.pk)


@login_required
def nda_edit(request):
    company = active_company_or_403(request)
    if not can(request.user, CHANGE, company):
        raise PermissionDenied
    current = NdaText.objects.for_user(request.user, VIEW).filter(company=company).first()
    form = NdaForm(request.POST or None, initial={"body": current.body if current else ""})
    done = save_form(
        request,
        form,
        lambda data: services.nda_publish(actor=request.user, company=company, body=data["body"]),
        success_message=_("秘密保持の条項を新しい版で保存しました。"),
        next_url=reverse("drawings:list"),
    )
    if done:
        return done
    return render(
        request, "drawings/nda_form.html", {"form": form, "current": current, "company": company}
    )


@login_required
def nda_accept(request, nda_pk: int):
    company = active_company_or_403(request)
    nda = get_for_user_or_404(
        NdaText.objects.select_related("company"), request.user, VIEW, pk=nda_pk
    )
    if request.method == "POST":
        if request.POST.get("agree") != "yes":
            messages.error(
                request, _("同意する場合は、「条項に同意して図面を見る」を押してください。")
            )
        else:
            try:
                services.nda_accept(
                    actor=request.user, company=company, nda=nda, ip_address=client_ip(request)
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("秘密保持に同意しました。共有された図面を見られます。"))
                # From the RFQ page: back there, where the drawings now show.
                return redirect(safe_next(request, reverse("drawings:list")))
    next_url = safe_next(request, "")
    return render(
        request, "drawings/nda_accept.html", {"nda": nda, "company": company, "next": next_url}
    )


@login_required
def document_log(request, pk: int):
    document = _document(request, pk, CHANGE)
    events = selectors.document_events(user=request.user, document=document)[:500]
    return render(request, "drawings/document_log.html", {"document": document, "events": events})


@login_required
def document_log_csv(request, pk: int):
    document = _document(request, pk, CHANGE)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"document-{document.pk}-log.csv")
    response.write("\ufeff")
    # Names and details come from other companies' users: formulas are escaped.
    writer = csv_writer(response)
    writer.writerow(
        [_("日時"), _("操作"), _("実行者"), _("実行者の企業"), _("IPアドレス"), _("版"), _("詳細")]
    )
    for event in selectors.document_events(user=request.user, document=document).select_related(
        "revision"
    ):
        writer.writerow(
            [
                timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
                event.get_action_display(),
                event.actor_label,
                event.actor_company_name,
                event.ip_address or "",
                event.revision.label if event.revision else "",
                event.detail,
            ]
        )
    return response


@login_required
@_gone_when_destroyed
def retention_edit(request, pk: int):
    document = _live_document(request, pk, CHANGE)
    form = RetentionForm(
        request.POST or None,
        initial={
            "rule": document.retention_rule,
            "date": document.retention_date,
            "months": document.retention_months,
            "closed_on": document.closed_on,
        },
    )
    done = save_form(
        request,
        form,
        lambda data: services.document_retention_set(
            actor=request.user,
            document=document,
            rule=data["rule"],
            date=data["date"],
            months=data["months"],
            closed_on=data["closed_on"],
            ip_address=client_ip(request),
        ),
        success_message=_("保存期間を設定しました。"),
        next_url=reverse("drawings:detail", args=[document.pk]),
    )
    if done:
        return done
    return render(request, "drawings/retention_form.html", {"form": form, "document": document})


@login_required
@_gone_when_destroyed
def document_destroy(request, pk: int):
    """Destroy now (owners only): files purged, grants revoked, certificate issued."""
    document = _live_document(request, pk, DELETE)
    form = DestroyForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.document_destroy(
            actor=request.user,
            document=document,
            reason=data["reason"],
            ip_address=client_ip(request),
        ),
        success_message=_("図面を破棄しました。破棄証明をダウンロードできます。"),
        next_url=reverse("drawings:detail", args=[document.pk]),
    )
    if done:
        return done
    return render(request, "drawings/destroy_form.html", {"form": form, "document": document})


@login_required
@require_GET
def certificate_pdf(request, pk: int):
    document = _document(request, pk, CHANGE)
    certificate = get_for_user_or_404(DestructionCertificate, request.user, VIEW, document=document)
    response = HttpResponse(
        destruction_certificate_pdf(certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition(f"{certificate.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response
