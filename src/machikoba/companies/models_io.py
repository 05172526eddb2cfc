"""Imports of the ward's company list: one ``ImportJob`` per uploaded file.

The file is kept in the default storage under ``imports/<uuid>.<ext>``: a name of our
own (never the uploader's), and never served by URL (no view hands it out).
Status changes only through the services in ``companies/importing.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.companies import access
from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (.xlsx)")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("列の対応づけ待ち")
    QUEUED = "queued", _("開始待ち")
    VALIDATING = "validating", _("確認中")
    IMPORTING = "importing", _("登録中")
    DONE = "done", _("完了")
    FAILED = "failed", _("エラーあり")


RUNNING_STATUSES = (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)
FINISHED_STATUSES = (ImportStatus.DONE, ImportStatus.FAILED)
# An import with more errors than this stops checking: the file needs fixing anyway.
MAX_REPORTED_ERRORS = 1000


def import_file_path(instance, filename: str) -> str:
    # The name is ours, never the uploader's: no path tricks, no guessable names.
    return f"imports/{uuid.uuid4().hex}.{instance.file_format}"


class ImportJob(TimeStampedModel):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アップロードした人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取り込みを始めた人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The ward whose company list this is: its rows become (or must already be) companies
    # of this municipality, and only its officers see the job.
    ward = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("自治体"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    original_name = models.CharField(_("元のファイル名"), max_length=255)
    file = models.FileField(_("ファイル"), upload_to=import_file_path, max_length=200)
    file_format = models.CharField(_("形式"), max_length=10, choices=ImportFormat.choices)
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
        db_index=True,
    )
    header = models.JSONField(_("見出し行"), default=list, blank=True)
    mapping = models.JSONField(
        _("列の対応"), default=dict, blank=True, help_text=_("項目名 → ファイルの列番号 (0始まり)")
    )
    total_rows = models.PositiveIntegerField(_("データ行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("確認済みの行数"), default=0)
    created_count = models.PositiveIntegerField(_("作成した企業数"), default=0)
    updated_count = models.PositiveIntegerField(_("更新した企業数"), default=0)
    errors = models.JSONField(_("エラー"), default=list, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.import_job_scope)

    class Meta:
        verbose_name = _("企業リストの取り込み")
        verbose_name_plural = _("企業リストの取り込み")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="importjob_status_known"
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=ImportFormat.values), name="importjob_format_known"
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")),
                name="importjob_processed_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def errors_truncated(self) -> bool:
        return len(self.errors) >= MAX_REPORTED_ERRORS

    @property
    def sorted_errors(self) -> list[dict]:
        return sorted(self.errors, key=lambda e: (e.get("row") or 0, e.get("column") or ""))
