from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from machikoba.accounts.models import User
from machikoba.accounts.rules import (
    is_advisor,
    is_instructor,
    is_lab_staff,
    is_metro_viewer,
    is_platform_admin,
    is_reviewer,
    is_ward_officer,
)
from machikoba.companies.choices import PARTNER_KINDS, CompanyKind
from machikoba.core.access import VIEW
from machikoba.core.models import Notification
from machikoba.messaging.selectors import count_subquery, unread_messages


def shell(request):
    """What the page frame needs: the platform's name, the user's roles and companies."""
    user = getattr(request, "user", None)
    context = {
        "platform_name": settings.MACHIKOBA_PLATFORM_NAME
        if (get_language() or "ja").startswith("ja")
        else settings.MACHIKOBA_PLATFORM_NAME_EN,
        "nav": {},
    }
    if user is not None and user.is_authenticated:
        active = getattr(request, "active_membership", None)
        active = active if active else None  # resolve the lazy object once
        kind = active.company.kind if active is not None else None
        counts = SimpleLazyObject(lambda: _unread_counts(user))
        context.update(
            unread_notifications=SimpleLazyObject(lambda: counts["notifications"]),
            unread_messages=SimpleLazyObject(lambda: counts["messages"]),
            active_membership=active,
            memberships=getattr(request, "memberships", []),
            nav={
                "shop": kind is not None and kind not in PARTNER_KINDS,
                "vendor": kind == CompanyKind.VENDOR,
                "bank": kind == CompanyKind.BANK,
                "officer": is_ward_officer(user),
                "metro": is_metro_viewer(user),
                "advisor": is_advisor(user),
                "instructor": is_instructor(user),
                "reviewer": is_reviewer(user),
                "lab": is_lab_staff(user),
                "admin": is_platform_admin(user),
            },
        )
    return context


def _unread_counts(user) -> dict[str, int]:
    """Unread notices and unread messages, both in one query (the header shows them on
    every page)."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            unread_notices=count_subquery(
                Notification.objects.for_user(user, VIEW).filter(read_at__isnull=True)
            ),
            unread_messages=count_subquery(unread_messages(user)),
        )
        .values_list("unread_notices", "unread_messages")
        .first()
    )
    notices, messages = row or (0, 0)
    return {"notifications": notices, "messages": messages}
