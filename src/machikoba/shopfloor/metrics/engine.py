"""The figures of one shop over a range of days, from data already read (no queries):
its shift windows, its machines, their state spans (``telemetry.selectors_intervals``),
its approved daily-report entries and its reasons.

Every figure is built from **slices**: one machine in one shift window, with the minutes
of each state inside the window (only time that has passed), the planned stops, the part
counter's parts and the stop minutes by reason. A day is the sum of its shifts, a period
the sum of its days; several machines are combined by summing numerators and
denominators (``definitions.combine``).

Counts (for the performance and the quality) follow docs/floor-metrics.md:

- a **day** of a machine uses its approved report entries of that day when there are any
  (basis 日報), else the part counter over the day's shifts (basis カウンタ);
- a **shift** uses the entries that lie in it (``started_at``–``ended_at`` inside it, give
  or take 15 minutes), else its part counter; an entry typed as minutes only, or one
  spread over two shifts, cannot be shared out, so the shifts' counts of that day are
  then unknown (the day's are not);
- a **period** is its days together: counts added up (``Counts.__add__``: reports on some
  days and the counter on others is basis 混在), each ratio over the days that have it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.selectors_intervals import Span

from .definitions import (
    Combined,
    Counts,
    Missing,
    Oee,
    combine,
    oee,
    reported_utilisation,
)
from .windows import FloorCalendar, Window, overlap

# States that are time the machine stood still (downtime, for the Pareto).
STOP_STATES = frozenset(
    {
        MachineState.IDLE,
        MachineState.PLANNED_STOP,
        MachineState.UNPLANNED_STOP,
        MachineState.ALARM,
        MachineState.SETUP,
    }
)

# How far a 日報 entry may start before its shift or end after it and still be the
# shift's (a worker starts a little early, stops a little late).
ENTRY_SLACK = dt.timedelta(minutes=15)

# What a stop is grouped by in the Pareto: ("reason", Reason id) for a reason of the
# company's list, ("code", state, code) for a code the list does not have, ("state",
# state) for a stop without a code.
StopKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    pk: int
    code: str
    label: str
    planned: bool
    is_stop: bool


@dataclass(frozen=True, slots=True)
class MachineInfo:
    """A machine of the shop: a monitored ``Machine`` (``machine_id``), or a unit of the
    equipment list that only daily reports talk about (``machine_id`` None)."""

    key: str  # shopfloor.models.machine_key(equipment_id, unit)
    name: str
    machine_id: int | None
    ideal_cycle_seconds: float | None = None

    @property
    def monitored(self) -> bool:
        return self.machine_id is not None


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """An approved daily-report entry, as the metrics need it."""

    key: str | None  # the machine (None: hand work)
    day: dt.date
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    good: int
    defect: int
    stop_minutes: int
    stop_reason_id: int | None
    machine_minutes: int


@dataclass
class Slice:
    """One machine in one shift window."""

    planned: float = 0.0
    states: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    planned_stop: float = 0.0
    parts: float | None = None
    stops: dict[StopKey, float] = field(default_factory=lambda: defaultdict(float))
    has_data: bool = False

    @property
    def producing(self) -> float:
        return self.states.get(MachineState.PRODUCING, 0.0)

    @property
    def offline(self) -> float:
        """通信なし rows, and planned time no row covers (データなし)."""
        covered = sum(self.states.values())
        return self.states.get(MachineState.OFFLINE, 0.0) + max(0.0, self.planned - covered)


class ShopFloor:
    def __init__(
        self,
        *,
        calendar: FloorCalendar,
        first: dt.date,
        last: dt.date,
        machines: Sequence[MachineInfo],
        spans: Iterable[Span],
        entries: Iterable[EntryInfo],
        reasons: Iterable[ReasonInfo],
        now: dt.datetime,
    ) -> None:
        self.calendar = calendar
        self.first, self.last, self.now = first, last, now
        self.windows: list[Window] = calendar.windows(first, last)
        self.machines = list(machines)
        self.reasons = {r.pk: r for r in reasons}
        self.stop_reasons = {r.code: r for r in self.reasons.values() if r.is_stop}
        by_machine: dict[int, list[Span]] = defaultdict(list)
        for span in spans:
            by_machine[span.machine_id].append(span)
        self.spans = by_machine
        self.entries: dict[str | None, list[EntryInfo]] = defaultdict(list)
        self._entries_of_day: dict[tuple[str | None, dt.date], list[EntryInfo]] = defaultdict(list)
        for entry in entries:
            if first <= entry.day <= last:
                self.entries[entry.key].append(entry)
                self._entries_of_day[(entry.key, entry.day)].append(entry)
        self.days = sorted({w.day for w in self.windows})
        self._windows_of_day: dict[dt.date, list[int]] = defaultdict(list)
        for index, window in enumerate(self.windows):
            self._windows_of_day[window.day].append(index)
        self._slices: dict[str, list[Slice]] = {}

    # --- stops and reasons ------------------------------------------------------------

    def stop_key(self, state: str, reason: str) -> StopKey:
        known = self.stop_reasons.get(reason) if reason else None
        if known is not None:
            return ("reason", str(known.pk))
        if reason:
            return ("code", state, reason)
        return ("state", state)

    def is_planned_stop(self, state: str, reason: str) -> bool:
        if state == MachineState.PLANNED_STOP:
            return True
        known = self.stop_reasons.get(reason) if reason else None
        return state in STOP_STATES and known is not None and known.planned

    # --- slices -------------------------------------------------------------------------

    def slices(self, machine: MachineInfo) -> list[Slice]:
        """The machine's slice of every window (cached)."""
        if machine.key in self._slices:
            return self._slices[machine.key]
        slices = [Slice(planned=w.elapsed(self.now)) for w in self.windows]
        spans = self.spans.get(machine.machine_id or -1, [])
        ends = [span.end for span in spans]
        for index, window in enumerate(self.windows):
            part = slices[index]
            finish = min(window.end, self.now)
            if finish <= window.start:
                continue
            position = bisect_right(ends, window.start)
            while position < len(spans) and spans[position].start < finish:
                span = spans[position]
                position += 1
                minutes = overlap(span.start, span.end, window.start, finish)
                if minutes <= 0:
                    continue
                part.has_data = True
                part.states[span.state] += minutes
                if span.parts is not None and span.minutes > 0:
                    share = span.parts * minutes / span.minutes
                    part.parts = share if part.parts is None else part.parts + share
                if self.is_planned_stop(span.state, span.reason):
                    part.planned_stop += minutes
                if span.state in STOP_STATES:
                    part.stops[self.stop_key(span.state, span.reason)] += minutes
        self._slices[machine.key] = slices
        return slices

    def windows_of(self, day: dt.date) -> list[int]:
        return self._windows_of_day.get(day, [])

    def has_data(self, machine: MachineInfo, days: Iterable[dt.date]) -> bool:
        chosen = set(days)
        if not machine.monitored:
            return any(e.day in chosen and e.machine_minutes > 0 for e in self.entries[machine.key])
        slices = self.slices(machine)
        return any(slices[i].has_data for day in chosen for i in self.windows_of(day))

    # --- counts -------------------------------------------------------------------------

    def _window_of_entry(self, entry: EntryInfo) -> int | None:
        """The shift an entry lies in: its ``started_at``–``ended_at`` inside the shift
        (give or take ``ENTRY_SLACK``), or its start inside it when it has no end; None
        without a time, or when it spreads over more than one shift."""
        if entry.started_at is None:
            return None
        end = entry.ended_at if entry.ended_at and entry.ended_at > entry.started_at else None
        for index in self.windows_of(entry.day):
            window = self.windows[index]
            if end is None:
                if window.start <= entry.started_at < window.end:
                    return index
            elif entry.started_at >= window.start - ENTRY_SLACK and end <= window.end + ENTRY_SLACK:
                return index
        return None

    def _day_entries(self, machine: MachineInfo, day: dt.date) -> list[EntryInfo]:
        return self._entries_of_day.get((machine.key, day), [])

    def counts_for_window(self, machine: MachineInfo, index: int) -> Counts:
        """The entries that lie in the shift; without any, its part counter. Unknown when
        an entry of the day lies in no one shift (its parts cannot be shared out)."""
        entries = self._day_entries(machine, self.windows[index].day)
        places = [self._window_of_entry(e) for e in entries]
        if any(place is None for place in places):
            return Counts.none(Missing.REPORTS_NOT_IN_ONE_SHIFT)
        placed = [e for e, place in zip(entries, places, strict=True) if place == index]
        if placed:
            return Counts.from_reports(sum(e.good for e in placed), sum(e.defect for e in placed))
        return Counts.from_counter(self.slices(machine)[index].parts)

    def counts_for_day(self, machine: MachineInfo, day: dt.date) -> Counts:
        entries = self._day_entries(machine, day)
        if entries:
            return Counts.from_reports(sum(e.good for e in entries), sum(e.defect for e in entries))
        slices = self.slices(machine)
        known = [p for i in self.windows_of(day) if (p := slices[i].parts) is not None]
        return Counts.from_counter(sum(known) if known else None)

    # --- figures ------------------------------------------------------------------------

    def _figures(self, machine: MachineInfo, indices: Sequence[int], counts: Counts) -> Oee:
        if not machine.monitored:
            days = {self.windows[i].day for i in indices}
            planned = sum(self.windows[i].elapsed(self.now) for i in indices)
            minutes = sum(e.machine_minutes for e in self.entries[machine.key] if e.day in days)
            return reported_utilisation(minutes, planned)
        slices = self.slices(machine)
        chosen = [slices[i] for i in indices]
        return oee(
            planned=sum(s.planned for s in chosen),
            planned_stop=sum(s.planned_stop for s in chosen),
            producing=sum(s.producing for s in chosen),
            offline=sum(s.offline for s in chosen),
            ideal_cycle_seconds=machine.ideal_cycle_seconds,
            counts=counts,
        )

    def shift_figures(self, machine: MachineInfo, index: int) -> Oee:
        return self._figures(machine, [index], self.counts_for_window(machine, index))

    def day_figures(self, machine: MachineInfo, day: dt.date) -> Oee:
        return self._figures(machine, self.windows_of(day), self.counts_for_day(machine, day))

    def period_figures(self, machine: MachineInfo, days: Sequence[dt.date] | None = None) -> Oee:
        """The machine over several days: minutes and counts added up; each ratio is its
        days' together (``combine``), so a day without a count (or without a defect count)
        leaves out only that day's performance (or quality and OEE), and ``covered`` says
        on how many of the days the OEE stands."""
        chosen = self.days if days is None else [d for d in days if d in self._windows_of_day]
        daily = [self.day_figures(machine, day) for day in chosen]
        together = combine(daily)
        counts = Counts.none()
        for figures in daily:
            counts = counts + figures.counts
        return Oee(
            planned=sum(f.planned for f in daily),
            planned_stop=sum(f.planned_stop for f in daily),
            producing=sum(f.producing for f in daily),
            offline=sum(f.offline for f in daily),
            ideal_cycle_seconds=machine.ideal_cycle_seconds,
            counts=counts,
            utilisation=together.utilisation,
            availability=together.availability,
            performance=together.performance,
            quality=together.quality,
            oee=together.oee,
            covered=(together.complete, together.machines),
        )

    def combined_day(self, day: dt.date) -> Combined:
        """Every machine with data that day, together."""
        return combine([self.day_figures(m, day) for m in self.machines if self.has_data(m, [day])])

    def combined_shift(self, index: int) -> Combined:
        """The monitored machines with data in the window, together (a shift of report-only
        machines cannot be told from their reports)."""
        chosen = [m for m in self.machines if m.monitored and self.slices(m)[index].has_data]
        return combine([self.shift_figures(m, index) for m in chosen])

    def combined_period(self, days: Sequence[dt.date] | None = None) -> Combined:
        """Every machine on every day it has data, together (``machines`` and
        ``complete`` then count machine-days)."""
        chosen = self.days if days is None else list(days)
        return combine(
            [
                self.day_figures(machine, day)
                for machine in self.machines
                for day in chosen
                if day in self._windows_of_day and self.has_data(machine, [day])
            ]
        )

    # --- downtime -----------------------------------------------------------------------

    def stop_minutes(self, days: Sequence[dt.date] | None = None) -> list[tuple[StopKey, float]]:
        """Stop minutes by reason inside the shifts of ``days``: monitored machines from
        their state rows, machines without monitoring (and hand work) from the stop
        minutes of their reports (never both for one machine: that would count a stop
        twice)."""
        chosen = set(self.days if days is None else days)
        items: list[tuple[StopKey, float]] = []
        monitored = set()
        for machine in self.machines:
            if not machine.monitored:
                continue
            monitored.add(machine.key)
            slices = self.slices(machine)
            for day in chosen:
                for index in self.windows_of(day):
                    items.extend(slices[index].stops.items())
        for key, entries in self.entries.items():
            if key in monitored:
                continue
            for entry in entries:
                if entry.day in chosen and entry.stop_minutes and entry.stop_reason_id:
                    items.append((("reason", str(entry.stop_reason_id)), entry.stop_minutes))
        return items

    def offline_minutes(self, days: Sequence[dt.date] | None = None) -> float:
        chosen = set(self.days if days is None else days)
        total = 0.0
        for machine in self.machines:
            if not machine.monitored:
                continue
            slices = self.slices(machine)
            total += sum(slices[i].offline for day in chosen for i in self.windows_of(day))
        return total
