"""Reads of the value-added reports (事業化状況報告, and the yearly survey): one report to
answer or read with last year's answer as a hint, the office's list per fiscal year and
kind with a summary, the wards the survey may be sent in, and the reports overdue for the
office's dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import (
    EDITOR_ROLES,
    MANAGE,
    VIEW,
    WARD_OFFICER,
    get_for_user_or_404,
    has_role,
    municipality_ids_for,
)
from machikoba.core.fiscal import fiscal_year_label
from machikoba.subsidies.access import officer_ward_ids
from machikoba.subsidies.choices import ValueAddedKind, ValueAddedStatus
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.wards.models import Municipality


@dataclass(frozen=True)
class ValueAddedRow:
    report: ValueAddedReport
    overdue: bool
    days_overdue: int
    fiscal_year_label: str

    @property
    def open(self) -> bool:
        return self.report.status != ValueAddedStatus.SCHEDULED


def value_added_row(report: ValueAddedReport, today: dt.date) -> ValueAddedRow:
    overdue = report.status == ValueAddedStatus.REQUESTED and report.due_on < today
    return ValueAddedRow(
        report=report,
        overdue=overdue,
        days_overdue=(today - report.due_on).days if overdue else 0,
        fiscal_year_label=fiscal_year_label(report.fiscal_year),
    )


# --- one value-added report -----------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    """Last year's answer (or, for the first report, the figures of the application)."""

    label: str
    sales: int | None
    external_costs: int | None
    employees: int | None

    @property
    def value_added(self) -> int | None:
        if self.sales is None or self.external_costs is None:
            return None
        return self.sales - self.external_costs


@dataclass(frozen=True)
class ValueAddedPage:
    report: ValueAddedReport
    row: ValueAddedRow
    hint: Hint | None
    can_answer: bool
    is_office: bool


def value_added_report_for(user: User, pk: int) -> ValueAddedReport:
    return get_for_user_or_404(
        ValueAddedReport.objects.select_related("company", "municipality", "application"),
        user,
        VIEW,
        pk=pk,
    )


def _hint(report: ValueAddedReport) -> Hint | None:
    previous = (
        ValueAddedReport.objects.filter(
            company=report.company,
            status=ValueAddedStatus.SUBMITTED,
            fiscal_year__lt=report.fiscal_year,
        )
        .order_by("-fiscal_year", "-pk")
        .first()
    )
    if previous is not None:
        return Hint(
            label=_("%(fiscal_year)sのご回答")
            % {"fiscal_year": fiscal_year_label(previous.fiscal_year)},
            sales=previous.sales,
            external_costs=previous.external_costs,
            employees=previous.employees,
        )
    application = report.application
    if application is not None and application.baseline_sales is not None:
        return Hint(
            label=_("補助金の申請のときのご回答 (直近の決算)"),
            sales=application.baseline_sales,
            external_costs=application.baseline_external_costs,
            employees=application.baseline_employees,
        )
    return None


def value_added_page(user: User, report: ValueAddedReport) -> ValueAddedPage:
    """One report to answer (or read): its fiscal year, due day, overdue flag, and the
    company's previous answer as a hint (a trusted read of the same company's rows)."""
    return ValueAddedPage(
        report=report,
        row=value_added_row(report, timezone.localdate()),
        hint=_hint(report),
        can_answer=report.status != ValueAddedStatus.SCHEDULED
        and has_role(user, report.company, EDITOR_ROLES),
        is_office=report.municipality_id in municipality_ids_for(user, WARD_OFFICER),
    )


# --- the office's list ----------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    fiscal_year: int
    label: str
    kind: str
    kind_label: str
    requested: int
    submitted: int
    overdue: int
    scheduled: int


@dataclass(frozen=True)
class OfficeValueAddedPage:
    fiscal_year: int | None
    kind: str
    rows: list[ValueAddedRow]
    summaries: list[YearSummary]
    years: list[int]  # fiscal years with reports, newest first
    survey_years: list[int]
    wards: list[Municipality]


def _office_reports(user: User) -> QuerySet[ValueAddedReport]:
    return ValueAddedReport.objects.for_user(user, MANAGE)


def office_value_added_page(
    user: User, *, fiscal_year: int | None = None, kind: str = "", survey_years: list[int]
) -> OfficeValueAddedPage:
    """The office's value-added reports (its wards only), per fiscal year and kind, each
    with its status and overdue flag; a summary per year and kind; the years the survey
    may be sent for (``survey_years``, from the service) and the wards to send it in."""
    today = timezone.localdate()
    reports = _office_reports(user)
    years = sorted(set(reports.values_list("fiscal_year", flat=True)), reverse=True)
    if fiscal_year is None and years:
        fiscal_year = years[0]
    listed = (
        reports.filter(fiscal_year=fiscal_year) if fiscal_year is not None else reports.none()
    ).select_related("company", "application", "municipality")
    if kind in ValueAddedKind.values:
        listed = listed.filter(kind=kind)
    rows = [
        value_added_row(r, today)
        for r in listed.order_by("status", "due_on", "company__name", "pk")
    ]
    summaries: dict[tuple[int, str], dict[str, int]] = {}
    for report in reports.only("fiscal_year", "kind", "status", "due_on"):
        counts = summaries.setdefault(
            (report.fiscal_year, report.kind),
            {"requested": 0, "submitted": 0, "overdue": 0, "scheduled": 0},
        )
        if report.status == ValueAddedStatus.SUBMITTED:
            counts["submitted"] += 1
        elif report.status == ValueAddedStatus.SCHEDULED:
            counts["scheduled"] += 1
        else:
            counts["requested"] += 1
            if report.due_on < today:
                counts["overdue"] += 1
    return OfficeValueAddedPage(
        fiscal_year=fiscal_year,
        kind=kind if kind in ValueAddedKind.values else "",
        rows=rows,
        summaries=[
            YearSummary(
                fiscal_year=year,
                label=fiscal_year_label(year),
                kind=report_kind,
                kind_label=str(ValueAddedKind(report_kind).label),
                **counts,
            )
            for (year, report_kind), counts in sorted(
                summaries.items(), key=lambda i: (-i[0][0], i[0][1])
            )
        ],
        years=years,
        survey_years=survey_years,
        wards=office_wards(user),
    )


def office_wards(user: User) -> list[Municipality]:
    """The wards the officer serves (where the survey may be sent)."""
    return list(Municipality.objects.filter(pk__in=officer_ward_ids(user)).order_by("code"))


def overdue_value_added(user: User) -> list[ValueAddedRow]:
    """The office dashboard's list: requested reports of the officer's wards past their due
    day, the longest overdue first."""
    today = timezone.localdate()
    reports = (
        _office_reports(user)
        .filter(status=ValueAddedStatus.REQUESTED, due_on__lt=today)
        .select_related("company", "application", "municipality")
        .order_by("due_on", "pk")
    )
    return [value_added_row(report, today) for report in reports]
