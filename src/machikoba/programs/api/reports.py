"""The office's three reports as downloads through the API, as the pages offer them
(``?format=csv`` / ``xlsx`` on the funnel, a cohort's attendance grid and the overdue
list): the same rows from the same selectors, written and recorded in the audit trail by
the same service (``report_export``), under the same file names. Officers only (anyone
else: 403); another ward's cohort is not found."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from machikoba.accounts.rules import is_ward_officer
from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.ids import PathId
from machikoba.programs.api._router import router
from machikoba.programs.models import Cohort
from machikoba.programs.report_downloads import report_download
from machikoba.programs.selectors import office as selectors

SPREADSHEETS = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def _spreadsheet_answer(description: str) -> dict[str, Any]:
    """The 200 answer of a report's download, declared with the files' real content types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {"description": description, "content": {m: dict(binary) for m in SPREADSHEETS}}
        }
    }


class ProgramsExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"


class ProgramsFunnelExportQuery(ProgramsExportQuery):
    year: int | None = Field(None, ge=2000, le=2100, description="fiscal year (this one)")


def _officer(request) -> None:
    if not is_ward_officer(request.user):
        raise PermissionDenied


def _download(
    request,
    *,
    file_format: str,
    report: str,
    filename: str,
    sheet: str,
    table: tuple[Sequence[Any], Sequence[Sequence[Any]]],
    target: Cohort | None = None,
    fiscal_year: int | None = None,
) -> HttpResponse:
    return report_download(
        request.user,
        file_format=file_format,
        report=report,
        filename=filename,
        sheet=sheet,
        table=table,
        target=target,
        fiscal_year=fiscal_year,
    )


@router.get(
    "/office/funnel/export",
    summary="The funnel (from application to investment) as CSV or Excel",
    openapi_extra=_spreadsheet_answer("the funnel, one row per programme and one for all"),
)
def programs_funnel_export(request, query: Query[ProgramsFunnelExportQuery]):
    _officer(request)
    result = selectors.funnel(user=request.user, fiscal_year=query.year)
    return _download(
        request,
        file_format=query.format,
        report="funnel",
        filename=_("講座の実績_%(year)d年度") % {"year": result.fiscal_year},
        sheet=_("実績"),
        table=selectors.funnel_table(result),
        fiscal_year=result.fiscal_year,
    )


@router.get(
    "/office/cohorts/{cohort_id}/attendance/export",
    summary="A cohort's attendance grid as CSV or Excel",
    openapi_extra=_spreadsheet_answer("participants by sessions"),
)
def programs_attendance_grid_export(request, cohort_id: PathId, query: Query[ProgramsExportQuery]):
    _officer(request)
    cohort = get_for_user_or_404(
        Cohort.objects.select_related("program__municipality"), request.user, CHANGE, pk=cohort_id
    )
    grid = selectors.attendance_grid(user=request.user, cohort=cohort)
    return _download(
        request,
        file_format=query.format,
        report="attendance_grid",
        filename=_("出欠表_%(program)s_%(cohort)s")
        % {"program": cohort.program.name, "cohort": cohort.name},
        sheet=_("出欠"),
        table=selectors.attendance_grid_table(grid),
        target=cohort,
        fiscal_year=cohort.fiscal_year,
    )


@router.get(
    "/office/overdue/export",
    summary="Follow-ups overdue and rolls not taken, as CSV or Excel",
    openapi_extra=_spreadsheet_answer("what the office should chase"),
)
def programs_overdue_export(request, query: Query[ProgramsExportQuery]):
    _officer(request)
    result = selectors.overdue(user=request.user)
    return _download(
        request,
        file_format=query.format,
        report="overdue",
        filename=_("講座の対応待ち_%(day)s") % {"day": result.today.isoformat()},
        sheet=_("対応待ち"),
        table=selectors.overdue_table(result),
    )
