"""Vendors' demo slots and the seats shops book in them.

A vendor's owner or staff publishes a slot for one of its exhibits: in the future, within
the lab's opening hours, not overlapping another demo of the item nor a booking that holds
it. Shops book a seat (a ``Booking`` with ``demo_slot`` set: no training is needed), one
per company, up to the slot's seats. Cancelling a slot cancels its seats and tells the
shops. The item's row serialises publishing; the slot's row serialises its seats.

The checks every vendor service shares (``lock_item``, ``require_exhibit``,
``require_vendor_editor``) live here too; ``consultations`` and ``trials`` import them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, MEMBER_ROLES, can, require_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company
from machikoba.lab.calendar import within_hours
from machikoba.lab.choices import HOLDING_BOOKING_STATUSES, BookingStatus
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models import Item
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.services.internal import booking_transition, lock_booking

MAX_SEATS = 50
NOTE_MAX = 300


# --- checks shared by the vendor services ------------------------------------------------


def lock_item(item: Item) -> Item:
    """The item's row serialises what is decided per item: its demo slots, and one open
    trial request per company."""
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("lab", "exhibitor")
        .get(pk=item.pk)
    )


def require_exhibit(item: Item) -> Company:
    """Only an active item of an active lab, exhibited by a vendor (returned)."""
    vendor = item.exhibitor
    if vendor is None:
        raise ApplicationError(
            VendorErrorCode.NOT_AN_EXHIBIT,
            _("「%(item)s」はラボの機器で、ベンダーの展示品ではありません。") % {"item": item.name},
        )
    if not item.active or not item.lab.active:
        raise ApplicationError(
            VendorErrorCode.NOT_AN_EXHIBIT,
            _("「%(item)s」はいま公開されていません。") % {"item": item.name},
        )
    return vendor


def require_vendor_editor(actor: User, item: Item) -> None:
    """The owner or staff of the vendor exhibiting ``item``."""
    require_role(
        actor,
        item.exhibitor,
        EDITOR_ROLES,
        VendorErrorCode.NOT_VENDOR_EDITOR,
        _("この操作ができるのは、「%(item)s」を出展しているベンダーの経営者とスタッフだけです。")
        % {"item": item.name},
    )


def refuse_own_exhibit(company: Company, item: Item, message: str) -> None:
    if company.pk == item.exhibitor_id:
        raise ApplicationError(VendorErrorCode.OWN_EXHIBIT, message)


def when(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """``2027/05/10 10:00〜11:00`` in local time, for messages and notices."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{start:%Y/%m/%d %H:%M}〜{end:%H:%M}"


def portal_path() -> str:
    return reverse("lab:vendor_portal")


# --- publishing and cancelling a slot ----------------------------------------------------


def _check_time(item: Item, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise invalid_input(VendorErrorCode.DEMO_INVALID, end=_("終了は開始より後にしてください。"))
    now = timezone.now()
    if starts_at <= now:
        raise ApplicationError(
            VendorErrorCode.DEMO_IN_PAST, _("デモの開始は、これから先の日時にしてください。")
        )
    last_day = timezone.localdate() + dt.timedelta(days=item.lab.book_days_ahead)
    if timezone.localtime(starts_at).date() > last_day:
        raise ApplicationError(
            VendorErrorCode.DEMO_TOO_FAR,
            _("デモは %(days)s 日先 (%(date)s) までの日時で公開してください。")
            % {"days": item.lab.book_days_ahead, "date": last_day.strftime("%Y/%m/%d")},
        )
    closed = within_hours(item.lab, starts_at, ends_at)
    if closed:
        raise ApplicationError(VendorErrorCode.DEMO_OUTSIDE_HOURS, closed)


def _check_free(item: Item, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """No other standing demo of the item, and no booking holding it, in the time."""
    overlap = {"starts_at__lt": ends_at, "ends_at__gt": starts_at}
    demo = (
        DemoSlot.objects.filter(item=item, cancelled_at__isnull=True, **overlap)
        .order_by("starts_at")
        .first()
    )
    if demo is not None:
        raise ApplicationError(
            VendorErrorCode.DEMO_OVERLAPS_DEMO,
            _("「%(item)s」には %(when)s に別のデモがあります。重ならない時間にしてください。")
            % {"item": item.name, "when": when(demo.starts_at, demo.ends_at)},
        )
    booking = (
        Booking.objects.filter(
            item=item,
            demo_slot__isnull=True,
            status__in=HOLDING_BOOKING_STATUSES,
            **overlap,
        )
        .order_by("starts_at")
        .first()
    )
    if booking is not None:
        raise ApplicationError(
            VendorErrorCode.DEMO_OVERLAPS_BOOKING,
            _(
                "「%(item)s」は %(when)s に利用の予約が入っています。"
                "予約と重ならない時間にしてください。"
            )
            % {"item": item.name, "when": when(booking.starts_at, booking.ends_at)},
        )


@transaction.atomic
def demo_slot_publish(
    *,
    actor: User,
    item: Item,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    seats: int,
    note: str = "",
) -> DemoSlot:
    """The exhibiting vendor's owner or staff publishes a demo of ``item``: shops see it
    on the item's page and on the demos page, and book a seat."""
    item = lock_item(item)
    require_exhibit(item)
    require_vendor_editor(actor, item)
    note = note.strip()
    errors = {}
    if seats < 1:
        errors["seats"] = _("定員は1社以上にしてください。")
    elif seats > MAX_SEATS:
        errors["seats"] = _("定員は %(max)s 社までにしてください。") % {"max": MAX_SEATS}
    if len(note) > NOTE_MAX:
        errors["note"] = _("内容は %(max)s 文字以内で書いてください。") % {"max": NOTE_MAX}
    if errors:
        raise invalid_input(VendorErrorCode.DEMO_INVALID, **errors)
    _check_time(item, starts_at, ends_at)
    _check_free(item, starts_at, ends_at)
    slot = DemoSlot(
        item=item,
        starts_at=starts_at,
        ends_at=ends_at,
        seats=seats,
        note=note,
        published_by=actor,
    )
    full_clean_or_raise(slot, code=VendorErrorCode.DEMO_INVALID)
    slot.save()
    audit_record(
        actor=actor,
        verb="lab_demo_slot.publish",
        target=slot,
        company=item.exhibitor,
        after={"item": item.pk, "when": when(starts_at, ends_at), "seats": seats},
    )
    return slot


def lock_slot(slot: DemoSlot) -> DemoSlot:
    """The slot's row serialises its seats (two shops taking the last one at once)."""
    return (
        DemoSlot.objects.select_for_update(of=("self",))
        .select_related("item__lab", "item__exhibitor")
        .get(pk=slot.pk)
    )


def _require_standing(slot: DemoSlot) -> None:
    if slot.cancelled_at is not None:
        raise ApplicationError(VendorErrorCode.DEMO_CANCELLED, _("このデモは中止になりました。"))
    if slot.starts_at <= timezone.now():
        raise ApplicationError(
            VendorErrorCode.DEMO_STARTED,
            _("このデモ (%(when)s) はすでに始まっているか、終わっています。")
            % {"when": when(slot.starts_at, slot.ends_at)},
        )


@transaction.atomic
def demo_slot_cancel(*, actor: User, slot: DemoSlot, reason: str = "") -> DemoSlot:
    """The vendor (or the lab's staff) calls a demo off before it starts: the booked
    seats are cancelled and their companies told."""
    slot = lock_slot(slot)
    if not can(actor, CHANGE, slot):
        raise PermissionRefused(
            VendorErrorCode.NOT_VENDOR_EDITOR,
            _("デモを中止できるのは、出展しているベンダーの経営者とスタッフ、ラボの職員だけです。"),
        )
    _require_standing(slot)
    reason = reason.strip()
    if len(reason) > NOTE_MAX:
        raise invalid_input(
            VendorErrorCode.DEMO_INVALID,
            reason=_("理由は %(max)s 文字以内で書いてください。") % {"max": NOTE_MAX},
        )
    moment = timezone.now()
    slot.cancelled_at = moment
    slot.cancel_reason = reason
    full_clean_or_raise(slot, code=VendorErrorCode.DEMO_INVALID, exclude=["published_by"])
    slot.save()
    seats = slot.bookings.filter(status=BookingStatus.BOOKED).order_by("pk")
    companies: dict[int, Company] = {}
    for seat in seats:
        booking = booking_transition(
            booking=lock_booking(seat.pk), to=BookingStatus.CANCELLED, actor=actor, at=moment
        )
        companies[booking.company_id] = booking.company
    audit_record(
        actor=actor,
        verb="lab_demo_slot.cancel",
        target=slot,
        company=slot.item.exhibitor,
        after={"reason": reason, "seats_cancelled": len(companies)},
    )
    vendor = slot.item.exhibitor
    for company in companies.values():
        notify_company(
            company=company,
            kind="lab_demo_cancelled",
            params={
                "item": slot.item.name,
                "when": when(slot.starts_at, slot.ends_at),
                "vendor": vendor.name if vendor else "",
                "reason": (_("理由: %(reason)s") % {"reason": reason}) if reason else "",
            },
            path=reverse("lab:demos"),
            roles=MEMBER_ROLES,
        )
    return slot


# --- seats ---------------------------------------------------------------------------------


def seats_taken(slot: DemoSlot) -> int:
    return slot.bookings.filter(status__in=HOLDING_BOOKING_STATUSES).count()


@transaction.atomic
def demo_booking_create(
    *, actor: User, slot: DemoSlot, company: Company, purpose: str = ""
) -> Booking:
    """A member of ``company`` books one of the demo's seats for the company (no training
    needed); the vendor is told."""
    require_role(
        actor,
        company,
        MEMBER_ROLES,
        VendorErrorCode.NOT_SHOP_MEMBER,
        _("デモを予約できるのは、%(company)s の方だけです。") % {"company": company.name},
    )
    slot = lock_slot(slot)
    item = slot.item
    refuse_own_exhibit(company, item, _("自社の展示品のデモは予約できません。"))
    _require_standing(slot)
    require_exhibit(item)
    holding = slot.bookings.filter(status__in=HOLDING_BOOKING_STATUSES)
    if holding.filter(company=company).exists():
        raise ApplicationError(
            VendorErrorCode.DEMO_ALREADY_BOOKED,
            _("%(company)s はこのデモをすでに予約しています (1社1席です)。")
            % {"company": company.name},
        )
    taken = holding.count()
    if taken >= slot.seats:
        raise ApplicationError(
            VendorErrorCode.DEMO_FULL,
            _("このデモは満席です (定員 %(seats)s 社)。ほかの日時のデモをお選びください。")
            % {"seats": slot.seats},
        )
    booking = Booking(
        lab=item.lab,
        item=item,
        demo_slot=slot,
        company=company,
        user=actor,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        purpose=purpose.strip()[:300],
    )
    full_clean_or_raise(booking, code=VendorErrorCode.DEMO_INVALID)
    booking.save()
    audit_record(
        actor=actor,
        verb="lab_demo_booking.create",
        target=booking,
        company=company,
        after={"demo_slot": slot.pk, "when": when(slot.starts_at, slot.ends_at)},
    )
    if item.exhibitor is not None:
        notify_company(
            company=item.exhibitor,
            kind="lab_demo_booked",
            params={
                "company": company.name,
                "item": item.name,
                "when": when(slot.starts_at, slot.ends_at),
                "taken": taken + 1,
                "seats": slot.seats,
            },
            path=reverse("lab:vendor_demo", args=[slot.pk]),
        )
    return booking


@transaction.atomic
def demo_booking_cancel(*, actor: User, booking: Booking) -> Booking:
    """The person who booked a demo seat (or the company's owner or staff) gives it back
    before the demo starts; the vendor is told."""
    booking = lock_booking(booking.pk)
    if booking.demo_slot_id is None:
        raise ApplicationError(
            VendorErrorCode.DEMO_SEAT_NOT_DEMO,
            _("これはデモの予約ではありません。予約の一覧から取り消してください。"),
        )
    if not can(actor, CHANGE, booking):
        raise PermissionRefused(
            VendorErrorCode.NOT_SHOP_MEMBER,
            _("デモの予約を取り消せるのは、予約した本人と企業の経営者・スタッフだけです。"),
        )
    if booking.starts_at <= timezone.now():
        raise ApplicationError(
            VendorErrorCode.DEMO_STARTED,
            _("このデモ (%(when)s) はすでに始まっているか、終わっています。")
            % {"when": when(booking.starts_at, booking.ends_at)},
        )
    booking = booking_transition(booking=booking, to=BookingStatus.CANCELLED, actor=actor)
    vendor = booking.item.exhibitor
    if vendor is not None:
        notify_company(
            company=vendor,
            kind="lab_demo_seat_cancelled",
            params={
                "company": booking.company.name,
                "item": booking.item.name,
                "when": when(booking.starts_at, booking.ends_at),
            },
            path=reverse("lab:vendor_demo", args=[booking.demo_slot_id]),
        )
    return booking
