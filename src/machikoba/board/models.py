"""The open board and joint orders (共同受注).

A *request* (引き合い) is work posted into the network: by a buyer (a company that may be
outside the ward) or by a shop that posts its own job's steps. Network members see a
summary (processes, material, quantity, due date, area) and raise a hand per process.
The details (drawings, the poster's name, the description, the delivery place) are shown
only to companies that accepted the board's NDA and were admitted by the poster.

A *team* answers a buyer's request as one: a lead company assigns the processes to its
members, collects their internal quotes, adds its coordination margin and sends the buyer
one quote. On award the lead gets a job with the route and performers filled in, and the
orders from the lead to each member. Who sees what is decided in ``board.access``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.board import access
from machikoba.board.choices import (
    AdmissionStatus,
    Audience,
    MemberStatus,
    RequestStatus,
    TeamStatus,
)
from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel


class Request(TimeStampedModel):
    """引き合い: a part someone wants made, posted to the board or to chosen shops."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("発注企業"),
        on_delete=models.PROTECT,
        related_name="board_requests",
    )
    job = models.ForeignKey(
        "network.Job",
        verbose_name=_("案件 (自社の案件の工程を掲示する場合)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="board_requests",
    )
    part_name = models.CharField(_("品名"), max_length=200)
    drawing_number = models.CharField(_("図番"), max_length=100, blank=True)
    material = models.ForeignKey(
        "companies.Material",
        verbose_name=_("材質"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    material_note = models.CharField(_("材質 (補足)"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    due_date = models.DateField(_("納期"))
    answer_by = models.DateField(_("回答期限"))
    area = models.CharField(
        _("地域"),
        max_length=60,
        blank=True,
        help_text=_("掲示板に出る納入地域です (例: 東京都大田区)。企業名は出ません。"),
    )
    delivery_place = models.CharField(_("納入場所"), max_length=300, blank=True)
    description = models.TextField(
        _("詳しい内容"),
        max_length=5000,
        blank=True,
        help_text=_("承認した企業だけが見られます。"),
    )
    documents = models.ManyToManyField(
        "drawings.Document", verbose_name=_("図面・文書"), blank=True, related_name="+"
    )
    audience = models.CharField(
        _("公開先"), max_length=10, choices=Audience.choices, default=Audience.BOARD
    )
    invited = models.ManyToManyField(
        "companies.Company", verbose_name=_("依頼する企業"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(_("発注先決定日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取り下げ日時"), null=True, blank=True)
    cancel_reason = models.CharField(_("取り下げの理由"), max_length=500, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.request_scope)

    class Meta:
        verbose_name = _("引き合い")
        verbose_name_plural = _("引き合い")
        ordering = ["answer_by", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="request_quantity_positive"),
            models.CheckConstraint(condition=~Q(part_name=""), name="request_part_name_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="request_status_known"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values), name="request_audience_known"
            ),
            models.CheckConstraint(
                condition=Q(answer_by__lte=models.F("due_date")),
                name="request_answer_before_due",
            ),
        ]

    def __str__(self) -> str:
        return f"REQ-{self.pk} {self.part_name}"

    @property
    def is_joint(self) -> bool:
        """A buyer's request is answered by a team; a shop's posted job by single RFQs."""
        return self.job_id is None


class RequestProcess(models.Model):
    """One process the request needs, in route order. Hands are raised per process."""

    request = models.ForeignKey(
        Request, verbose_name=_("引き合い"), on_delete=models.CASCADE, related_name="processes"
    )
    position = models.PositiveSmallIntegerField(_("順番"))
    process = models.ForeignKey(
        "companies.ProcessCategory",
        verbose_name=_("工程"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    spec = models.CharField(_("仕様"), max_length=500, blank=True)
    step = models.ForeignKey(
        "network.Step",
        verbose_name=_("案件の工程"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="board_processes",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.process_scope)

    class Meta:
        verbose_name = _("引き合いの工程")
        verbose_name_plural = _("引き合いの工程")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "position"], name="unique_request_process_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.position} {self.process}"


class Admission(TimeStampedModel):
    """A shop's request to see a request's details (after accepting the board's NDA), and
    the poster's decision. Admitted shops hold view-only grants on the drawings."""

    request = models.ForeignKey(
        Request, verbose_name=_("引き合い"), on_delete=models.CASCADE, related_name="admissions"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="board_admissions",
    )
    status = models.CharField(
        _("状態"),
        max_length=12,
        choices=AdmissionStatus.choices,
        default=AdmissionStatus.REQUESTED,
    )
    nda_version = models.CharField(_("同意した秘密保持条項"), max_length=30)
    nda_accepted_at = models.DateTimeField(_("秘密保持に同意した日時"))
    nda_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同意した人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    decided_at = models.DateTimeField(_("判断した日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grants = models.ManyToManyField("drawings.Grant", blank=True, related_name="+")

    objects = AccessManager()
    access_policy = ScopedPolicy(access.admission_scope)

    class Meta:
        verbose_name = _("詳細閲覧の承認")
        verbose_name_plural = _("詳細閲覧の承認")
        ordering = ["request", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "company"], name="unique_admission"),
            models.CheckConstraint(
                condition=Q(status__in=AdmissionStatus.values), name="admission_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} ← {self.company}"


class Hand(TimeStampedModel):
    """手を挙げる: a shop offers to do one process, with an indicative price, lead time or
    comment. One per company per process; raising again edits it."""

    process = models.ForeignKey(
        RequestProcess, verbose_name=_("工程"), on_delete=models.CASCADE, related_name="hands"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="board_hands",
    )
    price = models.PositiveBigIntegerField(
        _("参考価格 (円・税抜)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("参考納期 (日数)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    comment = models.CharField(_("コメント"), max_length=500, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.hand_scope)

    class Meta:
        verbose_name = _("手挙げ")
        verbose_name_plural = _("手挙げ")
        ordering = ["process", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["process", "company"], name="unique_hand"),
            models.CheckConstraint(
                condition=~Q(price__isnull=True, lead_time_days__isnull=True, comment=""),
                name="hand_says_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} ✋ {self.process}"


class Team(TimeStampedModel):
    """共同受注: a lead company and its members answering one request with one quote."""

    request = models.ForeignKey(
        Request, verbose_name=_("引き合い"), on_delete=models.CASCADE, related_name="teams"
    )
    lead = models.ForeignKey(
        "companies.Company",
        verbose_name=_("幹事企業"),
        on_delete=models.PROTECT,
        related_name="led_teams",
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.FORMING
    )
    margin = models.PositiveBigIntegerField(_("幹事の取りまとめ費 (円・税抜)"), default=0)
    share_split = models.BooleanField(
        _("内訳をメンバー全員に見せる"),
        default=False,
        help_text=_("オフのとき、メンバーは自社の行だけを見られます。"),
    )
    payment_days = models.PositiveSmallIntegerField(
        _("メンバーへの支払い (受領後の日数)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    price = models.PositiveBigIntegerField(_("見積金額 (円・税抜)"), null=True, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("納期 (日数)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    valid_until = models.DateField(_("見積の有効期限"), null=True, blank=True)
    conditions = models.TextField(_("条件"), max_length=2000, blank=True)
    sent_at = models.DateTimeField(_("見積提出日時"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("受注日時"), null=True, blank=True)
    companies_at_award = models.PositiveSmallIntegerField(
        _("受注時に工程を担当した企業数"), default=0
    )
    job = models.OneToOneField(
        "network.Job",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team",
    )
    buyer_order = models.OneToOneField(
        "network.Order",
        verbose_name=_("発注企業からの注文"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="board_team",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.team_scope)

    class Meta:
        verbose_name = _("共同受注チーム")
        verbose_name_plural = _("共同受注チーム")
        ordering = ["request", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "lead"], name="unique_team_per_lead"),
            models.CheckConstraint(
                condition=Q(status__in=TeamStatus.values), name="team_status_known"
            ),
            models.CheckConstraint(
                condition=Q(payment_days__lte=60), name="team_payment_within_60_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} / {self.lead}"


class TeamMember(TimeStampedModel):
    """A company in a team (the lead included) and its internal quote to the lead."""

    team = models.ForeignKey(
        Team, verbose_name=_("チーム"), on_delete=models.CASCADE, related_name="members"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.PROTECT,
        related_name="team_memberships",
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    internal_price = models.PositiveBigIntegerField(
        _("幹事への見積 (円・税抜)"), null=True, blank=True
    )
    delivery_date = models.DateField(_("担当工程の完了日"), null=True, blank=True)
    note = models.CharField(_("メモ"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("見積提出日時"), null=True, blank=True)
    removed_reason = models.CharField(_("外れた理由"), max_length=500, blank=True)
    order = models.OneToOneField(
        "network.Order",
        verbose_name=_("幹事からの注文"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="board_member",
    )
    # The buyer's drawings shared with this member on award (revoked if it leaves).
    grants = models.ManyToManyField("drawings.Grant", blank=True, related_name="+")

    objects = AccessManager()
    access_policy = ScopedPolicy(access.member_scope)

    class Meta:
        verbose_name = _("チームのメンバー")
        verbose_name_plural = _("チームのメンバー")
        ordering = ["team", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["team", "company"], name="unique_team_member"),
            models.CheckConstraint(
                condition=Q(status__in=MemberStatus.values), name="member_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.company}"


class TeamAssignment(models.Model):
    """Which member covers which process of the request."""

    team = models.ForeignKey(
        Team, verbose_name=_("チーム"), on_delete=models.CASCADE, related_name="assignments"
    )
    process = models.ForeignKey(
        RequestProcess, verbose_name=_("工程"), on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        TeamMember, verbose_name=_("担当"), on_delete=models.CASCADE, related_name="assignments"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.assignment_scope)

    class Meta:
        verbose_name = _("担当の割り当て")
        verbose_name_plural = _("担当の割り当て")
        ordering = ["team", "process__position"]
        constraints = [
            models.UniqueConstraint(fields=["team", "process"], name="unique_team_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.process} → {self.member}"
