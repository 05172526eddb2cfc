"""Notification kinds and audit verb labels of the lab's events (registered with core in
``LabConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {
    "lab_event_registered": (
        _("ラボのイベントに申し込んだとき"),
        _("イベントの申込みを受け付けました: %(title)s"),
        _("「%(title)s」(%(starts)s、%(place)s) の申込みを受け付けました。"),
    ),
    "lab_event_waitlisted": (
        _("ラボのイベントでキャンセル待ちになったとき"),
        _("キャンセル待ちで受け付けました: %(title)s"),
        _(
            "「%(title)s」(%(starts)s) は満席のため、キャンセル待ち (%(position)s 番目) で"
            "受け付けました。空きが出たら順に繰り上げて、お知らせします。"
        ),
    ),
    "lab_event_promoted": (
        _("ラボのイベントのキャンセル待ちから繰り上がったとき"),
        _("キャンセル待ちから繰り上がりました: %(title)s"),
        _(
            "「%(title)s」(%(starts)s、%(place)s) に空きが出たため、参加が決まりました。"
            "参加できなくなったら、キャンセルしてください。"
        ),
    ),
    "lab_event_cancelled": (
        _("申し込んだラボのイベントが中止になったとき"),
        _("イベントは中止になりました: %(title)s"),
        _("%(starts)s の「%(title)s」は中止になりました。%(reason)s"),
    ),
    "lab_event_reminder": (
        _("申し込んだラボのイベントの前日"),
        _("明日のイベントのご案内: %(title)s"),
        _(
            "「%(title)s」は %(starts)s から、%(place)s で開きます。"
            "参加できなくなったら、キャンセルしてください。"
        ),
    ),
    "lab_event_survey": (
        _("参加したラボのイベントのアンケート"),
        _("アンケートのお願い: %(title)s"),
        _(
            "「%(title)s」にご参加いただき、ありがとうございました。"
            "1分で終わるアンケートにご協力ください。"
        ),
    ),
    "lab_event_training_recorded": (
        _("ラボの講習の修了が記録されたとき"),
        _("講習の修了を記録しました: %(training)s"),
        _(
            "「%(training)s」の修了を記録しました (有効期限 %(expires)s)。"
            "対象の機器を予約できます。"
        ),
    ),
}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "lab_registration.registered": _("イベント: キャンセル待ちから繰上げ"),
    "lab_registration.attended": _("イベント: 出席"),
    "lab_registration.cancelled": _("イベント: 申込みのキャンセル"),
    "lab_registration.create": _("イベント: 申込み"),
    "lab_registration.waitlist": _("イベント: キャンセル待ちで申込み"),
    "lab_event.create": _("イベント: 作成"),
    "lab_event.update": _("イベント: 変更"),
    "lab_event.publish": _("イベント: 公開"),
    "lab_event.cancel": _("イベント: 中止"),
    "lab_event.remind": _("イベント: 前日の案内を送信"),
    "lab_event.survey_send": _("イベント: アンケートを送信"),
    "lab_survey.submit": _("イベント: アンケートに回答"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
