from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "machikoba.subsidies"
    verbose_name = _("DX導入補助金")
