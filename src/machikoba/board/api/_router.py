"""The board's one router; the operations are in ``requests`` and ``teams``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from machikoba.accounts.models import User

router = Router(tags=["board"])


class SignedInRequest(HttpRequest):
    """The default auth lets only signed-in callers through."""

    user: User
