"""Invitations into a company (会社のメンバーへの招待).

An owner invites a person with a company role, by e-mail or by a QR code shown on the
owner's phone (a floor worker often has no company address: whoever opens the invite
signs up with any address and joins with the role the owner chose). The invite link
carries a one-time secret; only its hash is stored. An invitation is used once, expires,
or is revoked; it is never deleted. Writes go through ``companies/services_people.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.companies import access
from machikoba.companies.choices import CompanyRole
from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel


class InvitationChannel(models.TextChoices):
    """How the invite link reaches the person."""

    EMAIL = "email", _("メール")
    QR = "qr", _("QR コード")


class InvitationState(models.TextChoices):
    """Where an invitation stands (derived from its dates, never stored)."""

    PENDING = "pending", _("未使用")
    USED = "used", _("使用済み")
    REVOKED = "revoked", _("取り消し済み")
    EXPIRED = "expired", _("期限切れ")


class Invitation(TimeStampedModel):
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(_("社内の役割"), max_length=20, choices=CompanyRole.choices)
    channel = models.CharField(_("招待の方法"), max_length=10, choices=InvitationChannel.choices)
    email = models.EmailField(_("招待したメールアドレス"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("招待した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(_("招待リンクの値 (ハッシュ)"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("有効期限"))
    used_at = models.DateTimeField(_("参加日時"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参加した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("取り消し日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.invitation_scope)

    class Meta:
        verbose_name = _("メンバーへの招待")
        verbose_name_plural = _("メンバーへの招待")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=CompanyRole.values), name="invitation_role_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=InvitationChannel.values),
                name="invitation_channel_known",
            ),
            models.CheckConstraint(
                condition=~Q(channel=InvitationChannel.EMAIL) | ~Q(email=""),
                name="invitation_email_has_address",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_used_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        # Never the token; the address only as far as the people page shows it.
        return f"{self.company} ({self.get_role_display()}, {self.get_channel_display()})"

    def state(self, now: dt.datetime | None = None) -> InvitationState:
        if self.used_at is not None:
            return InvitationState.USED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return InvitationState.EXPIRED
        return InvitationState.PENDING
