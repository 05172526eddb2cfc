"""Daily reports (日報, issue 22): what each worker did today, on which step and machine,
with good and defect counts, stop and defect reasons (the company's own lists), notes and
photos; a supervisor approves or sends back. Approved entries are the shop's measured times
(plans, OEE counts) and its actual cost per job against the quote.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy, TenantPolicy
from machikoba.core.models import TimeStampedModel

from . import access
from .choices import ReasonKind, ReportStatus

MAX_ENTRY_MINUTES = 24 * 60
MAX_COUNT = 1_000_000


class Reason(TimeStampedModel):
    """One of the company's stop or defect reasons (its master data, not a fixed list)."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="floor_reasons",
    )
    kind = models.CharField(_("種類"), max_length=10, choices=ReasonKind.choices)
    # The code a machine reports for this reason (an alarm number, "material"), matched
    # against ``StateInterval.reason``; typed by the owner.
    code = models.CharField(_("コード"), max_length=64)
    label = models.CharField(_("名前"), max_length=60)
    # A planned stop (昼休み, 計画保全) is not lost time: OEE leaves it out.
    planned = models.BooleanField(_("計画停止"), default=False)
    active = models.BooleanField(_("使う"), default=True)
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    objects = AccessManager()
    access_policy = TenantPolicy()

    class Meta:
        verbose_name = _("停止・不良の理由")
        verbose_name_plural = _("停止・不良の理由")
        ordering = ["kind", "order", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "code"], name="floor_reason_code_once"
            ),
            models.CheckConstraint(condition=~Q(code="") & ~Q(label=""), name="floor_reason_named"),
            models.CheckConstraint(
                condition=Q(kind__in=ReasonKind.values), name="floor_reason_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class DailyReport(TimeStampedModel):
    """One worker's report of one working day at one company."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="daily_reports",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作業者"),
        on_delete=models.PROTECT,
        related_name="daily_reports",
    )
    date = models.DateField(_("作業日"))
    status = models.CharField(
        _("状態"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    review_note = models.CharField(_("差し戻しの理由"), max_length=500, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.daily_report_scope)

    class Meta:
        verbose_name = _("日報")
        verbose_name_plural = _("日報")
        ordering = ["-date", "worker_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "worker", "date"], name="daily_report_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="daily_report_status_known"
            ),
        ]
        indexes = [models.Index(fields=["company", "date"], name="daily_report_company_day")]

    def __str__(self) -> str:
        return f"{self.worker} {self.date}"


class ReportEntry(TimeStampedModel):
    """One piece of work in a daily report: a step (in-house or performed for a partner),
    the machine, the time, the counts."""

    report = models.ForeignKey(
        DailyReport, verbose_name=_("日報"), on_delete=models.CASCADE, related_name="entries"
    )
    step = models.ForeignKey(
        "network.Step", verbose_name=_("工程"), on_delete=models.PROTECT, related_name="+"
    )
    equipment = models.ForeignKey(
        "companies.Equipment",
        verbose_name=_("設備"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.PositiveSmallIntegerField(_("号機"), default=1)
    started_at = models.DateTimeField(_("開始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("終了"), null=True, blank=True)
    # Labour minutes (the worker's time); machine minutes default to the same when a
    # machine was used and may be more (unattended running) or less.
    # None while the work is running (started with 「開始」, not yet ended).
    minutes = models.PositiveIntegerField(
        _("作業時間 (分)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ENTRY_MINUTES)],
    )
    machine_minutes = models.PositiveIntegerField(
        _("機械時間 (分)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_ENTRY_MINUTES)],
    )
    good = models.PositiveIntegerField(
        _("良品数"), default=0, validators=[MaxValueValidator(MAX_COUNT)]
    )
    defect = models.PositiveIntegerField(
        _("不良数"), default=0, validators=[MaxValueValidator(MAX_COUNT)]
    )
    defect_reason = models.ForeignKey(
        Reason,
        verbose_name=_("不良の理由"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stop_minutes = models.PositiveIntegerField(
        _("停止時間 (分)"), default=0, validators=[MaxValueValidator(MAX_ENTRY_MINUTES)]
    )
    stop_reason = models.ForeignKey(
        Reason,
        verbose_name=_("停止の理由"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("メモ"), max_length=2000, blank=True)
    # Sent with the form: a retry of the same submission (a flaky connection) finds the
    # entry it already wrote instead of writing a second one.
    idempotency_key = models.UUIDField(_("送信キー"), default=uuid.uuid4, unique=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.report_part_scope)

    class Meta:
        verbose_name = _("日報の作業")
        verbose_name_plural = _("日報の作業")
        ordering = ["report_id", "started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gt=F("started_at")),
                name="report_entry_ends_after_start",
            ),
            # Minutes in range, or none while the work runs (a start and no end).
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_ENTRY_MINUTES)
                | Q(minutes__isnull=True, started_at__isnull=False, ended_at__isnull=True),
                name="report_entry_minutes_in_range",
            ),
            models.CheckConstraint(condition=Q(unit__gte=1), name="report_entry_unit_positive"),
            models.CheckConstraint(
                condition=Q(defect=0) | Q(defect_reason__isnull=False),
                name="report_entry_defect_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(stop_minutes=0) | Q(stop_reason__isnull=False),
                name="report_entry_stop_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.step}"

    @property
    def running(self) -> bool:
        """Started with 「開始」 and not ended yet."""
        return self.minutes is None

    @property
    def machine_label(self) -> str:
        """The machine's name, with its unit when the row has several: 「NC旋盤 LB3000 #2」."""
        if self.equipment is None:
            return ""
        name = " ".join(p for p in (self.equipment.kind, self.equipment.model_name) if p)
        return f"{name} #{self.unit}" if self.equipment.count > 1 else name

    @property
    def machine_time(self) -> int:
        """The machine's minutes: those typed, else the labour minutes when a machine was
        used, else none."""
        if self.machine_minutes is not None:
            return self.machine_minutes
        return (self.minutes or 0) if self.equipment_id else 0


def report_photo_path(instance: ReportPhoto, filename: str) -> str:
    # A random name: the path says nothing about the company or the job.
    return f"floor/reports/{uuid.uuid4().hex}.jpg"


class ReportPhoto(models.Model):
    """A photo of the work (a defect, a finished part), re-encoded on upload."""

    entry = models.ForeignKey(
        ReportEntry, verbose_name=_("作業"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("写真"), upload_to=report_photo_path)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.report_photo_scope)

    class Meta:
        verbose_name = _("日報の写真")
        verbose_name_plural = _("日報の写真")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name or ""


class CostRates(TimeStampedModel):
    """The company's hourly rates, for a job's actual cost (never shown outside it)."""

    company = models.OneToOneField(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="cost_rates",
    )
    labour_yen_per_hour = models.PositiveIntegerField(
        _("人の時間単価 (円/時)"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    machine_yen_per_hour = models.PositiveIntegerField(
        _("機械の時間単価 (円/時)"), default=0, validators=[MaxValueValidator(1_000_000)]
    )

    objects = AccessManager()
    access_policy = TenantPolicy(view_roles=TenantPolicy.change_roles)

    class Meta:
        verbose_name = _("時間単価")
        verbose_name_plural = _("時間単価")

    def __str__(self) -> str:
        # No figures: the name goes into the audit trail, which platform admins read.
        return f"{self.company}"
