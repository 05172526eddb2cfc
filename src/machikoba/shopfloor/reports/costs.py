"""The actual cost of each job to the company that performs its steps (「案件ごとの実績原価」):
labour and machine minutes of its approved 日報 entries at its hourly rates, against the
prices of its orders on the job. Company-only: owners and staff of the company read it;
nobody else (the job's buyer, an officer, a floor worker) gets a figure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, VIEW, has_role
from machikoba.network.choices import JobStatus, OrderStatus
from machikoba.network.models import Job, Order, Step
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.models_reports import CostRates, ReportEntry


def cost_rates_of(user: User, company: Company) -> CostRates | None:
    """The company's hourly rates (owners and staff only)."""
    return CostRates.objects.for_user(user, VIEW).filter(company=company).first()


def yen_for(minutes: int, yen_per_hour: int) -> int:
    """Minutes at an hourly rate, in whole yen (half up)."""
    value = Decimal(minutes) * Decimal(yen_per_hour) / Decimal(60)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class JobCost:
    """One job's actual cost to the company, from its approved 日報 entries, against what
    it was paid (its orders as supplier on the job) and, for its own jobs, what it paid
    partners (its orders as buyer)."""

    job: Job
    for_partner: bool
    steps: list[Step]
    labour_minutes: int
    machine_minutes: int
    labour_yen: int
    machine_yen: int
    pending_minutes: int
    outsourced_yen: int | None
    revenue_yen: int | None

    @property
    def cost_yen(self) -> int:
        return self.labour_yen + self.machine_yen + (self.outsourced_yen or 0)

    @property
    def margin_yen(self) -> int | None:
        return None if self.revenue_yen is None else self.revenue_yen - self.cost_yen


@dataclass
class CostsPage:
    rows: list[JobCost]
    rates: CostRates | None

    @property
    def rates_missing(self) -> bool:
        return self.rates is None or not (
            self.rates.labour_yen_per_hour or self.rates.machine_yen_per_hour
        )


def job_costs(user: User, company: Company) -> list[JobCost]:
    """「案件ごとの実績原価」: for each job where ``company`` performs steps (open, or with
    日報 entries), the labour and machine minutes of its approved entries at the company's
    rates, against the prices of its orders on the job. Only the company's owners and
    staff get anything (an empty list for anyone else: another company, a floor worker,
    an officer); the buyer of a job never sees its performer's figures."""
    if not has_role(user, company, EDITOR_ROLES, VIEW):
        return []
    rates = cost_rates_of(user, company)
    labour_rate = rates.labour_yen_per_hour if rates else 0
    machine_rate = rates.machine_yen_per_hour if rates else 0
    entries = ReportEntry.objects.for_user(user, VIEW).filter(
        report__company=company, minutes__isnull=False
    )
    labour: dict[int, int] = defaultdict(int)
    machine: dict[int, int] = defaultdict(int)
    pending: dict[int, int] = defaultdict(int)
    entry_jobs: set[int] = set()
    for entry in entries.values_list(
        "step__job_id", "report__status", "minutes", "machine_minutes", "equipment_id"
    ):
        job_id, status, typed, machine_minutes, equipment_id = entry
        minutes = typed or 0  # never None here: running entries are left out above
        entry_jobs.add(job_id)
        if status != ReportStatus.APPROVED:
            pending[job_id] += minutes
            continue
        labour[job_id] += minutes
        if machine_minutes is not None:
            machine[job_id] += machine_minutes
        elif equipment_id is not None:
            machine[job_id] += minutes
    steps = list(
        Step.objects.for_user(user, VIEW)
        .filter(performer=company)
        .filter(Q(job__status=JobStatus.OPEN) | Q(job_id__in=entry_jobs))
        .select_related("job__company", "process")
        .order_by("job_id", "position")
    )
    steps_of: dict[int, list[Step]] = defaultdict(list)
    jobs: dict[int, Job] = {}
    for step in steps:
        steps_of[step.job_id].append(step)
        jobs[step.job_id] = step.job
    orders = (
        Order.objects.for_user(user, VIEW)
        .filter(job_id__in=list(jobs))
        .exclude(status=OrderStatus.CANCELLED)
    )
    received: dict[int, int] = {}
    placed: dict[int, int] = {}
    for job_id, supplier_id, buyer_id, price in orders.values_list(
        "job_id", "supplier_id", "buyer_id", "price"
    ):
        if supplier_id == company.pk:
            received[job_id] = received.get(job_id, 0) + price
        elif buyer_id == company.pk:
            placed[job_id] = placed.get(job_id, 0) + price
    rows = []
    for job_id, job in jobs.items():
        own = job.company_id == company.pk
        rows.append(
            JobCost(
                job=job,
                for_partner=not own,
                steps=steps_of[job_id],
                labour_minutes=labour[job_id],
                machine_minutes=machine[job_id],
                labour_yen=yen_for(labour[job_id], labour_rate),
                machine_yen=yen_for(machine[job_id], machine_rate),
                pending_minutes=pending[job_id],
                outsourced_yen=placed.get(job_id) if own else None,
                revenue_yen=received.get(job_id),
            )
        )
    rows.sort(key=lambda r: (r.job.status != JobStatus.OPEN, r.job.due_date, r.job.pk))
    return rows


def costs_page(user: User, company: Company) -> CostsPage:
    return CostsPage(rows=job_costs(user, company), rates=cost_rates_of(user, company))
