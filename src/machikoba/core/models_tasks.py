"""The task worker's own bookkeeping: which workers are alive, and which effects are done.

``TaskWorker`` is one row per running ``db_worker`` process, its heartbeat refreshed every
few seconds; a task left RUNNING by a worker whose heartbeat stopped is queued again
(``core.task_recovery``). ``TaskEffect`` records that the effect of one task run happened
(an e-mail sent, notices stored), so a task run again after its worker died does not do it
twice. Nobody reads either through the UI: the access policy denies all."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy, nobody_scope


class TaskWorker(models.Model):
    worker_id = models.CharField(_("ワーカーID"), max_length=64, unique=True)
    hostname = models.CharField(_("ホスト名"), max_length=255)
    pid = models.PositiveIntegerField(_("プロセスID"))
    started_at = models.DateTimeField(_("起動日時"))
    heartbeat_at = models.DateTimeField(_("最終応答日時"), db_index=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(nobody_scope)

    class Meta:
        verbose_name = _("タスクワーカー")
        verbose_name_plural = _("タスクワーカー")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class TaskEffect(models.Model):
    key = models.CharField(_("キー"), max_length=200, unique=True)
    done_at = models.DateTimeField(_("実行日時"), auto_now_add=True, db_index=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(nobody_scope)

    class Meta:
        verbose_name = _("タスクの実行記録")
        verbose_name_plural = _("タスクの実行記録")

    def __str__(self) -> str:
        return self.key
