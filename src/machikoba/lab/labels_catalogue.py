"""Notification kinds and audit verb labels of the lab's catalogue, its settings, vendors as
exhibitors and trainings (registered with core in ``LabConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {
    "lab_exhibit_assigned": (
        _("ラボの展示品の担当になったとき"),
        _("ラボの展示品の担当になりました: %(item)s"),
        _(
            "%(lab)s で「%(item)s」が御社の出展として登録されました。"
            "説明・仕様・写真を最新にしてください。"
        ),
    ),
    "lab_training_revoked": (
        _("ラボの講習の修了記録が取り消されたとき"),
        _("講習の修了記録が取り消されました: %(training)s"),
        _(
            "%(lab)s の「%(training)s」の修了記録が取り消されました。理由: %(reason)s\n"
            "この講習が必要な機器を予約するには、もう一度受講してください。"
        ),
    ),
}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "lab.update": _("ラボの予約ルールを変更"),
    "lab_hours.set": _("ラボの開館時間を変更"),
    "lab_closure.create": _("ラボの臨時休館を追加"),
    "lab_closure.delete": _("ラボの臨時休館を削除"),
    "lab_item.create": _("ラボの機器を登録"),
    "lab_item.update": _("ラボの機器の説明を変更"),
    "lab_item.deactivate": _("ラボの機器を非公開に"),
    "lab_item.activate": _("ラボの機器を公開"),
    "lab_item_photo.create": _("ラボの機器の写真を追加"),
    "lab_item_photo.delete": _("ラボの機器の写真を削除"),
    "lab_training.create": _("ラボの講習を登録"),
    "lab_training.update": _("ラボの講習を変更"),
    "lab_training_record.create": _("講習の修了を記録"),
    "lab_training_record.revoke": _("講習の修了記録を取消し"),
    "lab_vendor.register": _("ITベンダーを登録"),
    "lab_vendor.invite": _("ITベンダーの担当者を招待"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
