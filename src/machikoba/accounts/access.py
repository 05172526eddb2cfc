"""Who sees which ward role grant (see ``core.access`` for how scopes are used)."""

from __future__ import annotations

from django.db.models import Q

from machikoba.accounts.rules import is_ward_officer
from machikoba.core.access import EVERYTHING, NOTHING, VIEW


def ward_role_assignment_scope(user, action: str) -> Q:
    """A person sees their own role grants; officers see who holds which ward role
    (assigning advisors and reviewers is their work); platform admins manage them."""
    if user.is_staff:
        return EVERYTHING
    if action == VIEW:
        return EVERYTHING if is_ward_officer(user) else Q(user=user)
    return NOTHING
