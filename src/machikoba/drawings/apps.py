from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrawingsConfig(AppConfig):
    name = "machikoba.drawings"
    label = "drawings"
    verbose_name = _("図面・文書")
