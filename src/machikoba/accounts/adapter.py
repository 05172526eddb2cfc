from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from machikoba.core.views import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_SIGNUPS

    def get_client_ip(self, request):
        # allauth's rate limits (login_failed per IP) key on the address every other
        # limit uses, read behind the configured proxies (MACHIKOBA_TRUSTED_PROXY_COUNT).
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
