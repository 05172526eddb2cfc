"""Every request: an id, an access-log line and its metrics (first in ``MIDDLEWARE``).

The id is the request's ``X-Request-ID`` when that is a sane token (nginx's
``$request_id``, a load balancer's), else a new uuid4 hex; it is set on the response's
``X-Request-ID`` and, while the request runs, in ``ops.logging.request_id_var``, so every
log line of the request names it (``RequestContextFilter``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty

from machikoba.ops.logging import request_id_var
from machikoba.ops.metrics import UNMATCHED, observe_request

HEADER = "X-Request-ID"
# Letters, digits and . _ - only, 8 to 128 of them: nothing that could break a log line or
# a header, nothing long enough to flood one.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# URL arguments that are credentials (one-time links, e-mail confirmation keys): their
# value is left out of the logged path.
SECRET_URL_ARGUMENTS = frozenset({"key", "token", "code", "uidb36", "secret"})
REDACTED = "[redacted]"

access_logger = logging.getLogger("machikoba.access")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    if SANE_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNMATCHED


def logged_path(request: HttpRequest) -> str:
    """The path without credentials in it (no query string either)."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_ARGUMENTS and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    return path


def user_id_of(request: HttpRequest) -> int | None:
    """The signed-in user's id if the request already looked them up: the access log
    never costs a session read of its own."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_of(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - start
            response[HEADER] = request_id
            route = route_of(request)
            observe_request(request.method or "", route, response.status_code, seconds)
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                logged_path(request),
                response.status_code,
                1000 * seconds,
                extra={
                    "method": request.method,
                    "path": logged_path(request),
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(1000 * seconds, 1),
                    "user_id": user_id_of(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
