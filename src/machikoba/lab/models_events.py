"""Lab events: seminars, hands-on sessions, training sessions (attending one, staff
record the training), exchange meetings and matching sessions; registrations with a
capacity and a waitlist, attendance by the entry QR, and a short survey afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.core.models import TimeStampedModel
from machikoba.lab import access
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus


class Event(TimeStampedModel):
    lab = models.ForeignKey(
        "lab.Lab", verbose_name=_("ラボ"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("種類"), max_length=12, choices=EventKind.choices)
    title = models.CharField(_("タイトル"), max_length=120)
    description = models.TextField(_("内容"), blank=True)
    training = models.ForeignKey(
        "lab.Training",
        verbose_name=_("講習"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("講習の回なら、修了で予約できるようになる講習"),
    )
    host = models.ForeignKey(
        "companies.Company",
        verbose_name=_("共催ベンダー"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    place = models.CharField(_("会場"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(_("定員"))
    registration_closes_at = models.DateTimeField(_("申込みの締切"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    reminded_at = models.DateTimeField(_("前日の案内を送った日時"), null=True, blank=True)
    survey_sent_at = models.DateTimeField(_("アンケートを送った日時"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.event_scope)

    class Meta:
        verbose_name = _("ラボのイベント")
        verbose_name_plural = _("ラボのイベント")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_order"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=~Q(kind=EventKind.TRAINING) | Q(training__isnull=False),
                name="event_training_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(TimeStampedModel):
    """A person's place at an event (or on its waitlist, in ``created_at`` order). A desk
    visitor without an account may be registered by staff."""

    event = models.ForeignKey(
        Event, verbose_name=_("イベント"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参加者"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lab_registrations",
    )
    visitor = models.ForeignKey(
        "lab.Visitor",
        verbose_name=_("参加者 (アカウントなし)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状態"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    attended_at = models.DateTimeField(_("出席日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("キャンセル日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.registration_scope)

    class Meta:
        verbose_name = _("イベントの申込み")
        verbose_name_plural = _("イベントの申込み")
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(visitor__isnull=False),
                name="registration_has_person",
            ),
            # One live registration per person and event; a cancelled one stays as
            # history, and the person may register again.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False) & ~Q(status=RegistrationStatus.CANCELLED),
                name="unique_event_registration_user",
            ),
            models.UniqueConstraint(
                fields=["event", "visitor"],
                condition=Q(visitor__isnull=False) & ~Q(status=RegistrationStatus.CANCELLED),
                name="unique_event_registration_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.user or self.visitor}"


class SurveyResponse(TimeStampedModel):
    """The short survey after an event: how useful, and whether the participant met
    someone to do business with (which staff may turn into a matching)."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("申込み"),
        on_delete=models.CASCADE,
        related_name="survey",
    )
    rating = models.PositiveSmallIntegerField(_("満足度 (1〜5)"))
    useful = models.BooleanField(_("自社の役に立ちそう"))
    met_partner = models.CharField(_("商談・連携につながりそうな相手"), max_length=200, blank=True)
    comment = models.CharField(_("ご意見"), max_length=1000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.survey_scope)

    class Meta:
        verbose_name = _("イベント後のアンケート")
        verbose_name_plural = _("イベント後のアンケート")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="survey_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} ({self.rating})"
