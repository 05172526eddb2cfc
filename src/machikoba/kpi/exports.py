"""Every indicator as a file, CSV (UTF-8 with a BOM) or Excel, Japanese headers: one row
per indicator of one scope (a ward, or every ward together), or one row per ward and
indicator side by side. Built from the figures as the reader sees them
(``selectors.figures.Shown``), so a suppressed figure (fewer than 3 companies) has an
empty value, numerator, denominator and company count, and its reason; nothing names a
company.

Cells go through ``core.exports.table_file`` (text that Excel would run as a formula is
escaped); numbers stay numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.exports import csv_writer, table_file
from machikoba.kpi.choices import Level, Measure
from machikoba.kpi.selectors import dashboard
from machikoba.kpi.selectors.drilldown import csv_rows, drilldown
from machikoba.kpi.selectors.figures import Reader, Shown, shown
from machikoba.wards.models import Municipality

EXPORT_FORMATS = ("csv", "xlsx")


def ward_label(ward: Municipality | None) -> str:
    """The scope's name: the ward's, or every ward together."""
    return ward.display_name if ward is not None else _("全区の合計")


def _number(value: Decimal | float | int | None) -> int | float | None:
    """A figure as a spreadsheet number: an integer when whole, else at most 4 decimals."""
    if value is None:
        return None
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return int(number)
    return float(round(number, 4))


def header() -> list[str]:
    """The columns of one indicator (after the ward's)."""
    return [
        _("コード"),
        _("指標"),
        _("区分"),
        _("施策"),
        _("年度"),
        _("値"),
        _("分子"),
        _("分母"),
        _("単位"),
        _("目標"),
        _("目標年度"),
        _("状態"),
        _("理由"),
        _("企業数"),
        _("定義の版"),
    ]


def indicator_row(item: Shown) -> list[Any]:
    """One indicator as the reader sees it: a hidden figure keeps only its reason."""
    definition = item.definition
    indicator = definition.indicator
    goal = item.result.goal
    return [
        item.code,
        str(definition.display_name),
        str(Level(indicator.level).label),
        str(Measure(indicator.measure).label),
        item.result.scope.fiscal_year,
        _number(item.value),
        _number(item.numerator),
        _number(item.denominator),
        str(item.unit_text),
        _number(goal.target),
        goal.target_year,
        str(item.light_text),
        str(item.reason_text),
        None if item.hidden else item.company_count,
        definition.version,
    ]


def indicators_table(items: Sequence[Shown], ward: Municipality | None) -> list[list[Any]]:
    label = ward_label(ward)
    return [[label, *indicator_row(item)] for item in items]


def indicators_file(
    items: Sequence[Shown], *, ward: Municipality | None, file_format: str
) -> tuple[bytes, str]:
    """Every indicator of one scope: the file and its content type."""
    return table_file(
        file_format,
        sheet=_("KPI指標"),
        header=[_("区"), *header()],
        rows=indicators_table(items, ward),
    )


def wards_file(
    per_ward: Sequence[tuple[Municipality | None, Sequence[Shown]]], *, file_format: str
) -> tuple[bytes, str]:
    """The wards side by side: one row per ward and indicator (``None``: every ward
    together), each figure suppressed as it is for the reader."""
    rows = [
        [ward.code if ward is not None else "", ward_label(ward), *indicator_row(item)]
        for ward, items in per_ward
        for item in items
    ]
    return table_file(
        file_format,
        sheet=_("区別のKPI指標"),
        header=[_("区コード"), _("区"), *header()],
        rows=rows,
    )


def export_filename(kind: str, *, year: int, ward: Municipality | None, file_format: str) -> str:
    """``kpi-2026-131113.csv``, ``kpi-2026-all.xlsx``, ``kpi-wards-2026.csv`` …"""
    if kind == "wards":
        return f"kpi-wards-{year}.{file_format}"
    return f"kpi-{year}-{ward.code if ward is not None else 'all'}.{file_format}"


def indicator_records_csv(
    reader: Reader, code: str, filters: dashboard.Filters
) -> tuple[bytes, str]:
    """The records behind one indicator as the reader may see them (one by one for an
    officer of the figure's ward, else counted), after the figure itself: the CSV and its
    file name."""
    result = dashboard.indicator_result(reader, code, filters, today=timezone.localdate())
    ward_id = filters.ward.pk if filters.ward is not None else None
    drill = drilldown(reader, result, ward_id)
    out = io.StringIO()
    writer = csv_writer(out)
    figure = shown(result, reader.companies)
    writer.writerow([_("指標"), code, result.definition.display_name])
    writer.writerow([_("範囲"), filters.ward.display_name if filters.ward else _("全区の合計")])
    writer.writerow([_("年度"), filters.year, _("集計日"), result.scope.last_day.isoformat()])
    writer.writerow([_("値"), figure.text, figure.unit_text, figure.reason_text])
    writer.writerow([])
    writer.writerows(csv_rows(drill))
    name = f"kpi_{code}_{filters.ward_param}_{filters.year}_records.csv"
    return ("\ufeff" + out.getvalue()).encode("utf-8"), name
