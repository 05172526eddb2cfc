"""The 産学官金 consortium and the matchings it produces: partner organisations
(universities, banks, vendors, support bodies), projects (PBL and internships with a
university, co-development among shops), DX-loan referrals to partner banks, and business
matchings that came out of the lab, its events, a vendor's demo or the network."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel, UploadedDocument
from machikoba.lab import access
from machikoba.lab.choices import (
    FollowUpAnswer,
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
    PartnerKind,
    ProjectKind,
    ProjectStatus,
    ReferralStatus,
)


class Partner(TimeStampedModel):
    """An organisation of the ward's consortium. A bank or a vendor whose people sign in
    is linked to its company (kind ``bank`` / ``vendor``): they see what is addressed to
    it."""

    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=14, choices=PartnerKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("アカウントのある組織"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consortium_partnerships",
    )
    contact_name = models.CharField(_("担当者"), max_length=80, blank=True)
    contact_email = models.EmailField(_("連絡先メール"), blank=True)
    note = models.CharField(_("メモ"), max_length=500, blank=True)
    active = models.BooleanField(_("参加中"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.partner_scope)

    class Meta:
        verbose_name = _("連携先")
        verbose_name_plural = _("連携先")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="unique_partner_name_per_ward"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Project(TimeStampedModel):
    """A consortium project: a PBL course project or an internship with a university, or a
    co-development among shops, with its participants, period, outcome and documents."""

    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=16, choices=ProjectKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    summary = models.TextField(_("概要"), blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日 (予定)"))
    status = models.CharField(
        _("状態"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    outcome = models.TextField(_("成果"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.project_scope)

    class Meta:
        verbose_name = _("連携プロジェクト")
        verbose_name_plural = _("連携プロジェクト")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="project_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectParticipant(models.Model):
    """A company or a partner organisation taking part in a project."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("プロジェクト"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consortium_projects",
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("連携先"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    role = models.CharField(_("役割"), max_length=120, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.project_part_scope)

    class Meta:
        verbose_name = _("プロジェクトの参加者")
        verbose_name_plural = _("プロジェクトの参加者")
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(company__isnull=False) & Q(partner__isnull=True))
                | (Q(company__isnull=True) & Q(partner__isnull=False)),
                name="participant_company_or_partner",
            ),
            models.UniqueConstraint(
                fields=["project", "company"],
                condition=Q(company__isnull=False),
                name="unique_project_company",
            ),
            models.UniqueConstraint(
                fields=["project", "partner"],
                condition=Q(partner__isnull=False),
                name="unique_project_partner",
            ),
        ]

    def __str__(self) -> str:
        return str(self.company or self.partner)


class ProjectDocument(UploadedDocument):
    project = models.ForeignKey(
        Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("ファイル"), upload_to="lab/projects/%Y/%m/", max_length=200)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.project_part_scope)

    class Meta:
        verbose_name = _("プロジェクトの資料")
        verbose_name_plural = _("プロジェクトの資料")
        ordering = ["project", "id"]


class LoanReferral(TimeStampedModel):
    """The office refers a company to a partner bank for a DX loan; the bank records its
    outcome. The bank's people see only the referrals addressed to it."""

    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="loan_referrals",
    )
    bank = models.ForeignKey(
        Partner, verbose_name=_("金融機関"), on_delete=models.PROTECT, related_name="referrals"
    )
    amount_requested = models.PositiveBigIntegerField(_("希望額 (円)"))
    purpose = models.CharField(_("資金の使いみち"), max_length=500)
    status = models.CharField(
        _("状態"), max_length=14, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    amount_approved = models.PositiveBigIntegerField(_("融資額 (円)"), null=True, blank=True)
    outcome_note = models.CharField(_("結果の補足"), max_length=500, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("紹介者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("結果の記録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("結果の記録日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.referral_scope)

    class Meta:
        verbose_name = _("DX融資の紹介")
        verbose_name_plural = _("DX融資の紹介")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gte=1), name="referral_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(status=ReferralStatus.APPROVED),
                name="referral_amount_only_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.bank}"


class Matching(TimeStampedModel):
    """A business matching that came out of a lab visit, an event, a vendor's demo or a
    consultation: two parties and what they agreed. Staff record it (``CONFIRMED`` at
    once, with evidence) or it comes from a survey answer and stands once both parties
    confirm. Three months after ``agreed_on`` both are asked whether it led to business.
    First awards in the network (``network.BusinessMatch``) are listed beside these, not
    copied here."""

    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("きっかけ"), max_length=14, choices=MatchingSource.choices)
    event = models.ForeignKey(
        "lab.Event",
        verbose_name=_("イベント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matchings",
    )
    item = models.ForeignKey(
        "lab.Item",
        verbose_name=_("機器・展示品"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matchings",
    )
    party_a = models.ForeignKey(
        "companies.Company", verbose_name=_("当事者1"), on_delete=models.PROTECT, related_name="+"
    )
    party_b = models.ForeignKey(
        "companies.Company", verbose_name=_("当事者2"), on_delete=models.PROTECT, related_name="+"
    )
    survey = models.ForeignKey(
        "lab.SurveyResponse",
        verbose_name=_("もとになったアンケート回答"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matchings",
    )
    agreement = models.CharField(_("合意の内容"), max_length=18, choices=MatchingAgreement.choices)
    agreed_on = models.DateField(_("合意日"))
    evidence = models.CharField(_("根拠 (注文書番号、議事録など)"), max_length=500, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=MatchingStatus.choices, default=MatchingStatus.PROPOSED
    )
    confirmed_a_at = models.DateTimeField(_("当事者1の確認"), null=True, blank=True)
    confirmed_b_at = models.DateTimeField(_("当事者2の確認"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_due_on = models.DateField(_("3か月後の確認日"))
    follow_up_answer = models.CharField(
        _("3か月後: 取引につながったか"),
        max_length=12,
        choices=FollowUpAnswer.choices,
        blank=True,
    )
    follow_up_note = models.CharField(_("3か月後の補足"), max_length=500, blank=True)
    follow_up_answered_at = models.DateTimeField(_("3か月後の回答日時"), null=True, blank=True)
    follow_up_asked_at = models.DateTimeField(_("3か月後の確認を送った日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.matching_scope)

    class Meta:
        verbose_name = _("ビジネスマッチング (ラボ・イベント)")
        verbose_name_plural = _("ビジネスマッチング (ラボ・イベント)")
        ordering = ["-agreed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(party_a=models.F("party_b")), name="matching_two_parties"
            ),
            models.CheckConstraint(
                condition=~Q(source=MatchingSource.NETWORK), name="matching_not_network"
            ),
            # The count rule: one matching per pair per event or item it came from (the
            # services store the pair with the smaller id first and check both orders; a
            # declined proposal does not count, so the pair may be recorded again).
            models.UniqueConstraint(
                fields=["party_a", "party_b", "event"],
                condition=Q(event__isnull=False) & ~Q(status=MatchingStatus.DECLINED),
                name="unique_matching_pair_per_event",
            ),
            models.UniqueConstraint(
                fields=["party_a", "party_b", "item"],
                condition=Q(event__isnull=True, item__isnull=False)
                & ~Q(status=MatchingStatus.DECLINED),
                name="unique_matching_pair_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_a} × {self.party_b}"
