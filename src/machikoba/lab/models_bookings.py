"""Bookings of the lab's items (or of a seat in a vendor's demo slot) and the waitlist that
offers a freed slot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel
from machikoba.lab import access
from machikoba.lab.choices import BookingStatus, WaitlistStatus


class Booking(TimeStampedModel):
    """A company member books an item for a time (or a seat in a vendor's demo slot)."""

    lab = models.ForeignKey(
        "lab.Lab", verbose_name=_("ラボ"), on_delete=models.PROTECT, related_name="bookings"
    )
    item = models.ForeignKey(
        "lab.Item", verbose_name=_("機器"), on_delete=models.PROTECT, related_name="bookings"
    )
    demo_slot = models.ForeignKey(
        "lab.DemoSlot",
        verbose_name=_("デモの枠"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="lab_bookings",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.PROTECT,
        related_name="lab_bookings",
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    purpose = models.CharField(_("利用の目的"), max_length=300, blank=True)
    status = models.CharField(
        _("状態"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    checked_in_at = models.DateTimeField(_("利用開始"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("キャンセル日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.booking_scope)

    class Meta:
        verbose_name = _("ラボの予約")
        verbose_name_plural = _("ラボの予約")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["item", "starts_at"], name="lab_booking_item_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.starts_at:%Y-%m-%d %H:%M}"


class WaitlistEntry(TimeStampedModel):
    """Someone wants a slot that is full. When a booking overlapping it is cancelled, the
    earliest waiting entry is offered the slot for ``Lab.offer_hours``."""

    item = models.ForeignKey(
        "lab.Item", verbose_name=_("機器"), on_delete=models.CASCADE, related_name="waitlist"
    )
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("企業"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.CASCADE,
        related_name="lab_waitlist",
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    purpose = models.CharField(_("利用の目的"), max_length=300, blank=True)
    status = models.CharField(
        _("状態"), max_length=12, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    offered_at = models.DateTimeField(_("案内した日時"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("案内の期限"), null=True, blank=True)
    booking = models.OneToOneField(
        Booking,
        verbose_name=_("予約"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="from_waitlist",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.waitlist_scope)

    class Meta:
        verbose_name = _("空き待ち")
        verbose_name_plural = _("空き待ち")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="waitlist_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"
