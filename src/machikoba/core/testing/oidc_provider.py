"""A local OpenID Connect provider for tests: GビズID without the internet.

``LocalOIDCProvider`` is a small threaded HTTP server (stdlib ``http.server``) on a free
port of 127.0.0.1, laid out like GビズID (issuer ``http://127.0.0.1:<port>/oauth/``):

- ``/oauth/.well-known/openid-configuration``: discovery;
- ``/oauth/authorize``: approves at once the identity the test set (``provider.identity``,
  the userinfo claims) and redirects back with ``code`` and ``state``; it keeps the
  ``nonce`` and the PKCE ``code_challenge`` (S256) for the token request;
- ``/oauth/token``: exchanges a code once (client_secret_basic or _post, redirect URI and
  PKCE verifier checked) for an access token and an RS256 id_token signed with a key made
  at start (``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``auth_time``, ``jti``, ``nonce``
  as GビズID sends them: no personal data in the id_token);
- ``/oauth/userinfo``: the identity's claims for a Bearer access token;
- ``/oauth/.well-known/jwks.json``: the public key.

``provider.tamper`` makes the next id_tokens wrong in one way (``TAMPERINGS``), so tests
can check that the platform refuses them. ``configure_gbizid(settings, provider)`` points
the platform's "gbizid" app at the provider (settings as settings.py builds them from the
GBIZID_* variables); ``running_provider()`` starts and stops one. Every request the
provider answered is in ``provider.requests``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from machikoba.accounts.gbizid import GBIZID_PROVIDER_ID

CALLBACK_PATH = f"/accounts/oidc/{GBIZID_PROVIDER_ID}/login/callback/"
CODE_SECONDS = 300

# How the next id_tokens can be made wrong.
TAMPERINGS = (
    "signature",  # signed with another key under the published key id
    "algorithm",  # HS256 with the client secret as key (a downgrade)
    "nonce",  # another nonce than the one the sign-in sent
    "no_nonce",  # no nonce at all
    "audience",  # issued to another client
    "issuer",  # issued by another provider
    "expired",  # expired a minute ago
    "payload",  # the claims changed after signing (another sub), the signature kept
    "missing",  # no id_token in the token response
)

# GビズID's userinfo for the accounts the tests use (claims as GビズID's guideline names
# them; account_type 1 エントリー, 2 プライム, 3 メンバー).
PRIME_IDENTITY = {
    "sub": "gbiz-prime-0001",
    "account_type": "2",
    "corp_type": "1",
    "corporate_number": "1010001000006",
    "name": "株式会社テスト精機",
    "rep_last_nm": "大森",
    "rep_first_nm": "一郎",
    "email": "owner-gbiz@example.jp",
}
ENTRY_IDENTITY = {
    "sub": "gbiz-entry-0002",
    "account_type": "1",
    "corp_type": "1",
    "corporate_number": "1010001000006",
    "name": "株式会社テスト精機",
    "email": "entry-gbiz@example.jp",
}
MEMBER_IDENTITY = {
    "sub": "gbiz-member-0003",
    "account_type": "3",
    "corp_type": "1",
    "corporate_number": "1010001000006",
    "name": "株式会社テスト精機",
    "email": "member-gbiz@example.jp",
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    identity: dict[str, Any]
    issued: float = field(default_factory=time.time)


class LocalOIDCProvider:
    def __init__(
        self,
        *,
        client_id: str = "machikoba-test-client",
        client_secret: str | None = None,
        identity: dict[str, Any] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.identity: dict[str, Any] = dict(identity or PRIME_IDENTITY)
        self.tamper: str | None = None
        # Sign-ins the person refuses at GビズID come back with error=access_denied.
        self.deny = False
        self.requests: list[str] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle ---------------------------------------------------------------

    def start(self) -> LocalOIDCProvider:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def origin(self) -> str:
        assert self._server is not None, "start() the provider first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        # GビズID's issuer ends with a slash: https://gbiz-id.go.jp/oauth/
        return f"{self.origin}/oauth/"

    # --- the documents --------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}authorize",
            "token_endpoint": f"{self.issuer}token",
            "userinfo_endpoint": f"{self.issuer}userinfo",
            "jwks_uri": f"{self.issuer}.well-known/jwks.json",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "user"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "account_type", "corporate_number", "name", "email"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self._kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def id_token(self, grant: _Grant) -> str | None:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.identity["sub"],
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 600,
            "auth_time": now,
            "jti": secrets.token_hex(16),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        key: Any = self._key
        headers = {"kid": self._kid}
        algorithm = "RS256"
        match self.tamper:
            case "missing":
                return None
            case "nonce":
                claims["nonce"] = secrets.token_urlsafe(16)
            case "no_nonce":
                claims.pop("nonce", None)
            case "audience":
                claims["aud"] = "another-client"
            case "issuer":
                claims["iss"] = "https://evil.example/oauth/"
            case "expired":
                claims["iat"], claims["exp"] = now - 700, now - 60
            case "signature":
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            case "algorithm":
                key, algorithm = self.client_secret, "HS256"
        token = jwt.encode(claims, key, algorithm=algorithm, headers=headers)
        if self.tamper == "payload":
            header, _payload, signature = token.split(".")
            forged = {**claims, "sub": "gbiz-someone-else"}
            token = f"{header}.{_b64url(json.dumps(forged).encode())}.{signature}"
        return token

    # --- the endpoints -------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return 400, {}, {"error": "invalid_client"}
        if urlsplit(redirect_uri).path != CALLBACK_PATH:
            # GビズID answers an unregistered redirect URI on its own page, never redirects.
            return 400, {}, {"error": "invalid_request", "error_description": "redirect_uri"}
        state = query.get("state", "")
        if query.get("response_type") != "code":
            return _redirect(redirect_uri, error="unsupported_response_type", state=state)
        if self.deny:
            return _redirect(redirect_uri, error="access_denied", state=state)
        challenge = query.get("code_challenge")
        if challenge and query.get("code_challenge_method") != "S256":
            return _redirect(redirect_uri, error="invalid_request", state=state)
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                nonce=query.get("nonce"),
                code_challenge=challenge,
                identity=copy.deepcopy(self.identity),
            )
        return _redirect(redirect_uri, code=code, state=state)

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, str], Any]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        if client_id != self.client_id or not hmac.compare_digest(secret, self.client_secret):
            return 401, {}, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {}, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if (
            grant is None
            or grant.client_id != client_id
            or grant.redirect_uri != form.get("redirect_uri")
            or time.time() - grant.issued > CODE_SECONDS
        ):
            return 400, {}, {"error": "invalid_grant"}
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            expected = _b64url(hashlib.sha256(verifier.encode()).digest())
            if not hmac.compare_digest(expected, grant.code_challenge):
                return 400, {}, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = grant.identity
        body: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid profile email",
        }
        id_token = self.id_token(grant)
        if id_token is not None:
            body["id_token"] = id_token
        return 200, {"Cache-Control": "no-store"}, body

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], Any]:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            identity = self._tokens.get(token)
        if identity is None:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, {}
        return 200, {}, identity


def _redirect(uri: str, **params: str) -> tuple[int, dict[str, str], Any]:
    separator = "&" if urlsplit(uri).query else "?"
    return 302, {"Location": f"{uri}{separator}{urlencode(params)}"}, None


def _handler_for(provider: LocalOIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test output stays quiet

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            payload = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            provider.requests.append(f"{method} {url.path}")
            authorization = self.headers.get("Authorization", "")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            match method, url.path:
                case "GET", "/oauth/.well-known/openid-configuration":
                    self._answer(200, {}, provider.discovery())
                case "GET", "/oauth/.well-known/jwks.json":
                    self._answer(200, {}, provider.jwks())
                case "GET", "/oauth/authorize":
                    self._answer(*provider.authorize(query))
                case "POST", "/oauth/token":
                    length = int(self.headers.get("Content-Length") or 0)
                    raw = self.rfile.read(length).decode()
                    form = {k: v[0] for k, v in parse_qs(raw).items()}
                    self._answer(*provider.token(form, authorization))
                case (("GET" | "POST"), "/oauth/userinfo"):
                    self._answer(*provider.userinfo(authorization))
                case _:
                    self._answer(404, {}, {"error": "not_found"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


@contextmanager
def running_provider(**kwargs: Any) -> Iterator[LocalOIDCProvider]:
    provider = LocalOIDCProvider(**kwargs).start()
    try:
        yield provider
    finally:
        provider.stop()


def gbizid_app(provider: LocalOIDCProvider) -> dict[str, Any]:
    """The "gbizid" app as settings.py builds it from the GBIZID_* variables."""
    return {
        "provider_id": GBIZID_PROVIDER_ID,
        "name": "GビズID",
        "client_id": provider.client_id,
        "secret": provider.client_secret,
        "settings": {
            "server_url": provider.issuer.rstrip("/"),
            "fetch_userinfo": True,
            "scope": ["openid", "profile", "email"],
            "token_auth_method": "client_secret_basic",
        },
    }


def configure_gbizid(settings: Any, provider: LocalOIDCProvider) -> None:
    """Point the platform at ``provider`` (pytest-django's ``settings`` fixture, which puts
    everything back after the test): the app, and the provider's origin in form-action."""
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["openid_connect"]["APPS"] = [gbizid_app(provider)]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], provider.origin]
    settings.CONTENT_SECURITY_POLICY = policy
