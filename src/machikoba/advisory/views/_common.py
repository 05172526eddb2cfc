"""What the advisory views share: the signed-in request type and the officer guard."""

from __future__ import annotations

from django.http import HttpRequest

from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User

__all__ = ["SignedInRequest", "officer_required"]


class SignedInRequest(HttpRequest):
    user: User
