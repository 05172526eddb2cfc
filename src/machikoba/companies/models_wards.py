"""A company's municipality over time: every change of ``Company.ward`` is a dated row,
who made it and why (the address changed, an officer corrected it, the ward's import).
Programmes and subsidies stay with the ward that ran them; this history says which ward
a company belonged to on any day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.companies import access
from machikoba.core.access import AccessManager, ScopedPolicy


class WardChangeSource(models.TextChoices):
    ADDRESS = "address", _("住所 (郵便番号) から")
    OFFICER = "officer", _("区職員が確認・訂正")
    IMPORT = "import", _("区の企業一覧の取り込み")
    ADMIN = "admin", _("プラットフォーム管理者")


class CompanyWardChange(models.Model):
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="ward_changes",
    )
    previous = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("変更前の自治体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ward = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("変更後の自治体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("変更日時"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("変更した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("経緯"), max_length=10, choices=WardChangeSource.choices)
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.company_ward_change_scope)

    class Meta:
        verbose_name = _("所管の自治体の変更")
        verbose_name_plural = _("所管の自治体の変更")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.company} {self.previous or '—'} → {self.ward or '—'}"
