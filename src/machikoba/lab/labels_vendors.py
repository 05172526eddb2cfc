"""Notification kinds and audit verb labels of the lab's vendors (registered with core in
``LabConfig.ready``): demo slots and seats, consultations (導入相談), software trials."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {
    # to the vendor
    "lab_demo_booked": (
        _("ラボのデモに予約が入ったとき (ベンダー)"),
        _("デモの予約: %(item)s"),
        _(
            "%(company)s が %(when)s の「%(item)s」のデモを予約しました"
            " (予約 %(taken)s / 定員 %(seats)s 社)。"
        ),
    ),
    "lab_demo_seat_cancelled": (
        _("ラボのデモの予約が取り消されたとき (ベンダー)"),
        _("デモの予約の取消し: %(item)s"),
        _("%(company)s が %(when)s の「%(item)s」のデモの予約を取り消しました。"),
    ),
    "lab_consultation_received": (
        _("導入相談が届いたとき (ベンダー)"),
        _("導入相談が届きました: %(subject)s"),
        _("%(company)s から「%(item)s」について導入相談が届きました: %(subject)s"),
    ),
    "lab_trial_requested": (
        _("ソフトウェアの試用の申込みが届いたとき (ベンダー)"),
        _("試用の申込み: %(item)s"),
        _(
            "%(company)s から「%(item)s」の試用の申込みが届きました。"
            "承認するかお断りするかを選んでください。"
        ),
    ),
    "lab_trial_withdrawn": (
        _("ソフトウェアの試用が取り下げられたとき (ベンダー)"),
        _("試用の取下げ: %(item)s"),
        _("%(company)s が「%(item)s」の試用を取り下げました。"),
    ),
    # to the shop
    "lab_demo_cancelled": (
        _("予約したラボのデモが中止になったとき"),
        _("デモの中止: %(item)s"),
        _("%(when)s の「%(item)s」のデモは、%(vendor)s の都合で中止になりました。%(reason)s"),
    ),
    "lab_consultation_answered": (
        _("導入相談に回答があったとき"),
        _("導入相談への回答: %(subject)s"),
        _("%(vendor)s が導入相談「%(subject)s」に回答しました。"),
    ),
    "lab_trial_approved": (
        _("ソフトウェアの試用が承認されたとき"),
        _("試用が始まります: %(item)s"),
        _(
            "%(vendor)s が「%(item)s」の試用を承認しました。試用期間は %(starts)s から"
            " %(ends)s までです。ライセンスの案内をご確認ください。"
        ),
    ),
    "lab_trial_declined": (
        _("ソフトウェアの試用がお断りされたとき"),
        _("試用の申込みの結果: %(item)s"),
        _("%(vendor)s は「%(item)s」の試用をお断りしました (理由: %(reason)s)。"),
    ),
    "lab_trial_ended": (
        _("ソフトウェアの試用期間が終わったとき"),
        _("試用期間が終わりました: %(item)s"),
        _("「%(item)s」の試用期間 (%(ends)s まで) が終わりました。"),
    ),
}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "lab_demo_slot.publish": _("ラボのデモの枠を公開"),
    "lab_demo_slot.cancel": _("ラボのデモの枠を中止"),
    "lab_demo_booking.create": _("ラボのデモを予約"),
    "lab_consultation.create": _("ベンダーへの導入相談を送信"),
    "lab_consultation.answer": _("導入相談に回答"),
    "lab_consultation.close": _("導入相談を終了"),
    "lab_trial.request": _("ソフトウェアの試用を申込み"),
    "lab_trial.approve": _("ソフトウェアの試用を承認"),
    "lab_trial.decline": _("ソフトウェアの試用をお断り"),
    "lab_trial.withdraw": _("ソフトウェアの試用を取下げ"),
    "lab_trial.end": _("ソフトウェアの試用を終了"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
