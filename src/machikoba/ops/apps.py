from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "machikoba.ops"
    verbose_name = _("運用")

    def ready(self) -> None:
        # The worker's log lines name the task they belong to (ops/logging.py).
        from machikoba.ops import tasks_context  # app registry ready only now

        tasks_context.connect()
