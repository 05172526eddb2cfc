from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    BOARD = "board", _("掲示板 (仲間まわしの参加企業すべて)")
    CHOSEN = "chosen", _("選んだ企業だけ")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    AWARDED = "awarded", _("発注先決定")
    CANCELLED = "cancelled", _("取り下げ")


class AdmissionStatus(models.TextChoices):
    REQUESTED = "requested", _("承認待ち")
    ADMITTED = "admitted", _("承認済み")
    REFUSED = "refused", _("見送り")


class TeamStatus(models.TextChoices):
    FORMING = "forming", _("編成中")
    QUOTED = "quoted", _("見積提出済み")
    AWARDED = "awarded", _("受注")
    NOT_AWARDED = "not_awarded", _("失注")
    WITHDRAWN = "withdrawn", _("辞退")
    CANCELLED = "cancelled", _("発注者が取り消し")


class MemberStatus(models.TextChoices):
    INVITED = "invited", _("参加の依頼中")
    JOINED = "joined", _("参加")
    DECLINED = "declined", _("辞退")
    REMOVED = "removed", _("外れた")


# The members a team counts: asked or joined (not those who declined or were taken off).
IN_TEAM = (MemberStatus.INVITED, MemberStatus.JOINED)


# The board's own non-disclosure terms, accepted per request before its details are
# shown. Versioned: an acceptance records the version it was given for.
BOARD_NDA_VERSION = "board-nda-1"
BOARD_NDA_TEXT = _(
    "1. この引き合いの詳細 (図面・発注企業名・仕様・納入場所) は、見積と製作のためだけに"
    "使います。\n"
    "2. 発注企業の書面による同意なく、第三者 (共同受注のチームに加わらない企業を含む) に"
    "開示しません。\n"
    "3. 受注しなかった場合は、受け取った情報を速やかに破棄します。\n"
    "4. この同意の記録 (日時・同意した人・IP アドレス) は、発注企業が確認できます。"
)
