"""The demo shop's monitored machines: every unit of its equipment registered as an MQTT
sensor, and a week of history, so that the board, 稼働率, OEE, the downtime Pareto and the
trend have something to show the moment the demo starts (``seed_demo`` calls
``seed_machines``; ``make demo`` then runs the simulator, ``telemetry_simulate``, which
publishes the same machines live through the broker).

**The history is written directly**, not sent through the broker: the collector refuses
messages older than ``events.MAX_PAST`` and a week at real speed would take a week. It
goes through the collector's own writer (``ingest.write_batch``), from the same machine
model the simulator runs (``simulator.MachineModel``), one stream per machine and day
(boot ``demo-<yyyymmdd>``, its counter starting at 0 each day, as a sensor switched on in
the morning), so the rows are exactly what the collector would have stored. Days are
whole local days from the start of the last ``days`` working days through now; a day on
which a machine already has rows (an earlier seeding, the simulator's own) is left as it
is, so seeding again adds nothing twice, and seeding a few days later fills the days since.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from machikoba.companies.models import Company, Equipment

from .choices import Source
from .events import Batch, StateEvent
from .ingest import write_batch
from .models import Machine, StateInterval
from .services import machine_register
from .simulator import MachineSpec, ShopHours, machine_changes, spec_for, unattended_keys

# A realistic ideal cycle time (seconds a part) for the kinds of machine in the demo.
IDEAL_CYCLE_SECONDS = {
    "NC旋盤": Decimal("45"),
    "汎用旋盤": Decimal("150"),
    "マシニングセンタ": Decimal("90"),
    "5軸マシニングセンタ": Decimal("240"),
}
DEFAULT_CYCLE = Decimal("60")
HISTORY_SEED = "machikoba-demo"


def machine_name(equipment: Equipment, unit: int) -> str:
    name = " ".join(p for p in (equipment.kind, equipment.model_name) if p)[:44]
    return f"{name} #{unit}" if equipment.count > 1 else name


def register_machines(company: Company) -> list[Machine]:
    """Every unit of ``company``'s equipment as a monitored MQTT machine (those already
    registered are kept as they are)."""
    registered = {(m.equipment_id, m.unit): m for m in Machine.objects.filter(company=company)}
    machines = []
    for equipment in Equipment.objects.filter(company=company).order_by("id"):
        for unit in range(1, equipment.count + 1):
            machine = registered.get((equipment.pk, unit))
            if machine is None:
                machine = machine_register(
                    actor=None,
                    company=company,
                    equipment=equipment,
                    unit=unit,
                    name=machine_name(equipment, unit),
                    source=Source.MQTT,
                    ideal_cycle_seconds=IDEAL_CYCLE_SECONDS.get(equipment.kind, DEFAULT_CYCLE),
                )
            machines.append(machine)
    return machines


def history_days(hours: ShopHours, *, days: int, today: dt.date) -> list[dt.date]:
    """Every day from the first of the last ``days`` working days before ``today``
    through ``today``."""
    first = today
    found = 0
    while found < days:
        first -= dt.timedelta(days=1)
        if hours.working_day(first):
            found += 1
    return [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]


def demo_spec(machine: Machine, unattended: set[str]) -> MachineSpec:
    """The simulated machine behind a demo machine, as the simulator will run it live
    (unattended after hours or not: ``simulator.unattended_keys``); its history's random
    stream follows its name, so that every demo database gets the same week."""
    return spec_for(
        key=machine.name,
        name=machine.name,
        ideal_cycle_seconds=machine.ideal_cycle_seconds,
        counter_max=machine.counter_max,
        company_id=machine.company_id,
        unattended=machine.key in unattended,
    )


def seed_machines(
    *,
    company: Company,
    hours: ShopHours | None = None,
    days: int = 7,
    now: dt.datetime | None = None,
) -> list[Machine]:
    """Register ``company``'s machines and write their history (see the module's
    docstring); the machines, in the order of the equipment list."""
    hours = hours or ShopHours()
    now = now or timezone.now()
    machines = register_machines(company)
    # The same choice as the simulator's, which reads every MQTT machine of the company.
    unattended = unattended_keys(
        list(
            Machine.objects.filter(company=company, source=Source.MQTT, active=True)
            .order_by("id")
            .values_list("key", "ideal_cycle_seconds", "company_id")
        )
    )
    batch = Batch()
    for machine in machines:
        spec = demo_spec(machine, unattended)
        for day in history_days(hours, days=days, today=timezone.localdate(now)):
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
            end = min(now, start + dt.timedelta(days=1))
            if _has_rows(machine, start, end):
                continue
            changes = machine_changes(
                spec, hours, start=start, end=end, seed=f"{HISTORY_SEED}:{day.isoformat()}"
            )
            boot = f"demo-{day:%Y%m%d}"
            batch.events.extend(
                StateEvent(
                    machine_id=machine.pk,
                    boot=boot,
                    seq=seq,
                    at=change.at,
                    state=change.state,
                    reason=change.reason,
                    count=change.count,
                )
                for seq, change in enumerate(changes)
            )
    if batch.events:
        write_batch(batch)
    return machines


def _has_rows(machine: Machine, start: dt.datetime, end: dt.datetime) -> bool:
    return StateInterval.objects.filter(
        Q(machine=machine, start__gte=start, start__lt=end)
    ).exists()
