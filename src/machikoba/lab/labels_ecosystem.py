"""Notification kinds and audit verb labels of the lab's ecosystem (registered with core in
``LabConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

# kind → (label for the settings page, subject, body), as core.notifications.KINDS.
NOTIFICATION_KINDS: dict = {
    "lab_project_joined": (
        _("連携プロジェクトの参加企業になったとき"),
        _("連携プロジェクトに参加: %(title)s"),
        _("%(ward)s の連携プロジェクト「%(title)s」の参加企業として登録されました。"),
    ),
    "lab_referral_made": (
        _("DX融資の紹介を受けたとき"),
        _("DX融資の紹介: %(bank)s"),
        _(
            "%(ward)s から %(bank)s にDX融資のご紹介をしました (希望額 %(amount)s)。"
            "金融機関から連絡があります。"
        ),
    ),
    "lab_referral_received": (
        _("金融機関: DX融資の紹介が届いたとき"),
        _("DX融資の紹介が届きました: %(company)s"),
        _(
            "%(ward)s から %(company)s のDX融資のご紹介が届きました (希望額 %(amount)s)。"
            "審査の結果を記録してください。"
        ),
    ),
    "lab_referral_decided": (
        _("DX融資の紹介の結果が記録されたとき"),
        _("DX融資の結果: %(status)s"),
        _("%(bank)s がDX融資のご紹介の結果を記録しました: %(status)s"),
    ),
    "lab_referral_withdrawn": (
        _("金融機関: DX融資の紹介が取り下げられたとき"),
        _("DX融資の紹介の取下げ: %(company)s"),
        _("%(ward)s が %(company)s のDX融資のご紹介を取り下げました。"),
    ),
    "lab_matching_proposed": (
        _("ビジネスマッチングの確認のお願いが届いたとき"),
        _("ビジネスマッチングの確認: %(partner)s"),
        _(
            "%(event)s のアンケートから、%(partner)s とのビジネスマッチング"
            " (%(agreement)s) を登録しました。内容を確認してください。"
        ),
    ),
    "lab_matching_follow_up": (
        _("ビジネスマッチングの3か月後の確認が届いたとき"),
        _("取引につながりましたか? %(partner)s"),
        _(
            "%(agreed_on)s に %(partner)s と合意したビジネスマッチング (%(agreement)s) は、"
            "取引につながりましたか? ひとこと教えてください。"
        ),
    ),
}

# verb → label, as core.models.AUDIT_VERB_LABELS.
AUDIT_VERBS: dict = {
    "lab.partner.create": _("連携先を登録"),
    "lab.partner.update": _("連携先を変更"),
    "lab.partner.deactivate": _("連携先の参加を終了"),
    "lab.partner.reactivate": _("連携先の参加を再開"),
    "lab.project.create": _("連携プロジェクトを登録"),
    "lab.project.update": _("連携プロジェクトを変更"),
    "lab.project.status": _("連携プロジェクトの状態を変更"),
    "lab.project.participant.add": _("連携プロジェクトに参加者を追加"),
    "lab.project.participant.remove": _("連携プロジェクトの参加者を外す"),
    "lab.project.document.add": _("連携プロジェクトの資料を登録"),
    "lab.project.document.remove": _("連携プロジェクトの資料を削除"),
    "lab.referral.create": _("DX融資を紹介"),
    "lab.referral.outcome": _("DX融資の結果を記録"),
    "lab.referral.withdraw": _("DX融資の紹介を取下げ"),
    "lab.matching.record": _("ビジネスマッチングを記録"),
    "lab.matching.propose": _("アンケートからビジネスマッチングを提案"),
    "lab.matching.confirm": _("ビジネスマッチングを確認"),
    "lab.matching.decline": _("ビジネスマッチングを否認"),
    "lab.matching.follow_up.ask": _("ビジネスマッチングの3か月後の確認を送信"),
    "lab.matching.follow_up.answer": _("ビジネスマッチングの3か月後の確認に回答"),
}

__all__ = ["AUDIT_VERBS", "NOTIFICATION_KINDS", "_"]
