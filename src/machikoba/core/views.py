"""View helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

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


def client_ip(request: HttpRequest) -> str | None:
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


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
