from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "machikoba.kpi"
    verbose_name = _("KPIダッシュボード")
