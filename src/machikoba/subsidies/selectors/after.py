"""Who reaches the pages that follow the selection (採択 to 支払): the company's owner and
staff and the officers of the call's ward; nobody else (not a reviewer, not an advisor,
not another ward). The application those pages are opened on, fetched for its reader.

The pages themselves: ``grant_steps`` (the steps, change requests, the 交付決定通知書),
``completion_report`` (the 実績報告 and its checks), ``value_added`` (the yearly reports).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from machikoba.accounts.models import User
from machikoba.core.access import (
    EDITOR_ROLES,
    MANAGE,
    VIEW,
    can,
    company_ids_for,
    get_for_user_or_404,
    has_role,
)
from machikoba.subsidies.access import officer_ward_ids
from machikoba.subsidies.choices import GRANTED_STATUSES, ApplicationStatus
from machikoba.subsidies.models import Application

# The statuses the grant steps page exists for (採択 to 支払).
AFTER_STATUSES = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANT_REQUESTED,
    *GRANTED_STATUSES,
)


# --- who ------------------------------------------------------------------------------------


def is_company_editor(user: User, application: Application) -> bool:
    return has_role(user, application.company, EDITOR_ROLES)


def is_office(user: User, application: Application) -> bool:
    return can(user, MANAGE, application)


def _after_parties(user: User) -> Q:
    """The company's owner and staff, and the officers of the call's ward."""
    return Q(company__in=company_ids_for(user, EDITOR_ROLES, VIEW)) | Q(
        stage__call__municipality__in=officer_ward_ids(user)
    )


def after_application(user: User, pk: int) -> Application:
    """The application whose grant steps ``user`` opens: a 404 unless it stands between
    採択 and 支払 and the user is of its company (owner, staff) or of its ward's office."""
    queryset = (
        Application.objects.for_user(user, VIEW)
        .filter(_after_parties(user), status__in=AFTER_STATUSES)
        .select_related("stage__call__municipality", "company")
    )
    return get_for_user_or_404(queryset, user, VIEW, pk=pk)


def granted_application(user: User, pk: int) -> Application:
    """As ``after_application``, once the grant is decided (the 交付決定通知書 exists)."""
    application = after_application(user, pk)
    if application.status not in GRANTED_STATUSES:
        raise Http404
    return application
