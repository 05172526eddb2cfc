"""Rate limits and the token check in front of the pages a one-time link opens: per
client address (every request, and failed look-ups, i.e. guessing) and per link."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from machikoba.core.views import client_ip
from machikoba.network import services
from machikoba.network.selectors import guest_token_hash

GUEST_WINDOW_SECONDS = 600
GUEST_REQUESTS_PER_IP = 60
GUEST_FAILURES_PER_IP = 10
GUEST_REQUESTS_PER_LINK = 60


def _count(key: str) -> int:
    """Add one to a counter that lives for the window (atomic on every cache backend)."""
    cache.add(key, 0, timeout=GUEST_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=GUEST_WINDOW_SECONDS)
        return 1


def _guest_too_many(request: HttpRequest, token: str) -> bool:
    ip = client_ip(request) or "unknown"
    if _count(f"guest-link:ip:{ip}") > GUEST_REQUESTS_PER_IP:
        return True
    if (cache.get(f"guest-link:fail:{ip}") or 0) >= GUEST_FAILURES_PER_IP:
        return True
    # Keyed by a hash: the cache never holds a usable token.
    key = guest_token_hash(token[:100])[:32]
    return _count(f"guest-link:token:{key}") > GUEST_REQUESTS_PER_LINK


def guest_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    # The token is in the address: never sent to another site. (Not "no-referrer": the
    # browser would then send "Origin: null" with the forms, which CSRF rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


GuestView = Callable[..., HttpResponse]


def guest_page(view: GuestView | None = None, *, opens: bool = False) -> Any:
    """A page opened by a one-time link: rate-limited, the token resolved (every refusal
    logged; with ``opens`` the opening is logged and counted), and a refusal shown as a
    page that says only what the holder may know. The view is called with the link and
    the token after the request."""
    if view is None:
        return lambda function: guest_page(function, opens=opens)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if _guest_too_many(request, token):
            response = render(request, "network/guest/too_many.html", status=429)
            response["Retry-After"] = str(GUEST_WINDOW_SECONDS)
            return guest_headers(response)
        try:
            link = services.guest_link_resolve(
                token=token,
                ip_address=client_ip(request),
                record_open=opens,
            )
        except services.GuestLinkRefused as refused:
            if refused.link is None:
                _count(f"guest-link:fail:{client_ip(request) or 'unknown'}")
            return guest_headers(
                render(
                    request,
                    "network/guest/unusable.html",
                    {
                        "refusal": refused,
                        # A genuine link's holder received the sender's name with it.
                        "sender": refused.link.recipient.rfq.job.company if refused.link else None,
                    },
                    status=refused.status_code,
                )
            )
        return guest_headers(view(request, link, token, *args, **kwargs))

    return wrapper
