from django.db import models
from django.utils.translation import gettext_lazy as _


class MachineState(models.TextChoices):
    """The one state taxonomy every source is normalised into (docs/telemetry.md)."""

    PRODUCING = "producing", _("生産中")
    IDLE = "idle", _("待機")
    PLANNED_STOP = "planned_stop", _("計画停止")
    UNPLANNED_STOP = "unplanned_stop", _("計画外停止")
    ALARM = "alarm", _("異常 (アラーム)")
    SETUP = "setup", _("段取り")
    OFFLINE = "offline", _("通信なし")


class Source(models.TextChoices):
    MQTT = "mqtt", _("MQTT (信号灯・電流センサー)")
    MTCONNECT = "mtconnect", _("MTConnect")
    OPCUA = "opcua", _("OPC UA")


# The counters kept per machine (IngestStats) and per unknown source (UnknownSource).
class Rejection(models.TextChoices):
    MALFORMED = "malformed", _("形式の誤り")
    SKEWED = "skewed", _("時刻のずれ")
    RATE_LIMITED = "rate_limited", _("送信が多すぎる")
    UNKNOWN = "unknown", _("登録されていない装置")
