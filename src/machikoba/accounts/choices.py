from django.db import models
from django.utils.translation import gettext_lazy as _


class WardRole(models.TextChoices):
    OFFICER = "officer", _("区職員 (産業振興担当)")
    ADVISOR = "advisor", _("DXアドバイザー")
    REVIEWER = "reviewer", _("審査員")
    LAB_STAFF = "lab_staff", _("ラボスタッフ")
    # Teaches dojo / leader-course cohorts; sees only the cohorts that name them.
    INSTRUCTOR = "instructor", _("講師")
    # 特別区全体 / 東京都: cross-ward aggregates only, never one company's record.
    METRO_VIEWER = "metro_viewer", _("広域の閲覧者 (特別区全体・都)")


# Ward roles whose sign-in must be protected by a second factor.
MFA_REQUIRED_WARD_ROLES = (WardRole.OFFICER,)
