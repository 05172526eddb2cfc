"""API tokens for machine clients, and the answers to writes sent with an idempotency key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.apitokens import access
from machikoba.apitokens.areas import AREAS, WRITE
from machikoba.core.access import AccessManager, ScopedPolicy


class ApiToken(models.Model):
    """A secret a program sends as ``Authorization: Bearer mkb_<prefix>_<secret>``. It acts
    as the person who made it, never as more: for one company of theirs (a company token)
    or in one ward role of theirs (a ward token), in the areas and at the levels its scopes
    name, until it expires or is revoked. Only the secret's SHA-256 is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    ward_role = models.ForeignKey(
        "accounts.WardRoleAssignment",
        verbose_name=_("区の役割"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名前"), max_length=100)
    prefix = models.CharField(_("識別子"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("権限"), default=list)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"))
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("最終利用元"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.apitoken_scope)

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(company__isnull=False) & Q(ward_role__isnull=True))
                | (Q(company__isnull=True) & Q(ward_role__isnull=False)),
                name="apitoken_company_or_ward_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (mkb_{self.prefix})"

    @property
    def scope_labels(self) -> list[str]:
        """The scopes for people: the area and 読み取り or 読み書き."""
        labels = []
        for scope in self.scopes:
            area, _sep, level = scope.partition(":")
            kind = _("読み書き") if level == WRITE else _("読み取り")
            labels.append(f"{AREAS.get(area, area)}（{kind}）")
        return labels

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key``: a retry with the same
    key and the same request gets it again instead of doing the write twice."""

    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.idempotency_record_scope)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="idempotency_principal_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
