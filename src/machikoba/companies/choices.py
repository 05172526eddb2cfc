from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyRole(models.TextChoices):
    OWNER = "owner", _("経営者")
    STAFF = "staff", _("事務・技術スタッフ")
    FLOOR_WORKER = "floor_worker", _("現場作業者")


ALL_COMPANY_ROLES = tuple(CompanyRole.values)
EDITOR_ROLES = (CompanyRole.OWNER.value, CompanyRole.STAFF.value)
