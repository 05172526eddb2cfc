from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """Backup and restore of the database and the stored files (docs/backup.md). No
    models: the app reads every other app's tables through the app registry."""

    name = "machikoba.backups"
    verbose_name = _("バックアップ")
