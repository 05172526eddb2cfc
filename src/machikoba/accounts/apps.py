from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "machikoba.accounts"
    label = "accounts"
    verbose_name = _("アカウント")

    def ready(self):
        # Integration with a third-party flow (allauth has no hook but its signal).
        from allauth.mfa.signals import authenticator_added
        from allauth.socialaccount.signals import social_account_added, social_account_removed

        from machikoba.accounts.mfa import record_second_factor_on_activation  # needs models
        from machikoba.accounts.oidc import signals as gbizid_signals  # needs models

        authenticator_added.connect(
            record_second_factor_on_activation, dispatch_uid="machikoba_mfa_activation"
        )
        social_account_added.connect(
            gbizid_signals.record_gbizid_connected, dispatch_uid="machikoba_gbizid_connected"
        )
        social_account_removed.connect(
            gbizid_signals.record_gbizid_disconnected, dispatch_uid="machikoba_gbizid_removed"
        )
