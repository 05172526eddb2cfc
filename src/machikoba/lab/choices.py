"""Kinds and statuses of the 町工場DXラボ, its events and the 産学官金 consortium."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    IOT_KIT = "iot_kit", _("IoTキット・センサー")
    COBOT = "cobot", _("協働ロボット")
    PRINTER_3D = "printer_3d", _("3Dプリンター")
    MEASURING = "measuring", _("測定機器")
    MACHINE = "machine", _("加工機・設備")
    SOFTWARE = "software", _("ソフトウェア")
    OTHER = "other", _("その他")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("予約済み")
    IN_USE = "in_use", _("利用中")
    COMPLETED = "completed", _("利用済み")
    CANCELLED = "cancelled", _("キャンセル")
    NO_SHOW = "no_show", _("無断キャンセル")


# A booking in these statuses holds its slot (capacity, the company's monthly hours).
HOLDING_BOOKING_STATUSES = (BookingStatus.BOOKED, BookingStatus.IN_USE, BookingStatus.COMPLETED)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("空き待ち")
    OFFERED = "offered", _("空きのご案内中")
    BOOKED = "booked", _("予約に変更済み")
    EXPIRED = "expired", _("期限切れ")
    CANCELLED = "cancelled", _("取消し")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("回答待ち")
    ANSWERED = "answered", _("回答済み")
    CLOSED = "closed", _("終了")


class TrialStatus(models.TextChoices):
    REQUESTED = "requested", _("申込み中")
    ACTIVE = "active", _("試用中")
    DECLINED = "declined", _("お断り")
    ENDED = "ended", _("試用終了")
    WITHDRAWN = "withdrawn", _("取下げ")


class EntryKind(models.TextChoices):
    ENTERED = "entered", _("入館")
    LEFT = "left", _("退館")
    REFUSED = "refused", _("入館できず")


class EntryMethod(models.TextChoices):
    PERSONAL_QR = "personal_qr", _("個人QRコード (受付端末で読取り)")
    LAB_CODE = "lab_code", _("ラボのQRコード (本人のスマートフォンで読取り)")
    DESK = "desk", _("受付で記録")
    AUTO = "auto", _("閉館時に自動で退館")


class RefusalReason(models.TextChoices):
    CODE_EXPIRED = "code_expired", _("QRコードの有効期限切れ")
    CODE_USED = "code_used", _("使用済みのQRコード (コピーの疑い)")
    CODE_INVALID = "code_invalid", _("読み取れないQRコード")
    ALREADY_IN = "already_in", _("退館の記録がないまま再入館")
    NOT_IN = "not_in", _("入館の記録がないまま退館")
    CLOSED = "closed", _("閉館時間")
    ACCOUNT_INACTIVE = "account_inactive", _("利用できないアカウント")


class EventKind(models.TextChoices):
    SEMINAR = "seminar", _("セミナー")
    HANDS_ON = "hands_on", _("ハンズオン")
    TRAINING = "training", _("機器の講習 (受講で予約が可能に)")
    EXCHANGE = "exchange", _("交流会")
    MATCHING = "matching", _("ビジネスマッチング会")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("準備中")
    PUBLISHED = "published", _("受付中")
    CANCELLED = "cancelled", _("中止")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("申込み済み")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("キャンセル")
    ATTENDED = "attended", _("出席")


class MatchingSource(models.TextChoices):
    LAB_VISIT = "lab_visit", _("ラボの利用")
    EVENT = "event", _("イベント・セミナー")
    VENDOR_DEMO = "vendor_demo", _("ベンダーのデモ・試用")
    CONSULTATION = "consultation", _("ベンダーへの相談")
    NETWORK = "network", _("デジタル仲間まわし (初めての取引)")


class MatchingAgreement(models.TextChoices):
    TRIAL = "trial", _("試用・試作")
    PURCHASE = "purchase", _("購入・導入")
    JOINT_DEVELOPMENT = "joint_development", _("共同開発")
    ORDER = "order", _("受発注")
    OTHER = "other", _("その他")


class MatchingStatus(models.TextChoices):
    PROPOSED = "proposed", _("双方の確認待ち")
    CONFIRMED = "confirmed", _("成立")
    DECLINED = "declined", _("不成立 (確認できず)")


class FollowUpAnswer(models.TextChoices):
    YES = "yes", _("取引・導入につながった")
    IN_PROGRESS = "in_progress", _("検討・交渉中")
    NO = "no", _("つながらなかった")


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", _("大学・高専")
    BANK = "bank", _("金融機関")
    VENDOR = "vendor", _("ITベンダー")
    SUPPORT_BODY = "support_body", _("支援機関")
    OTHER = "other", _("その他")


class ProjectKind(models.TextChoices):
    PBL = "pbl", _("PBL (課題解決型学習)")
    INTERNSHIP = "internship", _("インターンシップ")
    CO_DEVELOPMENT = "co_development", _("町工場の共同開発")
    OTHER = "other", _("その他")


# Projects with a university: the KPI's 産学連携プロジェクト (M3.P3).
UNIVERSITY_PROJECT_KINDS = (ProjectKind.PBL, ProjectKind.INTERNSHIP)


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("準備中")
    RUNNING = "running", _("実施中")
    COMPLETED = "completed", _("完了")
    CANCELLED = "cancelled", _("中止")


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("紹介済み")
    UNDER_REVIEW = "under_review", _("審査中")
    APPROVED = "approved", _("融資実行")
    DECLINED = "declined", _("見送り")
    WITHDRAWN = "withdrawn", _("取下げ")
