"""伴走型アドバイザー派遣: the ward's roster of advisors, companies' requests for support,
engagements of about six months through five phases, visit logs the owner signs off,
before/after measurements, and the hours the ward pays for.

Every request and engagement belongs to the ward of the company (``municipality``); who
sees what is decided in ``advisory.access``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.advisory import access
from machikoba.advisory.choices import (
    AdvisorKind,
    Better,
    EngagementStatus,
    PhaseKind,
    PhaseStatus,
    RequestOrigin,
    RequestStatus,
)
from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel, UploadedDocument


class Advisor(TimeStampedModel):
    """One advisor of the roster: an expert (IT, 中小企業診断士 …) the wards dispatch."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ユーザー"),
        on_delete=models.PROTECT,
        related_name="advisor_profile",
    )
    kind = models.CharField(_("専門の種類"), max_length=16, choices=AdvisorKind.choices)
    organisation = models.CharField(_("所属"), max_length=120, blank=True)
    specialties = models.CharField(
        _("得意分野"), max_length=300, blank=True, help_text=_("例: 生産管理, IoT, 原価計算")
    )
    wards = models.ManyToManyField(
        "wards.Municipality", verbose_name=_("担当できる区"), related_name="advisors"
    )
    capacity = models.PositiveSmallIntegerField(_("同時に担当できる社数"), default=3)
    hourly_fee = models.PositiveIntegerField(_("時間単価 (円・税抜)"))
    active = models.BooleanField(_("派遣できる"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.advisor_scope)

    class Meta:
        verbose_name = _("アドバイザー")
        verbose_name_plural = _("アドバイザー")
        ordering = ["user__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="advisor_capacity_positive"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class SupportRequest(TimeStampedModel):
    """A company asks for an advisor (or the officer proposes one, e.g. after the dojo,
    and the company agrees)."""

    municipality = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    origin = models.CharField(_("きっかけ"), max_length=10, choices=RequestOrigin.choices)
    status = models.CharField(_("状態"), max_length=10, choices=RequestStatus.choices)
    topics = models.CharField(_("相談したい分野"), max_length=300)
    description = models.TextField(_("相談の内容"), max_length=3000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申込者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graduation = models.ForeignKey(
        "programs.Graduation",
        verbose_name=_("きっかけのDX道場修了"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
    )
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("決定した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField(_("理由"), max_length=300, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.support_request_scope)

    class Meta:
        verbose_name = _("派遣の申込")
        verbose_name_plural = _("派遣の申込")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="request_description"),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(status__in=["proposed", "open"]),
                name="one_pending_support_request_per_company",
            ),
        ]

    def __str__(self) -> str:
        return f"REQ-{self.pk}"


class Engagement(TimeStampedModel):
    """About six months of support for one company by a team of advisors."""

    request = models.OneToOneField(
        SupportRequest,
        verbose_name=_("申込"),
        on_delete=models.PROTECT,
        related_name="engagement",
    )
    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    status = models.CharField(
        _("状態"),
        max_length=10,
        choices=EngagementStatus.choices,
        default=EngagementStatus.ACTIVE,
    )
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了予定日"))
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    closing_summary = models.TextField(_("支援のまとめ"), max_length=4000, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("割り当てた職員"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.engagement_scope)

    class Meta:
        verbose_name = _("派遣 (伴走支援)")
        verbose_name_plural = _("派遣 (伴走支援)")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="engagement_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"ENG-{self.pk}"


class EngagementMember(models.Model):
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("派遣"), on_delete=models.CASCADE, related_name="members"
    )
    advisor = models.ForeignKey(
        Advisor,
        verbose_name=_("アドバイザー"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    lead = models.BooleanField(_("主担当"), default=False)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.engagement_child_scope)

    class Meta:
        verbose_name = _("派遣チームのメンバー")
        verbose_name_plural = _("派遣チームのメンバー")
        ordering = ["engagement_id", "-lead", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "advisor"], name="unique_engagement_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} {self.advisor}"


class Phase(models.Model):
    """One of the five phases of an engagement, with its due date and evidence."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("派遣"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("フェーズ"), max_length=16, choices=PhaseKind.choices)
    order = models.PositiveSmallIntegerField(_("順番"))
    due_on = models.DateField(_("期限"))
    status = models.CharField(
        _("状態"), max_length=12, choices=PhaseStatus.choices, default=PhaseStatus.NOT_STARTED
    )
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    note = models.TextField(_("メモ"), max_length=2000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.engagement_child_scope)

    class Meta:
        verbose_name = _("フェーズ")
        verbose_name_plural = _("フェーズ")
        ordering = ["engagement_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "kind"], name="unique_phase_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} {self.get_kind_display()}"


def evidence_file_path(instance: PhaseEvidence, filename: str) -> str:
    return f"advisory/evidence/{instance.phase.engagement_id}/{secrets.token_hex(16)}"


class PhaseEvidence(UploadedDocument):
    """A document that shows a phase's work (a tool comparison, a rollout photo …)."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("フェーズ"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("ファイル"), upload_to=evidence_file_path, max_length=200)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.evidence_scope)

    class Meta:
        verbose_name = _("フェーズの証跡")
        verbose_name_plural = _("フェーズの証跡")
        ordering = ["phase_id", "id"]


class Visit(models.Model):
    """A visit (or online session) by one advisor: when, what was done, what comes next,
    and the owner's sign-off by a tap. ``minutes`` is what the ward pays for."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("派遣"), on_delete=models.PROTECT, related_name="visits"
    )
    advisor = models.ForeignKey(
        Advisor, verbose_name=_("アドバイザー"), on_delete=models.PROTECT, related_name="visits"
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    minutes = models.PositiveIntegerField(_("時間 (分)"))
    work_done = models.TextField(_("実施内容"), max_length=3000)
    next_steps = models.TextField(_("次回までの宿題・次のステップ"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    signed_off_at = models.DateTimeField(_("企業の確認日時"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.visit_scope)

    class Meta:
        verbose_name = _("訪問記録")
        verbose_name_plural = _("訪問記録")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="visit_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(minutes__gte=1), name="visit_minutes_positive"),
            models.CheckConstraint(condition=~Q(work_done=""), name="visit_work_done"),
        ]
        indexes = [models.Index(fields=["advisor", "starts_at"])]

    def __str__(self) -> str:
        return f"VISIT-{self.pk}"


class Measurement(models.Model):
    """A before/after figure chosen for the engagement (見積作成時間, リードタイム, 稼働率 …)."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("派遣"), on_delete=models.CASCADE, related_name="measurements"
    )
    name = models.CharField(_("指標"), max_length=100)
    unit = models.CharField(_("単位"), max_length=20)
    better = models.CharField(_("良い向き"), max_length=8, choices=Better.choices)
    before_value = models.DecimalField(_("導入前の値"), max_digits=12, decimal_places=2)
    before_on = models.DateField(_("導入前の測定日"))
    after_value = models.DecimalField(
        _("導入後の値"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    after_on = models.DateField(_("導入後の測定日"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.engagement_child_scope)

    class Meta:
        verbose_name = _("効果の測定")
        verbose_name_plural = _("効果の測定")
        ordering = ["engagement_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="measurement_name"),
            models.CheckConstraint(
                condition=Q(after_value__isnull=True, after_on__isnull=True)
                | Q(after_value__isnull=False, after_on__isnull=False),
                name="measurement_after_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name


__all__ = [
    "Advisor",
    "Engagement",
    "EngagementMember",
    "Measurement",
    "Phase",
    "PhaseEvidence",
    "SupportRequest",
    "Visit",
]
