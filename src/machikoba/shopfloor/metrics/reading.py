"""Reading one company's shop floor for its figures: its machines, reasons and daily
reports through ``Model.objects.for_user(user, VIEW)`` (the views let owners and staff in;
the board also floor workers), and its intervals and approved entries from the
caller-trusted reads ``telemetry.selectors_intervals.intervals_in`` and
``selectors_reports.approved_entries`` for the company read that way. ``read_shop`` puts
them together as an ``engine.ShopFloor`` in a fixed number of queries, machines known only
from daily reports included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment
from machikoba.core.access import VIEW
from machikoba.telemetry.models import Machine
from machikoba.telemetry.selectors_intervals import intervals_in

from ..choices import ReasonKind
from ..models import machine_key
from ..models_reports import Reason
from ..selectors_reports import approved_entries
from .engine import EntryInfo, MachineInfo, ReasonInfo, ShopFloor
from .periods import local_tz, midnight
from .windows import FloorCalendar, shop_calendars


def _unit_name(equipment: Equipment, unit: int) -> str:
    name = " ".join(p for p in (equipment.kind, equipment.model_name) if p)
    return f"{name} #{unit}" if equipment.count > 1 else name


def entry_info(row: tuple) -> EntryInfo:
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
    return [entry_info(row) for row in rows.values_list(*ENTRY_FIELDS)]


def company_reasons(user: User, company: Company) -> list[ReasonInfo]:
    return [
        ReasonInfo(r.pk, r.code, r.label, r.planned, r.kind == ReasonKind.STOP)
        for r in Reason.objects.for_user(user, VIEW).filter(company=company)
    ]


def read_range(
    calendar: FloorCalendar, first: dt.date, last: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """From midnight of ``first`` to the end of ``last``'s last shift (a night shift ends
    the next morning)."""
    start = midnight(first)
    end = midnight(last + dt.timedelta(days=1))
    for window in calendar.windows(last, last):
        end = max(end, window.end)
    return start, end


@dataclass
class _Shop:
    floor: ShopFloor
    machines: dict[str, Machine]  # monitored machines by key


def read_shop(
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
    calendar = shop_calendars([company.pk], local_tz())[company.pk]
    if machine is not None:
        machines = [machine]
    else:
        machines = list(
            Machine.objects.for_user(user, VIEW)
            .filter(company=company)
            .select_related("equipment")
            .order_by("name", "id")
        )
    start, end = read_range(calendar, first, last)
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
        reasons=company_reasons(user, company),
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
