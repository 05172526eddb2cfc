"""仲間まわし: jobs routed step by step through partner shops, RFQs and quotes, orders.

The *step* is the unit of outsourcing. Who sees what is decided in ``network.access``:
the owning company sees its whole job; a partner sees the job's part and its own steps;
an RFQ recipient sees the RFQ and its own quote; officers see none of it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import AppendOnlyModel, TimeStampedModel
from machikoba.network import access
from machikoba.network.choices import (
    RECIPIENT_STATUS_FOR_BUYER,
    GuestLinkChannel,
    JobStatus,
    OrderEventKind,
    OrderOrigin,
    OrderStatus,
    PaymentMethod,
    QuantityUnit,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)


def count_with_unit(quantity: int | None, unit: str) -> str:
    """``50 本``: a number of parts in the unit they are counted in (``—`` for none)."""
    if quantity is None:
        return "—"
    label = QuantityUnit(unit).label if unit in QuantityUnit.values else QuantityUnit.PIECE.label
    return f"{quantity:,} {label}"


class Job(TimeStampedModel):
    """案件: a part the owner makes, routed through steps (in-house or partners)."""

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("発注元企業"),
        on_delete=models.PROTECT,
        related_name="jobs",
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
    unit = models.CharField(
        _("数える単位"),
        max_length=8,
        choices=QuantityUnit.choices,
        default=QuantityUnit.PIECE,
        help_text=_("シャフトなら 本、板なら 枚。現品票や注文書の数量にも使います。"),
    )
    size_mm = models.PositiveIntegerField(
        _("部品の最大寸法 (mm)"),
        null=True,
        blank=True,
        help_text=_("依頼先の候補は、この大きさを扱える企業に絞られます。"),
    )
    due_date = models.DateField(_("納期"))
    notes = models.TextField(_("メモ"), max_length=5000, blank=True)
    status = models.CharField(
        _("状態"), max_length=12, choices=JobStatus.choices, default=JobStatus.OPEN
    )
    documents = models.ManyToManyField(
        "drawings.Document", verbose_name=_("図面・文書"), blank=True, related_name="jobs"
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("元の案件 (リピート)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.job_scope)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["due_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="job_quantity_positive"),
            models.CheckConstraint(condition=~Q(part_name=""), name="job_part_name_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drawing_number} {self.part_name}".strip()

    def count(self, quantity: int | None = None) -> str:
        """A quantity of this job's parts with its unit: 「50 本」 (the job's own by default)."""
        return count_with_unit(self.quantity if quantity is None else quantity, self.unit)


class Step(TimeStampedModel):
    """One operation of a job's route, done in-house or by a partner."""

    job = models.ForeignKey(
        Job, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("順番"))
    process = models.ForeignKey(
        "companies.ProcessCategory",
        verbose_name=_("工程"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    spec = models.TextField(_("仕様"), max_length=2000, blank=True)
    # Structured requirements a partner filter can use: hardness, plating thickness …
    spec_fields = models.JSONField(_("仕様 (項目)"), default=dict, blank=True)
    in_house = models.BooleanField(_("社内で行う"), default=False)
    performer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("担当企業"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="performed_steps",
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=StepStatus.choices, default=StepStatus.PLANNED
    )
    planned_start = models.DateField(_("開始予定日"), null=True, blank=True)
    planned_end = models.DateField(_("完了予定日"), null=True, blank=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("出荷日時"), null=True, blank=True)
    shipped_quantity = models.PositiveIntegerField(_("出荷数"), null=True, blank=True)
    received_at = models.DateTimeField(_("受け入れ日時"), null=True, blank=True)
    good_quantity = models.PositiveIntegerField(_("良品数"), null=True, blank=True)
    defect_quantity = models.PositiveIntegerField(_("不良数"), null=True, blank=True)
    start_override_reason = models.CharField(
        _("前工程の受け入れ前に開始した理由"), max_length=300, blank=True
    )
    late_notified_at = models.DateTimeField(_("遅れを知らせた日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.step_scope)

    class Meta:
        verbose_name = _("工程")
        verbose_name_plural = _("工程")
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "position"],
                name="unique_step_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="step_status_known"
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="step_planned_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} #{self.position} {self.process}"

    @property
    def is_editable(self) -> bool:
        """Steps can be changed, moved and removed until they are ordered or started."""
        return self.status in (StepStatus.PLANNED,)


class Rfq(TimeStampedModel):
    """見積依頼: one or more steps of a job, sent to one or more shops."""

    job = models.ForeignKey(
        Job, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="rfqs"
    )
    steps = models.ManyToManyField(Step, verbose_name=_("工程"), related_name="rfqs")
    deadline = models.DateTimeField(_("回答期限"))
    message = models.TextField(_("依頼内容"), max_length=5000, blank=True)
    questions_public = models.BooleanField(
        _("質問と回答を全員に公開する"),
        default=True,
        help_text=_("オフにすると、質問と回答は質問した企業にだけ見えます。"),
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=RfqStatus.choices, default=RfqStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(_("発注先決定日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.rfq_scope)

    class Meta:
        verbose_name = _("見積依頼")
        verbose_name_plural = _("見積依頼")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RfqStatus.values), name="rfq_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"RFQ-{self.pk} {self.job}"


class RfqRecipient(TimeStampedModel):
    rfq = models.ForeignKey(
        Rfq, verbose_name=_("見積依頼"), on_delete=models.CASCADE, related_name="recipients"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("依頼先"),
        on_delete=models.PROTECT,
        related_name="rfq_invitations",
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=RecipientStatus.choices, default=RecipientStatus.INVITED
    )
    decline_reason = models.CharField(_("辞退の理由"), max_length=500, blank=True)
    outcome_note = models.CharField(_("結果についての連絡"), max_length=500, blank=True)
    # The drawing grants this RFQ made for the recipient (revoked when it does not win).
    grants = models.ManyToManyField("drawings.Grant", blank=True, related_name="+")

    objects = AccessManager()
    access_policy = ScopedPolicy(access.recipient_scope)

    class Meta:
        verbose_name = _("見積依頼先")
        verbose_name_plural = _("見積依頼先")
        ordering = ["rfq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "company"], name="unique_rfq_recipient"),
            models.CheckConstraint(
                condition=Q(status__in=RecipientStatus.values), name="recipient_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rfq} → {self.company}"

    def status_for_buyer(self) -> str:
        """The state as the buyer says it: 発注先に決定 / 今回は見送り, not 受注 / 失注."""
        return str(RECIPIENT_STATUS_FOR_BUYER.get(self.status, self.get_status_display()))  # type: ignore[call-overload]


class GuestLink(TimeStampedModel):
    """回答用リンク: a one-time link that lets a shop without an account read one RFQ and
    answer it, sent by e-mail or printed (FAX). Only the SHA-256 of the token is stored:
    the link is shown once when issued, and issuing again revokes the previous one."""

    recipient = models.ForeignKey(
        RfqRecipient,
        verbose_name=_("見積依頼先"),
        on_delete=models.CASCADE,
        related_name="guest_links",
    )
    token_hash = models.CharField(_("トークンのハッシュ"), max_length=64, unique=True)
    channel = models.CharField(_("送り方"), max_length=8, choices=GuestLinkChannel.choices)
    email = models.EmailField(_("送り先メールアドレス"), blank=True)
    expires_at = models.DateTimeField(_("有効期限"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("無効にした日時"), null=True, blank=True)
    used_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("アカウント作成日時"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("開いた回数"), default=0)
    last_opened_at = models.DateTimeField(_("最後に開いた日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.guest_link_scope)

    class Meta:
        verbose_name = _("回答用リンク")
        verbose_name_plural = _("回答用リンク")
        ordering = ["recipient", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=GuestLinkChannel.values), name="guest_link_channel_known"
            ),
            models.CheckConstraint(
                condition=~Q(channel=GuestLinkChannel.EMAIL) | ~Q(email=""),
                name="guest_link_email_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.get_channel_display()})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Quote(TimeStampedModel):
    """A recipient's answer with a price: one per recipient (a double submit loses)."""

    recipient = models.OneToOneField(
        RfqRecipient, verbose_name=_("見積依頼先"), on_delete=models.CASCADE, related_name="quote"
    )
    price = models.PositiveBigIntegerField(_("金額 (円・税抜)"), validators=[MinValueValidator(1)])
    lead_time_days = models.PositiveSmallIntegerField(
        _("納期 (日数)"), validators=[MinValueValidator(1)]
    )
    valid_until = models.DateField(_("見積の有効期限"))
    conditions = models.TextField(_("条件"), max_length=2000, blank=True)
    # [{"quantity": 100, "price": 90000}, …]: prices for other lot sizes.
    quantity_breaks = models.JSONField(_("数量別の金額"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.quote_scope)

    class Meta:
        verbose_name = _("見積")
        verbose_name_plural = _("見積")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=1), name="quote_price_positive"),
            models.CheckConstraint(
                condition=Q(lead_time_days__gte=1), name="quote_lead_time_positive"
            ),
        ]

    def __str__(self) -> str:
        # No price: the name goes into the audit trail, which platform admins read.
        return f"{self.recipient} (QUOTE-{self.pk})"


class Order(TimeStampedModel):
    """注文書: what the 中小受託取引適正化法 requires a written order to state. A change
    is a new version (the old one stays in ``OrderVersion``); the supplier accepts each."""

    number = models.CharField(_("注文番号"), max_length=30, unique=True)
    job = models.ForeignKey(
        Job, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="orders"
    )
    rfq = models.OneToOneField(
        Rfq,
        verbose_name=_("見積依頼"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
    )
    steps = models.ManyToManyField(Step, verbose_name=_("工程"), related_name="orders")
    buyer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("発注者"),
        on_delete=models.PROTECT,
        related_name="orders_placed",
    )
    supplier = models.ForeignKey(
        "companies.Company",
        verbose_name=_("受注者"),
        on_delete=models.PROTECT,
        related_name="orders_received",
    )
    version = models.PositiveSmallIntegerField(_("版"), default=1)
    ordered_on = models.DateField(_("発注日"))
    work_content = models.TextField(_("給付の内容"), max_length=5000)
    quantity = models.PositiveIntegerField(_("数量"))
    price = models.PositiveBigIntegerField(_("代金 (円・税抜)"))
    delivery_date = models.DateField(_("納期 (受領日)"))
    delivery_place = models.CharField(_("納入場所"), max_length=300)
    inspection_date = models.DateField(_("検査完了日"))
    payment_date = models.DateField(_("支払期日"))
    payment_method = models.CharField(
        _("支払方法"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    origin = models.CharField(
        _("発注の経緯"), max_length=12, choices=OrderOrigin.choices, default=OrderOrigin.RFQ
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("請書の日時"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.order_scope)

    class Meta:
        verbose_name = _("注文")
        verbose_name_plural = _("注文")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=1), name="order_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(
                condition=Q(payment_date__gte=models.F("delivery_date")),
                name="order_payment_after_delivery",
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values),
                name="order_payment_method_allowed",
            ),
            models.CheckConstraint(
                condition=~Q(buyer=models.F("supplier")), name="order_parties_differ"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class BusinessMatch(models.Model):
    """A new business relationship (KPI: ビジネスマッチング成立件数): the first award
    between two companies that had no order between them, in either direction, before.
    One row per pair, ever; ``company_low`` has the smaller id."""

    company_low = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    company_high = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="+"
    )
    first_order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(_("成立日時"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.match_scope)

    class Meta:
        verbose_name = _("ビジネスマッチング")
        verbose_name_plural = _("ビジネスマッチング")
        constraints = [
            models.UniqueConstraint(
                fields=["company_low", "company_high"], name="unique_business_match"
            ),
            models.CheckConstraint(
                condition=Q(company_low__lt=models.F("company_high")),
                name="business_match_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_low_id}–{self.company_high_id}"


class Claim(TimeStampedModel):
    """A shortfall or defects found when the next party received a step's parts: the
    record the owner and the performer settle (rework, replacement, credit)."""

    step = models.ForeignKey(
        Step, verbose_name=_("工程"), on_delete=models.CASCADE, related_name="claims"
    )
    expected_quantity = models.PositiveIntegerField(_("予定数"))
    good_quantity = models.PositiveIntegerField(_("良品数"))
    defect_quantity = models.PositiveIntegerField(_("不良数"))
    note = models.CharField(_("内容"), max_length=1000, blank=True)
    resolved_at = models.DateTimeField(_("解決日時"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.claim_scope)

    class Meta:
        verbose_name = _("不足・不良の記録")
        verbose_name_plural = _("不足・不良の記録")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # No quantities or note: the name goes into the audit trail (admins read it).
        return f"{self.step} (CLAIM-{self.pk})"

    @property
    def shortfall(self) -> int:
        return max(0, self.expected_quantity - self.good_quantity - self.defect_quantity)


class RfqQuestion(TimeStampedModel):
    """A recipient's question on an RFQ and the owner's answer. Public questions (the
    RFQ's setting when asked) are shown, once answered, to every shop asked."""

    rfq = models.ForeignKey(
        Rfq, verbose_name=_("見積依頼"), on_delete=models.CASCADE, related_name="questions"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("質問した企業"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.TextField(_("質問"), max_length=2000)
    is_public = models.BooleanField(_("全員に公開"), default=True)
    answer = models.TextField(_("回答"), max_length=4000, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.question_scope)

    class Meta:
        verbose_name = _("見積依頼への質問")
        verbose_name_plural = _("見積依頼への質問")
        ordering = ["rfq", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(question=""), name="rfq_question_not_empty"),
        ]

    def __str__(self) -> str:
        # Not the question's text: the name goes into the audit trail (admins read it).
        return f"{self.rfq} (Q-{self.pk})"


class OrderEvent(AppendOnlyModel):
    """The order's history: issued, changed (a new version), accepted, cancelled, each
    with the terms as they stood."""

    order = models.ForeignKey(
        Order, verbose_name=_("注文"), on_delete=models.CASCADE, related_name="events"
    )
    version = models.PositiveSmallIntegerField(_("版"))
    kind = models.CharField(_("内容"), max_length=12, choices=OrderEventKind.choices)
    terms = models.JSONField(_("条件"), default=dict)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(_("日時"), auto_now_add=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.order_event_scope)

    class Meta:
        verbose_name = _("注文の履歴")
        verbose_name_plural = _("注文の履歴")
        ordering = ["order", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} v{self.version} {self.kind}"


class Rating(TimeStampedModel):
    """After a job closes, the owner rates each performer (quality, delivery,
    communication) and each performer rates the owner (clarity of specs, payment on time),
    1–5 with a comment; the rated company may respond once. Individual ratings are seen
    by the two companies; everyone sees the averages on profiles."""

    job = models.ForeignKey(
        Job, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="ratings"
    )
    rater = models.ForeignKey(
        "companies.Company",
        verbose_name=_("評価した企業"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    rated = models.ForeignKey(
        "companies.Company",
        verbose_name=_("評価された企業"),
        on_delete=models.CASCADE,
        related_name="ratings_received",
    )
    rated_as_performer = models.BooleanField(_("受注側としての評価"))
    quality = models.PositiveSmallIntegerField(_("品質"), null=True, blank=True)
    delivery = models.PositiveSmallIntegerField(_("納期"), null=True, blank=True)
    communication = models.PositiveSmallIntegerField(_("やりとり"), null=True, blank=True)
    clarity = models.PositiveSmallIntegerField(_("仕様のわかりやすさ"), null=True, blank=True)
    payment = models.PositiveSmallIntegerField(_("支払いの確実さ"), null=True, blank=True)
    comment = models.TextField(_("コメント"), max_length=2000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.TextField(_("返信"), max_length=2000, blank=True)
    responded_at = models.DateTimeField(_("返信日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.rating_scope)

    class Meta:
        verbose_name = _("評価")
        verbose_name_plural = _("評価")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "rater", "rated"], name="unique_rating"),
            models.CheckConstraint(condition=~Q(rater=models.F("rated")), name="rating_not_self"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"rating_{name}_1_to_5",
                )
                for name in ("quality", "delivery", "communication", "clarity", "payment")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.rater_id} → {self.rated_id} ({self.job_id})"
