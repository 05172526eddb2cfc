"""Screening: reviewers assigned per application (each declares no conflict of interest
before the application opens to them), their independent scores on the call's rubric,
bonus points with their evidence, and the selection within each stage's budget."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.subsidies import access
from machikoba.subsidies.choices import AssignmentStatus, BonusClaimStatus


class ReviewerAssignment(models.Model):
    """A reviewer assigned to one application. Until they declare no conflict of interest
    (``CLEARED``) they see only the company's name; a declared tie ends the assignment
    (``CONFLICTED``); ``SUBMITTED`` freezes their scores."""

    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name=_("申請"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査員"),
        on_delete=models.PROTECT,
        related_name="subsidy_assignments",
    )
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("割り当てた職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("割り当て日時"), auto_now_add=True)
    declared_at = models.DateTimeField(_("利害関係を申告した日時"), null=True, blank=True)
    conflict_note = models.CharField(_("利害関係の内容"), max_length=300, blank=True)
    comment = models.TextField(_("総評"), max_length=3000, blank=True)
    submitted_at = models.DateTimeField(_("採点を提出した日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.assignment_scope)

    class Meta:
        verbose_name = _("審査員の割り当て")
        verbose_name_plural = _("審査員の割り当て")
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="unique_reviewer_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id}"


class Score(models.Model):
    """A reviewer's score on one rubric criterion, with a comment. Seen only by its reviewer
    and the ward's officers."""

    assignment = models.ForeignKey(
        ReviewerAssignment,
        verbose_name=_("割り当て"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    criterion = models.ForeignKey(
        "subsidies.RubricCriterion",
        verbose_name=_("審査項目"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField(_("点数"))
    comment = models.CharField(_("コメント"), max_length=1000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.score_scope)

    class Meta:
        verbose_name = _("採点")
        verbose_name_plural = _("採点")
        ordering = ["assignment_id", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="unique_score_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return str(self.score)


class BonusClaim(models.Model):
    """A bonus point an application holds: verified by the platform (``automatic``, from
    the programmes' graduations) or claimed with evidence and verified by an officer."""

    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name=_("申請"),
        on_delete=models.CASCADE,
        related_name="bonus_claims",
    )
    criterion = models.ForeignKey(
        "subsidies.BonusCriterion",
        verbose_name=_("加点項目"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=BonusClaimStatus.choices,
        default=BonusClaimStatus.CLAIMED,
    )
    automatic = models.BooleanField(_("記録から自動で確認"), default=False)
    evidence_note = models.CharField(_("根拠 (説明)"), max_length=300, blank=True)
    evidence = models.ForeignKey(
        "subsidies.ApplicationDocument",
        verbose_name=_("根拠資料"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    officer_note = models.CharField(_("確認のメモ"), max_length=300, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.application_part_scope)

    class Meta:
        verbose_name = _("加点")
        verbose_name_plural = _("加点")
        ordering = ["application_id", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="unique_bonus_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} ({self.status})"


class Selection(models.Model):
    """The confirmed selection of one stage: which applications were selected within its
    budget. The platform proposes it (greedy by rank); the officer confirms it as proposed
    or edited, and an edit needs a reason. One per stage: a second confirmation is refused."""

    stage = models.OneToOneField(
        "subsidies.Stage",
        verbose_name=_("ステージ"),
        on_delete=models.PROTECT,
        related_name="selection",
    )
    proposed_ids = models.JSONField(_("提案された申請"), default=list)
    selected_ids = models.JSONField(_("採択した申請"), default=list)
    ranking = models.JSONField(_("順位と合計点"), default=list)
    total_amount = models.PositiveBigIntegerField(_("採択額の合計 (円)"))
    edited = models.BooleanField(_("提案から変更した"), default=False)
    reason = models.TextField(_("変更の理由"), max_length=2000, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確定した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("確定日時"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.selection_scope)

    class Meta:
        verbose_name = _("採択の確定")
        verbose_name_plural = _("採択の確定")
        ordering = ["-confirmed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(edited=False) | ~Q(reason=""), name="selection_edit_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} ({self.total_amount:,}円)"
