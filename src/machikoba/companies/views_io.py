"""Ward officers import the company list (CSV / Excel) and export the directory."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.accounts.choices import WardRole
from machikoba.accounts.decorators import officer_required
from machikoba.companies import exporting, importing
from machikoba.companies.forms_io import ColumnMappingForm, ImportUploadForm
from machikoba.companies.importing.reading import max_upload_bytes, too_large_message
from machikoba.companies.models_io import ImportJob, ImportStatus
from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.exports import csv_writer
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.wards.selectors import served_municipalities

RECENT_JOBS = 10


@officer_required
@require_http_methods(["GET", "POST"])
@limit_upload_size(max_upload_bytes)
def import_upload(request):
    posted = request.method == "POST"  # bound even when the upload was stopped early
    wards = list(served_municipalities(request.user, WardRole.OFFICER))
    form = ImportUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=request.user,
        wards=wards,
    )
    refuse_oversized(request, form, too_large_message)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_create(
                actor=request.user,
                upload=form.cleaned_data["file"],
                ward=form.cleaned_data.get("ward"),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return redirect("companies:import_detail", job_pk=job.pk)
    recent_jobs = ImportJob.objects.for_user(request.user, VIEW).select_related(
        "created_by", "ward"
    )[:RECENT_JOBS]
    return render(
        request,
        "companies/import_upload.html",
        {"form": form, "wards": wards, "recent_jobs": recent_jobs},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def import_detail(request, job_pk: int):
    """Map columns and preview (``uploaded``); then progress, and the outcome."""
    job = get_for_user_or_404(ImportJob, request.user, VIEW, pk=job_pk)
    if request.method == "GET" and request.GET.get("download") == "errors":
        return _error_report_csv(job)
    context = {"job": job}
    if request.method == "POST":
        job = get_for_user_or_404(ImportJob, request.user, CHANGE, pk=job_pk)
        if job.status != ImportStatus.UPLOADED:
            messages.error(request, _("この取り込みはすでに始まっています。"))
            return redirect("companies:import_detail", job_pk=job.pk)
    if job.status != ImportStatus.UPLOADED:
        return render(request, "companies/import_detail.html", context)

    suggested = importing.suggest_mapping(job.header)
    if request.method == "POST":
        form = ColumnMappingForm(request.POST, header=job.header, suggested=suggested)
        if form.is_valid():
            try:
                importing.import_job_start(actor=request.user, job=job, mapping=form.mapping())
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                return redirect("companies:import_detail", job_pk=job.pk)
    elif any(key.startswith(f"{ColumnMappingForm.prefix}-") for key in request.GET):
        # The officer changed a select: preview with the mapping as it now stands.
        form = ColumnMappingForm(request.GET, header=job.header, suggested=suggested)
    else:
        form = ColumnMappingForm(header=job.header, suggested=suggested)
    mapping = form.current_mapping()
    context.update(
        {
            "form": form,
            "mapping_fields": [form[f.name] for f in importing.IMPORT_FIELDS],
            "preview_fields": [f for f in importing.IMPORT_FIELDS if f.name in mapping],
            "preview": importing.preview_rows(job, mapping, user=request.user),
            "name_suggested": "name" in suggested,
        }
    )
    template = "companies/import_detail.html"
    if request.htmx and request.htmx.target == "import-preview":
        template += "#preview"
    return render(request, template, context)


@officer_required
@require_GET
def import_progress(request, job_pk: int):
    """HTMX: the progress bar (polled every second) or, once finished, the outcome."""
    job = get_for_user_or_404(ImportJob, request.user, VIEW, pk=job_pk)
    return render(request, "companies/partials/import_progress.html", {"job": job})


def _error_report_csv(job: ImportJob) -> HttpResponse:
    out = io.StringIO()
    writer = csv_writer(out)  # the column and the message quote the uploaded file
    writer.writerow([_("行"), _("列"), _("内容")])
    for error in job.sorted_errors:
        writer.writerow([error["row"] or "", error["column"], error["message"]])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"machikoba-import-{job.pk}-errors.csv"
    )
    return response


@officer_required
@require_GET
def directory_export(request, file_format: str):
    if file_format not in exporting.EXPORT_FORMATS:
        raise Http404
    content, content_type = exporting.directory_export(actor=request.user, file_format=file_format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, exporting.export_filename(file_format)
    )
    return response
