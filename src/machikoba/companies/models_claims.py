"""Requests for a company's first account (企業アカウントの申請).

Holding a one-time RFQ link proves nothing about who one is (the link's issuer chose where
it went), so a claim never creates an account by itself: the platform mails a secret to the
address the ward holds for the company (``Company.contact_email``), or a ward officer
approves the request first and the secret goes to the requester. Only the secret's hash is
stored. Status changes only through the services in ``companies/services_claims.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.companies import access
from machikoba.companies.choices import ClaimStatus, JoinMethod
from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel

# A claim whose secret is out and still usable, or that waits for an officer.
OPEN_CLAIM_STATUSES = (
    ClaimStatus.EMAIL_SENT,
    ClaimStatus.CODE_SENT,
    ClaimStatus.LETTER_REQUESTED,
    ClaimStatus.LETTER_SENT,
    ClaimStatus.AWAITING_OFFICER,
    ClaimStatus.APPROVED,
)


def evidence_path(instance, filename: str) -> str:
    """Where an uploaded 登記事項証明書 is kept (a random name: never the user's)."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"claims/{uuid.uuid4().hex}{suffix}"


class JoinPolicy(models.Model):
    """Which ways of proving a claim a ward offers (all three when it has set none)."""

    ward = models.OneToOneField(
        "wards.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.CASCADE,
        related_name="join_policy",
    )
    code = models.BooleanField(JoinMethod.CODE.label, default=True)
    letter = models.BooleanField(JoinMethod.LETTER.label, default=True)
    officer = models.BooleanField(JoinMethod.OFFICER.label, default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.join_policy_scope)

    class Meta:
        verbose_name = _("参加の確認方法")
        verbose_name_plural = _("参加の確認方法")

    def __str__(self) -> str:
        return str(self.ward)

    def methods(self) -> list[str]:
        return [m for m in JoinMethod.values if getattr(self, m)]


class CompanyClaim(TimeStampedModel):
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="claims",
    )
    status = models.CharField(_("状態"), max_length=20, choices=ClaimStatus.choices)
    requester_name = models.CharField(_("申請者の氏名"), max_length=100)
    requester_email = models.EmailField(_("申請者のメールアドレス"), blank=True)
    requester_phone = models.CharField(_("申請者の電話番号"), max_length=30, blank=True)
    note = models.CharField(_("区へのひとこと"), max_length=500, blank=True)
    origin = models.CharField(_("申請の経路"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("申請元の IP アドレス"), null=True, blank=True)
    sent_to = models.EmailField(_("確認メールの送り先"), blank=True)
    secret_hash = models.CharField(_("確認用の値 (ハッシュ)"), max_length=64, blank=True)
    secret_expires_at = models.DateTimeField(_("確認メールの有効期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("判断した担当者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_reason = models.CharField(_("見送りの理由"), max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成したアカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("アカウント作成日時"), null=True, blank=True)
    # A signed-up person's claim (the join flow): who asks, how they prove it, how many
    # codes they have tried, and the evidence an officer checks.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請したアカウント"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="company_claims",
    )
    method = models.CharField(
        _("確認の方法"), max_length=12, choices=JoinMethod.choices, blank=True
    )
    code_attempts = models.PositiveSmallIntegerField(_("確認コードの入力回数"), default=0)
    evidence = models.FileField(_("確認書類"), upload_to=evidence_path, max_length=200, blank=True)
    new_company = models.BooleanField(_("新しく登録した企業"), default=False)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.company_claim_scope)

    class Meta:
        verbose_name = _("企業アカウントの申請")
        verbose_name_plural = _("企業アカウントの申請")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "created_at"]),
            models.Index(fields=["secret_hash"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="company_claim_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(requester_name=""), name="company_claim_requester_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.get_status_display()})"
