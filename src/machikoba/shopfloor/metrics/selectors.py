"""Reads for the shop floor's metrics pages: the live shop board, one machine's day, the
metrics of a period (稼働率, OEE, the downtime Pareto, the 30-day trend), the shifts, and
the ward's aggregates for its officers.

A company's pages read its machines, reasons and daily reports through
``Model.objects.for_user(user, VIEW)`` (the views let owners and staff in; the board also
floor workers); intervals and approved entries come from the caller-trusted reads
``telemetry.selectors_intervals.intervals_in`` and ``selectors_reports.approved_entries``
for the company read that way. The ward's aggregates (``ward_floor_summary``) read with
``SUPPORT`` (the officers of the company's ward) and return counts, a median and a mean,
never one company's figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment
from machikoba.core.access import SUPPORT, VIEW, WARD_OFFICER, municipality_ids_for
from machikoba.core.errors import ApplicationError
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.models import Machine
from machikoba.telemetry.selectors_intervals import Span, current_states, intervals_in
from machikoba.wards.models import Municipality

from ..choices import ReasonKind, ReportStatus
from ..error_codes_metrics import MetricErrorCode
from ..models import machine_key
from ..models_metrics import Shift
from ..models_reports import DailyReport, Reason, ReportEntry
from ..selectors_reports import approved_entries
from .definitions import Combined, Oee, Spread, pareto, spread
from .engine import STOP_STATES, EntryInfo, MachineInfo, ReasonInfo, ShopFloor, StopKey
from .labels import (
    BASIS_LABELS,
    NO_DATA,
    STATE_STYLES,
    Figure,
    StateStyle,
    figure,
    legend,
    minutes_text,
    state_label,
    without_repeated_notes,
)
from .windows import FloorCalendar, shop_calendars

# The longest period the metrics page computes at once, and how far back it goes.
MAX_PERIOD_DAYS = 92
MAX_HISTORY_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 7
TREND_DAYS = 30


def _tz() -> dt.tzinfo:
    return timezone.get_current_timezone()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=_tz())


# --- input ------------------------------------------------------------------------------


def _date(raw: str, what: str) -> dt.date:
    text = raw.strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(
            MetricErrorCode.DATE_INVALID,
            _("%(what)s「%(text)s」は日付として読めません。2026-04-01 の形で指定してください。")
            % {"what": what, "text": raw.strip()[:20]},
        ) from None


def parse_day(raw: str | None, today: dt.date) -> dt.date:
    """The day asked for (``?date=``), today when none. Refused (``DATE_INVALID``): not a
    date, after today, or further back than the history kept on screen."""
    if not raw or not raw.strip():
        return today
    day = _date(raw, _("日付"))
    if day > today:
        raise ApplicationError(
            MetricErrorCode.DATE_INVALID,
            _("まだ来ていない日です。今日までの日を指定してください。"),
        )
    if (today - day).days > MAX_HISTORY_DAYS:
        raise ApplicationError(MetricErrorCode.DATE_INVALID, _("3 年より前の日は表示できません。"))
    return day


@dataclass(frozen=True, slots=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=n) for n in range(count)]


def default_period(today: dt.date) -> Period:
    return Period(today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)


def parse_period(raw_from: str | None, raw_to: str | None, today: dt.date) -> Period:
    """``?from=&to=`` (either may be left out: the last 7 days to ``to``, or to today).
    Refused (``PERIOD_INVALID`` / ``DATE_INVALID``): a day that is not a date, ``from``
    after ``to``, ``to`` after today, more than ``MAX_PERIOD_DAYS`` days, or older than
    the history kept."""
    last = _date(raw_to, _("終わりの日")) if raw_to and raw_to.strip() else today
    if raw_from and raw_from.strip():
        first = _date(raw_from, _("始めの日"))
    else:
        first = last - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last > today:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID,
            _("終わりの日が先の日です。今日までの期間を指定してください。"),
        )
    if first > last:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID, _("始めの日を終わりの日より前にしてください。")
        )
    if (today - first).days > MAX_HISTORY_DAYS:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID, _("3 年より前の日は表示できません。")
        )
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID,
            _("期間は %(days)d 日までにしてください。") % {"days": MAX_PERIOD_DAYS},
        )
    return Period(first, last)


# --- reading one company ------------------------------------------------------------------


def _unit_name(equipment: Equipment, unit: int) -> str:
    name = " ".join(p for p in (equipment.kind, equipment.model_name) if p)
    return f"{name} #{unit}" if equipment.count > 1 else name


def _entry_info(row: tuple) -> EntryInfo:
    (equipment_id, unit, day, started, ended, good, defect, stop, stop_reason, machine, labour) = (
        row
    )
    if machine is None:
        machine = (labour or 0) if equipment_id else 0
    return EntryInfo(
        key=machine_key(equipment_id, unit) if equipment_id else None,
        day=day,
        started_at=started,
        ended_at=ended,
        good=good,
        defect=defect,
        stop_minutes=stop,
        stop_reason_id=stop_reason,
        machine_minutes=machine,
    )


ENTRY_FIELDS = (
    "equipment_id",
    "unit",
    "report__date",
    "started_at",
    "ended_at",
    "good",
    "defect",
    "stop_minutes",
    "stop_reason_id",
    "machine_minutes",
    "minutes",
)


def _company_entries(company: Company, first: dt.date, last: dt.date) -> list[EntryInfo]:
    """The approved entries of the days ``first`` … ``last`` (the caller has checked that
    its user may read the company's figures)."""
    rows = approved_entries(company, first, last + dt.timedelta(days=1))
    return [_entry_info(row) for row in rows.values_list(*ENTRY_FIELDS)]


def _reasons(user: User, company: Company) -> list[ReasonInfo]:
    return [
        ReasonInfo(r.pk, r.code, r.label, r.planned, r.kind == ReasonKind.STOP)
        for r in Reason.objects.for_user(user, VIEW).filter(company=company)
    ]


def _read_range(
    calendar: FloorCalendar, first: dt.date, last: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """From midnight of ``first`` to the end of ``last``'s last shift (a night shift ends
    the next morning)."""
    start = _midnight(first)
    end = _midnight(last + dt.timedelta(days=1))
    for window in calendar.windows(last, last):
        end = max(end, window.end)
    return start, end


@dataclass
class _Shop:
    floor: ShopFloor
    machines: dict[str, Machine]  # monitored machines by key


def _shop(
    user: User,
    company: Company,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    *,
    machine: Machine | None = None,
) -> _Shop:
    """Everything the company's figures for ``first`` … ``last`` need, in a fixed number
    of queries; ``machine``: that machine only (its day page)."""
    calendar = shop_calendars([company.pk], _tz())[company.pk]
    if machine is not None:
        machines = [machine]
    else:
        machines = list(
            Machine.objects.for_user(user, VIEW)
            .filter(company=company)
            .select_related("equipment")
            .order_by("name", "id")
        )
    start, end = _read_range(calendar, first, last)
    spans = intervals_in(machines, start, end, now)
    entries = _company_entries(company, first, last)
    by_key = {machine_key(m.equipment_id, m.unit): m for m in machines}
    with_spans = {s.machine_id for s in spans}
    infos = [
        MachineInfo(
            key,
            m.name,
            m.pk,
            float(m.ideal_cycle_seconds) if m.ideal_cycle_seconds is not None else None,
        )
        for key, m in by_key.items()
        if m.active or m.pk in with_spans or m == machine
    ]
    if machine is None:
        infos.extend(_report_only_machines(user, company, entries, set(by_key)))
    else:
        entries = [e for e in entries if e.key in by_key]
    floor = ShopFloor(
        calendar=calendar,
        first=first,
        last=last,
        machines=infos,
        spans=spans,
        entries=entries,
        reasons=_reasons(user, company),
        now=now,
    )
    return _Shop(floor, by_key)


def _report_only_machines(
    user: User, company: Company, entries: Iterable[EntryInfo], monitored: set[str]
) -> list[MachineInfo]:
    keys = {e.key for e in entries if e.key and e.key not in monitored and e.machine_minutes}
    if not keys:
        return []
    units = []
    for equipment in Equipment.objects.for_user(user, VIEW).filter(company=company):
        for unit in range(1, equipment.count + 1):
            key = machine_key(equipment.pk, unit)
            if key in keys:
                units.append(MachineInfo(key, _unit_name(equipment, unit), None))
    return sorted(units, key=lambda m: m.name)


# --- rows of figures -------------------------------------------------------------------------


@dataclass
class FigureRow:
    """One machine (or shift, or day) with its figures, each with numerator and
    denominator."""

    name: str
    figures: Oee
    utilisation: Figure
    availability: Figure
    performance: Figure
    quality: Figure
    oee: Figure
    basis: str
    monitored: bool = True
    machine: Machine | None = None
    shift_time: str = ""

    @property
    def planned(self) -> str:
        return minutes_text(self.figures.planned)

    @property
    def loading(self) -> str:
        return minutes_text(self.figures.loading)

    @property
    def planned_stop(self) -> str:
        return minutes_text(self.figures.planned_stop)

    @property
    def producing(self) -> str:
        return minutes_text(self.figures.producing)

    @property
    def offline(self) -> str:
        return minutes_text(self.figures.offline)

    @property
    def coverage(self) -> str:
        """Over several days: on how many the OEE stands, when not on all of them."""
        if self.figures.covered is None or not self.monitored:
            return ""
        complete, days = self.figures.covered
        if not days or complete == days:
            return ""
        return _("OEE は %(complete)d / %(days)d 日分") % {"complete": complete, "days": days}

    @property
    def counts(self) -> str:
        counts = self.figures.counts
        if counts.total is None:
            return "—"
        if counts.good is None:
            return _("%(total)s 個 (不良数は不明)") % {"total": f"{round(counts.total):,}"}
        return _("%(total)s 個 (良品 %(good)s)") % {
            "total": f"{round(counts.total):,}",
            "good": f"{round(counts.good):,}",
        }


def figure_row(
    name: str, figures: Oee, *, monitored: bool = True, machine: Machine | None = None
) -> FigureRow:
    basis = str(BASIS_LABELS[figures.counts.basis]) if monitored else _("日報から")
    shown = without_repeated_notes(
        [
            figure(figures.utilisation),
            figure(figures.availability),
            figure(figures.performance),
            figure(figures.quality, "parts"),
            figure(figures.oee),
        ]
    )
    utilisation_, availability, performance, quality, oee_ = shown
    return FigureRow(
        name=name,
        figures=figures,
        utilisation=utilisation_,
        availability=availability,
        performance=performance,
        quality=quality,
        oee=oee_,
        basis=basis,
        monitored=monitored,
        machine=machine,
    )


@dataclass
class CombinedRow:
    name: str
    combined: Combined
    utilisation: Figure
    availability: Figure
    performance: Figure
    quality: Figure
    oee: Figure
    working: bool = True
    upcoming: bool = False  # a shift (or today) that has not started yet
    machine_days: bool = False  # several days: the counts below are of machine-days

    @property
    def coverage(self) -> str:
        """How many machines (machine-days) the OEE covers."""
        if not self.combined.machines:
            return ""
        values = {"complete": self.combined.complete, "machines": self.combined.machines}
        if self.machine_days:
            return _("OEE は %(complete)d / %(machines)d 設備日分") % values
        return _("OEE は %(complete)d / %(machines)d 台") % values


def combined_row(
    name: str,
    combined: Combined,
    *,
    working: bool = True,
    upcoming: bool = False,
    machine_days: bool = False,
) -> CombinedRow:
    shown = without_repeated_notes(
        [
            figure(combined.utilisation),
            figure(combined.availability),
            figure(combined.performance),
            figure(combined.quality, "parts"),
            figure(combined.oee),
        ]
    )
    utilisation_, availability, performance, quality, oee_ = shown
    return CombinedRow(
        name=name,
        combined=combined,
        utilisation=utilisation_,
        availability=availability,
        performance=performance,
        quality=quality,
        oee=oee_,
        working=working,
        upcoming=upcoming,
        machine_days=machine_days,
    )


# --- the shop board --------------------------------------------------------------------------


@dataclass
class BoardCard:
    machine: Machine
    style: StateStyle
    state: str
    state_label: str
    reason_label: str
    since: dt.datetime | None
    utilisation: Figure
    parts: int | None
    planned_minutes: float

    @property
    def has_state(self) -> bool:
        return self.state != NO_DATA


@dataclass
class BoardPage:
    company: Company
    now: dt.datetime
    day: dt.date
    working: bool
    cards: list[BoardCard]
    tally: list[tuple[StateStyle, str, int]]
    legend: list[tuple[StateStyle, str]] = field(default_factory=legend)


def reason_label(reasons: dict[str, ReasonInfo], code: str) -> str:
    if not code:
        return ""
    known = reasons.get(code)
    return known.label if known is not None else _("コード %(code)s") % {"code": code}


def board(user: User, company: Company, now: dt.datetime | None = None) -> BoardPage:
    """Every active machine of ``company`` now: its state and since when, today's 稼働率
    so far and the parts its counter counted today (inside today's shifts)."""
    now = now or timezone.now()
    calendar = shop_calendars([company.pk], _tz())[company.pk]
    day = calendar.day_of(now)
    machines = list(
        Machine.objects.for_user(user, VIEW)
        .filter(company=company, active=True)
        .order_by("name", "id")
    )
    states = current_states(machines)
    infos = [MachineInfo(machine_key(m.equipment_id, m.unit), m.name, m.pk) for m in machines]
    start, end = _read_range(calendar, day, day)
    floor = ShopFloor(
        calendar=calendar,
        first=day,
        last=day,
        machines=infos,
        spans=intervals_in(machines, start, end, now),
        entries=[],
        reasons=[],
        now=now,
    )
    reasons = {r.code: r for r in _reasons(user, company) if r.is_stop}
    cards = []
    tally: dict[str, int] = defaultdict(int)
    for machine, info in zip(machines, infos, strict=True):
        current = states.get(machine.pk)
        state = current.state if current else NO_DATA
        tally[state] += 1
        slices = [floor.slices(info)[i] for i in floor.windows_of(day)]
        parts = [s.parts for s in slices if s.parts is not None]
        figures = floor.day_figures(info, day)
        cards.append(
            BoardCard(
                machine=machine,
                style=STATE_STYLES.get(state, STATE_STYLES[NO_DATA]),
                state=state,
                state_label=state_label(state),
                reason_label=reason_label(reasons, current.reason)
                if current and state != MachineState.PRODUCING
                else "",
                since=current.since if current else None,
                utilisation=figure(figures.utilisation),
                parts=round(sum(parts)) if parts else None,
                planned_minutes=figures.planned,
            )
        )
    order = [*MachineState.values, NO_DATA]
    return BoardPage(
        company=company,
        now=now,
        day=day,
        working=calendar.is_working(day),
        cards=cards,
        tally=[(STATE_STYLES[s], state_label(s), tally[s]) for s in order if tally.get(s)],
    )


# --- one machine's day -----------------------------------------------------------------------


@dataclass
class Band:
    """A stretch of one state on the day's timeline: ``x``/``width`` in minutes from the
    axis start (the SVG's units), ``left``/``size`` in percent."""

    x: float
    width: float
    style: StateStyle
    label: str
    reason: str
    start: dt.datetime
    end: dt.datetime
    minutes: float
    planned_minutes: float = 0.0


@dataclass
class StopRow:
    start: dt.datetime
    end: dt.datetime
    minutes: str
    state: str
    style: StateStyle
    reason: str
    planned: bool


@dataclass
class ReportStop:
    minutes: str
    reason: str


@dataclass
class MachineDayPage:
    machine: Machine
    day: dt.date
    previous: dt.date | None
    next: dt.date | None
    working: bool
    axis_minutes: float
    ticks: list[dict[str, object]]
    bands: list[Band]
    shift_bands: list[dict[str, object]]
    now_x: float | None
    shift_rows: list[FigureRow]
    day_row: FigureRow
    stops: list[StopRow]
    report_stops: list[ReportStop]
    legend: list[tuple[StateStyle, str]] = field(default_factory=legend)

    @property
    def figure_rows(self) -> list[FigureRow]:
        """The shifts, then the day (the day's row only when there is more than one)."""
        return [*self.shift_rows, self.day_row] if len(self.shift_rows) != 1 else self.shift_rows

    @property
    def ideal_cycle(self) -> str:
        seconds = self.machine.ideal_cycle_seconds
        if not seconds:
            return _("未設定")
        return _("%(seconds)s 秒/個") % {"seconds": f"{seconds.normalize():f}"}


def machine_day(
    user: User, company: Company, machine: Machine, day: dt.date, now: dt.datetime | None = None
) -> MachineDayPage:
    """The state bands of ``machine`` over ``day`` (its whole date, and the end of a night
    shift that runs into the next morning), its figures per shift and for the day, and
    its stops."""
    now = now or timezone.now()
    shop = _shop(user, company, day, day, now, machine=machine)
    floor = shop.floor
    info = next(
        (m for m in floor.machines if m.machine_id == machine.pk),
        MachineInfo(machine_key(machine.equipment_id, machine.unit), machine.name, machine.pk),
    )
    if info not in floor.machines:
        floor.machines.append(info)
    axis_start, axis_end = _read_range(floor.calendar, day, day)
    axis = (axis_end - axis_start).total_seconds() / 60
    spans = floor.spans.get(machine.pk, [])
    windows = [floor.windows[i] for i in floor.windows_of(day)]
    reasons = floor.stop_reasons

    def in_plan(span: Span) -> float:
        return sum(
            max(0.0, (min(span.end, w.end) - max(span.start, w.start)).total_seconds() / 60)
            for w in windows
        )

    bands = [
        Band(
            x=round((s.start - axis_start).total_seconds() / 60, 2),
            width=round(s.minutes, 2),
            style=STATE_STYLES.get(s.state, STATE_STYLES[NO_DATA]),
            label=state_label(s.state),
            reason=reason_label(reasons, s.reason),
            start=s.start,
            end=s.end,
            minutes=s.minutes,
            planned_minutes=in_plan(s),
        )
        for s in spans
    ]
    stops = [
        StopRow(
            start=b.start,
            end=b.end,
            minutes=minutes_text(b.planned_minutes),
            state=b.label,
            style=b.style,
            reason=b.reason,
            planned=floor.is_planned_stop(s.state, s.reason),
        )
        for b, s in zip(bands, spans, strict=True)
        if s.state in STOP_STATES and b.planned_minutes > 0
    ]
    shift_rows = []
    for index in floor.windows_of(day):
        window = floor.windows[index]
        row = figure_row(window.shift.name, floor.shift_figures(info, index))
        row.shift_time = (
            f"{timezone.localtime(window.start):%H:%M}–{timezone.localtime(window.end):%H:%M}"
        )
        shift_rows.append(row)
    report_stops = [
        ReportStop(
            minutes_text(e.stop_minutes),
            floor.reasons[e.stop_reason_id].label if e.stop_reason_id in floor.reasons else "",
        )
        for e in floor.entries.get(info.key, [])
        if e.day == day and e.stop_minutes
    ]
    today = timezone.localdate(now)
    every = 3
    hours = int(axis // 60)
    ticks = [
        {
            "left": round(100 * h * 60 / axis, 3),
            "x": h * 60,
            "label": _("%(hour)d時") % {"hour": h % 24},
        }
        for h in range(0, hours, every)
    ]
    shift_bands = [
        {
            "x": round((w.start - axis_start).total_seconds() / 60, 2),
            "width": round(w.minutes, 2),
            "name": w.shift.name,
            "left": round(100 * (w.start - axis_start).total_seconds() / 60 / axis, 3),
        }
        for w in windows
    ]
    now_x = None
    if axis_start <= now < axis_end:
        now_x = round((now - axis_start).total_seconds() / 60, 2)
    return MachineDayPage(
        machine=machine,
        day=day,
        previous=day - dt.timedelta(days=1) if (today - day).days < MAX_HISTORY_DAYS else None,
        next=day + dt.timedelta(days=1) if day < today else None,
        working=floor.calendar.is_working(day),
        axis_minutes=round(axis, 2),
        ticks=ticks,
        bands=bands,
        shift_bands=shift_bands,
        now_x=now_x,
        shift_rows=shift_rows,
        day_row=figure_row(_("この日の合計"), floor.day_figures(info, day)),
        stops=stops,
        report_stops=report_stops,
    )


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
    shop = _shop(user, company, first, period.last, now)
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
    return ShiftsPage(shifts, shop_calendars([company.pk], _tz())[company.pk])


# --- the ward's aggregates ------------------------------------------------------------------------


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
        entries[company_id].append(_entry_info(tuple(row)))
    reporting = set(
        DailyReport.objects.for_user(user, SUPPORT)
        .filter(company_id__in=companies, date__gte=period.first, date__lte=period.last)
        .exclude(status=ReportStatus.DRAFT)
        .values_list("company_id", flat=True)
        .distinct()
    )
    involved = {m.company_id for m in machines} | set(entries)
    calendars = shop_calendars(sorted(involved), _tz())
    start = _midnight(period.first)
    end = _midnight(period.last + dt.timedelta(days=2))
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
