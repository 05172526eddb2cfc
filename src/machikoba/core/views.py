"""View helpers shared by every app."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from machikoba.core.errors import ApplicationError
from machikoba.core.forms import ApplicationErrorFormMixin


def save_form(
    request: HttpRequest,
    form: ApplicationErrorFormMixin,
    save: Callable[[dict[str, Any]], Any],
    *,
    success_message: str,
    next_url: str | Callable[[Any], str],
) -> HttpResponse | None:
    """The one shape of every form page: for a POST whose form is valid, call
    ``save(cleaned_data)`` (a service); a refusal (``ApplicationError``) is shown on the
    form, success is flashed and redirected. Returns the redirect, or None when the
    page should be rendered (again) with the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ApplicationError as error:
        form.add_application_error(error)
        return None
    messages.success(request, success_message)
    return redirect(next_url(result) if callable(next_url) else next_url)


def run_and_flash(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Run a service from a button: success or refusal becomes a message on the page.
    Returns whether it succeeded."""
    try:
        call()
    except ApplicationError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def safe_next(request: HttpRequest, fallback: str, *, referer: bool = False) -> str:
    """Where to go after a POST: the ``next`` the request names (form field, else query
    string; with ``referer`` the page it came from after that) when it is a page of this
    site, else ``fallback``. Every view that honours ``next`` reads it here: anything
    pointing to another host or scheme (``https://evil.example/``, ``//evil.example``,
    ``/\\evil.example``) would make us an open redirect."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referer:
        candidates.append(request.headers.get("Referer"))
    target = next((candidate for candidate in candidates if candidate), None)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent the request: the one answer for rate limits
    (ours, allauth's, axes') and for the address in audit records.

    Behind ``MACHIKOBA_TRUSTED_PROXY_COUNT`` reverse proxies, each appending the address
    it was connected from to X-Forwarded-For, the client is the Nth address from the
    right; anything further left was written by the client and is never read. With 0
    (no proxy) the header is ignored. A header shorter than the count, or an entry that
    is not an address, means the request did not come through the proxies as
    configured: the peer's address is used, never a guess."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    count: int = settings.MACHIKOBA_TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return peer
    return _address(hops[-count]) or peer


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


# Any: the active companies.Company, a model of a layer above core.
def active_company_or_403(request: HttpRequest) -> Any:
    """The company the person is working for now; people with none (officers, admins)
    are refused."""
    from django.core.exceptions import PermissionDenied

    company = getattr(request, "active_company", None) or None
    if company is None:
        raise PermissionDenied
    return company


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value that carries a Japanese file name safely (RFC 5987)."""
    from urllib.parse import quote

    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"
