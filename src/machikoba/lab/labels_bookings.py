"""Notification kinds and audit verb labels of the lab's bookings (registered with core in
``LabConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {
    "lab_waitlist_offer": (
        _("ラボの空き待ちに空きが出たとき"),
        _("ラボに空きが出ました: %(item)s"),
        _(
            "%(lab)s の「%(item)s」%(when)s に空きが出ました。"
            "%(expires)s までに「予約する」を押すと予約が確定します。"
            "期限を過ぎると次の方にご案内します。"
        ),
    ),
    "lab_booking_cancelled_by_lab": (
        _("ラボが予約を取り消したとき"),
        _("ラボの予約が取り消されました: %(item)s"),
        _("%(lab)s の「%(item)s」%(when)s のご予約を、ラボの担当者が取り消しました。"),
    ),
    "lab_booking_no_show": (
        _("ラボの予約が無断キャンセルになったとき"),
        _("ラボの予約が無断キャンセルになりました: %(item)s"),
        _(
            "%(lab)s の「%(item)s」%(when)s のご予約は、利用開始の記録がないため"
            "無断キャンセルになりました。90日間に %(limit)s 回になると、"
            "しばらく予約ができなくなります。"
        ),
    ),
}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "lab_booking.create": _("ラボの予約: 予約"),
    "lab_booking.modify": _("ラボの予約: 時間の変更"),
    "lab_booking.in_use": _("ラボの予約: 利用開始"),
    "lab_booking.completed": _("ラボの予約: 利用済み"),
    "lab_booking.cancelled": _("ラボの予約: キャンセル"),
    "lab_booking.no_show": _("ラボの予約: 無断キャンセル"),
    "lab_waitlist.join": _("ラボの空き待ち: 登録"),
    "lab_waitlist.offer": _("ラボの空き待ち: 空きのご案内"),
    "lab_waitlist.accept": _("ラボの空き待ち: 予約に変更"),
    "lab_waitlist.expire": _("ラボの空き待ち: 期限切れ"),
    "lab_waitlist.cancel": _("ラボの空き待ち: 取消し"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
