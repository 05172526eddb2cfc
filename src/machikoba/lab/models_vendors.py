"""What IT vendors do at the lab: demo slots of their exhibits (shops book a seat, as a
``Booking``), consultation requests (導入相談) and time-boxed software trials."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel
from machikoba.lab import access
from machikoba.lab.choices import ConsultationStatus, TrialStatus


class DemoSlot(TimeStampedModel):
    """A time a vendor demonstrates its exhibit at the lab; shops book a seat in it. While
    it stands, the item cannot be booked for anything else."""

    item = models.ForeignKey(
        "lab.Item", verbose_name=_("展示品"), on_delete=models.PROTECT, related_name="demo_slots"
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    seats = models.PositiveSmallIntegerField(_("定員 (社)"), default=3)
    note = models.CharField(_("内容"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公開した人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("取消し日時"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消しの理由"), max_length=300, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.demo_slot_scope)

    class Meta:
        verbose_name = _("デモの枠")
        verbose_name_plural = _("デモの枠")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="demo_slot_order"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="demo_slot_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.starts_at:%Y-%m-%d %H:%M}"


class Consultation(TimeStampedModel):
    """A shop asks a vendor about its exhibit (導入相談); the vendor's people answer."""

    vendor = models.ForeignKey(
        "companies.Company",
        verbose_name=_("ベンダー"),
        on_delete=models.PROTECT,
        related_name="lab_consultations_received",
    )
    item = models.ForeignKey(
        "lab.Item",
        verbose_name=_("展示品"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("相談した企業"),
        on_delete=models.PROTECT,
        related_name="lab_consultations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("相談者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("件名"), max_length=120)
    message = models.TextField(_("相談内容"), max_length=4000)
    status = models.CharField(
        _("状態"),
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.OPEN,
    )
    answer = models.TextField(_("回答"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回答者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.consultation_scope)

    class Meta:
        verbose_name = _("ベンダーへの相談")
        verbose_name_plural = _("ベンダーへの相談")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.subject


class TrialRequest(TimeStampedModel):
    """A shop asks for a time-boxed trial licence of an exhibited software; the vendor
    approves it with its start and end (at most ``Item.trial_days``) or declines."""

    item = models.ForeignKey(
        "lab.Item", verbose_name=_("ソフトウェア"), on_delete=models.PROTECT, related_name="trials"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="lab_trials",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申込者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    message = models.CharField(_("使いたい業務"), max_length=1000, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=TrialStatus.choices, default=TrialStatus.REQUESTED
    )
    starts_on = models.DateField(_("試用開始日"), null=True, blank=True)
    ends_on = models.DateField(_("試用終了日"), null=True, blank=True)
    licence_note = models.CharField(
        _("ライセンスの案内"), max_length=1000, blank=True, help_text=_("例: ログイン方法、注意点")
    )
    decline_reason = models.CharField(_("お断りの理由"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("対応したベンダー担当者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("対応日時"), null=True, blank=True)
    ended_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.trial_scope)

    class Meta:
        verbose_name = _("ソフトウェアの試用")
        verbose_name_plural = _("ソフトウェアの試用")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="trial_order",
            ),
            # One open request (asked or running) per company and software: a second tap,
            # or two people of the shop asking at once, cannot make two.
            models.UniqueConstraint(
                fields=["item", "company"],
                condition=Q(status__in=[TrialStatus.REQUESTED, TrialStatus.ACTIVE]),
                name="unique_open_trial_per_company_item",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} / {self.company}"
