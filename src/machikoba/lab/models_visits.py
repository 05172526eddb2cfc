"""The entry log (入退館): typed events of people entering and leaving the lab, by a QR
code (the visitor's personal code read at the kiosk, or the lab's rotating code read on
the visitor's phone) or at the desk; refusals are recorded with their reason. Visitors
without an account are registered at the desk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel
from machikoba.lab import access
from machikoba.lab.choices import EntryKind, EntryMethod, RefusalReason


class Visitor(TimeStampedModel):
    """A person without an account, registered at the desk by lab staff."""

    lab = models.ForeignKey(
        "lab.Lab", verbose_name=_("ラボ"), on_delete=models.PROTECT, related_name="visitors"
    )
    name = models.CharField(_("氏名"), max_length=80)
    organisation = models.CharField(_("所属"), max_length=120, blank=True)
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("登録企業"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.CharField(_("連絡先 (任意)"), max_length=120, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受付担当"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.visitor_scope)

    class Meta:
        verbose_name = _("来館者 (アカウントなし)")
        verbose_name_plural = _("来館者 (アカウントなし)")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class EntryEvent(models.Model):
    """One typed event of the entry log. ``code_nonce`` holds the one-time part of the
    personal QR code that was used, so a copied code is refused the second time."""

    lab = models.ForeignKey(
        "lab.Lab", verbose_name=_("ラボ"), on_delete=models.PROTECT, related_name="entry_events"
    )
    kind = models.CharField(_("種類"), max_length=10, choices=EntryKind.choices)
    method = models.CharField(_("方法"), max_length=12, choices=EntryMethod.choices)
    at = models.DateTimeField(_("日時"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("来館者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lab_entry_events",
    )
    visitor = models.ForeignKey(
        Visitor,
        verbose_name=_("来館者 (アカウントなし)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="entry_events",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(
        _("入館できなかった理由"), max_length=20, choices=RefusalReason.choices, blank=True
    )
    booking = models.ForeignKey(
        "lab.Booking",
        verbose_name=_("予約"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entry_events",
    )
    event = models.ForeignKey(
        "lab.Event",
        verbose_name=_("イベント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entry_events",
    )
    # NULL, not "": the uniqueness holds among the codes that were used.
    code_nonce = models.CharField(max_length=32, null=True, blank=True, editable=False)  # noqa: DJ001
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.entry_event_scope)

    class Meta:
        verbose_name = _("入退館の記録")
        verbose_name_plural = _("入退館の記録")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lab", "at"], name="lab_entry_lab_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(visitor__isnull=False),
                name="entry_event_has_person",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.REFUSED) | Q(reason=""),
                name="entry_event_reason_only_refused",
            ),
            models.UniqueConstraint(
                fields=["code_nonce"],
                condition=Q(code_nonce__isnull=False),
                name="unique_entry_code_nonce",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
