from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.companies.choices import CompanyRole
from machikoba.companies.validators import validate_corporate_number
from machikoba.core.access import (
    CHANGE,
    DELETE,
    EVERYTHING,
    MANAGE,
    NOTHING,
    VIEW,
    AccessManager,
    AccessPolicy,
    TenantPolicy,
    company_ids_for,
)
from machikoba.core.models import TimeStampedModel

postal_code_validator = RegexValidator(
    r"^\d{3}-?\d{4}$", _("郵便番号は 123-4567 の形で入力してください。")
)


class CompanyPolicy(AccessPolicy):
    """Profiles are the cluster's shop window: every signed-in user may view them.

    Only the company's owners and staff change the profile; owners manage members.
    """

    def scope(self, user, action):
        if action == VIEW:
            return EVERYTHING
        roles = {
            CHANGE: (CompanyRole.OWNER, CompanyRole.STAFF),
            DELETE: (),
            MANAGE: (CompanyRole.OWNER,),
        }[action]
        if not roles:
            return NOTHING
        return Q(pk__in=company_ids_for(user, roles))


class Company(TimeStampedModel):
    """A 町工場 (or buyer): the tenant that owns jobs, drawings and shop-floor data."""

    name = models.CharField(_("企業名"), max_length=200)
    name_kana = models.CharField(_("企業名 (カナ)"), max_length=200, blank=True)
    name_en = models.CharField(_("企業名 (英語)"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("法人番号"),
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("国税庁が指定する13桁の番号です。個人事業主の場合は空欄にします。"),
    )
    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    employees = models.PositiveIntegerField(_("従業員数"), null=True, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)

    objects = AccessManager()
    access_policy = CompanyPolicy()

    class Meta:
        verbose_name = _("企業")
        verbose_name_plural = _("企業")
        ordering = ["name_kana", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="company_name_not_empty"),
            models.CheckConstraint(
                condition=Q(corporate_number__isnull=True) | Q(corporate_number__regex=r"^\d{13}$"),
                name="company_corporate_number_13_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A person's place in a company, with their company role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ユーザー"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("社内の役割"), max_length=20, choices=CompanyRole.choices)

    objects = AccessManager()
    access_policy = TenantPolicy(
        change_roles=(CompanyRole.OWNER,), delete_roles=(CompanyRole.OWNER,)
    )

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["company__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="unique_membership"),
            models.CheckConstraint(
                condition=Q(role__in=CompanyRole.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.get_role_display()})"
