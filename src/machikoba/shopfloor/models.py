"""The shop's machine schedule (issue 7): its working calendar, how each step is done
(machine time, which machines), and plans: a solver run with its progress and the
planned operations on machines, which the owner may drag to adjust.

Everything here is private to the shop (``TenantPolicy``): members see it, owners and
staff change it, nobody else (no partner, officer or admin) sees any of it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, TenantPolicy
from machikoba.core.models import TimeStampedModel

from .choices import PlanObjective, RunStatus

# A step of more than a few weeks of machine time is a typing mistake, not a plan.
MAX_STEP_MINUTES = 20 * 24 * 60


class WorkCalendar(TimeStampedModel):
    """When the shop's machines run: one stretch a working day (machines run through the
    lunch break on rotation), on the chosen weekdays, never on 祝日 or shutdown days."""

    company = models.OneToOneField(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="work_calendar",
    )
    day_start = models.TimeField(_("始業時刻"), default=dt.time(8, 30))
    day_end = models.TimeField(_("終業時刻"), default=dt.time(17, 30))
    # Weekday numbers, Monday = 0: "01234" is Monday to Friday.
    weekdays = models.CharField(_("稼働する曜日"), max_length=7, default="01234")
    shutdown_dates = models.JSONField(_("休業日"), default=list, blank=True)

    objects = AccessManager()
    access_policy = TenantPolicy()

    class Meta:
        verbose_name = _("稼働カレンダー")
        verbose_name_plural = _("稼働カレンダー")
        constraints = [
            models.CheckConstraint(
                condition=Q(day_end__gt=F("day_start")), name="calendar_day_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(weekdays=""), name="calendar_has_weekdays"),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.day_start:%H:%M}–{self.day_end:%H:%M}"

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted({int(char) for char in self.weekdays})

    @property
    def shutdowns(self) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(value) for value in self.shutdown_dates)

    @property
    def day_minutes(self) -> int:
        start = self.day_start.hour * 60 + self.day_start.minute
        return self.day_end.hour * 60 + self.day_end.minute - start


class StepWork(TimeStampedModel):
    """How the shop does one step it performs: machine time, and on which machines.

    No minutes means the planner estimates them; no machines means any of the shop's
    machines for the step's process."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="step_work",
    )
    step = models.ForeignKey(
        "network.Step", verbose_name=_("工程"), on_delete=models.CASCADE, related_name="work"
    )
    minutes = models.PositiveIntegerField(
        _("加工時間 (分)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STEP_MINUTES)],
    )
    equipment = models.ManyToManyField(
        "companies.Equipment", verbose_name=_("使う設備"), blank=True, related_name="+"
    )

    objects = AccessManager()
    access_policy = TenantPolicy()

    class Meta:
        verbose_name = _("工程の段取り")
        verbose_name_plural = _("工程の段取り")
        constraints = [
            models.UniqueConstraint(fields=["company", "step"], name="step_work_once_per_shop"),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True)
                | Q(minutes__gte=1, minutes__lte=MAX_STEP_MINUTES),
                name="step_work_minutes_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} ({self.minutes or '?'} min)"


class ScheduleRun(TimeStampedModel):
    """One "plan" press: queued, then solved by the task worker, which keeps the progress
    fields current for the progress bar."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="schedule_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼した人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    objective = models.CharField(
        _("目的"), max_length=12, choices=PlanObjective.choices, default=PlanObjective.DUE_DATES
    )
    time_limit = models.PositiveSmallIntegerField(_("計算時間 (秒)"), default=30)
    # Minute 0 of the plan (local midnight of the first planned day).
    origin = models.DateTimeField(_("計画の起点"))
    operation_count = models.PositiveIntegerField(_("作業数"), default=0)
    # The inputs the run could not plan, e.g. a step with no machine: [{step, reason}].
    skipped = models.JSONField(_("計画に入らなかった工程"), default=list, blank=True)
    # Releases and due dates of the solver's jobs in minutes from the origin, so that a
    # dragged plan is checked against what the solver was given.
    jobs = models.JSONField(_("計画の前提"), default=dict, blank=True)
    best_objective = models.BigIntegerField(_("現在の最良値"), null=True, blank=True)
    bound = models.BigIntegerField(_("下界"), null=True, blank=True)
    elapsed = models.FloatField(_("経過時間 (秒)"), default=0)
    stage = models.CharField(_("段階"), max_length=20, blank=True)
    result_status = models.CharField(_("解の状態"), max_length=12, blank=True)
    tardiness_minutes = models.BigIntegerField(_("納期遅れ (分)"), null=True, blank=True)
    makespan_end = models.DateTimeField(_("全体の完了"), null=True, blank=True)
    error = models.CharField(_("失敗の理由"), max_length=1000, blank=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = TenantPolicy()

    class Meta:
        verbose_name = _("計画の実行")
        verbose_name_plural = _("計画の実行")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_limit__gte=1, time_limit__lte=600),
                name="schedule_run_time_limit_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if self.status != RunStatus.RUNNING or not self.time_limit:
            return 0
        return min(99, int(100 * self.elapsed / self.time_limit))


class PlannedOperation(models.Model):
    """A piece of a step on one machine unit: a step longer than a working day is split
    into pieces of at most a day, one after the other."""

    run = models.ForeignKey(
        ScheduleRun, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="operations"
    )
    step = models.ForeignKey(
        "network.Step", verbose_name=_("工程"), on_delete=models.CASCADE, related_name="+"
    )
    piece = models.PositiveSmallIntegerField(_("分割番号"), default=1)
    pieces = models.PositiveSmallIntegerField(_("分割数"), default=1)
    # The solver's job and position; `eligible` lists the machine keys it may use.
    job_key = models.CharField(_("計画上の作業列"), max_length=40)
    position = models.PositiveSmallIntegerField(_("作業列の順番"))
    eligible = models.JSONField(_("使える設備"), default=list)
    equipment = models.ForeignKey(
        "companies.Equipment", verbose_name=_("設備"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.PositiveSmallIntegerField(_("号機"), default=1)
    start = models.DateTimeField(_("開始"))
    end = models.DateTimeField(_("終了"))
    frozen = models.BooleanField(_("固定 (着手済み)"), default=False)
    moved = models.BooleanField(_("手で動かした"), default=False)

    objects = AccessManager()
    access_policy = TenantPolicy(company_field="run__company")

    class Meta:
        verbose_name = _("計画した作業")
        verbose_name_plural = _("計画した作業")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="planned_op_ends_after"),
            models.UniqueConstraint(
                fields=["run", "job_key", "position"], name="planned_op_once_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.piece}/{self.pieces}"

    @property
    def resource(self) -> str:
        return machine_key(self.equipment_id, self.unit)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def machine_key(equipment_id: int, unit: int) -> str:
    """The solver's name for one machine: unit ``unit`` of an equipment row."""
    return f"m{equipment_id}-{unit}"


from machikoba.shopfloor.models_metrics import Shift  # noqa
from machikoba.shopfloor.models_reports import (  # noqa: E402, F401
    CostRates,
    DailyReport,
    Reason,
    ReportEntry,
    ReportPhoto,
)
