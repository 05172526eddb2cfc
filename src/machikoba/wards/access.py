"""Who sees municipalities (see ``core.access`` for how scopes are used): everyone reads
them, signed in or not (the directory names a company's ward); platform admins change
them in the admin."""

from __future__ import annotations

from django.db.models import Q

from machikoba.core.access import EVERYTHING, NOTHING, VIEW


def municipality_scope(user, action: str) -> Q:
    if action == VIEW or user.is_staff:
        return EVERYTHING
    return NOTHING


def municipality_anonymous_scope(action: str) -> Q:
    return EVERYTHING if action == VIEW else NOTHING
