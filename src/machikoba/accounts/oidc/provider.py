"""allauth's OpenID Connect provider, made strict for GビズID.

allauth checks an id_token's issuer, audience and expiry, but skips its signature when the
token came straight from the token endpoint (OpenID Connect Core 3.1.3.7 allows it over
TLS) and sends no nonce. A GビズID sign-in decides who may file a subsidy application, so
here every id_token must also carry a valid signature from the provider's published keys,
with an asymmetric algorithm, and the nonce this sign-in sent. A refusal raises
``OAuth2Error``, which allauth's callback turns into its error page before anything is
stored: no account is created, connected or updated.
"""

from __future__ import annotations

import hmac
from typing import Any

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import get_random_string

# The key under which the nonce of a sign-in is kept in allauth's state for it.
NONCE_STATE_KEY = "nonce"
# Only signatures made with the provider's private key: never "none" or a shared secret.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)


class StrictOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    """Verifies every id_token's signature and nonce (see the module docstring)."""

    # Set by the callback view from the state of this sign-in, before the token is read.
    expected_nonce: str | None = None

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        if not kwargs["response"].get("id_token"):
            # Without an id_token nothing proves that this sign-in is the one we started.
            raise OAuth2Error("The token response carries no id_token")
        return super().complete_login(request, app, token, **kwargs)

    def _decode_id_token(self, app: Any, id_token: str) -> dict:
        try:
            algorithm = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as error:
            raise OAuth2Error("Invalid id_token") from error
        if algorithm not in SIGNING_ALGORITHMS:
            raise OAuth2Error(f"Unsupported id_token algorithm: {algorithm}")
        data = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        nonce = data.get("nonce")
        if not (
            self.expected_nonce
            and isinstance(nonce, str)
            and hmac.compare_digest(nonce, self.expected_nonce)
        ):
            raise OAuth2Error("The id_token's nonce is not the one this sign-in sent")
        return data


class StrictOpenIDConnectProvider(OpenIDConnectProvider):
    """allauth's ``openid_connect`` provider (same id, same URL names) with a nonce per
    sign-in and the strict adapter. Its URLs come from this package (``package``)."""

    package = "machikoba.accounts.oidc"
    oauth2_adapter_class = StrictOpenIDConnectAdapter

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        # Set last: a nonce passed in the request's auth_params never replaces ours.
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            **{NONCE_STATE_KEY: nonce},
            **kwargs,
        )
