"""The demo shop's floor.

- ``seed_week``: its week of work for the machine schedule: its own jobs with in-house
  turning, and a turning job it took on for a partner (RFQ, quote, order). Used by
  ``seed_demo`` and by the browser test that plans this very week.
- ``seed_floor``: the 日報 of the last working days, written through the report services
  and approved, that match what its monitored machines did (``telemetry.demo`` writes
  their history first): the lots its lathes made, its stop and defect reasons, its hourly
  rates. The plan's open steps of the same parts then start from these measured times.
- ``simulator_hours``: a company's working calendar as the machine simulator reads it
  (``telemetry.simulator.register_shop_hours``).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment, ProcessCategory
from machikoba.network import services as network
from machikoba.network.choices import PaymentMethod, StepStatus
from machikoba.network.models import Step
from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.demo import history_days
from machikoba.telemetry.models import Machine
from machikoba.telemetry.selectors_intervals import intervals_in
from machikoba.telemetry.simulator import ShopHours

from .choices import ReasonKind
from .models import StepWork, WorkCalendar
from .models_reports import CostRates, DailyReport, Reason, ReportEntry
from .services_reports import (
    EntryFields,
    cost_rates_set,
    entry_record,
    entry_start,
    entry_stop,
    reason_create,
    reasons_ensure,
    report_approve,
    report_submit,
)

NC = "cutting.turning.nc_lathe"
MANUAL = "cutting.turning.manual_lathe"

# Which process a kind of machine does, for machines registered without one.
EQUIPMENT_PROCESSES = {
    "NC旋盤": NC,
    "汎用旋盤": MANUAL,
    "マシニングセンタ": "cutting.milling.mc_3axis",
    "5軸マシニングセンタ": "cutting.milling.mc_5axis",
    "ファイバーレーザー加工機": "forming.sheet_metal.laser_cutting",
    "ベンディングマシン": "forming.sheet_metal.bending",
    "TIG溶接機": "welding.tig",
    "半自動溶接機": "welding.mig_mag",
    "真空熱処理炉": "heat_treatment.vacuum",
    "高周波焼入れ装置": "heat_treatment.induction",
    "めっきライン": "surface.plating.hard_chrome",
    "円筒研削盤": "grinding.cylindrical",
    "平面研削盤": "grinding.surface",
    "ワイヤー放電加工機": "special.edm.wire",
    "形彫り放電加工機": "special.edm.sinker",
}

# (part, quantity, due in days, [(process, minutes or None for "estimate")]).
OWN_JOBS: list[tuple[str, int, int, list[tuple[str, int | None]]]] = [
    ("段付きピン", 80, 3, [(NC, 360)]),
    ("ノズル", 60, 4, [(NC, 420), (MANUAL, 120)]),
    ("ブッシュ", 40, 5, [(MANUAL, 240)]),
    ("油圧継手", 120, 6, [(NC, 780)]),
    ("ロッドエンド", 150, 7, [(NC, 600), (MANUAL, 180)]),
    ("スペーサー", 300, 8, [(NC, 540)]),
    ("アダプター", 25, 9, [(NC, None)]),
]


def equipment_process_fill(company) -> None:
    processes = {
        p.code: p for p in ProcessCategory.objects.filter(code__in=EQUIPMENT_PROCESSES.values())
    }
    for equipment in Equipment.objects.filter(company=company, process__isnull=True):
        code = EQUIPMENT_PROCESSES.get(equipment.kind)
        if code:
            equipment.process = processes[code]
            equipment.save(update_fields=["process"])


def seed_week(*, company, owner, customer, customer_owner) -> None:
    """A week of turning at ``company``; ``customer`` orders one job's turning from it."""
    today = timezone.localdate()
    equipment_process_fill(company)
    processes = {p.code: p for p in ProcessCategory.objects.filter(code__in=(NC, MANUAL))}
    for part, quantity, due_in, route in OWN_JOBS:
        job = network.job_create(
            actor=owner,
            company=company,
            part_name=part,
            quantity=quantity,
            due_date=today + dt.timedelta(days=due_in),
            material_note="S45C",
        )
        for code, minutes in route:
            step = network.step_add(actor=owner, job=job, process=processes[code], in_house=True)
            if minutes is not None:
                StepWork.objects.create(company=company, step=step, minutes=minutes)

    job = network.job_create(
        actor=customer_owner,
        company=customer,
        part_name="研削前シャフト",
        quantity=30,
        due_date=today + dt.timedelta(days=20),
        material_note="SCM440",
    )
    turning = network.step_add(actor=customer_owner, job=job, process=processes[NC])
    network.step_add(
        actor=customer_owner,
        job=job,
        process=ProcessCategory.objects.get(code="grinding.cylindrical"),
        in_house=True,
    )
    rfq = network.rfq_send(
        actor=customer_owner,
        job=job,
        steps=[turning],
        recipients=[company],
        deadline=timezone.now() + dt.timedelta(days=2),
        message="研削代 0.2 mm を残して旋削してください。",
    )
    recipient = rfq.recipients.get()
    network.quote_submit(
        actor=owner,
        recipient=recipient,
        price=54_000,
        lead_time_days=5,
        valid_until=today + dt.timedelta(days=30),
    )
    delivery = today + dt.timedelta(days=6)
    order = network.rfq_award(
        actor=customer_owner,
        rfq=rfq,
        winner=recipient,
        delivery_date=delivery,
        delivery_place="当社工場",
        inspection_date=delivery + dt.timedelta(days=2),
        payment_date=delivery + dt.timedelta(days=40),
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    network.order_accept(actor=owner, order=order)
    StepWork.objects.create(company=company, step=turning, minutes=300)


# --- the 日報 of the last working days -----------------------------------------------------

# The parts the lathes made lately, lot after lot: those of the open jobs (their plans then
# start from measured times).
PAST_PARTS = {
    NC: ("スペーサー", "段付きピン", "油圧継手", "ロッドエンド", "アダプター"),
    MANUAL: ("ブッシュ", "ノズル"),
}
HALF_DAYS_PER_LOT = 3
# A CNC alarm number the shop named in its reason list (the simulator raises it).
ALARM_REASON = ("AL1203", "主軸過負荷アラーム")
LABOUR_YEN_PER_HOUR, MACHINE_YEN_PER_HOUR = 3_000, 2_500
STOP_STATES = (MachineState.ALARM, MachineState.UNPLANNED_STOP)


def simulator_hours(company_id: int) -> ShopHours:
    """The company's working calendar as the simulator's hours (lunch 12:00–13:00)."""
    calendar = WorkCalendar.objects.filter(company_id=company_id).first() or WorkCalendar()
    return ShopHours(
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        weekdays=frozenset(calendar.weekday_numbers),
        shutdowns=frozenset(calendar.shutdowns),
    )


@dataclass
class _Window:
    """Half a working day of one machine, as its history has it."""

    machine: Machine
    start: dt.datetime
    end: dt.datetime
    parts: int
    stops: dict[str, float] = field(default_factory=dict)  # reason code → minutes

    @property
    def minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


def _windows(hours: ShopHours, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The morning and the afternoon of ``day`` (the whole day when there is no lunch)."""
    times = [hours.day_start, hours.day_end]
    if hours.lunch_start and hours.lunch_end and hours.day_start < hours.lunch_start:
        times[1:1] = [hours.lunch_start, hours.lunch_end]
    moments = [timezone.make_aware(dt.datetime.combine(day, t)) for t in times]
    return list(zip(moments[::2], moments[1::2], strict=True))


def _machine_windows(
    machine: Machine, spans: list[tuple[dt.datetime, dt.datetime]]
) -> list[_Window]:
    now = timezone.now()
    windows = []
    for start, end in spans:
        parts = 0.0
        stops: dict[str, float] = defaultdict(float)
        for span in intervals_in([machine], start, end, now):
            parts += span.parts or 0
            if span.state in STOP_STATES:
                stops[span.reason] += span.minutes
        windows.append(_Window(machine, start, end, round(parts), dict(stops)))
    return windows


def seed_floor(
    *,
    company: Company,
    owner: User,
    workers: dict[str, User],
    machines: list[Machine],
    hours: ShopHours,
    days: int = 7,
) -> int:
    """The 日報 of the last ``days`` working days of ``company`` (see the module's
    docstring); nothing when it has any report already. Returns the reports written.

    ``workers`` names who reports each process's machines (``NC``, ``MANUAL``): on the NC
    lathes with 「開始」/「終了」 (their times let the machine data correct the minutes), on
    the manual lathe with typed minutes. The days older than the report form allows
    (``BACKFILL_DAYS``) get their report row made first, as if opened on the day."""
    if DailyReport.objects.filter(company=company).exists():
        return 0
    equipment_process_fill(company)
    machines = list(
        Machine.objects.filter(pk__in=[m.pk for m in machines])
        .select_related("equipment__process")
        .order_by("id")
    )
    reasons_ensure(actor=owner, company=company)
    code, label = ALARM_REASON
    if not Reason.objects.filter(company=company, kind=ReasonKind.STOP, code=code).exists():
        reason_create(
            actor=owner, company=company, kind=ReasonKind.STOP, code=code, label=label, order=10
        )
    if not CostRates.objects.filter(company=company).exists():
        cost_rates_set(
            actor=owner,
            company=company,
            labour_yen_per_hour=LABOUR_YEN_PER_HOUR,
            machine_yen_per_hour=MACHINE_YEN_PER_HOUR,
        )
    reasons = {(r.kind, r.code): r for r in Reason.objects.filter(company=company, active=True)}
    today = timezone.localdate()
    working = [d for d in history_days(hours, days=days, today=today) if d < today]
    working = [d for d in working if hours.working_day(d)]
    rng = random.Random(f"demo-floor:{company.pk}")  # noqa: S311 - demo data, no secret
    lots = _lots(company, owner, machines, hours, working)
    reports: set[DailyReport] = set()
    for day in working:
        for lot in lots:
            for window in lot.windows_on(day):
                worker = workers[lot.process]
                DailyReport.objects.get_or_create(company=company, worker=worker, date=day)
                entry = _record(company, worker, lot, window, reasons, rng)
                reports.add(entry.report)
        for lot in lots:
            if lot.last_day == day:
                network.step_finish(actor=owner, step=lot.step)
    _in_progress_entry(company, workers[NC], reasons, working[-1] if working else today)
    for report in sorted(DailyReport.objects.filter(company=company), key=lambda r: r.date):
        report_submit(actor=report.worker, report=report)
        report_approve(actor=owner, report=report)
    return DailyReport.objects.filter(company=company).count()


@dataclass
class _Lot:
    process: str
    step: Step
    windows: list[_Window]

    def windows_on(self, day: dt.date) -> list[_Window]:
        return [w for w in self.windows if timezone.localtime(w.start).date() == day]

    @property
    def last_day(self) -> dt.date:
        return timezone.localtime(self.windows[-1].start).date()


def _lots(
    company: Company, owner: User, machines: list[Machine], hours: ShopHours, days: list[dt.date]
) -> list[_Lot]:
    """Each machine's half-days, in lots of ``HALF_DAYS_PER_LOT``, each a finished job
    of the shop whose quantity is what the machine made."""
    lots = []
    turns: dict[str, int] = defaultdict(int)
    for machine in machines:
        process = machine.equipment.process
        if process is None or process.code not in PAST_PARTS:
            continue
        code = process.code
        spans = [window for day in days for window in _windows(hours, day)]
        windows = _machine_windows(machine, spans)
        for first in range(0, len(windows), HALF_DAYS_PER_LOT):
            chunk = [w for w in windows[first : first + HALF_DAYS_PER_LOT] if w.parts]
            if not chunk:
                continue
            names = PAST_PARTS[code]
            part = names[turns[code] % len(names)]
            turns[code] += 1
            job = network.job_create(
                actor=owner,
                company=company,
                part_name=part,
                quantity=sum(w.parts for w in chunk),
                due_date=timezone.localdate() + dt.timedelta(days=2),
                material_note="S45C",
            )
            step = network.step_add(actor=owner, job=job, process=process, in_house=True)
            step = network.step_start(actor=owner, step=step)
            lots.append(_Lot(code, step, chunk))
    return lots


def _record(
    company: Company,
    worker: User,
    lot: _Lot,
    window: _Window,
    reasons: dict[tuple[str, str], Reason],
    rng: random.Random,
) -> ReportEntry:
    """One half-day on one machine: 「開始」/「終了」 on an NC lathe, typed minutes on the
    manual lathe; a few defects; the longest stop's reason."""
    defect = round(window.parts * rng.uniform(0, 0.03))
    defect_reason = reasons[(ReasonKind.DEFECT, rng.choice(("dimension", "scratch")))]
    stop_code, _longest = max(window.stops.items(), key=lambda s: s[1], default=("", 0.0))
    stop_reason = reasons.get((ReasonKind.STOP, stop_code))
    stop_total = round(sum(window.stops.values())) if stop_reason else 0
    equipment = window.machine.equipment
    fields = EntryFields(
        equipment=equipment,
        unit=window.machine.unit,
        good=window.parts - defect,
        defect=defect,
        defect_reason=defect_reason if defect else None,
        stop_minutes=min(stop_total, window.minutes),
        stop_reason=stop_reason if stop_total else None,
    )
    if lot.process == MANUAL:
        return entry_record(
            actor=worker,
            company=company,
            step=lot.step,
            idempotency_key=uuid.uuid4(),
            fields=replace(fields, minutes=window.minutes),
            day=timezone.localtime(window.start).date(),
        ).entry
    started = entry_start(
        actor=worker,
        company=company,
        step=lot.step,
        idempotency_key=uuid.uuid4(),
        fields=fields,
        at=window.start,
    ).entry
    return entry_stop(actor=worker, entry=started, at=window.end)


def _in_progress_entry(
    company: Company, worker: User, reasons: dict[tuple[str, str], Reason], day: dt.date
) -> None:
    """The turning of the shaft under way (``seed_demo``'s job) was begun on the last
    working day, typed without a machine: its plan counts what is left."""
    step = (
        Step.objects.filter(
            performer=company, status=StepStatus.IN_PROGRESS, job__part_name="段付きシャフト"
        )
        .select_related("job")
        .first()
    )
    if step is None:
        return
    DailyReport.objects.get_or_create(company=company, worker=worker, date=day)
    entry_record(
        actor=worker,
        company=company,
        step=step,
        idempotency_key=uuid.uuid4(),
        fields=EntryFields(
            minutes=150,
            good=18,
            defect=1,
            defect_reason=reasons[(ReasonKind.DEFECT, "dimension")],
        ),
        day=day,
    )
