"""An office report as a file download, the same for the page and the API: the export
service writes the file and the audit event; this wraps it in the response."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse

from machikoba.accounts.models import User
from machikoba.core.views import content_disposition
from machikoba.programs.models import Cohort
from machikoba.programs.services import programs as services


def report_download(
    actor: User,
    *,
    file_format: str,
    report: str,
    filename: str,
    sheet: str,
    table: tuple[Sequence[Any], Sequence[Sequence[Any]]],
    target: Cohort | None = None,
    fiscal_year: int | None = None,
) -> HttpResponse:
    header, rows = table
    content, content_type = services.report_export(
        actor=actor,
        report=report,
        file_format=file_format,
        sheet=sheet,
        header=header,
        rows=rows,
        target=target,
        fiscal_year=fiscal_year,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(f"{filename}.{file_format}")
    response["Cache-Control"] = "private, no-store"
    return response
