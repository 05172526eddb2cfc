"""Who sees which message thread: the people (owner, staff, floor worker) of a company
that is a current participant of the thread. Participation is an explicit row; a removed
company keeps no access; a deactivated company's people only read, during its grace
period. Nobody else — not ward officers, not platform admins (officers
never see what companies tell each other)."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q, QuerySet

from machikoba.core.access import CHANGE, MEMBER_ROLES, NOTHING, VIEW, usable_companies_q
from machikoba.core.access import EDITOR_ROLES as EDITOR_ROLES  # services and views import it

ALL_ROLES = MEMBER_ROLES  # the name messaging's services and views import


def my_companies(user, roles: tuple[str, ...] = MEMBER_ROLES, action: str = CHANGE) -> QuerySet:
    """The user's companies as a subquery: scopes built on it cost no query of their own
    (the unread badge on every page depends on that). Only companies the user may act
    for in ``action`` (``core.access.company_usable``: a deactivated company's people only
    read, during its grace period)."""
    membership = apps.get_model("companies", "Membership")
    return (
        membership.objects.filter(user=user, role__in=roles)
        .filter(usable_companies_q(action, "company__"))
        .values("company")
    )


def current_threads(user, action: str = VIEW) -> QuerySet:
    """Ids of the threads one of the user's companies currently takes part in."""
    participant = apps.get_model("messaging", "ThreadParticipant")
    return participant.objects.filter(
        company__in=my_companies(user, action=action), removed_at__isnull=True
    ).values("thread")


def thread_scope(user, action: str) -> Q:
    # Reading and writing (posting) are the same right for a company in use: every member
    # of a participant may take part; the post service checks the company the person
    # writes for. A deactivated company's people only read.
    if action in (VIEW, CHANGE):
        return Q(pk__in=current_threads(user, action))
    return NOTHING


def participant_scope(user, action: str) -> Q:
    if action == VIEW:
        return Q(thread__in=current_threads(user))
    return NOTHING


def message_scope(user, action: str) -> Q:
    if action == VIEW:
        return Q(thread__in=current_threads(user))
    return NOTHING


def attachment_scope(user, action: str) -> Q:
    if action == VIEW:
        return Q(message__thread__in=current_threads(user))
    return NOTHING
