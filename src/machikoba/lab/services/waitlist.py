"""The waitlist of a full time: a company member waits for it (「空き待ちに登録」); when a
booking overlapping it is cancelled or moved, the earliest waiting entry whose time now
has a place is offered it for ``Lab.offer_hours`` (``services.bookings.offer_freed_time``);
the person accepts (a booking, through the same checks as any) or lets the offer expire,
and the periodic task offers the time to the next.

Statuses: waiting → offered → booked; waiting or offered → cancelled (by the person) or
expired (an offer not taken in time, or a time that has begun). Only this module and
``offer_freed_time`` write them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, can
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.lab.choices import WaitlistStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models import Item
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.selectors import bookings as rules
from machikoba.lab.services.bookings import (
    book,
    check_booking,
    lock_item,
    offer_freed_time,
    require_booker,
)
from machikoba.lab.services.internal import waitlist_status_set

OPEN_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def _lock_entry(pk: int) -> WaitlistEntry:
    return (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("item", "item__lab", "company", "user")
        .get(pk=pk)
    )


@transaction.atomic
def waitlist_join(
    *,
    actor: User,
    item: Item,
    company: Company,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str = "",
) -> WaitlistEntry:
    """Wait for a full time of ``item``. Refused when the time has a place (book it), for
    the same reasons a booking would be (a closed day, a missing training …), or when the
    person already waits for an overlapping time of the item."""
    require_booker(actor, company)
    locked = lock_item(item)
    check_booking(
        actor=actor,
        item=locked,
        company_id=company.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        places=False,
    )
    if rules.places_left(locked, starts_at, ends_at) > 0 and not rules.demo_slots_over(
        locked, starts_at, ends_at
    ):
        raise ApplicationError(
            BookingErrorCode.WAITLIST_NOT_FULL,
            _("%(when)s にはまだ空きがあります。空き待ちではなく、そのまま予約してください。")
            % {"when": rules.when_label(starts_at, ends_at)},
        )
    duplicate = WaitlistEntry.objects.filter(
        item=locked,
        user=actor,
        status__in=OPEN_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if duplicate.exists():
        raise ApplicationError(
            BookingErrorCode.WAITLIST_DUPLICATE,
            _("この時間と重なる空き待ちに、すでに登録しています。マイ予約で確認できます。"),
        )
    entry = WaitlistEntry(
        item=locked,
        company=company,
        user=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose.strip(),
    )
    full_clean_or_raise(entry, code=BookingErrorCode.INVALID_INPUT)
    entry.save()
    audit_record(
        actor=actor,
        verb="lab_waitlist.join",
        target=entry,
        company=company,
        after={"item": locked.pk, "starts_at": starts_at.isoformat()},
    )
    return entry


def _lock_for_person(actor: User, entry: WaitlistEntry) -> tuple[Item, WaitlistEntry]:
    item = lock_item(entry.item)
    locked = _lock_entry(entry.pk)
    if not can(actor, CHANGE, locked):
        raise PermissionRefused(
            BookingErrorCode.NOT_BOOKER, _("この空き待ちは、登録した方だけが操作できます。")
        )
    return item, locked


@transaction.atomic
def waitlist_accept(*, actor: User, entry: WaitlistEntry) -> Booking:
    """Take the offered time: a booking, through the same checks as any (the offer's own
    place is not counted against it). Only the person offered takes it."""
    item, locked = _lock_for_person(actor, entry)
    if locked.user_id != actor.pk:
        raise PermissionRefused(
            BookingErrorCode.NOT_BOOKER, _("ご案内した時間を予約できるのは、登録した方だけです。")
        )
    if locked.status != WaitlistStatus.OFFERED:
        raise ApplicationError(
            BookingErrorCode.WAITLIST_NOT_OPEN,
            _("この空き待ちは「%(status)s」のため、予約に変更できません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    if locked.offer_expires_at is None or locked.offer_expires_at <= timezone.now():
        raise ApplicationError(
            BookingErrorCode.OFFER_EXPIRED,
            _("ご案内の期限 (%(expires)s) を過ぎたため、この時間は次の方にご案内します。")
            % {
                "expires": timezone.localtime(locked.offer_expires_at).strftime("%Y/%m/%d %H:%M")
                if locked.offer_expires_at
                else "-"
            },
        )
    check_booking(
        actor=locked.user,
        item=item,
        company_id=locked.company_id,
        starts_at=locked.starts_at,
        ends_at=locked.ends_at,
        exclude_offer=locked.pk,
    )
    booking = book(
        actor=locked.user,
        item=item,
        company=locked.company,
        starts_at=locked.starts_at,
        ends_at=locked.ends_at,
        purpose=locked.purpose,
    )
    locked.booking = booking
    waitlist_status_set(
        entry=locked, to=WaitlistStatus.BOOKED, actor=actor, verb="lab_waitlist.accept"
    )
    return booking


@transaction.atomic
def waitlist_cancel(*, actor: User, entry: WaitlistEntry) -> WaitlistEntry:
    """Leave the waitlist (or decline an offer: the time goes to the next)."""
    item, locked = _lock_for_person(actor, entry)
    if locked.status not in OPEN_STATUSES:
        raise ApplicationError(
            BookingErrorCode.WAITLIST_NOT_OPEN,
            _("この空き待ちは「%(status)s」のため、取り消せません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    was_offered = locked.status == WaitlistStatus.OFFERED
    waitlist_status_set(
        entry=locked, to=WaitlistStatus.CANCELLED, actor=actor, verb="lab_waitlist.cancel"
    )
    if was_offered:
        offer_freed_time(item=item, starts_at=locked.starts_at, ends_at=locked.ends_at)
    return locked


def waitlist_expire(*, now: dt.datetime | None = None) -> int:
    """The periodic task's work: offers not taken by their deadline expire and their time
    is offered to the next; entries whose time has begun expire. Each entry in its own
    transaction. Returns the number expired."""
    moment = now or timezone.now()
    due = WaitlistEntry.objects.filter(
        status=WaitlistStatus.OFFERED, offer_expires_at__lte=moment
    ) | WaitlistEntry.objects.filter(status__in=OPEN_STATUSES, starts_at__lte=moment)
    expired = 0
    for entry in due.order_by("offer_expires_at", "created_at", "id").distinct():
        with transaction.atomic():
            item = lock_item(entry.item)
            locked = _lock_entry(entry.pk)
            if locked.status not in OPEN_STATUSES:
                continue
            if locked.status == WaitlistStatus.WAITING and locked.starts_at > moment:
                continue
            if (
                locked.status == WaitlistStatus.OFFERED
                and locked.starts_at > moment
                and locked.offer_expires_at is not None
                and locked.offer_expires_at > moment
            ):
                continue
            was_offered = locked.status == WaitlistStatus.OFFERED
            waitlist_status_set(
                entry=locked, to=WaitlistStatus.EXPIRED, actor=None, verb="lab_waitlist.expire"
            )
            expired += 1
            if was_offered:
                offer_freed_time(item=item, starts_at=locked.starts_at, ends_at=locked.ends_at)
    return expired
