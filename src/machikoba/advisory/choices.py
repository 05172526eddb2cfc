from django.db import models
from django.utils.translation import gettext_lazy as _


class AdvisorKind(models.TextChoices):
    IT_EXPERT = "it_expert", _("ITの専門家")
    SME_CONSULTANT = "sme_consultant", _("中小企業診断士")
    OTHER = "other", _("その他の専門家")


class RequestOrigin(models.TextChoices):
    COMPANY = "company", _("企業からの申込")
    OFFICER = "officer", _("区からの提案")


class RequestStatus(models.TextChoices):
    PROPOSED = "proposed", _("区からの提案 (企業の回答待ち)")
    OPEN = "open", _("受付済み (担当の割り当て待ち)")
    ASSIGNED = "assigned", _("派遣中")
    DECLINED = "declined", _("お断り")
    WITHDRAWN = "withdrawn", _("取り下げ")


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", _("支援中")
    CLOSED = "closed", _("完了")
    CANCELLED = "cancelled", _("中止")


class PhaseKind(models.TextChoices):
    ISSUES = "issues", _("課題整理")
    TOOL_SELECTION = "tool_selection", _("ツール選定")
    ROLLOUT = "rollout", _("導入")
    ADOPTION = "adoption", _("定着")
    MEASUREMENT = "measurement", _("効果測定")


# The phases of an engagement, in order, and their share of its ~6 months (due dates).
PHASE_ORDER = (
    PhaseKind.ISSUES,
    PhaseKind.TOOL_SELECTION,
    PhaseKind.ROLLOUT,
    PhaseKind.ADOPTION,
    PhaseKind.MEASUREMENT,
)


class PhaseStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未着手")
    IN_PROGRESS = "in_progress", _("進行中")
    DONE = "done", _("完了")


class Better(models.TextChoices):
    LOWER = "lower", _("小さいほど良い")
    HIGHER = "higher", _("大きいほど良い")
