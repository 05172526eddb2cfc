"""How a GビズID relates to a machikoba account (settings.SOCIALACCOUNT_ADAPTER).

- A GビズID never creates an account. Accounts come from a company's join flow (the
  company, its owner, a verified e-mail address); a GビズID-only account would belong to no
  company and could do nothing.
- A GビズID signs in only the account it is connected to, and only that account's owner
  connects it, while signed in (「ログインの安全設定」, mfa/index.html). allauth refuses to
  connect a GビズID that is already connected to another account.
- An e-mail address a GビズID carries never matches an existing account
  (SOCIALACCOUNT_EMAIL_AUTHENTICATION stays off): GビズID does not say that the address was
  verified, and matching on it would let whoever controls a GビズID take over the account
  that uses the same address.
- A GビズID connected before the ward switched GビズID off can still be listed and
  disconnected (``get_provider``); signing in with it is a 404 (``views``).
- A second factor is still asked of ward officers and admins after a GビズID sign-in
  (allauth's MFA stage runs for every sign-in, and RequireMFAMiddleware checks the session).
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers import registry
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from machikoba.accounts.gbizid import GBIZID_PROVIDER_ID

logger = logging.getLogger(__name__)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # pre_social_login already sent an unknown GビズID back; this closes any other way.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if sociallogin.is_existing or sociallogin.state.get("process") != AuthProcess.LOGIN:
            return
        messages.error(
            request,
            _(
                "このGビズIDは、まだどのアカウントにも連携されていません。"
                "メールアドレスとパスワードでログインし、「ログインの安全設定」から"
                "GビズIDを連携してください。"
            ),
        )
        raise ImmediateHttpResponse(redirect("account_login"))

    def get_provider(
        self, request: HttpRequest | None, provider: str, client_id: Any = None
    ) -> Any:
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            if provider != GBIZID_PROVIDER_ID:
                raise
            # GビズID switched off: an app without a server, enough to show and disconnect.
            app = SocialApp(provider="openid_connect", provider_id=provider, name="GビズID")
            return registry.get_class("openid_connect")(request, app=app)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        # The person sees socialaccount/authentication_error.html; operators see why.
        logger.warning(
            "Sign-in with %s refused: %s %s",
            getattr(getattr(provider, "app", None), "provider_id", provider),
            error,
            exception,
        )
