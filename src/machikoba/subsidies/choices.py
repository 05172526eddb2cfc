"""Statuses and kinds of the DX subsidy, from the call to the fifth 事業化状況報告."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    """The life of an application, as jGrants and the ものづくり補助金 run it: 採択 makes the
    company a 交付候補 only; money is granted by 交付決定 and fixed by 額の確定."""

    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済み (受付)")
    RETURNED = "returned", _("差戻し (修正して再提出)")
    SCREENING = "screening", _("審査中")
    INELIGIBLE = "ineligible", _("要件を満たさない")
    SELECTED = "selected", _("採択 (交付候補)")
    NOT_SELECTED = "not_selected", _("不採択")
    GRANT_REQUESTED = "grant_requested", _("交付申請済み")
    GRANTED = "granted", _("交付決定")
    REPORTED = "reported", _("実績報告済み")
    CONFIRMED = "confirmed", _("額の確定")
    PAID = "paid", _("支払済み")
    WITHDRAWN = "withdrawn", _("取下げ")


# Statuses in which the applicant (or the advisor filing for them) may edit the application.
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
# Statuses after 交付決定: the grant stands (the KPI's 交付件数 counts these).
GRANTED_STATUSES = (
    ApplicationStatus.GRANTED,
    ApplicationStatus.REPORTED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.PAID,
)


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("見積書")
    ATTACHMENT = "attachment", _("添付書類")
    EXPERT_EVALUATION = "expert_evaluation", _("専門家による計画の評価書")
    BONUS_EVIDENCE = "bonus_evidence", _("加点の根拠資料")
    RECEIPT = "receipt", _("領収書・請求書")
    PAYMENT_PROOF = "payment_proof", _("支払の証憑 (振込記録など)")


class BonusKind(models.TextChoices):
    # Verified by the platform from the programmes' records: nothing for the applicant to do.
    DOJO_GRADUATE = "dojo_graduate", _("DX道場の修了 (自動で確認)")
    CLAIMED = "claimed", _("申請者が根拠資料を添えて申告")


class BonusClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("確認待ち")
    VERIFIED = "verified", _("確認済み")
    REJECTED = "rejected", _("認めない")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("利害関係の申告待ち")
    CLEARED = "cleared", _("審査中")
    CONFLICTED = "conflicted", _("利害関係ありのため辞退")
    SUBMITTED = "submitted", _("採点済み")


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("審査待ち")
    APPROVED = "approved", _("承認")
    REJECTED = "rejected", _("不承認")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    SUBMITTED = "submitted", _("提出済み (確定検査待ち)")
    RETURNED = "returned", _("差戻し")
    ACCEPTED = "accepted", _("確定検査済み")


class ValueAddedKind(models.TextChoices):
    BUSINESS_REPORT = "business_report", _("事業化状況報告 (補助事業者)")
    SURVEY = "survey", _("年次調査 (補助金を受けていない企業)")


class ValueAddedStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("予定")
    REQUESTED = "requested", _("回答待ち")
    SUBMITTED = "submitted", _("提出済み")
