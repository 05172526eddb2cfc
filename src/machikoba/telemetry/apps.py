from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemetryConfig(AppConfig):
    name = "machikoba.telemetry"
    verbose_name = _("設備の稼働データ")
