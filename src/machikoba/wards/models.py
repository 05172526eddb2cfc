"""Municipalities and their groups.

A ``Municipality`` is a ward or city with its 全国地方公共団体コード; the 23 special wards
come with the platform (migration 0002), others are added by a platform admin. A
``MunicipalityGroup`` (特別区) gathers municipalities for what they do together: a metro
viewer's aggregates, a programme or a lab several wards run jointly. Support-office
records belong to a municipality, and ward roles name the one (or the group) they serve
(``core.access.municipality_ids_for``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy
from machikoba.wards import access
from machikoba.wards.validators import validate_local_government_code


class MunicipalityGroup(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("名称 (英語)"), max_length=100, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.municipality_scope, access.municipality_anonymous_scope)

    class Meta:
        verbose_name = _("自治体のグループ")
        verbose_name_plural = _("自治体のグループ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Municipality(models.Model):
    code = models.CharField(
        _("地方公共団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
        help_text=_("6 桁 (検査数字を含む)。例: 大田区 131113"),
    )
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("名称 (英語)"), max_length=100, blank=True)
    prefecture = models.CharField(_("都道府県"), max_length=10)
    group = models.ForeignKey(
        MunicipalityGroup,
        verbose_name=_("グループ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="municipalities",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.municipality_scope, access.municipality_anonymous_scope)

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def jis_code(self) -> str:
        """The five digits of JIS X 0402 (postal data and statistics use them)."""
        return self.code[:5]
