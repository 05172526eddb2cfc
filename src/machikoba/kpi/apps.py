from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "machikoba.kpi"
    verbose_name = _("KPIダッシュボード")

    def ready(self) -> None:
        # The audit verb labels of the KPI app join core's table: core, a lower layer,
        # cannot name them itself.
        from machikoba.core.models import AUDIT_VERB_LABELS  # app registry ready only now
        from machikoba.kpi.labels import AUDIT_VERBS

        AUDIT_VERB_LABELS.update(AUDIT_VERBS)
