"""町工場DXラボ: the lab (its hours, closures and booking rules as data), its catalogue of
equipment and software (owned by the lab or exhibited by an IT vendor) and the trainings
that unlock items.

Bookings and the waitlist are in ``models_bookings``; vendors' demo slots, consultations
and software trials in ``models_vendors``; the
entry log (入退館) in ``models_visits``; events and seminars in ``models_events``; the
consortium (partners, projects, DX-loan referrals) and business matchings in
``models_ecosystem``. Every row belongs to a ward through its lab (``Lab.municipality``);
who sees what is decided in ``lab.access``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel, UploadedDocument
from machikoba.lab import access
from machikoba.lab.choices import ItemKind


def _kiosk_secret() -> str:
    return secrets.token_hex(32)


class Lab(TimeStampedModel):
    """One 町工場DXラボ, run by the lab staff of its ward (or of a group of wards running it
    together: a grant naming the group serves every member). The rules a lab manager
    changes are fields, not constants."""

    municipality = models.ForeignKey(
        "wards.Municipality", verbose_name=_("区"), on_delete=models.PROTECT, related_name="labs"
    )
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    description = models.TextField(_("ご案内"), blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("予約の単位 (分)"), default=30)
    cutoff_hours = models.PositiveSmallIntegerField(
        _("変更・キャンセルの締切 (開始の何時間前まで)"), default=24
    )
    book_days_ahead = models.PositiveSmallIntegerField(_("何日先まで予約できるか"), default=60)
    max_hours_per_company_month = models.PositiveSmallIntegerField(
        _("1社あたり月の利用上限 (時間)"), default=20
    )
    no_show_grace_minutes = models.PositiveSmallIntegerField(
        _("無断キャンセルとみなすまでの時間 (分)"), default=30
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("予約を止める無断キャンセルの回数 (90日間)"), default=3
    )
    offer_hours = models.PositiveSmallIntegerField(_("空き待ちへの案内の有効時間"), default=12)
    closed_on_holidays = models.BooleanField(_("祝日は休館"), default=True)
    closed_year_end = models.BooleanField(_("年末年始 (12/29〜1/3) は休館"), default=True)
    entry_code_seconds = models.PositiveSmallIntegerField(
        _("入館QRコードの有効時間 (秒)"), default=60
    )
    kiosk_secret = models.CharField(max_length=64, default=_kiosk_secret, editable=False)
    active = models.BooleanField(_("運営中"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.lab_scope, access.lab_anonymous_scope)

    class Meta:
        verbose_name = _("町工場DXラボ")
        verbose_name_plural = _("町工場DXラボ")
        ordering = ["municipality__code", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="lab_slot_minutes_min"),
            models.CheckConstraint(
                condition=Q(entry_code_seconds__gte=15), name="lab_entry_code_seconds_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """The hours a lab opens on one weekday (0 = Monday); a weekday without a row is a
    closed day."""

    lab = models.ForeignKey(
        Lab, verbose_name=_("ラボ"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("曜日"))
    opens = models.TimeField(_("開館"))
    closes = models.TimeField(_("閉館"))

    objects = AccessManager()
    access_policy = ScopedPolicy(access.lab_part_scope, access.lab_part_anonymous_scope)

    class Meta:
        verbose_name = _("開館時間")
        verbose_name_plural = _("開館時間")
        ordering = ["lab", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "weekday"], name="unique_lab_weekday"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_range"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_order"),
        ]

    def __str__(self) -> str:
        return f"{self.lab} {self.weekday} {self.opens}–{self.closes}"


class Closure(models.Model):
    """Days the lab is closed beyond its weekly hours, holidays and the year end (点検日,
    an event elsewhere …)."""

    lab = models.ForeignKey(
        Lab, verbose_name=_("ラボ"), on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("休館の初日"))
    ends_on = models.DateField(_("休館の最終日"))
    reason = models.CharField(_("理由"), max_length=120)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.lab_part_scope, access.lab_part_anonymous_scope)

    class Meta:
        verbose_name = _("臨時休館")
        verbose_name_plural = _("臨時休館")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="closure_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on} {self.reason}"


class Item(TimeStampedModel):
    """One thing in the catalogue: equipment to book or software to try. Owned by the lab,
    or exhibited by an IT vendor (``exhibitor``, a company of kind ``vendor``) whose people
    keep it up to date."""

    lab = models.ForeignKey(
        Lab, verbose_name=_("ラボ"), on_delete=models.PROTECT, related_name="items"
    )
    kind = models.CharField(_("種類"), max_length=16, choices=ItemKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    maker = models.CharField(_("メーカー"), max_length=80, blank=True)
    model_number = models.CharField(_("型式"), max_length=80, blank=True)
    summary = models.CharField(_("ひとことで"), max_length=200)
    use_cases = models.TextField(_("町工場での使いみち"), blank=True)
    specs = models.TextField(_("仕様"), blank=True)
    safety_notes = models.TextField(_("安全上の注意"), blank=True)
    exhibitor = models.ForeignKey(
        "companies.Company",
        verbose_name=_("出展ベンダー"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lab_exhibits",
        help_text=_("ラボの所有物なら空欄"),
    )
    capacity = models.PositiveSmallIntegerField(_("同時に予約できる数"), default=1)
    bookable = models.BooleanField(_("時間予約できる"), default=True)
    trial_days = models.PositiveSmallIntegerField(
        _("試用ライセンスの最長日数"), null=True, blank=True, help_text=_("ソフトウェアのみ")
    )
    active = models.BooleanField(_("公開中"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.item_scope, access.item_anonymous_scope)

    class Meta:
        verbose_name = _("ラボの機器・ソフトウェア")
        verbose_name_plural = _("ラボの機器・ソフトウェア")
        ordering = ["lab", "kind", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="item_capacity_positive"),
            models.CheckConstraint(
                condition=Q(trial_days__isnull=True) | Q(trial_days__gte=1),
                name="item_trial_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_software(self) -> bool:
        return self.kind == ItemKind.SOFTWARE


class ItemPhoto(UploadedDocument):
    """A photo of a catalogue item (checked and stored by ``drawings.uploads``)."""

    item = models.ForeignKey(
        Item, verbose_name=_("機器"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("ファイル"), upload_to="lab/items/%Y/%m/", max_length=200)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.item_part_scope, access.item_part_anonymous_scope)

    class Meta:
        verbose_name = _("機器の写真")
        verbose_name_plural = _("機器の写真")
        ordering = ["item", "id"]


class Training(TimeStampedModel):
    """A training (講習) that unlocks items: booking one of them needs a valid record of
    it. Its sessions are events of kind ``training``."""

    lab = models.ForeignKey(
        Lab, verbose_name=_("ラボ"), on_delete=models.PROTECT, related_name="trainings"
    )
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("内容"), blank=True)
    unlocks = models.ManyToManyField(
        Item, verbose_name=_("予約できるようになる機器"), related_name="required_trainings"
    )
    validity_days = models.PositiveSmallIntegerField(_("有効期間 (日)"), default=365)
    active = models.BooleanField(_("実施中"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.training_scope, access.training_anonymous_scope)

    class Meta:
        verbose_name = _("講習")
        verbose_name_plural = _("講習")
        ordering = ["lab", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_days__gte=1), name="training_validity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingRecord(TimeStampedModel):
    """A person passed a training on ``passed_on``; valid through ``expires_on`` unless
    revoked. Lab staff record it (from a session's attendance, or by hand)."""

    training = models.ForeignKey(
        Training, verbose_name=_("講習"), on_delete=models.PROTECT, related_name="records"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受講者"),
        on_delete=models.CASCADE,
        related_name="lab_training_records",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("所属企業"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.ForeignKey(
        "lab.Event",
        verbose_name=_("受講した回"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_records",
    )
    passed_on = models.DateField(_("修了日"))
    expires_on = models.DateField(_("有効期限"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        null=True,
        blank=True,  # the system records a pass from a session's attendance
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("取消し日時"), null=True, blank=True)
    revoke_reason = models.CharField(_("取消しの理由"), max_length=200, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.training_record_scope)

    class Meta:
        verbose_name = _("講習の修了記録")
        verbose_name_plural = _("講習の修了記録")
        ordering = ["-passed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("passed_on")), name="training_record_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training} / {self.user}"


from machikoba.lab.models_bookings import Booking, WaitlistEntry  # noqa: E402, F401
from machikoba.lab.models_ecosystem import (  # noqa: E402, F401
    LoanReferral,
    Matching,
    Partner,
    Project,
    ProjectDocument,
    ProjectParticipant,
)
from machikoba.lab.models_events import Event, Registration, SurveyResponse  # noqa: E402, F401
from machikoba.lab.models_vendors import Consultation, DemoSlot, TrialRequest  # noqa: E402, F401
from machikoba.lab.models_visits import EntryEvent, Visitor  # noqa: E402, F401
