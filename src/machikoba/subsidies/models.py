"""The three-stage DX導入補助金: a ward's calls (公募) with their stages and rules as data, and
the companies' applications with their expense lines, documents, history and snapshots.

Screening (reviewers, scores, bonus points, the selection) is in ``models_screening``; what
follows the selection (change requests, 実績報告, payment, 事業化状況報告 and the yearly
value-added survey) in ``models_after``. Every row belongs to a ward through its call
(``Call.municipality``); who sees what is decided in ``subsidies.access``.
"""

from __future__ import annotations

import secrets
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel, UploadedDocument
from machikoba.subsidies import access
from machikoba.subsidies.choices import (
    ApplicationStatus,
    BonusKind,
    DocumentKind,
)


class Call(TimeStampedModel):
    """A call for applications (公募) of one ward for one fiscal year: its budget and its
    dates. Applications are accepted from ``opens_at`` until ``closes_at`` (JST, to the
    second); screening and the decision follow on the dates given."""

    municipality = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("実施する区"),
        on_delete=models.PROTECT,
        related_name="subsidy_calls",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("説明"), max_length=4000, blank=True)
    budget = models.PositiveBigIntegerField(_("予算額 (円)"))
    opens_at = models.DateTimeField(_("受付開始"))
    closes_at = models.DateTimeField(_("受付締切"))
    screening_on = models.DateField(_("審査日"))
    decision_on = models.DateField(_("採択決定日"))
    requires_gbiz_verified = models.BooleanField(
        _("GビズID (プライム) で確認された代表者の提出に限る"),
        default=False,
        help_text=_(
            "jGrants と同じく、この会社のGビズIDプライムを連携した経営者 (代表者) だけが"
            "提出できます。"
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.call_scope)

    class Meta:
        verbose_name = _("公募")
        verbose_name_plural = _("公募")
        ordering = ["-fiscal_year", "municipality__code", "opens_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="call_name_not_empty"),
            models.CheckConstraint(condition=Q(budget__gte=1), name="call_budget_positive"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(decision_on__gte=F("screening_on")),
                name="call_decision_after_screening",
            ),
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "name"], name="unique_call_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fiscal_year}年度)"


class Stage(models.Model):
    """One stage of a call, with its rules as data: the rate (a fraction, kept exact), the
    cap, the minimum project cost, the budget set aside for it, whether an expert's
    evaluation of the plan must be attached (stage 2) and whether partners are allowed
    (stage 3). The paper's 3/4, 2/3 and 1/2 live in the demo data, never in code."""

    call = models.ForeignKey(
        Call, verbose_name=_("公募"), on_delete=models.CASCADE, related_name="stages"
    )
    number = models.PositiveSmallIntegerField(_("ステージ"))
    name = models.CharField(_("名称"), max_length=80, help_text=_("例: はじめの一歩"))
    purpose = models.TextField(_("対象となる取組"), max_length=2000, blank=True)
    rate_numerator = models.PositiveSmallIntegerField(_("補助率の分子"))
    rate_denominator = models.PositiveSmallIntegerField(_("補助率の分母"))
    cap = models.PositiveBigIntegerField(_("補助上限額 (円)"))
    min_project_cost = models.PositiveBigIntegerField(_("補助対象経費の下限 (円)"), default=0)
    rounding = models.PositiveIntegerField(_("端数の切捨て単位 (円)"), default=1000)
    budget = models.PositiveBigIntegerField(_("このステージの予算額 (円)"))
    requires_expert_evaluation = models.BooleanField(
        _("専門家による計画の評価書が必要"), default=False
    )
    allows_partners = models.BooleanField(
        _("大学・公設試験研究機関などとの連携を認める"), default=False
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.call_part_scope)

    class Meta:
        verbose_name = _("ステージ")
        verbose_name_plural = _("ステージ")
        ordering = ["call_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="unique_stage_number"),
            models.CheckConstraint(
                condition=Q(rate_numerator__gte=1) & Q(rate_numerator__lte=F("rate_denominator")),
                name="stage_rate_in_range",
            ),
            models.CheckConstraint(condition=Q(cap__gte=1), name="stage_cap_positive"),
            models.CheckConstraint(condition=Q(rounding__gte=1), name="stage_rounding_positive"),
            models.CheckConstraint(condition=Q(budget__gte=1), name="stage_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"ステージ{self.number} {self.name}"

    @property
    def rate(self) -> Fraction:
        return Fraction(self.rate_numerator, self.rate_denominator)


class ExpenseCategory(models.Model):
    """An eligible expense category of a stage (機械装置・システム構築費, クラウド利用費 …)
    with its own rules: the largest share of the project's eligible cost it may take, an
    optional ceiling in yen, and how many quotes each line needs (2 = 相見積)."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("ステージ"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(_("コード"), max_length=40)
    name = models.CharField(_("経費区分"), max_length=80)
    help_text = models.CharField(_("説明"), max_length=300, blank=True)
    max_share_percent = models.PositiveSmallIntegerField(
        _("補助対象経費に占める割合の上限 (%)"), null=True, blank=True
    )
    max_amount = models.PositiveBigIntegerField(_("区分の上限額 (円)"), null=True, blank=True)
    quotes_required = models.PositiveSmallIntegerField(
        _("必要な見積書の数"), default=1, help_text=_("2 にすると相見積が必要です。")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.stage_part_scope)

    class Meta:
        verbose_name = _("経費区分")
        verbose_name_plural = _("経費区分")
        ordering = ["stage_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "code"], name="unique_category_code"),
            models.CheckConstraint(
                condition=Q(max_share_percent__isnull=True)
                | (Q(max_share_percent__gte=1) & Q(max_share_percent__lte=100)),
                name="category_share_in_range",
            ),
            models.CheckConstraint(
                condition=Q(quotes_required__lte=5), name="category_quotes_at_most_five"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AttachmentRequirement(models.Model):
    """A document every application of the stage must attach (決算書, 見積書 are per line)."""

    stage = models.ForeignKey(
        Stage,
        verbose_name=_("ステージ"),
        on_delete=models.CASCADE,
        related_name="attachment_requirements",
    )
    name = models.CharField(_("書類の名称"), max_length=120)
    help_text = models.CharField(_("説明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.stage_part_scope)

    class Meta:
        verbose_name = _("必要書類")
        verbose_name_plural = _("必要書類")
        ordering = ["stage_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class RubricCriterion(models.Model):
    """One line of the call's scoring rubric: what reviewers score, up to ``max_score``."""

    call = models.ForeignKey(
        Call, verbose_name=_("公募"), on_delete=models.CASCADE, related_name="rubric"
    )
    name = models.CharField(_("審査項目"), max_length=120)
    description = models.CharField(_("観点"), max_length=400, blank=True)
    max_score = models.PositiveSmallIntegerField(_("配点"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.call_part_scope)

    class Meta:
        verbose_name = _("審査項目")
        verbose_name_plural = _("審査項目")
        ordering = ["call_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gte=1), name="rubric_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class BonusCriterion(models.Model):
    """A bonus point (加点) of the call: verified by the platform from records (DX道場の
    修了) or claimed by the applicant with evidence and verified by an officer."""

    call = models.ForeignKey(
        Call, verbose_name=_("公募"), on_delete=models.CASCADE, related_name="bonus_criteria"
    )
    kind = models.CharField(_("確認の方法"), max_length=20, choices=BonusKind.choices)
    name = models.CharField(_("加点項目"), max_length=120)
    description = models.CharField(_("説明"), max_length=400, blank=True)
    points = models.PositiveSmallIntegerField(_("加点"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.call_part_scope)

    class Meta:
        verbose_name = _("加点項目")
        verbose_name_plural = _("加点項目")
        ordering = ["call_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="bonus_points_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Application(TimeStampedModel):
    """A company's application to one stage of a call, from draft to payment.

    The plan is the application's own fields; the money is its expense lines, and the
    amounts the process fixes are stored as it fixes them: ``requested_amount`` at
    submission, ``decided_amount`` at 交付決定, ``confirmed_amount`` at 額の確定. An
    advisor may file for the company (``filed_by``); it is submitted only with the owner's
    recorded consent (``consent_by``, ``consent_at``)."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("ステージ"), on_delete=models.PROTECT, related_name="applications"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("申請企業"),
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
    )
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    reference = models.CharField(_("受付番号"), max_length=20, blank=True)
    wizard_step = models.PositiveSmallIntegerField(_("入力中のステップ"), default=1)
    # The plan (事業計画).
    title = models.CharField(_("事業の名称"), max_length=120, blank=True)
    problem = models.TextField(_("解決したい課題"), max_length=3000, blank=True)
    tool = models.TextField(_("導入するツール・取組"), max_length=3000, blank=True)
    expected_effect = models.TextField(_("期待する効果"), max_length=3000, blank=True)
    effect_metric = models.CharField(
        _("効果を測る指標"), max_length=80, blank=True, help_text=_("例: 日報の集計にかかる時間")
    )
    effect_unit = models.CharField(_("単位"), max_length=20, blank=True, help_text=_("例: 時間/月"))
    effect_before = models.DecimalField(
        _("今の値"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    effect_after = models.DecimalField(
        _("導入後の目標値"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    yearly_saving = models.PositiveBigIntegerField(
        _("年間の削減見込み (円)"), null=True, blank=True
    )
    planned_start = models.DateField(_("事業の開始予定日"), null=True, blank=True)
    planned_end = models.DateField(_("事業の完了予定日"), null=True, blank=True)
    partners = models.TextField(
        _("連携先 (大学・公設試験研究機関など)"), max_length=1000, blank=True
    )
    expert_name = models.CharField(_("計画を評価した専門家"), max_length=120, blank=True)
    # The company's latest closed fiscal year, the baseline of its value added.
    baseline_sales = models.PositiveBigIntegerField(_("直近の売上高 (円)"), null=True, blank=True)
    baseline_external_costs = models.PositiveBigIntegerField(
        _("直近の外部購入費用 (円)"), null=True, blank=True
    )
    baseline_employees = models.PositiveIntegerField(_("従業員数"), null=True, blank=True)
    # Who filed it, and the owner's consent when it was not the owner.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請に同意した代表者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_at = models.DateTimeField(_("同意した日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    # The amounts, each fixed by its step.
    eligible_cost = models.PositiveBigIntegerField(_("補助対象経費 (円)"), null=True, blank=True)
    requested_amount = models.PositiveBigIntegerField(_("補助金申請額 (円)"), null=True, blank=True)
    decided_amount = models.PositiveBigIntegerField(_("交付決定額 (円)"), null=True, blank=True)
    decided_at = models.DateTimeField(_("交付決定日時"), null=True, blank=True)
    confirmed_amount = models.PositiveBigIntegerField(_("確定額 (円)"), null=True, blank=True)
    # The officer's reason when the eligibility check or the selection says no.
    decision_reason = models.TextField(_("理由"), max_length=2000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.application_scope)

    class Meta:
        verbose_name = _("補助金の申請")
        verbose_name_plural = _("補助金の申請")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live application per company and stage; a withdrawn one may be refiled.
            models.UniqueConstraint(
                fields=["stage", "company"],
                condition=~Q(status=ApplicationStatus.WITHDRAWN),
                name="one_live_subsidy_application_per_stage",
            ),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=True)
                | Q(requested_amount__isnull=False) & Q(decided_amount__lte=F("requested_amount")),
                name="decided_not_above_requested",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_amount__isnull=True)
                | Q(decided_amount__isnull=False) & Q(confirmed_amount__lte=F("decided_amount")),
                name="confirmed_not_above_decided",
            ),
        ]
        indexes = [models.Index(fields=["stage", "status"])]

    def __str__(self) -> str:
        return self.title or str(_("(名称未定の申請)"))

    @property
    def editable(self) -> bool:
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)


class ExpenseLine(models.Model):
    """One planned expense: category, vendor, what it is, and its tax-exclusive amount."""

    application = models.ForeignKey(
        Application, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="expenses"
    )
    category = models.ForeignKey(
        ExpenseCategory, verbose_name=_("経費区分"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("内容"), max_length=200)
    vendor = models.CharField(_("発注先"), max_length=120)
    amount = models.PositiveBigIntegerField(_("金額 (税抜・円)"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.application_part_scope)

    class Meta:
        verbose_name = _("経費")
        verbose_name_plural = _("経費")
        ordering = ["application_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="expense_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount:,}円)"


def document_file_path(instance: ApplicationDocument, filename: str) -> str:
    # The original name is kept in the row; the stored name reveals nothing.
    return f"subsidies/{instance.application_id}/{secrets.token_hex(16)}"


class ApplicationDocument(UploadedDocument):
    """A file of an application: a quote for an expense line, a required attachment, the
    expert's evaluation, bonus evidence, a receipt or a payment proof of the 実績報告."""

    application = models.ForeignKey(
        Application, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("種類"), max_length=20, choices=DocumentKind.choices)
    expense = models.ForeignKey(
        ExpenseLine,
        verbose_name=_("経費"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotes",
    )
    requirement = models.ForeignKey(
        AttachmentRequirement,
        verbose_name=_("必要書類"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actual_expense = models.ForeignKey(
        "subsidies.ActualExpense",
        verbose_name=_("実績の経費"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proofs",
    )
    file = models.FileField(_("ファイル"), upload_to=document_file_path, max_length=200)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.document_scope)

    class Meta:
        verbose_name = _("申請の書類")
        verbose_name_plural = _("申請の書類")
        ordering = ["application_id", "kind", "id"]


class ApplicationEvent(models.Model):
    """One step of an application's history as its people see it: who moved it from which
    status to which, and the comment (a 差戻し's reasons, a decision's reason). The audit
    log records the same change for the platform."""

    application = models.ForeignKey(
        Application, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("変更前"), max_length=20, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("変更後"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("コメント"), max_length=3000, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.application_part_scope)

    class Meta:
        verbose_name = _("申請の履歴")
        verbose_name_plural = _("申請の履歴")
        ordering = ["application_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ApplicationSnapshot(models.Model):
    """What was submitted, each time it was submitted: the diff a resubmission shows is
    computed between the last two."""

    application = models.ForeignKey(
        Application, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="snapshots"
    )
    version = models.PositiveSmallIntegerField(_("版"))
    data = models.JSONField(_("内容"))
    submitted_at = models.DateTimeField(_("提出日時"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.application_part_scope)

    class Meta:
        verbose_name = _("提出した内容")
        verbose_name_plural = _("提出した内容")
        ordering = ["application_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="unique_snapshot_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} v{self.version}"


from machikoba.subsidies.models_after import (  # noqa: E402, F401  (Django finds models here)
    ActualExpense,
    ChangeRequest,
    CompletionReport,
    Payment,
    ValueAddedReport,
)
from machikoba.subsidies.models_screening import (  # noqa: E402, F401
    BonusClaim,
    ReviewerAssignment,
    Score,
    Selection,
)
