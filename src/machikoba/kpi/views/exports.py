"""Downloads of the KPI dashboard: every indicator of a fiscal year as CSV or Excel
(``?fy=2026&ward=131113``; no ward: every ward together), the wards side by side, and the
annual report PDF for the council.

Only dashboard readers (a ward's officers, the metro viewer) download them; anyone else
finds no such page (404). A ward the reader does not serve, an unknown ward code or a
fiscal year that is not a year is refused with a message, never a 500."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from machikoba.accounts.models import User
from machikoba.core.errors import ApplicationError
from machikoba.core.views import content_disposition
from machikoba.kpi import exports
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.report_pdf import annual_report, annual_report_pdf
from machikoba.kpi.selectors.figures import Reader, figures_for, readable_wards, reader_of
from machikoba.wards.models import Municipality

FIRST_YEAR = 2000


class ReaderRequest(HttpRequest):
    user: User


def _reader(request: ReaderRequest) -> Reader:
    reader = reader_of(request.user)
    if reader is None:
        raise Http404
    return reader


def _year(request: HttpRequest) -> int:
    """The fiscal year asked for (``fy``; this year when none is asked)."""
    raw = request.GET.get("fy", "").strip()
    if not raw:
        return this_fiscal_year()
    last = this_fiscal_year() + 1
    if not raw.isascii() or not raw.isdigit() or not FIRST_YEAR <= int(raw) <= last:
        raise ApplicationError(
            KpiErrorCode.FISCAL_YEAR_INVALID,
            _("年度は%(first)s〜%(last)sの西暦4桁 (例: 2026) で指定してください。")
            % {"first": FIRST_YEAR, "last": last},
        )
    return int(raw)


def _ward(request: HttpRequest, reader: Reader) -> Municipality | None:
    """The ward asked for (``ward``: its code), or None for every ward together; a ward
    the reader does not serve is refused as if it did not exist."""
    code = request.GET.get("ward", "").strip()
    if not code:
        if not reader.may_read(None):  # pragma: no cover - every reader reads the total
            raise Http404
        return None
    ward = readable_wards(reader).filter(code=code).first() if len(code) == 6 else None
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


@login_required
@require_GET
def export_indicators(request: ReaderRequest, fmt: str) -> HttpResponse:
    reader = _reader(request)
    year = _year(request)
    ward = _ward(request, reader)
    items = figures_for(
        reader.companies,
        year=year,
        wards=(ward.pk,) if ward is not None else None,
        today=timezone.localdate(),
    )
    content, content_type = exports.indicators_file(items, ward=ward, file_format=fmt)
    return _file(
        content,
        content_type,
        exports.export_filename("indicators", year=year, ward=ward, file_format=fmt),
    )


@login_required
@require_GET
def export_wards(request: ReaderRequest, fmt: str) -> HttpResponse:
    """Every ward the reader serves, side by side, then every ward together."""
    reader = _reader(request)
    year = _year(request)
    today = timezone.localdate()
    per_ward: list[tuple[Municipality | None, list]] = [
        (ward, figures_for(reader.companies, year=year, wards=(ward.pk,), today=today))
        for ward in readable_wards(reader)
    ]
    per_ward.append((None, figures_for(reader.companies, year=year, wards=None, today=today)))
    content, content_type = exports.wards_file(per_ward, file_format=fmt)
    return _file(
        content,
        content_type,
        exports.export_filename("wards", year=year, ward=None, file_format=fmt),
    )


@login_required
@require_GET
def report_pdf(request: ReaderRequest) -> HttpResponse:
    reader = _reader(request)
    year = _year(request)
    ward = _ward(request, reader)
    report = annual_report(reader, year=year, ward=ward, today=timezone.localdate())
    name = f"kpi-report-{year}-{ward.code if ward is not None else 'all'}.pdf"
    return _file(annual_report_pdf(report), "application/pdf", name, inline=True)
