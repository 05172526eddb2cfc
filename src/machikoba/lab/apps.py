from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    name = "machikoba.lab"
    verbose_name = _("町工場DXラボ・産学官金連携")

    def ready(self) -> None:
        # The lab's notification kinds and audit verb labels join core's tables: core, a
        # lower layer, cannot name them itself.
        from machikoba.core.models import AUDIT_VERB_LABELS  # app registry ready only now
        from machikoba.core.notifications import KINDS
        from machikoba.lab import (
            labels_bookings,
            labels_catalogue,
            labels_ecosystem,
            labels_events,
            labels_setup,
            labels_vendors,
            labels_visits,
        )

        for labels in (
            labels_setup,
            labels_catalogue,
            labels_bookings,
            labels_vendors,
            labels_visits,
            labels_events,
            labels_ecosystem,
        ):
            KINDS.update(labels.NOTIFICATION_KINDS)
            AUDIT_VERB_LABELS.update(labels.AUDIT_VERBS)
