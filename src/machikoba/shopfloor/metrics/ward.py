"""The ward's aggregates of the shop floor, for its officers. ``ward_floor_summary`` reads
with ``SUPPORT`` (the officers of the company's ward) and returns, per ward, how many
companies file daily reports and monitor machines, and the median and mean of their
稼働率 (none below ``definitions.MIN_CONTRIBUTORS`` companies): counts, a median and a
mean, never one company's figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import SUPPORT, VIEW, WARD_OFFICER, municipality_ids_for
from machikoba.telemetry.models import Machine
from machikoba.telemetry.selectors_intervals import intervals_in
from machikoba.wards.models import Municipality

from ..choices import ReportStatus
from ..models import machine_key
from ..models_reports import DailyReport, ReportEntry
from .definitions import Spread, spread
from .engine import EntryInfo, MachineInfo, ShopFloor
from .periods import TREND_DAYS, Period, local_tz, midnight
from .reading import ENTRY_FIELDS, entry_info
from .windows import shop_calendars


@dataclass(frozen=True)
class WardFloorRow:
    """One ward: how many of its companies file daily reports and monitor machines, and
    the median and mean 稼働率 of the companies with a figure (``spread``), suppressed
    below ``definitions.MIN_CONTRIBUTORS`` companies (``note`` says why)."""

    municipality: str
    reporting_companies: int
    monitoring_companies: int
    utilisation: Spread
    note: str

    @property
    def median_text(self) -> str:
        value = self.utilisation.median
        return "—" if value is None else f"{100 * value:.1f}%"

    @property
    def mean_text(self) -> str:
        value = self.utilisation.mean
        return "—" if value is None else f"{100 * value:.1f}%"


@dataclass(frozen=True)
class WardFloorSummary:
    period: Period
    rows: list[WardFloorRow]


def ward_floor_summary(
    user: User, *, period: Period | None = None, now: dt.datetime | None = None
) -> WardFloorSummary:
    """For a ward officer: per ward they serve, the number of its companies filing daily
    reports and monitoring machines in ``period`` (the last 30 days by default), and the
    median and mean of those companies' 稼働率 (each company: the producing and report
    machine minutes of its machines with data ÷ their planned time). Fewer than three
    companies with a figure: no median, no mean (``Spread.suppressed``), only the counts.
    Read with ``SUPPORT``; no company's own figure leaves this function."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    period = period or Period(today - dt.timedelta(days=TREND_DAYS - 1), today)
    wards = municipality_ids_for(user, WARD_OFFICER)
    if not wards:
        return WardFloorSummary(period, [])
    companies = dict(Company.objects.for_user(user, SUPPORT).values_list("pk", "ward_id"))
    machines = list(
        Machine.objects.for_user(user, SUPPORT)
        .filter(company_id__in=companies)
        .only("pk", "company_id", "equipment_id", "unit", "active")
    )
    entries: dict[int, list[EntryInfo]] = defaultdict(list)
    approved = ReportEntry.objects.for_user(user, SUPPORT).filter(
        report__status=ReportStatus.APPROVED,
        report__company_id__in=companies,
        minutes__isnull=False,
        report__date__gte=period.first,
        report__date__lte=period.last,
    )
    for company_id, *row in approved.values_list("report__company_id", *ENTRY_FIELDS):
        entries[company_id].append(entry_info(tuple(row)))
    reporting = set(
        DailyReport.objects.for_user(user, SUPPORT)
        .filter(company_id__in=companies, date__gte=period.first, date__lte=period.last)
        .exclude(status=ReportStatus.DRAFT)
        .values_list("company_id", flat=True)
        .distinct()
    )
    involved = {m.company_id for m in machines} | set(entries)
    calendars = shop_calendars(sorted(involved), local_tz())
    start = midnight(period.first)
    end = midnight(period.last + dt.timedelta(days=2))
    spans = intervals_in(machines, start, end, now)
    by_company: dict[int, list[Machine]] = defaultdict(list)
    for machine in machines:
        by_company[machine.company_id].append(machine)
    monitoring: set[int] = set()
    figures: dict[int, float] = {}
    for company_id in involved:
        own = by_company.get(company_id, [])
        own_ids = {m.pk for m in own}
        keys = {machine_key(m.equipment_id, m.unit) for m in own}
        infos = [MachineInfo(machine_key(m.equipment_id, m.unit), "", m.pk) for m in own]
        infos += [
            MachineInfo(key, "", None)
            for key in sorted({e.key for e in entries[company_id] if e.key and e.key not in keys})
        ]
        floor = ShopFloor(
            calendar=calendars[company_id],
            first=period.first,
            last=period.last,
            machines=infos,
            spans=[s for s in spans if s.machine_id in own_ids],
            entries=entries[company_id],
            reasons=[],
            now=now,
        )
        if any(floor.has_data(m, floor.days) for m in infos if m.monitored):
            monitoring.add(company_id)
        combined = floor.combined_period()
        if combined.machines and combined.utilisation.value is not None:
            figures[company_id] = combined.utilisation.value
    names = {
        m.pk: m.display_name for m in Municipality.objects.for_user(user, VIEW).filter(pk__in=wards)
    }
    rows = []
    for ward in sorted(wards, key=lambda pk: names.get(pk, "")):
        members = {pk for pk, ward_id in companies.items() if ward_id == ward}
        values = [figures[pk] for pk in sorted(members) if pk in figures]
        result = spread(values)
        note = ""
        if result.suppressed:
            note = _(
                "稼働率の分かる企業が %(count)d 社のため、中央値と平均は表示しません"
                " (3 社から表示します)。"
            ) % {"count": result.contributors}
        rows.append(
            WardFloorRow(
                municipality=names.get(ward, ""),
                reporting_companies=len(members & reporting),
                monitoring_companies=len(members & monitoring),
                utilisation=result,
                note=note,
            )
        )
    return WardFloorSummary(period, rows)
