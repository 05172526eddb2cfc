"""The metrics of a period and the shifts. ``metrics_page`` is the company's figures for
a period: per machine, per day and shift (all machines together), the downtime Pareto, and
the daily 稼働率 and OEE of the 30 days to its last day (``TREND_DAYS``), from the company
read through ``reading``; ``shifts_page`` is the company's shifts and its calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import VIEW
from machikoba.telemetry.choices import MachineState

from ..models_metrics import Shift
from .definitions import pareto
from .engine import ShopFloor, StopKey
from .labels import Figure, StateStyle, figure, legend, minutes_text, state_label
from .periods import TREND_DAYS, Period, local_tz
from .reading import read_shop
from .rows import CombinedRow, FigureRow, combined_row, figure_row
from .windows import FloorCalendar, shop_calendars

# --- the metrics of a period ----------------------------------------------------------------


@dataclass
class ParetoRow:
    label: str
    minutes: str
    share: float  # percent
    cumulative: float  # percent
    planned: bool
    bar: float  # percent of the longest bar


@dataclass
class DayRow:
    day: dt.date
    working: bool
    total: CombinedRow
    shifts: list[CombinedRow]


@dataclass
class TrendRow:
    day: dt.date
    working: bool
    utilisation: Figure
    oee: Figure
    x: float = 0.0  # the day's place on the chart (10 units a day, oldest on the left)

    @property
    def utilisation_height(self) -> float:
        return self.utilisation.bar

    @property
    def oee_height(self) -> float:
        return self.oee.bar

    @property
    def utilisation_top(self) -> float:
        return 100 - self.utilisation.bar

    @property
    def oee_top(self) -> float:
        return 100 - self.oee.bar

    @property
    def oee_x(self) -> float:
        return self.x + 4.5


@dataclass
class MetricsPage:
    company: Company
    period: Period
    machine_rows: list[FigureRow]
    total: CombinedRow
    day_rows: list[DayRow]
    pareto: list[ParetoRow]
    stop_total: str
    offline_total: str
    trend: list[TrendRow]  # newest first (the table)
    trend_chart: list[TrendRow]  # oldest first (the chart)
    trend_period: Period
    legend: list[tuple[StateStyle, str]] = field(default_factory=legend)

    @property
    def has_machines(self) -> bool:
        return bool(self.machine_rows)


def _stop_label(floor: ShopFloor, key: StopKey) -> tuple[str, bool]:
    kind = key[0]
    if kind == "reason":
        reason = floor.reasons.get(int(key[1]))
        if reason is None:
            return _("理由 (削除済み)"), False
        return reason.label, reason.planned
    if kind == "code":
        return (
            _("%(state)s: コード %(code)s") % {"state": state_label(key[1]), "code": key[2]},
            key[1] == MachineState.PLANNED_STOP,
        )
    return (
        _("%(state)s (理由なし)") % {"state": state_label(key[1])},
        key[1] == MachineState.PLANNED_STOP,
    )


def _pareto_rows(floor: ShopFloor, days: Sequence[dt.date]) -> tuple[list[ParetoRow], float]:
    bars = pareto(floor.stop_minutes(days))
    longest = bars[0].minutes if bars else 1
    rows = []
    for bar in bars:
        label, planned = _stop_label(floor, bar.key)
        rows.append(
            ParetoRow(
                label=label,
                minutes=minutes_text(bar.minutes),
                share=round(100 * bar.share, 1),
                cumulative=round(100 * bar.cumulative, 1),
                planned=planned,
                bar=round(100 * bar.minutes / longest, 2),
            )
        )
    return rows, sum(bar.minutes for bar in bars)


def metrics_page(
    user: User, company: Company, period: Period, now: dt.datetime | None = None
) -> MetricsPage:
    """The company's figures for ``period``: per machine, per day and shift (all machines
    together), the downtime Pareto, and the daily trend of the 30 days to its last day."""
    now = now or timezone.now()
    trend_period = Period(period.last - dt.timedelta(days=TREND_DAYS - 1), period.last)
    first = min(period.first, trend_period.first)
    shop = read_shop(user, company, first, period.last, now)
    floor = shop.floor
    days = [d for d in period.days if floor.windows_of(d)]
    machine_rows = []
    for info in floor.machines:
        machine = next((m for m in shop.machines.values() if m.pk == info.machine_id), None)
        machine_rows.append(
            figure_row(
                info.name,
                floor.period_figures(info, days),
                monitored=info.monitored,
                machine=machine,
            )
        )
    day_rows = []
    for day in period.days:
        indices = floor.windows_of(day)
        shifts = [
            combined_row(
                floor.windows[i].shift.name,
                floor.combined_shift(i),
                upcoming=floor.windows[i].start >= now,
            )
            for i in indices
        ]
        day_rows.append(
            DayRow(
                day,
                bool(shifts),
                combined_row(
                    _("日計"),
                    floor.combined_day(day),
                    working=bool(shifts),
                    upcoming=bool(indices) and floor.windows[indices[0]].start >= now,
                ),
                shifts if len(shifts) > 1 else [],
            )
        )
    pareto_rows, stop_total = _pareto_rows(floor, days)
    trend = []
    for position, day in enumerate(trend_period.days):
        combined = floor.combined_day(day)
        trend.append(
            TrendRow(
                day,
                bool(floor.windows_of(day)),
                figure(combined.utilisation),
                figure(combined.oee),
                x=10 * position + 0.5,
            )
        )
    return MetricsPage(
        company=company,
        period=period,
        machine_rows=machine_rows,
        total=combined_row(_("全設備"), floor.combined_period(days), machine_days=True),
        day_rows=list(reversed(day_rows)),
        pareto=pareto_rows,
        stop_total=minutes_text(stop_total),
        offline_total=minutes_text(floor.offline_minutes(days)),
        trend=list(reversed(trend)),
        trend_chart=trend,
        trend_period=trend_period,
    )


# --- shifts -------------------------------------------------------------------------------------


@dataclass
class ShiftsPage:
    shifts: list[Shift]
    calendar: FloorCalendar


def shifts_page(user: User, company: Company) -> ShiftsPage:
    shifts = list(
        Shift.objects.for_user(user, VIEW).filter(company=company).order_by("order", "start", "id")
    )
    return ShiftsPage(shifts, shop_calendars([company.pk], local_tz())[company.pk])
