from django.db import models
from django.utils.translation import gettext_lazy as _


class WardRole(models.TextChoices):
    OFFICER = "officer", _("区職員 (産業振興担当)")
    ADVISOR = "advisor", _("DXアドバイザー")
    REVIEWER = "reviewer", _("審査員")
    LAB_STAFF = "lab_staff", _("ラボスタッフ")


# Ward roles whose sign-in must be protected by a second factor.
MFA_REQUIRED_WARD_ROLES = (WardRole.OFFICER,)
