"""Shifts (シフト) of a shop, for its machine metrics (issue 22): the planned time of a
working day is the time of its shifts. A shop with no shift has one, its working
calendar's day (``WorkCalendar.day_start``–``day_end``). A shift may cross midnight
(22:00–06:00): it belongs to the day it starts on, and runs on the calendar's working
days only (not on 祝日 or shutdown days).

Private to the shop like its calendar (``TenantPolicy``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, TenantPolicy
from machikoba.core.models import TimeStampedModel

MAX_SHIFTS = 4


class Shift(TimeStampedModel):
    """One shift of every working day: from ``start`` to ``end`` (the next day when
    ``end`` is not after ``start``)."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="floor_shifts",
    )
    name = models.CharField(_("シフト名"), max_length=30)
    start = models.TimeField(_("開始時刻"))
    end = models.TimeField(_("終了時刻"))
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    objects = AccessManager()
    access_policy = TenantPolicy()

    class Meta:
        verbose_name = _("シフト")
        verbose_name_plural = _("シフト")
        ordering = ["company_id", "order", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="floor_shift_name_once"),
            models.CheckConstraint(condition=~Q(start=F("end")), name="floor_shift_has_length"),
            models.CheckConstraint(condition=~Q(name=""), name="floor_shift_named"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return end - start if end > start else end + 24 * 60 - start
