from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopfloorConfig(AppConfig):
    name = "machikoba.shopfloor"
    verbose_name = _("現場")

    def ready(self) -> None:
        # Imported here: models (through the selectors) need the app registry ready.
        from machikoba.core.models import AUDIT_VERB_LABELS
        from machikoba.core.notifications import KINDS
        from machikoba.network.network_plan import register_machine_plan_dates
        from machikoba.shopfloor import labels_reports
        from machikoba.shopfloor.demo import simulator_hours
        from machikoba.shopfloor.selectors import planned_dates
        from machikoba.telemetry.simulator import register_shop_hours

        # Network plans place a shop's in-house steps where its machine schedule has them.
        register_machine_plan_dates(planned_dates)
        # The 日報's notification kinds and audit verb labels join core's tables.
        KINDS.update(labels_reports.NOTIFICATION_KINDS)
        AUDIT_VERB_LABELS.update(labels_reports.AUDIT_VERBS)
        # The demo's machine simulator (telemetry) follows each shop's working calendar.
        register_shop_hours(simulator_hours)
