from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from machikoba.accounts.rules import (
    is_advisor,
    is_lab_staff,
    is_platform_admin,
    is_reviewer,
    is_ward_officer,
)


def shell(request):
    """What the page frame needs: ward name, the user's roles and companies."""
    user = getattr(request, "user", None)
    context = {
        "ward_name": settings.MACHIKOBA_WARD_NAME
        if (get_language() or "ja").startswith("ja")
        else settings.MACHIKOBA_WARD_NAME_EN,
        "nav": {},
    }
    if user is not None and user.is_authenticated:
        active = getattr(request, "active_membership", None)
        active = active if active else None  # resolve the lazy object once
        context.update(
            unread_notifications=SimpleLazyObject(lambda: _unread(user)),
            active_membership=active,
            memberships=getattr(request, "memberships", []),
            nav={
                "shop": active is not None,
                "officer": is_ward_officer(user),
                "advisor": is_advisor(user),
                "reviewer": is_reviewer(user),
                "lab": is_lab_staff(user),
                "admin": is_platform_admin(user),
            },
        )
    return context


def _unread(user) -> int:
    from machikoba.core.access import VIEW
    from machikoba.core.models import Notification

    return Notification.objects.for_user(user, VIEW).filter(read_at__isnull=True).count()
