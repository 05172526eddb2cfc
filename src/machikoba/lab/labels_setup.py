"""Audit verb labels of opening a lab (registered with core in ``LabConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

NOTIFICATION_KINDS: dict = {}

AUDIT_VERBS: dict = {
    "lab.create": _("ラボを開設"),
}
