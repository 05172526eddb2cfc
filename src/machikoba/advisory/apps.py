from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisoryConfig(AppConfig):
    name = "machikoba.advisory"
    verbose_name = _("伴走型アドバイザー派遣")
