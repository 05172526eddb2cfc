"""Reads of the daily reports (日報): the worker's day, the entry form's choices, the
supervisor's review, the company's reasons, and the actual cost of each job.

Two kinds of read live here:

- **Pages** take the signed-in ``user`` and start from ``Model.objects.for_user(user,
  action)``: a worker reads their own reports, owners and staff every report of their
  company, nobody outside the company anything.
- **Internal reads for other selectors** (``approved_entries``) take a ``company`` and no
  user: their caller must have checked that its user may read that company's figures
  (the metrics and the machine plan of the company's own people).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment
from machikoba.core.access import (
    EDITOR_ROLES,
    MEMBER_ROLES,
    OWNER_ROLES,
    VIEW,
    has_role,
)
from machikoba.network.choices import JobStatus, StepStatus
from machikoba.network.models import Step

from .choices import ReasonKind, ReportStatus
from .internal_reports import BACKFILL_DAYS, EDITABLE_STATES, REPORT_TRANSITIONS
from .models import StepWork, machine_key
from .models_reports import DailyReport, Reason, ReportEntry
from .reports.costs import CostsPage, JobCost, cost_rates_of, costs_page, job_costs, yen_for
from .selectors import machine_names

# ``job_costs`` and the cost page live in ``reports.costs``; their names stay here.
__all__ = [
    "CostsPage",
    "JobCost",
    "approved_entries",
    "cost_rates_of",
    "costs_page",
    "day_page",
    "job_costs",
    "report_actions",
    "review_page",
    "workable_steps",
    "yen_for",
]

# Steps a worker may still be working on (a partner's step is "requested" from the award
# until the shop accepts the order, with the performer set).
WORKABLE_STATES = (
    StepStatus.PLANNED,
    StepStatus.REQUESTED,
    StepStatus.ORDERED,
    StepStatus.IN_PROGRESS,
)
# What a page may offer on a report: the worker's and the supervisor's buttons.
SUBMIT, APPROVE, RETURN, EDIT = "submit", "approve", "return", "edit"


# --- for other selectors (caller-checked) -----------------------------------------------------


def approved_entries(
    company: Company, start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> QuerySet[ReportEntry]:
    """The approved 日報 entries of ``company`` in ``[start, end)``: the shop's measured
    work, for OEE counts and measured step times.

    ``start`` and ``end`` are both dates (the report's day is in ``[start, end)``) or both
    aware datetimes (an entry started with 「開始」 counts when its ``started_at`` is in
    ``[start, end)``; an entry with typed minutes only, which has no start, counts on its
    report's day, when that local day overlaps ``[start, end)``).

    Each row has ``equipment`` and ``unit`` (the machine, or no equipment for hand work),
    ``good``, ``defect``, ``defect_reason``, ``minutes`` (labour), ``machine_minutes``
    (None: the labour minutes when a machine was used; ``machine_time`` says it),
    ``stop_minutes``, ``stop_reason`` (with ``planned``), ``step`` (with ``process`` and
    ``job``) and ``report`` (its ``date``, ``worker``), all joined.

    Internal: no user is checked. The caller has checked that its user may read
    ``company``'s figures (a member of the company)."""
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        raise TypeError("start and end must both be dates or both datetimes")
    rows = ReportEntry.objects.filter(
        report__company=company,
        report__status=ReportStatus.APPROVED,
        minutes__isnull=False,
    )
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        first_day = timezone.localdate(start)
        last_day = timezone.localdate(end - dt.timedelta(microseconds=1))
        rows = rows.filter(
            Q(started_at__gte=start, started_at__lt=end)
            | Q(started_at__isnull=True, report__date__gte=first_day, report__date__lte=last_day)
        )
    else:
        rows = rows.filter(report__date__gte=start, report__date__lt=end)
    return rows.select_related(
        "equipment", "defect_reason", "stop_reason", "step__process", "step__job", "report"
    ).order_by("report__date", "started_at", "pk")


# --- the state machine's buttons -------------------------------------------------------------


def report_actions(user: User, report: DailyReport) -> frozenset[str]:
    """What ``user`` may do to ``report`` now, from the same table the services use:
    the worker edits and submits an open report; owners and staff approve or send back a
    submitted one (their own only when they are an owner)."""
    actions = set()
    is_worker = report.worker_id == user.pk and has_role(user, report.company, MEMBER_ROLES)
    if is_worker and report.status in EDITABLE_STATES:
        actions.add(EDIT)
    if is_worker and ReportStatus.SUBMITTED in REPORT_TRANSITIONS[report.status]:
        actions.add(SUBMIT)
    supervisor = has_role(user, report.company, EDITOR_ROLES) and (
        report.worker_id != user.pk or has_role(user, report.company, OWNER_ROLES)
    )
    if supervisor:
        moves = REPORT_TRANSITIONS[report.status]
        if ReportStatus.APPROVED in moves:
            actions.add(APPROVE)
        if ReportStatus.RETURNED in moves:
            actions.add(RETURN)
    return frozenset(actions)


def is_supervisor(user: User, company: Company) -> bool:
    return has_role(user, company, EDITOR_ROLES, VIEW)


# --- what a worker picks --------------------------------------------------------------------


@dataclass
class StepChoice:
    step: Step
    for_partner: bool
    running: bool = False

    @property
    def label(self) -> str:
        return f"{self.step.job.part_name} {self.step.position}. {self.step.process.name}"


def workable_steps(user: User, company: Company, day: dt.date) -> list[StepChoice]:
    """The steps ``company`` performs that its people may report work on for ``day``: open
    ones of open jobs (in progress first, then by due date), and those finished on or
    after ``day``. Nothing for anyone who does not work for ``company`` (the job's buyer
    sees the steps, but reports no work on them)."""
    if not has_role(user, company, MEMBER_ROLES, VIEW):
        return []
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    steps = (
        Step.objects.for_user(user, VIEW)
        .filter(performer=company, job__status=JobStatus.OPEN)
        .filter(Q(status__in=WORKABLE_STATES) | Q(finished_at__gte=start))
        .select_related("job__company", "process")
        .order_by("job__due_date", "job_id", "position")
    )
    running = running_entry(user, company)
    choices = [
        StepChoice(
            step=s,
            for_partner=s.job.company_id != company.pk,
            running=running is not None and running.step_id == s.pk,
        )
        for s in steps
    ]
    choices.sort(key=lambda c: (c.step.status != StepStatus.IN_PROGRESS, not c.running))
    return choices


def running_entry(user: User, company: Company) -> ReportEntry | None:
    """The worker's entry started with 「開始」 and not ended (at most one)."""
    return (
        ReportEntry.objects.for_user(user, VIEW)
        .filter(report__company=company, report__worker=user, minutes__isnull=True)
        .select_related("report", "step__job", "step__process", "equipment")
        .first()
    )


def machine_choices(company: Company) -> list[tuple[str, str]]:
    """Each unit of the company's equipment, as ``(machine_key, name)``."""
    return sorted(machine_names(company).items(), key=lambda item: item[1])


def machine_of(company: Company, key: str) -> tuple[Equipment, int] | None:
    """The equipment row and unit a machine key names, if it is ``company``'s."""
    for equipment in Equipment.objects.filter(company=company):
        for unit in range(1, equipment.count + 1):
            if machine_key(equipment.pk, unit) == key:
                return equipment, unit
    return None


def default_machine(user: User, company: Company, step: Step) -> str:
    """The machine the form starts with: the one this worker last used on the step, else
    the step's only machine (chosen for it, or the only one for its process), else none."""
    last = (
        ReportEntry.objects.for_user(user, VIEW)
        .filter(report__company=company, report__worker=user, step=step, equipment__isnull=False)
        .order_by("-pk")
        .first()
    )
    if last is not None and last.equipment_id is not None:
        return machine_key(last.equipment_id, last.unit)
    work = (
        StepWork.objects.for_user(user, VIEW)
        .filter(company=company, step=step)
        .prefetch_related("equipment")
        .first()
    )
    chosen = list(work.equipment.all()) if work is not None else []
    if not chosen:
        chosen = list(Equipment.objects.filter(company=company, process_id=step.process_id))
    units = [machine_key(e.pk, u) for e in chosen for u in range(1, e.count + 1)]
    return units[0] if len(units) == 1 else ""


def reason_choices(
    user: User, company: Company, kind: str, keep: Reason | None = None
) -> list[tuple[str, str]]:
    """The company's active reasons of ``kind`` (and ``keep``, an entry's retired one)."""
    shown = Q(active=True) | Q(pk=keep.pk) if keep is not None else Q(active=True)
    reasons = Reason.objects.for_user(user, VIEW).filter(shown, company=company, kind=kind)
    return [(str(r.pk), r.label + ("" if r.active else " *")) for r in reasons]


def reason_of(user: User, company: Company, pk: int | None) -> Reason | None:
    if pk is None:
        return None
    return Reason.objects.for_user(user, VIEW).filter(company=company, pk=pk).first()


# --- the worker's day -------------------------------------------------------------------------


@dataclass
class EntryRow:
    entry: ReportEntry
    photos: int

    @property
    def label(self) -> str:
        step = self.entry.step
        return f"{step.job.part_name} {step.position}. {step.process.name}"


@dataclass
class DayPage:
    day: dt.date
    today: dt.date
    report: DailyReport | None
    entries: list[EntryRow]
    running: ReportEntry | None
    steps: list[StepChoice]
    actions: frozenset[str]
    returned: list[DailyReport]
    to_review: int
    earliest: dt.date

    @property
    def total_minutes(self) -> int:
        return sum(row.entry.minutes or 0 for row in self.entries)

    @property
    def previous_day(self) -> dt.date | None:
        before = self.day - dt.timedelta(days=1)
        return before if before >= self.earliest else None

    @property
    def next_day(self) -> dt.date | None:
        after = self.day + dt.timedelta(days=1)
        return after if after <= self.today else None

    @property
    def open(self) -> bool:
        return self.report is None or self.report.status in EDITABLE_STATES


def backfill_start() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=BACKFILL_DAYS)


def report_entries(user: User, report: DailyReport) -> list[EntryRow]:
    entries = (
        ReportEntry.objects.for_user(user, VIEW)
        .filter(report=report)
        .select_related(
            "step__job__company", "step__process", "equipment", "defect_reason", "stop_reason"
        )
        .prefetch_related("photos")
    )
    return [EntryRow(entry=e, photos=len(e.photos.all())) for e in entries]


def day_page(user: User, company: Company, day: dt.date) -> DayPage:
    """The worker's 「今日の日報」 (or an earlier day's): what they recorded, the running
    work, the steps to pick, the reports sent back to them, and for a supervisor the
    number of reports waiting for review."""
    report = (
        DailyReport.objects.for_user(user, VIEW)
        .filter(company=company, worker=user, date=day)
        .select_related("company", "reviewed_by")
        .first()
    )
    returned = list(
        DailyReport.objects.for_user(user, VIEW)
        .filter(company=company, worker=user, status=ReportStatus.RETURNED)
        .exclude(date=day)
        .order_by("-date")
    )
    to_review = 0
    if is_supervisor(user, company):
        to_review = (
            DailyReport.objects.for_user(user, VIEW)
            .filter(company=company, status=ReportStatus.SUBMITTED)
            .count()
        )
    return DayPage(
        day=day,
        today=timezone.localdate(),
        report=report,
        entries=report_entries(user, report) if report else [],
        running=running_entry(user, company),
        steps=workable_steps(user, company, day),
        actions=report_actions(user, report) if report else frozenset(),
        returned=returned,
        to_review=to_review,
        earliest=backfill_start(),
    )


def my_reports(user: User, company: Company, limit: int = 60) -> list[DailyReport]:
    return list(
        DailyReport.objects.for_user(user, VIEW)
        .filter(company=company, worker=user)
        .order_by("-date")[:limit]
    )


# --- the supervisor's review ------------------------------------------------------------------


@dataclass
class ReportCard:
    report: DailyReport
    entries: list[EntryRow]
    actions: frozenset[str]

    @property
    def total_minutes(self) -> int:
        return sum(row.entry.minutes or 0 for row in self.entries)

    @property
    def good(self) -> int:
        return sum(row.entry.good for row in self.entries)

    @property
    def defect(self) -> int:
        return sum(row.entry.defect for row in self.entries)


@dataclass
class ReviewPage:
    day: dt.date | None
    waiting: list[ReportCard]
    of_day: list[ReportCard]
    days: list[dt.date] = field(default_factory=list)


def _cards(user: User, reports: QuerySet[DailyReport]) -> list[ReportCard]:
    reports = reports.select_related("worker", "company", "reviewed_by")
    entries = (
        ReportEntry.objects.for_user(user, VIEW)
        .filter(report__in=reports)
        .select_related(
            "step__job__company", "step__process", "equipment", "defect_reason", "stop_reason"
        )
        .prefetch_related("photos")
    )
    by_report: dict[int, list[EntryRow]] = defaultdict(list)
    for e in entries:
        by_report[e.report_id].append(EntryRow(entry=e, photos=len(e.photos.all())))
    return [
        ReportCard(report=r, entries=by_report[r.pk], actions=report_actions(user, r))
        for r in reports
    ]


def review_page(user: User, company: Company, day: dt.date | None) -> ReviewPage:
    """Owners and staff: the submitted reports waiting (oldest first), and every report
    of ``day`` but drafts (a draft is still the worker's)."""
    if not is_supervisor(user, company):
        return ReviewPage(day=day, waiting=[], of_day=[])
    reports = DailyReport.objects.for_user(user, VIEW).filter(company=company)
    waiting = _cards(
        user, reports.filter(status=ReportStatus.SUBMITTED).order_by("date", "worker_id")
    )
    of_day = []
    if day is not None:
        of_day = _cards(
            user,
            reports.filter(date=day)
            .exclude(status__in=(ReportStatus.DRAFT, ReportStatus.SUBMITTED))
            .order_by("worker_id"),
        )
    days = list(
        reports.exclude(status=ReportStatus.DRAFT)
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()[:14]
    )
    return ReviewPage(day=day, waiting=waiting, of_day=of_day, days=days)


def report_card(user: User, report: DailyReport) -> ReportCard:
    return _cards(user, DailyReport.objects.for_user(user, VIEW).filter(pk=report.pk))[0]


# --- master data ------------------------------------------------------------------------------


@dataclass
class ReasonsPage:
    stop: list[Reason]
    defect: list[Reason]
    editor: bool


def reasons_page(user: User, company: Company) -> ReasonsPage:
    reasons = list(Reason.objects.for_user(user, VIEW).filter(company=company))
    return ReasonsPage(
        stop=[r for r in reasons if r.kind == ReasonKind.STOP],
        defect=[r for r in reasons if r.kind == ReasonKind.DEFECT],
        editor=has_role(user, company, EDITOR_ROLES),
    )
