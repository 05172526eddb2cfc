"""Homework as tools, not uploads: the 課題の棚卸し worksheet, the investment/ROI estimate
and the one-page DX plan of one participant (one application), with the instructors'
comments. The owner (or the participant) writes; instructors and officers comment."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel
from machikoba.programs import access
from machikoba.programs.choices import HomeworkKind, PlanStatus, ProblemArea

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Worksheet(TimeStampedModel):
    """課題の棚卸し: the shop's current problems by area, each with impact and effort."""

    application = models.OneToOneField(
        "programs.Application",
        verbose_name=_("受講申込"),
        on_delete=models.CASCADE,
        related_name="worksheet",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.homework_scope)

    class Meta:
        verbose_name = _("課題の棚卸し")
        verbose_name_plural = _("課題の棚卸し")

    def __str__(self) -> str:
        return f"WORKSHEET-{self.pk}"


class WorksheetItem(models.Model):
    worksheet = models.ForeignKey(
        Worksheet, verbose_name=_("棚卸し"), on_delete=models.CASCADE, related_name="items"
    )
    area = models.CharField(_("分野"), max_length=12, choices=ProblemArea.choices)
    problem = models.CharField(_("困っていること"), max_length=300)
    impact = models.PositiveSmallIntegerField(_("影響の大きさ (1〜5)"), validators=SCORE_VALIDATORS)
    effort = models.PositiveSmallIntegerField(_("解決の手間 (1〜5)"), validators=SCORE_VALIDATORS)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.worksheet_item_scope)

    class Meta:
        verbose_name = _("棚卸しの項目")
        verbose_name_plural = _("棚卸しの項目")
        ordering = ["worksheet_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(problem=""), name="worksheet_item_problem"),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="worksheet_item_impact_range"
            ),
            models.CheckConstraint(
                condition=Q(effort__gte=1, effort__lte=5), name="worksheet_item_effort_range"
            ),
        ]

    def __str__(self) -> str:
        return self.problem


class RoiEstimate(TimeStampedModel):
    """A simple investment estimate: what the tool costs, the hours it frees each year at
    the shop's wage, other yearly savings. Yen are tax-exclusive integers. A later subsidy
    application is pre-filled from these figures."""

    application = models.OneToOneField(
        "programs.Application",
        verbose_name=_("受講申込"),
        on_delete=models.CASCADE,
        related_name="roi_estimate",
    )
    tool = models.CharField(_("導入するもの"), max_length=200)
    investment_cost = models.PositiveBigIntegerField(_("導入費用 (円・税抜)"))
    yearly_running_cost = models.PositiveBigIntegerField(_("年間の運用費 (円)"), default=0)
    hours_freed_per_year = models.PositiveIntegerField(_("年間に減る作業時間 (時間)"))
    hourly_wage = models.PositiveIntegerField(_("時間あたりの人件費 (円)"))
    other_savings_per_year = models.PositiveBigIntegerField(
        _("その他の年間の削減額 (円)"), default=0
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.homework_scope)

    class Meta:
        verbose_name = _("投資対効果の試算")
        verbose_name_plural = _("投資対効果の試算")
        constraints = [
            models.CheckConstraint(condition=~Q(tool=""), name="roi_tool_not_empty"),
            models.CheckConstraint(condition=Q(investment_cost__gte=1), name="roi_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"ROI-{self.pk}"


class DxPlan(TimeStampedModel):
    """The one-page DX plan: submitted to the instructors, returned with comments or
    accepted. ``revision`` counts the submissions."""

    application = models.OneToOneField(
        "programs.Application",
        verbose_name=_("受講申込"),
        on_delete=models.CASCADE,
        related_name="dx_plan",
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    goal = models.CharField(_("3年後のありたい姿"), max_length=300, blank=True)
    current_state = models.TextField(_("いまの課題"), max_length=1500, blank=True)
    actions = models.TextField(_("取り組むこと (ツール・やり方)"), max_length=1500, blank=True)
    schedule = models.TextField(_("進め方とスケジュール"), max_length=1000, blank=True)
    budget = models.PositiveBigIntegerField(_("予算 (円・税抜)"), null=True, blank=True)
    success_measures = models.TextField(_("効果をはかる指標"), max_length=1000, blank=True)
    person_in_charge = models.CharField(_("社内の推進担当"), max_length=100, blank=True)
    revision = models.PositiveSmallIntegerField(_("提出回数"), default=0)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    decided_at = models.DateTimeField(_("承認・差戻しの日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認・差戻しをした人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.homework_scope)

    class Meta:
        verbose_name = _("DX計画書")
        verbose_name_plural = _("DX計画書")

    def __str__(self) -> str:
        return f"PLAN-{self.pk}"


class HomeworkComment(models.Model):
    """An instructor's (or officer's) comment on a piece of homework, or the owner's reply."""

    application = models.ForeignKey(
        "programs.Application",
        verbose_name=_("受講申込"),
        on_delete=models.CASCADE,
        related_name="homework_comments",
    )
    kind = models.CharField(_("課題"), max_length=10, choices=HomeworkKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("書いた人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("コメント"), max_length=2000)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.homework_scope)

    class Meta:
        verbose_name = _("課題へのコメント")
        verbose_name_plural = _("課題へのコメント")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="homework_comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"COMMENT-{self.pk}"
