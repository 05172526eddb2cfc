from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopfloorConfig(AppConfig):
    name = "machikoba.shopfloor"
    verbose_name = _("現場")
