from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "machikoba.web"
    label = "web"
    verbose_name = _("画面")

    def ready(self) -> None:
        # Imported here: the selectors load models, which need the app registry ready.
        from machikoba.companies.profile import register_profile_extra
        from machikoba.web.selectors import company_next_action, company_reliability

        register_profile_extra("reliability", company_reliability)
        register_profile_extra("next_action", company_next_action)

        from machikoba.network.work_extras import register_work_extra
        from machikoba.web.todo import work_sections

        register_work_extra("todo", work_sections)
