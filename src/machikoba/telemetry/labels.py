"""Audit verb labels of registering machines for monitoring (registered with core in
``TelemetryConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "machine.register": _("監視する設備を登録"),
    "machine.update": _("監視する設備の設定を変更"),
    "machine.deactivate": _("設備の監視を停止"),
    "machine.activate": _("設備の監視を再開"),
    "machine.key_rotate": _("設備の装置キーを作り直し"),
}

__all__ = ["AUDIT_VERBS", "_"]
