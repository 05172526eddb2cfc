"""DX道場 and デジタル化推進リーダー講座: a ward's programmes, their cohorts per fiscal year,
sessions, applications by companies (with a waitlist), attendance, graduation and the
follow-up one year later. Homework (worksheet, ROI estimate, DX plan) is in
``models_homework``.

Every row belongs to a ward through its programme (``Program.municipality``, and the wards
that run it jointly); who sees what is decided in ``programs.access``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel, UploadedDocument
from machikoba.programs import access
from machikoba.programs.choices import (
    ApplicationStatus,
    AttendanceMethod,
    AttendanceStatus,
    InvestmentKind,
    ParticipantRole,
    ProgramKind,
)


class Program(TimeStampedModel):
    """A programme a ward runs (or several wards run together), with its rules as data:
    who may apply, how many people per company, and what graduating takes."""

    municipality = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("実施する区"),
        on_delete=models.PROTECT,
        related_name="programs",
    )
    partner_wards = models.ManyToManyField(
        "wards.Municipality",
        verbose_name=_("共同で実施する区"),
        blank=True,
        related_name="joint_programs",
    )
    kind = models.CharField(_("種類"), max_length=10, choices=ProgramKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("説明"), max_length=4000, blank=True)
    # Eligibility, as data.
    participant_role = models.CharField(
        _("受講する人"), max_length=10, choices=ParticipantRole.choices
    )
    wards_only = models.BooleanField(
        _("実施する区の企業に限る"),
        default=True,
        help_text=_(
            "オンにすると、実施する区 (共同実施の区を含む) に所在する企業だけが申し込めます。"
        ),
    )
    max_per_company = models.PositiveSmallIntegerField(_("1社あたりの受講者の上限"), default=1)
    # Graduation rule, as data.
    min_sessions_attended = models.PositiveSmallIntegerField(_("修了に必要な出席回数"), default=4)
    requires_plan_accepted = models.BooleanField(_("修了にDX計画書の承認が必要"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.program_scope)

    class Meta:
        verbose_name = _("プログラム")
        verbose_name_plural = _("プログラム")
        ordering = ["municipality__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="program_name_not_empty"),
            models.CheckConstraint(
                condition=Q(max_per_company__gte=1), name="program_max_per_company_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(TimeStampedModel):
    """One run of a programme in a fiscal year: its seats, its application window, its
    instructors."""

    program = models.ForeignKey(
        Program, verbose_name=_("プログラム"), on_delete=models.PROTECT, related_name="cohorts"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("期の名称"), max_length=80, help_text=_("例: 第1期"))
    capacity = models.PositiveSmallIntegerField(_("定員"))
    applications_open_at = models.DateTimeField(_("申込受付の開始"))
    applications_close_at = models.DateTimeField(_("申込受付の締切"))
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("講師"),
        blank=True,
        related_name="taught_cohorts",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.cohort_scope)

    class Meta:
        verbose_name = _("期 (コホート)")
        verbose_name_plural = _("期 (コホート)")
        ordering = ["-fiscal_year", "program_id", "applications_open_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=models.F("applications_open_at")),
                name="cohort_window_ordered",
            ),
            models.UniqueConstraint(
                fields=["program", "fiscal_year", "name"], name="unique_cohort_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.fiscal_year}年度 {self.name}"


class Session(TimeStampedModel):
    """One class of a cohort. ``checkin_code`` is what the instructor's screen shows as a
    QR code; it is accepted only during the session's check-in window."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("期"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("回"))
    title = models.CharField(_("テーマ"), max_length=120)
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    place = models.CharField(_("会場"), max_length=200, blank=True)
    online_url = models.URLField(_("オンライン参加のURL"), blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("講師"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="taught_sessions",
    )
    checkin_code = models.CharField(_("チェックインコード"), max_length=40, unique=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.session_scope)

    class Meta:
        verbose_name = _("講義回")
        verbose_name_plural = _("講義回")
        ordering = ["cohort_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="unique_session_number"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(checkin_code=""), name="session_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} 第{self.number}回"


def material_file_path(instance: SessionMaterial, filename: str) -> str:
    import secrets

    return f"programs/materials/{instance.session.cohort_id}/{secrets.token_hex(16)}"


class SessionMaterial(UploadedDocument):
    """A handout of a session, stored like every document: type sniffed from the content,
    served only through a view that checks access."""

    session = models.ForeignKey(
        Session, verbose_name=_("講義回"), on_delete=models.CASCADE, related_name="materials"
    )
    file = models.FileField(_("ファイル"), upload_to=material_file_path, max_length=200)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.material_scope)

    class Meta:
        verbose_name = _("講義資料")
        verbose_name_plural = _("講義資料")
        ordering = ["session_id", "id"]


class Application(TimeStampedModel):
    """A company's application for one participant (its owner for the dojo, a staff member
    it nominates for the leader course). Seats go first come, first served; the rest wait
    in the order they applied and move up when a seat frees."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("期"), on_delete=models.PROTECT, related_name="applications"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="program_applications",
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受講者"),
        on_delete=models.PROTECT,
        related_name="program_participations",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申込者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状態"), max_length=12, choices=ApplicationStatus.choices)
    motivation = models.TextField(_("受講の目的"), max_length=2000, blank=True)
    applied_at = models.DateTimeField(_("申込日時"))
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    # When a seat was given (at once, or from the waitlist); kept after a withdrawal, so
    # the office's funnel counts everyone who was ever accepted.
    accepted_at = models.DateTimeField(_("受講決定日時"), null=True, blank=True)
    status_note = models.CharField(_("状態の理由"), max_length=300, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.application_scope)

    class Meta:
        verbose_name = _("受講申込")
        verbose_name_plural = _("受講申込")
        ordering = ["cohort_id", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"],
                condition=Q(status__in=["accepted", "waitlisted"]),
                name="unique_active_application_per_participant",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status", "applied_at"])]

    def __str__(self) -> str:
        return f"APP-{self.pk}"


class Attendance(models.Model):
    """Whether a participant attended a session, and how it was recorded."""

    session = models.ForeignKey(
        Session, verbose_name=_("講義回"), on_delete=models.CASCADE, related_name="attendances"
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("受講申込"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    status = models.CharField(_("出欠"), max_length=10, choices=AttendanceStatus.choices)
    method = models.CharField(_("記録の方法"), max_length=10, choices=AttendanceMethod.choices)
    recorded_at = models.DateTimeField(_("記録日時"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.attendance_scope)

    class Meta:
        verbose_name = _("出欠")
        verbose_name_plural = _("出欠")
        ordering = ["session_id", "application_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="unique_attendance_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.application}"


class Graduation(models.Model):
    """A participant who met the programme's graduation rule. Other apps read it (a dojo
    graduate earns bonus points in subsidy screening) through ``programs.selectors``."""

    application = models.OneToOneField(
        Application, verbose_name=_("受講申込"), on_delete=models.PROTECT, related_name="graduation"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="program_graduations",
    )
    program_kind = models.CharField(_("種類"), max_length=10, choices=ProgramKind.choices)
    graduated_on = models.DateField(_("修了日"))
    sessions_attended = models.PositiveSmallIntegerField(_("出席回数"))
    sessions_total = models.PositiveSmallIntegerField(_("講義回数"))
    certificate_code = models.CharField(_("修了証の確認コード"), max_length=24, unique=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("判定した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.graduation_scope)

    class Meta:
        verbose_name = _("修了")
        verbose_name_plural = _("修了")
        ordering = ["-graduated_on", "id"]

    def __str__(self) -> str:
        return f"GRAD-{self.pk}"


class FollowUp(TimeStampedModel):
    """One year after graduating: did the company invest in DX? Asked on ``due_on``, then
    reminded until answered; feeds the KPI 修了後1年以内にDX投資を行った割合."""

    graduation = models.OneToOneField(
        Graduation, verbose_name=_("修了"), on_delete=models.CASCADE, related_name="follow_up"
    )
    due_on = models.DateField(_("回答をお願いする日"))
    asked_at = models.DateTimeField(_("最初に尋ねた日時"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("最後に催促した日時"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("催促の回数"), default=0)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回答者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invested = models.BooleanField(_("DX投資をした"), null=True, blank=True)
    invested_on = models.DateField(_("投資した日"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("投資額 (円・税抜)"), null=True, blank=True)
    investment_kind = models.CharField(
        _("投資の種類"), max_length=12, choices=InvestmentKind.choices, blank=True
    )
    description = models.CharField(_("内容"), max_length=500, blank=True)
    subsidy_reference = models.CharField(
        _("補助金の申請番号"),
        max_length=40,
        blank=True,
        help_text=_("DX導入補助金などを申請したときは、その申請番号。"),
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.follow_up_scope)

    class Meta:
        verbose_name = _("修了後のフォローアップ")
        verbose_name_plural = _("修了後のフォローアップ")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(invested__isnull=False),
                name="follow_up_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"FOLLOWUP-{self.pk}"


from machikoba.programs.models_homework import (  # noqa: E402  (one models module for Django)
    DxPlan,
    HomeworkComment,
    RoiEstimate,
    Worksheet,
    WorksheetItem,
)

__all__ = [
    "Application",
    "Attendance",
    "Cohort",
    "DxPlan",
    "FollowUp",
    "Graduation",
    "HomeworkComment",
    "Program",
    "RoiEstimate",
    "Session",
    "SessionMaterial",
    "Worksheet",
    "WorksheetItem",
]
