from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from machikoba.core.ids import IdConverter


class CoreConfig(AppConfig):
    name = "machikoba.core"
    label = "core"
    verbose_name = _("基盤")

    def ready(self) -> None:
        # Before any URLconf is loaded: the apps' patterns say <id:pk>.
        register_converter(IdConverter, "id")
