from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramKind(models.TextChoices):
    DOJO = "dojo", _("DX道場 (経営者向け)")
    LEADER = "leader", _("デジタル化推進リーダー講座 (従業員向け)")


class ParticipantRole(models.TextChoices):
    """Who a company may send: its owner (the dojo) or staff it nominates (the leader course)."""

    OWNER = "owner", _("経営者本人")
    STAFF = "staff", _("会社が推薦する従業員")


class ApplicationStatus(models.TextChoices):
    ACCEPTED = "accepted", _("受講決定")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    WITHDRAWN = "withdrawn", _("取り下げ")
    DECLINED = "declined", _("受講不可")


# The applications that hold a seat or a place in the queue.
ACTIVE_APPLICATION_STATUSES = (ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LATE = "late", _("遅刻")
    EXCUSED = "excused", _("欠席 (届出あり)")
    ABSENT = "absent", _("欠席")


# The statuses that count as having attended a session (for graduation and the funnel).
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QRコードでチェックイン")
    ROLL_CALL = "roll_call", _("職員が出欠を記録")


class ProblemArea(models.TextChoices):
    ORDERS = "orders", _("受注・見積")
    PRODUCTION = "production", _("生産管理")
    QUALITY = "quality", _("品質")
    EQUIPMENT = "equipment", _("設備")
    PEOPLE = "people", _("人材")
    ACCOUNTING = "accounting", _("経理")


class HomeworkKind(models.TextChoices):
    WORKSHEET = "worksheet", _("課題の棚卸し")
    ROI = "roi", _("投資対効果の試算")
    PLAN = "plan", _("DX計画書")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    SUBMITTED = "submitted", _("提出済み")
    RETURNED = "returned", _("修正依頼")
    ACCEPTED = "accepted", _("承認")


class InvestmentKind(models.TextChoices):
    SOFTWARE = "software", _("ソフトウェア・クラウドサービス")
    EQUIPMENT = "equipment", _("設備・IoT機器")
    TRAINING = "training", _("研修・人材育成")
    CONSULTING = "consulting", _("専門家・コンサルティング")
    OTHER = "other", _("その他")
