from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.accounts import access
from machikoba.accounts.choices import WardRole
from machikoba.core.access import AccessManager, ScopedPolicy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("users need an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; roles come from memberships and ward role grants."""

    email = models.EmailField(_("メールアドレス"), unique=True)
    name = models.CharField(_("氏名"), max_length=100, blank=True)
    name_kana = models.CharField(_("氏名 (カナ)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(
        _("プラットフォーム管理者"),
        default=False,
        help_text=_("管理画面を使える IT 運用担当者です。"),
    )
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]


class WardRoleAssignment(models.Model):
    """An explicit grant of a ward role (officer, advisor, reviewer, lab staff, metro
    viewer) to a user, for the municipality it names or for every municipality of the
    group it names (a joint programme; 特別区 for a metro viewer). A metro viewer may name
    neither: the whole platform. A grant of another role naming neither serves no ward
    (``clean`` refuses to make one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ユーザー"),
        on_delete=models.CASCADE,
        related_name="ward_roles",
    )
    role = models.CharField(_("役割"), max_length=20, choices=WardRole.choices)
    municipality = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("自治体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    group = models.ForeignKey(
        "wards.MunicipalityGroup",
        verbose_name=_("自治体のグループ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
        help_text=_("複数の区が共同で行う事業 (共同ラボなど) や、特別区全体の閲覧者のとき。"),
    )
    granted_at = models.DateTimeField(_("付与日時"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("付与者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_until = models.DateField(_("有効期限"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.ward_role_assignment_scope)

    class Meta:
        verbose_name = _("区の役割")
        verbose_name_plural = _("区の役割")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=models.Q(municipality__isnull=False),
                name="unique_ward_role_per_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "group"],
                condition=models.Q(group__isnull=False),
                name="unique_ward_role_per_group",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(municipality__isnull=True, group__isnull=True),
                name="unique_platform_wide_ward_role",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=WardRole.values), name="ward_role_known"
            ),
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=True) | models.Q(group__isnull=True),
                name="ward_role_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.scope_name})"

    @property
    def scope_name(self) -> str:
        if self.municipality_id:
            return str(self.municipality)
        if self.group_id:
            return str(self.group)
        return str(_("全自治体"))

    def clean(self) -> None:
        super().clean()
        if self.municipality_id and self.group_id:
            raise ValidationError(
                {"group": _("自治体かグループの、どちらか一方を選んでください。")}
            )
        if self.role != WardRole.METRO_VIEWER and not (self.municipality_id or self.group_id):
            raise ValidationError(
                {
                    "municipality": _(
                        "この役割は、担当する自治体 (またはグループ) を選んでください。"
                    )
                }
            )
