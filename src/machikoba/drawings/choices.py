from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    DRAWING = "drawing", _("図面")
    SPEC = "spec", _("仕様書")
    INSPECTION_REPORT = "inspection_report", _("検査成績書")
    MATERIAL_CERTIFICATE = "material_certificate", _("ミルシート (材料証明書)")
    OTHER = "other", _("その他")


class PreviewStatus(models.TextChoices):
    PENDING = "pending", _("プレビュー作成待ち")
    PROCESSING = "processing", _("プレビュー作成中")
    READY = "ready", _("プレビューあり")
    NONE = "none", _("プレビューなし (形式上作れません)")
    FAILED = "failed", _("プレビュー作成に失敗")


class DocumentAction(models.TextChoices):
    UPLOAD = "upload", _("アップロード")
    VIEW = "view", _("閲覧")
    DOWNLOAD = "download", _("ダウンロード")
    GRANT = "grant", _("共有を設定")
    REVOKE = "revoke", _("共有を取り消し")
    NDA_ACCEPT = "nda_accept", _("秘密保持に同意")
    DENIED = "denied", _("拒否されたアクセス")
    RETENTION = "retention", _("保存期間を設定")
    DESTROY = "destroy", _("破棄")


class RetentionRule(models.TextChoices):
    KEEP = "keep", _("定めない (破棄しない)")
    ON_DATE = "on_date", _("指定した日に破棄")
    AFTER_CLOSE = "after_close", _("取引終了から指定の月数後に破棄")
