from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    name = "machikoba.apitokens"
    verbose_name = _("APIトークン")

    def ready(self) -> None:
        # core, a lower layer, cannot name this app's audit verbs itself.
        from machikoba.apitokens.labels import AUDIT_VERBS  # app registry ready only now
        from machikoba.core.models import AUDIT_VERB_LABELS

        AUDIT_VERB_LABELS.update(AUDIT_VERBS)
