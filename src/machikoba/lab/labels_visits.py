"""Notification kinds and audit verb labels of the lab's visits (registered with core in
``LabConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "lab_entry.entered": _("ラボ: 入館"),
    "lab_entry.left": _("ラボ: 退館"),
    "lab_entry.refused": _("ラボ: 入館できず"),
    "lab_visitor.create": _("ラボ: 来館者 (アカウントなし) の受付"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
