"""The dashboard's downloads through the API: every indicator of a fiscal year as CSV or
Excel, the wards side by side, the annual report PDF and the records behind one indicator
as CSV. The same readers as the pages (a ward's officers, the metro viewer; anyone else
finds nothing), the same figures and the same files: the pages' exporters write them."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from machikoba.core.errors import ApplicationError
from machikoba.core.exports import SPREADSHEET_TYPES
from machikoba.core.views import content_disposition
from machikoba.kpi import exports
from machikoba.kpi.api._router import router
from machikoba.kpi.api.common import Filters, filters_of, reader_or_404
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.report_pdf import annual_report, annual_report_pdf
from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors.figures import Reader, figures_for, readable_wards
from machikoba.wards.models import Municipality

FIRST_YEAR = 2000
XLSX = SPREADSHEET_TYPES["xlsx"]
PDF = "application/pdf"
# The media types the schema declares (the CSV is sent with its charset, UTF-8 with a BOM).
CSV = "text/csv"


def file_answer(description: str, *media_types: str) -> dict[str, Any]:
    """The 200 answer of a download, declared with the file's real content types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {"description": description, "content": {m: dict(binary) for m in media_types}}
        }
    }


# --- schemas ------------------------------------------------------------------------------


class KpiYearQuery(Schema):
    fy: int | None = Field(
        None,
        ge=FIRST_YEAR,
        le=2100,
        description="fiscal year (this one); at most next year (a later one: 409)",
    )


class KpiReportQuery(KpiYearQuery):
    ward: str | None = Field(
        None,
        pattern=r"^(all|[0-9]{6})$",
        description="a ward's code the caller reads; none or 'all': every ward together",
    )


class KpiExportQuery(KpiReportQuery):
    format: Literal["csv", "xlsx"] = "csv"


class KpiWardsExportQuery(KpiYearQuery):
    format: Literal["csv", "xlsx"] = "csv"


# --- helpers ------------------------------------------------------------------------------


def _year(query: KpiYearQuery) -> int:
    """The fiscal year asked for (this one when none); one that has not begun by next year
    has no figures yet: refused as the pages refuse it."""
    current = this_fiscal_year()
    if query.fy is None:
        return current
    if query.fy > current + 1:
        message = _("年度は%(first)s〜%(last)sの西暦4桁 (例: 2026) で指定してください。") % {
            "first": FIRST_YEAR,
            "last": current + 1,
        }
        raise ApplicationError(
            KpiErrorCode.FISCAL_YEAR_INVALID, message, fields={"fy": [message]}, status_code=409
        )
    return query.fy


def _ward(reader: Reader, code: str | None) -> Municipality | None:
    """The ward asked for, or None for every ward together; a ward the reader does not
    serve is refused as if it did not exist (as the pages)."""
    if not code or code == selectors.ALL_WARDS:
        if not reader.may_read(None):  # pragma: no cover - every reader reads the total
            raise Http404
        return None
    ward = readable_wards(reader).filter(code=code).first()
    if ward is None:
        raise ApplicationError(
            KpiErrorCode.WARD_NOT_READABLE,
            _("指定された区が見つからないか、その区の数字を見る権限がありません。"),
            status_code=404,
        )
    return ward


def _file(content: bytes, content_type: str, filename: str, *, inline: bool = False):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    return response


# --- operations ---------------------------------------------------------------------------


@router.get(
    "/export",
    summary="Every indicator of a fiscal year as CSV or Excel (a ward, or every ward together)",
    openapi_extra=file_answer("the indicators (as the dashboard's download)", CSV, XLSX),
)
def kpi_export(request, query: Query[KpiExportQuery]):
    reader = reader_or_404(request)
    year = _year(query)
    ward = _ward(reader, query.ward)
    items = figures_for(
        reader.companies,
        year=year,
        wards=(ward.pk,) if ward is not None else None,
        today=timezone.localdate(),
    )
    content, content_type = exports.indicators_file(items, ward=ward, file_format=query.format)
    return _file(
        content,
        content_type,
        exports.export_filename("indicators", year=year, ward=ward, file_format=query.format),
    )


@router.get(
    "/export/wards",
    summary="Every ward the caller reads side by side, then every ward together (CSV, Excel)",
    openapi_extra=file_answer("the wards side by side", CSV, XLSX),
)
def kpi_export_wards(request, query: Query[KpiWardsExportQuery]):
    reader = reader_or_404(request)
    year = _year(query)
    today = timezone.localdate()
    per_ward: list[tuple[Municipality | None, list]] = [
        (ward, figures_for(reader.companies, year=year, wards=(ward.pk,), today=today))
        for ward in readable_wards(reader)
    ]
    per_ward.append((None, figures_for(reader.companies, year=year, wards=None, today=today)))
    content, content_type = exports.wards_file(per_ward, file_format=query.format)
    return _file(
        content,
        content_type,
        exports.export_filename("wards", year=year, ward=None, file_format=query.format),
    )


@router.get(
    "/report.pdf",
    summary="The annual report for the council (PDF): every indicator and its trend",
    openapi_extra=file_answer("the annual report", PDF),
)
def kpi_report_pdf(request, query: Query[KpiReportQuery]):
    reader = reader_or_404(request)
    year = _year(query)
    ward = _ward(reader, query.ward)
    report = annual_report(reader, year=year, ward=ward, today=timezone.localdate())
    name = f"kpi-report-{year}-{ward.code if ward is not None else 'all'}.pdf"
    return _file(annual_report_pdf(report), PDF, name, inline=True)


@router.get(
    "/indicators/{code}/records.csv",
    summary="The records behind one indicator as CSV (as the caller may see them)",
    openapi_extra=file_answer("the indicator and its records", CSV),
)
def kpi_indicator_records_csv(request, code: str, query: Query[Filters]):
    """Filters the dashboard cannot use fall back to their defaults, as on
    ``/indicators/{code}``; the file's first rows say which scope and year it holds."""
    reader = reader_or_404(request)
    if len(code) > 20:
        raise Http404
    filters = filters_of(reader, query)
    content, name = exports.indicator_records_csv(reader, code, filters)
    return _file(content, SPREADSHEET_TYPES["csv"], name)
