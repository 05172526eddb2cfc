"""Machine monitoring (issue 22): the machines that report their state, and what the
collector stores of them.

A ``Machine`` is one unit of an ``Equipment`` row that a source reports on: a signal-tower
or current sensor publishing over MQTT, an MTConnect agent, an OPC UA server. The collector
(``telemetry.collector``) normalises every source into one taxonomy (``MachineState``) and
stores **state intervals**, not raw samples: a row per state change, keyed by the stream's
own identity (``boot``, ``seq``) so that a message delivered twice is stored once. A row's
``end`` is the next row's ``start`` (in ``start``, ``seq`` order); the last row of a machine
is open (its current state). docs/telemetry.md gives the topic and payload convention.
"""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy, nobody_scope
from machikoba.core.models import TimeStampedModel

from . import access
from .choices import MachineState, Source


def new_machine_key() -> str:
    """The machine's name in MQTT topics: random, so that it cannot be guessed."""
    return secrets.token_hex(8)


class Machine(TimeStampedModel):
    """One unit of a piece of equipment whose state a source reports."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="machines",
    )
    equipment = models.ForeignKey(
        "companies.Equipment",
        verbose_name=_("設備"),
        on_delete=models.CASCADE,
        related_name="machines",
    )
    unit = models.PositiveSmallIntegerField(
        _("号機"), default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    name = models.CharField(_("表示名"), max_length=50)
    source = models.CharField(_("データの取り方"), max_length=10, choices=Source.choices)
    key = models.CharField(_("装置キー"), max_length=64, unique=True, default=new_machine_key)
    # Source settings: MTConnect {"agent": url, "device": name}; OPC UA {"endpoint": url,
    # "state_node": id, "count_node": id, "states": {value: state}}; MQTT {"tower": {colour:
    # state}, "current": {"producing_above": A, "idle_above": A}} (docs/telemetry.md).
    config = models.JSONField(_("接続の設定"), default=dict, blank=True)
    ideal_cycle_seconds = models.DecimalField(
        _("理想サイクルタイム (秒/個)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
    )
    # A part counter that wraps (a 16-bit PLC register: 65535) rolls over after this value.
    counter_max = models.PositiveBigIntegerField(_("カウンタの最大値"), null=True, blank=True)
    active = models.BooleanField(_("監視する"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.machine_scope)

    class Meta:
        verbose_name = _("監視する設備")
        verbose_name_plural = _("監視する設備")
        ordering = ["company_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "unit"], name="machine_once_per_unit"),
            models.UniqueConstraint(fields=["company", "name"], name="machine_name_per_company"),
        ]

    def __str__(self) -> str:
        return self.name


class StateInterval(models.Model):
    """The machine was in ``state`` from ``start`` until ``end`` (open: still is)."""

    # No index of its own: the unique (machine, boot, seq) and the (machine, start) indexes
    # both begin with it (the benchmark measured the extra one at 25 of 284 bytes a row).
    machine = models.ForeignKey(
        Machine,
        verbose_name=_("設備"),
        on_delete=models.CASCADE,
        related_name="intervals",
        db_index=False,
    )
    start = models.DateTimeField(_("開始"))
    end = models.DateTimeField(_("終了"), null=True, blank=True)
    state = models.CharField(_("状態"), max_length=16, choices=MachineState.choices)
    # The source's own reason or alarm code ("A1203", "material"), shown through the
    # company's reason list where one has that code.
    reason = models.CharField(_("理由コード"), max_length=64, blank=True)
    # The stream the row came from and its place in it: a device's boot id, an MTConnect
    # agent's instanceId, "opcua", or "collector" for an offline row the collector wrote.
    boot = models.CharField(_("ストリーム"), max_length=64, blank=True)
    seq = models.BigIntegerField(_("連番"))
    # The part counter as reported at ``start``; ``parts`` is what the interval made
    # (computed when it closes, counter resets and rollovers taken into account).
    count = models.BigIntegerField(_("カウンタ値"), null=True, blank=True)
    parts = models.PositiveIntegerField(_("生産数"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.machine_part_scope)

    class Meta:
        verbose_name = _("稼働状態の区間")
        verbose_name_plural = _("稼働状態の区間")
        ordering = ["machine_id", "start", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine", "boot", "seq"], name="interval_once_per_message"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="interval_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["machine", "start"], name="interval_machine_start")]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.state} {self.start:%Y-%m-%d %H:%M:%S}"


class IngestStats(models.Model):
    """What the collector received for one machine, and what it refused and why."""

    machine = models.OneToOneField(
        Machine, verbose_name=_("設備"), on_delete=models.CASCADE, related_name="ingest"
    )
    received = models.BigIntegerField(_("受信"), default=0)
    stored = models.BigIntegerField(_("保存"), default=0)
    duplicates = models.BigIntegerField(_("重複"), default=0)
    malformed = models.BigIntegerField(_("形式の誤り"), default=0)
    skewed = models.BigIntegerField(_("時刻のずれ"), default=0)
    rate_limited = models.BigIntegerField(_("送信が多すぎる"), default=0)
    last_seen = models.DateTimeField(_("最後の受信"), null=True, blank=True)
    last_error = models.CharField(_("最後の誤り"), max_length=300, blank=True)
    last_error_at = models.DateTimeField(_("最後の誤りの日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.machine_part_scope)

    class Meta:
        verbose_name = _("受信の記録")
        verbose_name_plural = _("受信の記録")

    def __str__(self) -> str:
        return f"{self.machine_id}: {self.received}"


class UnknownSource(models.Model):
    """Messages for a machine key nobody registered: counted, never stored as data."""

    source = models.CharField(_("データの取り方"), max_length=10, choices=Source.choices)
    key = models.CharField(_("装置キー"), max_length=200)
    count = models.BigIntegerField(_("件数"), default=0)
    first_seen = models.DateTimeField(_("最初の受信"))
    last_seen = models.DateTimeField(_("最後の受信"))

    objects = AccessManager()
    access_policy = ScopedPolicy(nobody_scope)

    class Meta:
        verbose_name = _("登録されていない装置")
        verbose_name_plural = _("登録されていない装置")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="unknown_source_once")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"


class SourceCursor(models.Model):
    """Where a polled source stands: an MTConnect agent's instanceId and the next sequence
    to ask for, written in the same transaction as the intervals it produced."""

    key = models.CharField(_("接続先"), max_length=300, unique=True)
    instance = models.CharField(_("インスタンス"), max_length=64, blank=True)
    next_sequence = models.BigIntegerField(_("次の連番"), default=0)
    gaps = models.PositiveIntegerField(_("取りこぼし"), default=0)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(nobody_scope)

    class Meta:
        verbose_name = _("取得位置")
        verbose_name_plural = _("取得位置")

    def __str__(self) -> str:
        return f"{self.key} @ {self.next_sequence}"
