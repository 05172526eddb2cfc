from django.db import models
from django.utils.translation import gettext_lazy as _


class QuantityUnit(models.TextChoices):
    """How a job's parts are counted: shafts in 本, plates in 枚, machines in 台."""

    PIECE = "piece", _("個")
    ROD = "rod", _("本")
    SHEET = "sheet", _("枚")
    MACHINE = "machine", _("台")
    SET = "set", _("セット")


class JobStatus(models.TextChoices):
    OPEN = "open", _("進行中")
    CLOSED = "closed", _("完了")
    CANCELLED = "cancelled", _("中止")


class StepStatus(models.TextChoices):
    PLANNED = "planned", _("計画")
    REQUESTED = "requested", _("見積依頼中")
    ORDERED = "ordered", _("発注済み")
    IN_PROGRESS = "in_progress", _("加工中")
    DONE = "done", _("加工完了")
    SHIPPED = "shipped", _("出荷済み")
    RECEIVED = "received", _("受け入れ済み")
    CLOSED = "closed", _("完了")


class RfqStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    AWARDED = "awarded", _("発注先決定")
    CANCELLED = "cancelled", _("取り下げ")


class RecipientStatus(models.TextChoices):
    INVITED = "invited", _("回答待ち")
    QUOTED = "quoted", _("見積提出済み")
    DECLINED = "declined", _("辞退")
    AWARDED = "awarded", _("受注")
    NOT_AWARDED = "not_awarded", _("失注")


# The same states in the buyer's words (受注/失注 are the seller's).
RECIPIENT_STATUS_FOR_BUYER = {
    RecipientStatus.AWARDED: _("発注先に決定"),
    RecipientStatus.NOT_AWARDED: _("今回は見送り"),
}


class GuestLinkChannel(models.TextChoices):
    EMAIL = "email", _("メール")
    PRINT = "print", _("印刷 (FAX)")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("発行済み (請書待ち)")
    ACCEPTED = "accepted", _("請書受領")
    CANCELLED = "cancelled", _("取り消し")


class OrderOrigin(models.TextChoices):
    """How an order came about: a network RFQ's award, or the award of a joint order on
    the board (the buyer's order to the lead and the lead's orders to its members)."""

    RFQ = "rfq", _("見積依頼")
    BOARD = "board", _("引き合い (共同受注)")


class PaymentMethod(models.TextChoices):
    # 手形 is not offered: the 中小受託取引適正化法 (from 2026) forbids paying by bill.
    BANK_TRANSFER = "bank_transfer", _("銀行振込")
    CASH = "cash", _("現金")


class OrderEventKind(models.TextChoices):
    ISSUED = "issued", _("発行")
    CHANGED = "changed", _("変更")
    ACCEPTED = "accepted", _("請書")
    CANCELLED = "cancelled", _("取り消し")


# Structured requirements of a step, beside its free-text spec.
SPEC_FIELDS = {
    "hardness": _("硬さ"),
    "plating_um": _("めっき厚 (µm)"),
    "tolerance": _("公差・はめあい"),
    "tolerance_mm": _("公差 (±mm)"),
}
