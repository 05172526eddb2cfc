from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "machikoba.programs"
    verbose_name = _("DX道場・リーダー講座")
