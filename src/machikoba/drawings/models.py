"""Documents with revisions, their previews, grants to other companies, the owners'
NDA texts and acceptances, and the per-document access log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import AppendOnlyModel, TimeStampedModel
from machikoba.drawings import access
from machikoba.drawings.choices import (
    DocumentAction,
    DocumentKind,
    PreviewStatus,
    RetentionRule,
)


def _private_path(folder: str, extension: str = "") -> str:
    # Names are ours (a UUID), never the uploader's: no path tricks, nothing guessable.
    return f"drawings/{folder}/{uuid.uuid4().hex}{extension}"


def revision_file_path(instance, filename: str) -> str:
    return _private_path("originals", instance.extension)


def preview_file_path(instance, filename: str) -> str:
    return _private_path("previews", ".png")


class Document(TimeStampedModel):
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("所有企業"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField(_("件名"), max_length=200)
    drawing_number = models.CharField(_("図番"), max_length=100, blank=True)
    kind = models.CharField(
        _("種類"), max_length=30, choices=DocumentKind.choices, default=DocumentKind.DRAWING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retention_rule = models.CharField(
        _("保存期間"), max_length=12, choices=RetentionRule.choices, default=RetentionRule.KEEP
    )
    retention_date = models.DateField(_("破棄する日"), null=True, blank=True)
    retention_months = models.PositiveSmallIntegerField(
        _("取引終了から破棄までの月数"), null=True, blank=True
    )
    closed_on = models.DateField(_("取引終了日"), null=True, blank=True)
    # Derived from the rule by the retention service; the purge task selects on it.
    destroy_on = models.DateField(_("破棄予定日"), null=True, blank=True, db_index=True)
    destroyed_at = models.DateTimeField(_("破棄日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.document_scope)

    class Meta:
        verbose_name = _("図面・文書")
        verbose_name_plural = _("図面・文書")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="document_title_not_empty"),
            models.CheckConstraint(
                condition=Q(retention_rule__in=RetentionRule.values),
                name="document_retention_rule_known",
            ),
            models.CheckConstraint(
                condition=~Q(retention_rule=RetentionRule.ON_DATE)
                | Q(retention_date__isnull=False),
                name="document_retention_date_given",
            ),
            models.CheckConstraint(
                condition=~Q(retention_rule=RetentionRule.AFTER_CLOSE) | Q(retention_months__gte=1),
                name="document_retention_months_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drawing_number} {self.title}".strip()

    @property
    def latest_revision(self):
        return self.revisions.order_by("-number").first()

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class Revision(TimeStampedModel):
    """One uploaded version of a document (rev A, B …); the newest is the default."""

    document = models.ForeignKey(
        Document, verbose_name=_("図面・文書"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("版の番号"))
    change_note = models.CharField(_("変更内容"), max_length=500, blank=True)
    file = models.FileField(_("ファイル"), upload_to=revision_file_path, max_length=200)
    original_name = models.CharField(_("元のファイル名"), max_length=160)
    file_kind = models.CharField(_("形式"), max_length=10)
    mime = models.CharField(_("MIMEタイプ"), max_length=60)
    extension = models.CharField(_("拡張子"), max_length=8)
    size = models.PositiveBigIntegerField(_("サイズ (バイト)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    page_count = models.PositiveIntegerField(_("ページ数"), default=1)
    preview_status = models.CharField(
        _("プレビュー"), max_length=12, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    preview_pages_done = models.PositiveIntegerField(_("作成済みページ"), default=0)
    preview_error = models.CharField(_("プレビューのエラー"), max_length=500, blank=True)
    metadata = models.JSONField(_("メタデータ"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アップロードした人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.revision_scope)

    class Meta:
        verbose_name = _("版")
        verbose_name_plural = _("版")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_revision_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(
                condition=Q(preview_status__in=PreviewStatus.values), name="preview_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} rev.{self.label}"

    @property
    def label(self) -> str:
        """A, B, … Z, AA, AB … as drawings are revised."""
        n, letters = self.number, ""
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return letters


class PreviewPage(models.Model):
    revision = models.ForeignKey(
        Revision, verbose_name=_("版"), on_delete=models.CASCADE, related_name="preview_pages"
    )
    number = models.PositiveIntegerField(_("ページ"))
    screen = models.FileField(_("画面用"), upload_to=preview_file_path, max_length=200)
    zoom = models.FileField(_("拡大用"), upload_to=preview_file_path, max_length=200)
    width = models.PositiveIntegerField(_("幅"))
    height = models.PositiveIntegerField(_("高さ"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.preview_page_scope)

    class Meta:
        verbose_name = _("プレビュー")
        verbose_name_plural = _("プレビュー")
        ordering = ["revision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "number"], name="unique_preview_page"),
        ]

    def __str__(self) -> str:
        return f"{self.revision} p.{self.number}"


class NdaText(TimeStampedModel):
    """The owner's non-disclosure terms; a new version needs new acceptances."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="nda_texts",
    )
    version = models.PositiveIntegerField(_("版"))
    body = models.TextField(_("本文"), max_length=20000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.nda_text_scope)

    class Meta:
        verbose_name = _("秘密保持条項")
        verbose_name_plural = _("秘密保持条項")
        ordering = ["company", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="unique_nda_version"),
        ]

    def __str__(self) -> str:
        return f"{self.company} NDA v{self.version}"


class NdaAcceptance(models.Model):
    nda = models.ForeignKey(
        NdaText,
        verbose_name=_("秘密保持条項"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("同意した企業"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同意した人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("同意日時"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.nda_acceptance_scope)

    class Meta:
        verbose_name = _("秘密保持の同意")
        verbose_name_plural = _("秘密保持の同意")
        constraints = [
            models.UniqueConstraint(fields=["nda", "company"], name="unique_nda_acceptance"),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.nda}"


class Grant(TimeStampedModel):
    """Explicit access for one company to a document (or one revision of it)."""

    document = models.ForeignKey(
        Document, verbose_name=_("図面・文書"), on_delete=models.CASCADE, related_name="grants"
    )
    revision = models.ForeignKey(
        Revision,
        verbose_name=_("版"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        help_text=_("空欄なら、すべての版 (今後の版を含む) を共有します。"),
    )
    grantee = models.ForeignKey(
        "companies.Company",
        verbose_name=_("共有先"),
        on_delete=models.CASCADE,
        related_name="received_grants",
    )
    can_download = models.BooleanField(_("ダウンロードを許可"), default=False)
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("取り消し日時"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.grant_scope)

    class Meta:
        verbose_name = _("共有")
        verbose_name_plural = _("共有")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.document} → {self.grantee}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class DocumentEvent(AppendOnlyModel):
    """Append-only: every view, download, grant, revoke, NDA acceptance and refused
    attempt on a document (who, what, when, from where)."""

    document = models.ForeignKey(
        Document, verbose_name=_("図面・文書"), on_delete=models.CASCADE, related_name="events"
    )
    revision = models.ForeignKey(
        Revision,
        verbose_name=_("版"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=20, choices=DocumentAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("実行者 (記録時)"), max_length=254, blank=True)
    actor_company_name = models.CharField(_("実行者の企業"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    detail = models.CharField(_("詳細"), max_length=300, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.document_event_scope)

    class Meta:
        verbose_name = _("図面の操作記録")
        verbose_name_plural = _("図面の操作記録")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class DestructionCertificate(AppendOnlyModel):
    """破棄証明: what was destroyed, when, under which rule; issued once per document."""

    document = models.OneToOneField(
        Document,
        verbose_name=_("図面・文書"),
        on_delete=models.PROTECT,
        related_name="destruction_certificate",
    )
    number = models.CharField(_("証明書番号"), max_length=30, unique=True)
    destroyed_at = models.DateTimeField(_("破棄日時"))
    company_name = models.CharField(_("所有企業 (記録時)"), max_length=200)
    document_title = models.CharField(_("件名 (記録時)"), max_length=200)
    drawing_number = models.CharField(_("図番 (記録時)"), max_length=100, blank=True)
    reason = models.CharField(_("破棄の理由"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("破棄を指示した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by_label = models.CharField(_("破棄を指示した人 (記録時)"), max_length=254)
    # One entry per revision: label, original name, size, SHA-256, preview pages removed.
    revisions = models.JSONField(_("破棄した版"), default=list)
    files_removed = models.PositiveIntegerField(_("削除したファイル数"))
    grants_revoked = models.PositiveIntegerField(_("取り消した共有の数"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.destruction_certificate_scope)

    class Meta:
        verbose_name = _("破棄証明")
        verbose_name_plural = _("破棄証明")
        ordering = ["-destroyed_at"]

    def __str__(self) -> str:
        return self.number
