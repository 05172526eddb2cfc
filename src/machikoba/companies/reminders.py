"""Reminders about profiles nobody has looked after: a shop whose profile has not changed
for a year is shown to partners as it was a year ago, so its owners are asked, once a year,
to look it over.

Run daily by the scheduler (``companies.tasks.remind_stale_profiles``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import (
    Capability,
    Company,
    CompanyCertification,
    CompanyPhoto,
    Equipment,
    Membership,
)
from machikoba.core.access import OWNER_ROLES
from machikoba.core.mail import QueuedEmailBackend
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.notifications import KINDS

KIND = "profile_stale"
# A profile is stale after this long without a change, and its owners hear of it at most
# once in this long.
STALE_AFTER = dt.timedelta(days=365)
REMIND_EVERY = dt.timedelta(days=365)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def stale_profiles(*, today: dt.date) -> QuerySet[Company]:
    """Active shops whose profile (the company's row, its capabilities, machines,
    certifications and photos) has not changed since ``today`` minus a year."""
    cutoff = _start_of(today) - STALE_AFTER
    changed_since = {"company": OuterRef("pk"), "updated_at__gte": cutoff}
    return (
        Company.objects.filter(is_active=True, kind=CompanyKind.SHOP, updated_at__lt=cutoff)
        .exclude(Exists(Capability.objects.filter(**changed_since)))
        .exclude(Exists(Equipment.objects.filter(**changed_since)))
        .exclude(Exists(CompanyCertification.objects.filter(**changed_since)))
        .exclude(Exists(CompanyPhoto.objects.filter(**changed_since)))
    )


@transaction.atomic
def stale_profile_reminders(today: dt.date | None = None) -> int:
    """Give each owner of a stale profile an in-app notice pointing at the profile (and
    the same text by e-mail, unless they turned that off), unless they had one for that
    company in the past year or turned the in-app notices off. Returns how many notices
    were created."""
    today = today or timezone.localdate()
    owners = list(
        Membership.objects.filter(
            company__in=stale_profiles(today=today),
            role__in=OWNER_ROLES,
            user__is_active=True,
        )
        .select_related("company", "user")
        .order_by("company_id", "user_id")
    )
    if not owners:
        return 0
    users = {m.user_id for m in owners}
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=users, kind=KIND)
    }
    reminded = set(
        Notification.objects.filter(
            user__in=users, kind=KIND, created_at__gte=_start_of(today) - REMIND_EVERY
        ).values_list("user_id", "url")
    )
    _label, subject, body = KINDS[KIND]
    notices, messages = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for membership in owners:
            user = membership.user
            preference = preferences.get(user.pk)
            path = reverse("companies:detail", args=[membership.company_id])
            if (preference and not preference.in_app) or (user.pk, path) in reminded:
                continue
            params = {"company": membership.company.name}
            title, text = (str(subject) % params)[:200], str(body) % params
            notices.append(Notification(user=user, kind=KIND, title=title, body=text, url=path))
            if user.email and (preference is None or preference.email):
                url = settings.MACHIKOBA_SITE_URL.rstrip("/") + path
                messages.append(
                    EmailMessage(
                        subject=f"[machikoba] {title}", body=f"{text}\n\n{url}\n", to=[user.email]
                    )
                )
    Notification.objects.bulk_create(notices)
    if messages:
        QueuedEmailBackend().send_messages(messages)  # sent once this transaction commits
    return len(notices)
