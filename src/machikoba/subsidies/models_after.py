"""After the selection: 計画変更申請, the 実績報告 with its actual expenses and outcome
survey, payment, and the yearly value-added reports (事業化状況報告 of recipients for five
years, and the same survey of registered companies that received nothing, for the KGI)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.subsidies import access
from machikoba.subsidies.choices import (
    ChangeRequestStatus,
    ReportStatus,
    ValueAddedKind,
    ValueAddedStatus,
)


class ChangeRequest(models.Model):
    """A 計画変更申請 after 交付決定: what changes and why; the officer approves or not. An
    approved change never raises the decided amount."""

    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name=_("申請"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
    )
    description = models.TextField(_("変更の内容"), max_length=3000)
    reason = models.TextField(_("変更の理由"), max_length=3000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申請日時"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("判断した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_comment = models.TextField(_("コメント"), max_length=2000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.after_scope)

    class Meta:
        verbose_name = _("計画変更申請")
        verbose_name_plural = _("計画変更申請")
        ordering = ["application_id", "requested_at", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class CompletionReport(models.Model):
    """The 実績報告: what was actually spent (lines with receipts and payment proofs) and
    the outcome survey the KPI M2.OUT counts. 確定検査 accepts it or returns it."""

    application = models.OneToOneField(
        "subsidies.Application",
        verbose_name=_("申請"),
        on_delete=models.CASCADE,
        related_name="completion_report",
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    completed_on = models.DateField(_("事業の完了日"), null=True, blank=True)
    # The outcome survey (成果の実感).
    felt_efficiency = models.BooleanField(_("業務効率化を実感した"), default=False)
    felt_cost_reduction = models.BooleanField(_("コスト削減を実感した"), default=False)
    felt_productivity = models.BooleanField(_("生産性向上を実感した"), default=False)
    felt_other = models.CharField(_("その他に実感した効果"), max_length=200, blank=True)
    effect_actual = models.DecimalField(
        _("導入後の実績値"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    comment = models.TextField(_("ひとこと"), max_length=2000, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確定検査をした職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("確定検査の日時"), null=True, blank=True)
    inspection_comment = models.TextField(_("確定検査のコメント"), max_length=3000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.after_scope)

    class Meta:
        verbose_name = _("実績報告")
        verbose_name_plural = _("実績報告")
        ordering = ["application_id"]

    def __str__(self) -> str:
        return f"実績報告 {self.application_id}"

    @property
    def felt_any_effect(self) -> bool:
        return (
            self.felt_efficiency
            or self.felt_cost_reduction
            or self.felt_productivity
            or bool(self.felt_other)
        )


class ActualExpense(models.Model):
    """One expense as actually paid, in a category of the stage; its receipt and payment
    proof are ``ApplicationDocument`` rows pointing at it."""

    report = models.ForeignKey(
        CompletionReport,
        verbose_name=_("実績報告"),
        on_delete=models.CASCADE,
        related_name="expenses",
    )
    category = models.ForeignKey(
        "subsidies.ExpenseCategory",
        verbose_name=_("経費区分"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("内容"), max_length=200)
    vendor = models.CharField(_("支払先"), max_length=120)
    amount = models.PositiveBigIntegerField(_("金額 (税抜・円)"))
    paid_on = models.DateField(_("支払日"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.actual_expense_scope)

    class Meta:
        verbose_name = _("実績の経費")
        verbose_name_plural = _("実績の経費")
        ordering = ["report_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="actual_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount:,}円)"


class Payment(models.Model):
    """The payment of the confirmed amount (支払)."""

    application = models.OneToOneField(
        "subsidies.Application",
        verbose_name=_("申請"),
        on_delete=models.PROTECT,
        related_name="payment",
    )
    amount = models.PositiveBigIntegerField(_("支払額 (円)"))
    paid_on = models.DateField(_("支払日"))
    reference = models.CharField(_("支出命令番号など"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.after_scope)

    class Meta:
        verbose_name = _("支払")
        verbose_name_plural = _("支払")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:,}円"


class ValueAddedReport(models.Model):
    """A company's figures for one fiscal year: sales, external costs and employees, from
    which 付加価値額 follows (控除法: sales minus external purchases). A recipient files one
    a year for five years after payment (事業化状況報告, ``application`` set); registered
    companies that received nothing answer the same yearly survey (``application`` empty),
    so the KGI can compare the two groups."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="value_added_reports",
    )
    municipality = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("種類"), max_length=20, choices=ValueAddedKind.choices)
    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name=_("申請"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="business_reports",
    )
    year_index = models.PositiveSmallIntegerField(_("何年目"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("対象の年度"))
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=ValueAddedStatus.choices,
        default=ValueAddedStatus.SCHEDULED,
    )
    requested_at = models.DateTimeField(_("依頼日時"), null=True, blank=True)
    due_on = models.DateField(_("提出期限"))
    last_reminded_at = models.DateTimeField(_("最後に催促した日時"), null=True, blank=True)
    sales = models.PositiveBigIntegerField(_("売上高 (円)"), null=True, blank=True)
    external_costs = models.PositiveBigIntegerField(
        _("外部購入費用 (円)"),
        null=True,
        blank=True,
        help_text=_("原材料費・外注費・仕入れなど、社外から買ったものの合計"),
    )
    employees = models.PositiveIntegerField(_("従業員数"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回答者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("回答日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.value_added_scope)

    class Meta:
        verbose_name = _("付加価値額の報告")
        verbose_name_plural = _("付加価値額の報告")
        ordering = ["fiscal_year", "company_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "year_index"],
                condition=Q(application__isnull=False),
                name="unique_business_report_year",
            ),
            models.UniqueConstraint(
                fields=["company", "fiscal_year"],
                condition=Q(kind=ValueAddedKind.SURVEY),
                name="unique_survey_per_company_year",
            ),
            models.CheckConstraint(
                condition=Q(kind=ValueAddedKind.SURVEY, application__isnull=True)
                | Q(
                    kind=ValueAddedKind.BUSINESS_REPORT,
                    application__isnull=False,
                    year_index__gte=1,
                    year_index__lte=5,
                ),
                name="value_added_kind_matches",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.company_id} {self.fiscal_year}"

    @property
    def value_added(self) -> int | None:
        """付加価値額 by the 控除法 (sales − external purchases); None until answered."""
        if self.sales is None or self.external_costs is None:
            return None
        return self.sales - self.external_costs
