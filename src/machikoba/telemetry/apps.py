from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemetryConfig(AppConfig):
    name = "machikoba.telemetry"
    verbose_name = _("設備の稼働データ")

    def ready(self) -> None:
        # The audit verb labels of registering machines join core's table: core, a lower
        # layer, cannot name them itself.
        from machikoba.core.models import AUDIT_VERB_LABELS  # app registry ready only now
        from machikoba.telemetry.labels import AUDIT_VERBS

        AUDIT_VERB_LABELS.update(AUDIT_VERBS)
