"""The KPI dashboard's records: the indicators and their versioned definitions, the
targets a ward sets, the stored snapshots of computed figures, and the yearly company
survey (DX stage and the figures behind 付加価値額).

An ``Indicator`` is the stable code (M1.KGI …). Its ``Definition`` rows are versions: a
changed formula, unit or period is a new version, and every ``Snapshot`` names the
version it was computed with, so old figures stay comparable with what they meant then.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from machikoba.companies.choices import DXStage
from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel
from machikoba.kpi import access
from machikoba.kpi.choices import (
    DxEngagement,
    Level,
    Measure,
    Period,
    ResponseStatus,
    RoundStatus,
    SnapshotKind,
    Unit,
    ValueAddedMethod,
)


def figure_field(label: StrOrPromise) -> models.DecimalField:
    """A stored figure or target: up to 16 digits before the point, 4 after."""
    return models.DecimalField(label, null=True, blank=True, max_digits=20, decimal_places=4)


class Indicator(models.Model):
    code = models.CharField(_("コード"), max_length=12, unique=True)
    measure = models.PositiveSmallIntegerField(_("施策"), choices=Measure.choices)
    level = models.CharField(_("区分"), max_length=10, choices=Level.choices)
    position = models.PositiveSmallIntegerField(_("表示順"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.definition_scope, access.definition_anonymous_scope)

    class Meta:
        verbose_name = _("指標")
        verbose_name_plural = _("指標")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code


class Definition(models.Model):
    """One version of an indicator's definition. ``computation`` names the function in
    ``kpi.computations.REGISTRY`` that computes it, ``params`` its settings (a window in
    days, the DX stages that count …)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指標"), on_delete=models.CASCADE, related_name="definitions"
    )
    version = models.PositiveSmallIntegerField(_("版"))
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("名称 (英語)"), max_length=200)
    unit = models.CharField(_("単位"), max_length=12, choices=Unit.choices)
    baseline = models.DecimalField(
        _("基準値"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    baseline_year = models.PositiveSmallIntegerField(_("基準年度"), null=True, blank=True)
    target = models.DecimalField(
        _("目標値"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    target_year = models.PositiveSmallIntegerField(_("目標年度"), null=True, blank=True)
    period = models.CharField(_("期間"), max_length=12, choices=Period.choices)
    period_years = models.PositiveSmallIntegerField(
        _("累計の年数"), default=1, help_text=_("累計の指標で、何年度分を足し合わせるか")
    )
    formula = models.TextField(_("計算方法"), max_length=2000)
    formula_en = models.TextField(_("計算方法 (英語)"), max_length=2000)
    source = models.CharField(_("もとになる記録"), max_length=300)
    source_en = models.CharField(_("もとになる記録 (英語)"), max_length=300)
    computation = models.CharField(_("計算に使う関数"), max_length=40)
    params = models.JSONField(_("計算の設定"), default=dict, blank=True)
    note = models.CharField(_("版の変更理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.definition_scope, access.definition_anonymous_scope)

    class Meta:
        verbose_name = _("指標の定義")
        verbose_name_plural = _("指標の定義")
        ordering = ["indicator__position", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "version"], name="unique_definition_version"
            ),
            models.CheckConstraint(
                condition=Q(period_years__gte=1), name="definition_years_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} v{self.version}"

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def display_formula(self) -> str:
        return self.formula_en if get_language() == "en" and self.formula_en else self.formula

    @property
    def display_source(self) -> str:
        return self.source_en if get_language() == "en" and self.source_en else self.source


class Target(models.Model):
    """A ward's own target for an indicator (the paper's target applies where a ward sets
    none). Every field may be left empty to keep the definition's value."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指標"), on_delete=models.CASCADE, related_name="targets"
    )
    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.DecimalField(
        _("目標値"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    target_year = models.PositiveSmallIntegerField(_("目標年度"), null=True, blank=True)
    baseline = models.DecimalField(
        _("基準値"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    baseline_year = models.PositiveSmallIntegerField(_("基準年度"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("設定した人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("設定日時"), auto_now=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.ward_rows_scope)

    class Meta:
        verbose_name = _("区の目標")
        verbose_name_plural = _("区の目標")
        ordering = ["indicator__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality"], name="unique_ward_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.municipality_id}"


class Snapshot(models.Model):
    """A computed figure, stored: one indicator (at one definition version) for one ward
    (or every ward together, ``municipality`` empty) and one fiscal year. ``to_date`` is
    rewritten by each scheduled run during the year; ``final`` is written once the year
    has ended and then kept."""

    definition = models.ForeignKey(
        Definition, verbose_name=_("定義"), on_delete=models.PROTECT, related_name="snapshots"
    )
    municipality = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("種類"), max_length=10, choices=SnapshotKind.choices)
    as_of = models.DateField(_("集計日"))
    numerator = models.DecimalField(
        _("分子"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    denominator = models.DecimalField(
        _("分母"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    value = figure_field(_("値"))
    reason = models.CharField(_("値がない理由"), max_length=20, blank=True)
    company_count = models.PositiveIntegerField(_("もとになった企業の数"), default=0)
    target = models.DecimalField(
        _("目標値"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    computed_at = models.DateTimeField(_("計算日時"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.snapshot_scope, access.snapshot_anonymous_scope)

    class Meta:
        verbose_name = _("指標の集計値")
        verbose_name_plural = _("指標の集計値")
        ordering = ["definition__indicator__position", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "municipality", "fiscal_year", "kind"],
                condition=Q(municipality__isnull=False),
                name="unique_ward_snapshot",
            ),
            models.UniqueConstraint(
                fields=["definition", "fiscal_year", "kind"],
                condition=Q(municipality__isnull=True),
                name="unique_all_wards_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} {self.municipality_id or 'all'} {self.fiscal_year}"


class SurveyRound(TimeStampedModel):
    """The yearly company survey of one ward, conducted in ``fiscal_year``: the DX stage
    as of the answer, and the figures of the company's last closed business year."""

    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("調査の年度"))
    method = models.CharField(
        _("付加価値額の計算方法"),
        max_length=10,
        choices=ValueAddedMethod.choices,
        default=ValueAddedMethod.DEDUCTION,
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    due_on = models.DateField(_("回答期限"))
    message = models.TextField(_("企業へのお知らせ"), max_length=2000, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送信した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.ward_rows_scope)

    class Meta:
        verbose_name = _("企業調査")
        verbose_name_plural = _("企業調査")
        ordering = ["-fiscal_year", "municipality_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year"], name="unique_survey_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} FY{self.fiscal_year}"


class SurveyResponse(models.Model):
    """One company's answer to a round. The figures are yen integers; 付加価値額 follows by
    the round's method (``value_added``)."""

    round = models.ForeignKey(
        SurveyRound, verbose_name=_("企業調査"), on_delete=models.CASCADE, related_name="responses"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="kpi_survey_responses",
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.REQUESTED
    )
    dx_engagement = models.CharField(
        _("DXへの取り組み"), max_length=12, choices=DxEngagement.choices, blank=True
    )
    dx_stage = models.PositiveSmallIntegerField(
        _("DXの段階"), choices=DXStage.choices, null=True, blank=True
    )
    dx_needed = models.BooleanField(_("DXの必要性を感じている"), null=True, blank=True)
    expected_support = models.JSONField(_("期待する支援"), default=list, blank=True)
    sales = models.PositiveBigIntegerField(_("売上高 (円)"), null=True, blank=True)
    external_costs = models.PositiveBigIntegerField(
        _("外部購入費用 (円)"),
        null=True,
        blank=True,
        help_text=_("原材料費・外注費・仕入れなど、社外から買ったものの合計"),
    )
    operating_profit = models.BigIntegerField(_("営業利益 (円)"), null=True, blank=True)
    personnel_costs = models.PositiveBigIntegerField(_("人件費 (円)"), null=True, blank=True)
    depreciation = models.PositiveBigIntegerField(_("減価償却費 (円)"), null=True, blank=True)
    rent = models.PositiveBigIntegerField(_("賃借料 (円)"), null=True, blank=True)
    interest = models.PositiveBigIntegerField(_("支払利息 (円)"), null=True, blank=True)
    taxes = models.PositiveBigIntegerField(_("租税公課 (円)"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("従業員数"), null=True, blank=True)
    requested_at = models.DateTimeField(_("依頼日時"))
    last_reminded_at = models.DateTimeField(_("最後に催促した日時"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("催促の回数"), default=0)
    submitted_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回答者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.survey_response_scope)

    class Meta:
        verbose_name = _("企業調査の回答")
        verbose_name_plural = _("企業調査の回答")
        ordering = ["round_id", "company_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "company"], name="unique_survey_response"),
            models.CheckConstraint(
                condition=Q(dx_stage__isnull=True) | Q(dx_stage__lte=4),
                name="survey_dx_stage_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.company_id}"

    def value_added(self, method: str) -> int | None:
        """付加価値額 by ``method`` (the round's); None while a needed answer is missing."""
        if method == ValueAddedMethod.ADDITION:
            parts = [
                self.operating_profit,
                self.personnel_costs,
                self.depreciation,
                self.rent,
                self.interest,
                self.taxes,
            ]
            if any(part is None for part in parts):
                return None
            return sum(int(part) for part in parts if part is not None)
        if self.sales is None or self.external_costs is None:
            return None
        return self.sales - self.external_costs

    def productivity(self, method: str) -> Decimal | None:
        """付加価値額 per employee (yen); None without a value or with no employees."""
        value = self.value_added(method)
        if value is None or not self.employees:
            return None
        return Decimal(value) / self.employees


class Publication(models.Model):
    """A ward's public KPI page (optional): when enabled, anyone may read the ward's
    network size and outcomes, with nothing that identifies a company."""

    municipality = models.OneToOneField(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(_("公開する"), default=False)
    introduction = models.TextField(_("紹介文"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.publication_scope, access.publication_anonymous_scope)

    class Meta:
        verbose_name = _("公開ページ")
        verbose_name_plural = _("公開ページ")

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.enabled}"
