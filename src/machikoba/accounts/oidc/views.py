"""allauth's OpenID Connect login and callback views, on the strict adapter.

The same two views as ``allauth.socialaccount.providers.openid_connect.views``; the
callback hands the nonce kept in this sign-in's state to the adapter before the id_token
is read. A provider id that names no configured app is a 404, as in allauth (the adapter
lends a switched-off GビズID a stand-in app for listing and disconnecting; never here).
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse

from machikoba.accounts.oidc.provider import NONCE_STATE_KEY, StrictOpenIDConnectAdapter


class StrictCallbackView(OAuth2CallbackView):
    adapter: StrictOpenIDConnectAdapter

    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, Any]:
        state, response = super()._get_state(request, provider)
        if state is not None:
            self.adapter.expected_nonce = state.get(NONCE_STATE_KEY)
        return state, response


def _require_configured(request: HttpRequest, provider_id: str) -> None:
    if not get_adapter(request).list_apps(request, provider=provider_id):
        raise Http404


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    _require_configured(request, provider_id)
    try:
        view = OAuth2LoginView.adapter_view(StrictOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    _require_configured(request, provider_id)
    try:
        view = StrictCallbackView.adapter_view(StrictOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
