from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyRole(models.TextChoices):
    OWNER = "owner", _("経営者")
    STAFF = "staff", _("事務・技術スタッフ")
    FLOOR_WORKER = "floor_worker", _("現場作業者")


class CompanyKind(models.TextChoices):
    """Shops are the ward's 町工場 (the directory, the open board); buyers post work into
    the network and may be outside the ward."""

    SHOP = "shop", _("町工場 (区内の加工企業)")
    BUYER = "buyer", _("発注企業")
    # Partners of the DX Lab and the consortium (lab.Partner): their people see what is
    # addressed to them (their exhibits and its bookings; a bank, its loan referrals).
    VENDOR = "vendor", _("ITベンダー")
    BANK = "bank", _("金融機関")


# The lab's and the consortium's partners: companies on the platform, not the ward's
# manufacturers or buyers (the ward's figures leave them out; their menu leads to their
# own work).
PARTNER_KINDS = (CompanyKind.VENDOR, CompanyKind.BANK)


class SuccessorStatus(models.TextChoices):
    DECIDED = "decided", _("後継者決定")
    CANDIDATE = "candidate", _("候補者あり")
    UNDECIDED = "undecided", _("未定")
    NOT_NEEDED = "not_needed", _("当面不要")


class DXStage(models.IntegerChoices):
    """The DX maturity scale of the policy paper (段階0–4)."""

    STAGE_0 = 0, _("段階0: 紙・電話中心で、デジタル化に未着手")
    STAGE_1 = 1, _("段階1: メール・表計算など一部をデジタル化")
    STAGE_2 = 2, _("段階2: 業務ごとにソフトやクラウドを導入")
    STAGE_3 = 3, _("段階3: データを連携し、現場と経営で活用")
    STAGE_4 = 4, _("段階4: デジタルで事業やビジネスモデルを変革")


class LocationSource(models.TextChoices):
    POSTAL_CODE = "postal_code", _("郵便番号の地域の代表点")
    MANUAL = "manual", _("地図で指定")


class CertificationKindGroup(models.TextChoices):
    MANAGEMENT = "management", _("マネジメントシステム")
    INDUSTRY = "industry", _("業界規格")
    ENVIRONMENT = "environment", _("環境")
    PROCESS = "process", _("工程・技能")
    OTHER = "other", _("その他")


class ClaimStatus(models.TextChoices):
    """A request for a company's first account (see ``models_claims.CompanyClaim``)."""

    EMAIL_SENT = "email_sent", _("登録メールアドレスに確認メールを送付")
    CODE_SENT = "code_sent", _("確認コードを送付")
    LETTER_REQUESTED = "letter_requested", _("確認コードの郵送待ち")
    LETTER_SENT = "letter_sent", _("確認コードを郵送済み")
    AWAITING_OFFICER = "awaiting_officer", _("区の承認待ち")
    APPROVED = "approved", _("承認済み (パスワード設定待ち)")
    REJECTED = "rejected", _("見送り")
    EXPIRED = "expired", _("期限切れ")
    COMPLETED = "completed", _("アカウント作成済み")


class JoinMethod(models.TextChoices):
    """How a signed-up person proves they run the company they claim (a ward chooses
    which of these it offers: ``JoinPolicy``)."""

    CODE = "code", _("区の台帳の連絡先 (メール・電話) に届く確認コード")
    LETTER = "letter", _("区から郵送される確認コード")
    OFFICER = "officer", _("区の担当者による確認 (登記事項証明書・訪問)")


# The directory's ward filter value for companies outside every registered municipality.
OUTSIDE_WARDS = "outside"
