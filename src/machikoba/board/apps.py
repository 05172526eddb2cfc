from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "machikoba.board"
    verbose_name = _("掲示板と共同受注")
