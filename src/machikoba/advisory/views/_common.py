"""What the advisory views share: the signed-in request type and the officer guard."""

from __future__ import annotations

from django.http import HttpRequest

from machikoba.accounts.models import User
from machikoba.companies.views_io import officer_required

__all__ = ["SignedInRequest", "officer_required"]


class SignedInRequest(HttpRequest):
    user: User
