"""The live shop board and one machine's day. ``board`` is every active machine of the
company now: its state and since when, today's 稼働率 so far and the parts its counter
counted today (floor workers see it too); ``machine_day`` is one machine over one day: its
state bands on a timeline, its figures per shift and for the day, and its stops, measured
and reported. Both read the company through ``reading``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import VIEW
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.models import Machine
from machikoba.telemetry.selectors_intervals import Span, current_states, intervals_in

from ..models import machine_key
from .engine import STOP_STATES, MachineInfo, ReasonInfo, ShopFloor
from .labels import (
    NO_DATA,
    STATE_STYLES,
    Figure,
    StateStyle,
    figure,
    legend,
    minutes_text,
    state_label,
)
from .periods import MAX_HISTORY_DAYS, local_tz
from .reading import company_reasons, read_range, read_shop
from .rows import FigureRow, figure_row
from .windows import shop_calendars

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
    calendar = shop_calendars([company.pk], local_tz())[company.pk]
    day = calendar.day_of(now)
    machines = list(
        Machine.objects.for_user(user, VIEW)
        .filter(company=company, active=True)
        .order_by("name", "id")
    )
    states = current_states(machines)
    infos = [MachineInfo(machine_key(m.equipment_id, m.unit), m.name, m.pk) for m in machines]
    start, end = read_range(calendar, day, day)
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
    reasons = {r.code: r for r in company_reasons(user, company) if r.is_stop}
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
    shop = read_shop(user, company, day, day, now, machine=machine)
    floor = shop.floor
    info = next(
        (m for m in floor.machines if m.machine_id == machine.pk),
        MachineInfo(machine_key(machine.equipment_id, machine.unit), machine.name, machine.pk),
    )
    if info not in floor.machines:
        floor.machines.append(info)
    axis_start, axis_end = read_range(floor.calendar, day, day)
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
