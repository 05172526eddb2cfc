from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WardsConfig(AppConfig):
    name = "machikoba.wards"
    label = "wards"
    verbose_name = _("自治体")
