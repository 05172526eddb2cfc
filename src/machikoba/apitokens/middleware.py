"""The API guard, in front of every ``/api/`` request: rate limits per caller, and
idempotency keys on writes.

Rate limits: a fixed one-minute window per caller (the token, else the signed-in person,
else the client address) and per kind (reads, writes), counted in the shared cache (Redis
in production). Over the limit: 429 with ``Retry-After``. Every answer carries
``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``.

Idempotency: a write (POST, PUT, PATCH, DELETE) sent with ``Idempotency-Key`` is done once
per caller and key for 24 hours. A retry of the same request gets the first answer again
(``Idempotent-Replayed: true``); the same key on a different request is refused (422); a
retry while the first is still running gets 409. A server error is not kept, so a retry
after one does the work."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from machikoba.apitokens.error_codes import ApiTokensErrorCode
from machikoba.apitokens.internal import (
    bearer_of,
    idempotency_claim,
    idempotency_release,
    idempotency_settle,
    token_for,
)
from machikoba.core.views import client_ip

API_PREFIX = "/api/"
KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Answers worth keeping for a retry: everything but server errors, the caller's own
# sign-in or rate-limit trouble (a retry after fixing those must do the work).
NOT_KEPT = frozenset({401, 429})


def _error(status: int, code: str, message, **headers: str) -> JsonResponse:
    response = JsonResponse(
        {"code": code, "message": str(message), "fields": {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class ApiGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        principal = self._principal(request)
        # The methods that change something; any other (TRACE, an unknown one) reaches
        # the router, which answers 405 with the allowed methods.
        write = (request.method or "GET").upper() in WRITE_METHODS
        limit, remaining, retry_after = self._count(request, principal, write)
        if remaining < 0:
            response: HttpResponse = _error(
                429,
                ApiTokensErrorCode.RATE_LIMITED,
                _("リクエストが多すぎます。しばらく待ってからやり直してください。"),
                Retry_After=str(retry_after),
            )
        elif write and KEY_HEADER in request.headers and principal[0] != "ip":
            response = self._idempotent(request, principal)
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(max(remaining, 0))
        return response

    @staticmethod
    def _principal(request) -> tuple[str, str]:
        raw = bearer_of(request)
        if raw is not None:
            token = token_for(raw)
            if token is not None:
                request._machikoba_api_token = token
                return ("t", str(token.pk))
        user = getattr(request, "user", None)
        if raw is None and user is not None and user.is_authenticated:
            return ("u", str(user.pk))
        return ("ip", client_ip(request) or "unknown")

    @staticmethod
    def _count(request, principal: tuple[str, str], write: bool) -> tuple[int, int, int]:
        limits = settings.API_RATE_LIMITS
        if principal[0] == "ip":
            kind, limit = "anonymous", limits["anonymous"]
        else:
            kind, limit = ("write", limits["write"]) if write else ("read", limits["read"])
        now = time.time()
        window = int(now // 60)
        key = f"api-rate:{kind}:{principal[0]}:{principal[1]}:{window}"
        cache.add(key, 0, timeout=90)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=90)
            used = 1
        return limit, limit - used, max(1, int(60 - now % 60))

    def _idempotent(self, request, principal: tuple[str, str]) -> HttpResponse:
        key = request.headers[KEY_HEADER].strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return _error(
                422,
                ApiTokensErrorCode.IDEMPOTENCY_KEY_INVALID,
                _("Idempotency-Key は200文字以内の英数字と記号で指定してください。"),
            )
        digest = hashlib.sha256()
        for part in (request.method or "", request.get_full_path()):
            digest.update(part.encode() + b"\0")
        if request.content_type == "multipart/form-data":
            # An upload is not read into memory here: its size and boundary stand for it.
            digest.update(request.headers.get("Content-Length", "").encode())
            digest.update(request.headers.get("Content-Type", "").encode())
        else:
            digest.update(request.body)
        claim = idempotency_claim(
            principal=":".join(principal), key=key, fingerprint=digest.hexdigest()
        )
        if claim.reused:
            return _error(
                422,
                ApiTokensErrorCode.IDEMPOTENCY_KEY_REUSED,
                _("この Idempotency-Key は別のリクエストに使われています。"),
            )
        if claim.in_progress:
            return _error(
                409,
                ApiTokensErrorCode.IDEMPOTENCY_IN_PROGRESS,
                _("同じキーのリクエストを処理中です。少し待ってからやり直してください。"),
                Retry_After="1",
            )
        if claim.replay is not None:
            stored = claim.replay
            replayed = HttpResponse(
                bytes(stored.body),
                status=stored.status_code or 200,
                content_type=stored.content_type or None,
            )
            replayed["Idempotent-Replayed"] = "true"
            return replayed
        if claim.record is None:  # pragma: no cover (claim_idempotency returns one of the four)
            raise RuntimeError("no idempotency claim")
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency_release(claim.record)
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            idempotency_release(claim.record)
        else:
            idempotency_settle(
                claim.record,
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        return response
