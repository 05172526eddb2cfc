from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopfloorConfig(AppConfig):
    name = "machikoba.shopfloor"
    verbose_name = _("現場")

    def ready(self) -> None:
        # Imported here: models (through the selectors) need the app registry ready.
        from machikoba.network.network_plan import register_machine_plan_dates
        from machikoba.shopfloor.selectors import planned_dates

        # Network plans place a shop's in-house steps where its machine schedule has them.
        register_machine_plan_dates(planned_dates)
