"""Notification kinds and audit verb labels of the daily reports (日報), registered with
core in ``ShopfloorConfig.ready`` (core, a lower layer, cannot name them itself)."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {
    "floor_report_returned": (
        _("日報が差し戻されたとき"),
        _("日報が差し戻されました: %(date)s"),
        _(
            "%(date)s の日報が %(reviewer)s さんから差し戻されました。理由: %(note)s "
            "直してから、もう一度提出してください。"
        ),
    ),
}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "floor_report.submitted": _("日報: 提出"),
    "floor_report.approved": _("日報: 承認"),
    "floor_report.returned": _("日報: 差し戻し"),
    "floor_entry.create": _("日報の作業: 記録"),
    "floor_entry.start": _("日報の作業: 開始"),
    "floor_entry.stop": _("日報の作業: 終了"),
    "floor_entry.update": _("日報の作業: 修正"),
    "floor_entry.delete": _("日報の作業: 削除"),
    "floor_photo.create": _("日報の写真: 追加"),
    "floor_photo.delete": _("日報の写真: 削除"),
    "floor_reason.create": _("停止・不良の理由: 追加"),
    "floor_reason.update": _("停止・不良の理由: 変更"),
    "floor_reason.seed": _("停止・不良の理由: 初期設定"),
    "floor_rates.update": _("時間単価: 変更"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
