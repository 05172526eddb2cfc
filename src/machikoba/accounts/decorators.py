"""View decorators about who the signed-in person is (their ward roles)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from machikoba.accounts.rules import is_ward_officer

View = Callable[..., HttpResponseBase]


def officer_required(view: View) -> View:
    """Signed-in ward officers only: anyone else signed in gets a 403, a visitor the
    sign-in page. Which ward's rows an officer reaches is the access layer's business."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_ward_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
