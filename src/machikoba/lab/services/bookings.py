"""Bookings of the lab's items: a company member books a time, changes or cancels it until
the cut-off, lab staff cancel any time and close past bookings (no-show, completed), and a
periodic task does the same for bookings nobody closed. A freed time is offered to the
waitlist (``offer_freed_time``; the waitlist itself is in ``services.waitlist``).

Every booking and every change of one passes ``check_booking``, refusing with its own code
and a message that says what to do, before anything is written. The item's row is locked
first (then the company's: its monthly hours), so two people booking its last place at
once are counted one after the other and exactly one wins.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, can
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.notifications import notify_users
from machikoba.lab.calendar import day_hours, within_hours
from machikoba.lab.choices import BookingStatus, WaitlistStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.models import Item, Lab
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.selectors import bookings as rules
from machikoba.lab.selectors.trainings import missing_trainings
from machikoba.lab.services.internal import (
    booking_transition,
    lock_booking,
    waitlist_status_set,
)


class TrainingMissing(ApplicationError):
    """The refusal of a booking that needs a training: the message names it, and
    ``link`` / ``link_label`` lead to its next session (empty when none is planned)."""

    def __init__(self, message: str, *, link: str = "", link_label: str = "") -> None:
        super().__init__(BookingErrorCode.TRAINING_MISSING, message)
        self.link = link
        self.link_label = link_label


def _moment(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y/m/d H:i")


# --- who -------------------------------------------------------------------------------


def require_booker(actor: User, company: object) -> None:
    """Only the people of a company (owner, staff, floor worker) book for it; a vendor or
    a bank does not book the lab's items."""
    if getattr(company, "kind", None) in rules.NOT_BOOKING_KINDS:
        raise PermissionRefused(
            BookingErrorCode.COMPANY_NOT_ELIGIBLE,
            _(
                "ITベンダー・金融機関のアカウントでは機器を予約できません。町工場の方が予約してください。"
            ),
        )
    if not rules.may_book_for(actor, company):
        raise PermissionRefused(
            BookingErrorCode.NOT_A_MEMBER,
            _("この企業の方だけが、この企業として予約できます。"),
        )


def lock_item(item: Item) -> Item:
    """The item's row, locked until the transaction ends: every count of its places is
    made under this lock."""
    return Item.objects.select_for_update(of=("self",)).select_related("lab").get(pk=item.pk)


def _lock_company(company_id: int) -> None:
    list(Company.objects.select_for_update(of=("self",)).filter(pk=company_id).values("pk"))


# --- the checks --------------------------------------------------------------------------


def _check_item(item: Item) -> None:
    if not item.active or not item.lab.active:
        raise ApplicationError(
            BookingErrorCode.ITEM_INACTIVE,
            _("「%(item)s」はいま公開されていないため、予約できません。") % {"item": item.name},
        )
    if not item.bookable:
        raise ApplicationError(
            BookingErrorCode.ITEM_NOT_BOOKABLE,
            _("「%(item)s」は時間予約の対象ではありません。試用の申込みやご相談をお使いください。")
            % {"item": item.name},
        )


def _check_time(lab: Lab, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Order, past, how far ahead, open day and hours, the slot grid."""
    if ends_at <= starts_at:
        raise ApplicationError(
            BookingErrorCode.INVALID_TIMES, _("終了は開始より後の時刻にしてください。")
        )
    now = timezone.now()
    if starts_at <= now:
        raise ApplicationError(
            BookingErrorCode.IN_THE_PAST,
            _("過去の時間 (%(start)s) は予約できません。これからの時間を選んでください。")
            % {"start": _moment(starts_at)},
        )
    last = timezone.localdate() + dt.timedelta(days=lab.book_days_ahead)
    if timezone.localtime(starts_at).date() > last:
        raise ApplicationError(
            BookingErrorCode.TOO_FAR_AHEAD,
            _("予約できるのは %(days)s 日先の %(last)s までです。")
            % {"days": lab.book_days_ahead, "last": last.strftime("%Y/%m/%d")},
        )
    hours = day_hours(lab, timezone.localtime(starts_at).date())
    reason = within_hours(lab, starts_at, ends_at)
    if reason:
        code = BookingErrorCode.OUTSIDE_HOURS if hours.is_open else BookingErrorCode.CLOSED_DAY
        raise ApplicationError(code, reason)
    opens = hours.opens
    if opens is None or not (
        rules.on_grid(lab, hours, starts_at) and rules.on_grid(lab, hours, ends_at)
    ):
        raise ApplicationError(
            BookingErrorCode.OFF_GRID,
            _(
                "予約は開館時刻 %(opens)s から %(minutes)s 分単位です。"
                "開始と終了をその区切りに合わせてください。"
            )
            % {"opens": rules.local_label(opens) if opens else "", "minutes": lab.slot_minutes},
        )


def _check_training(actor: User, item: Item, starts_at: dt.datetime) -> None:
    missing = missing_trainings(actor, item, timezone.localtime(starts_at).date())
    if not missing:
        return
    names = "」「".join(training.name for training in missing)
    for training in missing:
        session = rules.next_training_session(actor, training)
        if session is not None:
            message = _(
                "「%(item)s」の予約には講習「%(training)s」の修了が必要です。"
                "次の講習は %(date)s 「%(session)s」です。受講すると予約できるようになります。"
            ) % {
                "item": item.name,
                "training": names,
                "date": _moment(session.starts_at),
                "session": session.title,
            }
            raise TrainingMissing(
                message,
                link=rules.event_path(session),
                link_label=_("講習「%(session)s」の申込みへ") % {"session": session.title},
            )
    raise TrainingMissing(
        _(
            "「%(item)s」の予約には講習「%(training)s」の修了が必要です。"
            "いまは予定されている講習がありません。ラボ (%(lab)s) にお問い合わせください。"
        )
        % {"item": item.name, "training": names, "lab": item.lab.phone or item.lab.name}
    )


def _check_no_shows(company_id: int, lab: Lab) -> None:
    until = rules.no_show_blocked_until(company_id, lab)
    if until is not None and until > timezone.now():
        raise ApplicationError(
            BookingErrorCode.NO_SHOW_BLOCKED,
            _(
                "90日間に無断キャンセルが %(limit)s 回あったため、%(until)s まで"
                "新しい予約ができません。ラボにご相談ください。"
            )
            % {"limit": lab.no_show_limit, "until": _moment(until)},
        )


def _check_places(
    item: Item,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    exclude_booking: int | None,
    exclude_offer: int | None,
) -> None:
    demos = rules.demo_slots_over(item, starts_at, ends_at)
    if demos:
        raise ApplicationError(
            BookingErrorCode.DEMO_SLOT,
            _(
                "%(when)s は「%(item)s」のベンダーによるデモがあるため予約できません。"
                "別の時間を選んでください。"
            )
            % {"when": rules.when_label(demos[0].starts_at, demos[0].ends_at), "item": item.name},
        )
    left = rules.places_left(
        item, starts_at, ends_at, exclude_booking=exclude_booking, exclude_offer=exclude_offer
    )
    if left <= 0:
        raise ApplicationError(
            BookingErrorCode.CAPACITY_FULL,
            _(
                "%(when)s の「%(item)s」は予約でいっぱいです (同時に %(capacity)s 件まで)。"
                "別の時間を選ぶか、空き待ちに登録してください。"
            )
            % {
                "when": rules.when_label(starts_at, ends_at),
                "item": item.name,
                "capacity": item.capacity,
            },
            status_code=409,
        )


def _check_month(
    company_id: int,
    lab: Lab,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    exclude_booking: int | None,
) -> None:
    used = rules.company_minutes_in_month(
        company_id, lab, starts_at, exclude_booking=exclude_booking
    )
    adding = int((ends_at - starts_at).total_seconds() // 60)
    limit = lab.max_hours_per_company_month * 60
    if used + adding > limit:
        month = timezone.localtime(starts_at)
        raise ApplicationError(
            BookingErrorCode.MONTHLY_HOURS,
            _(
                "%(year)s年%(month)s月の利用は 1社 %(limit)s 時間までです。"
                "すでに %(used)s 時間の予約があり、この予約 (%(adding)s 時間) は入りません。"
            )
            % {
                "year": month.year,
                "month": month.month,
                "limit": lab.max_hours_per_company_month,
                "used": f"{used / 60:g}",
                "adding": f"{adding / 60:g}",
            },
        )


def check_booking(
    *,
    actor: User,
    item: Item,
    company_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_booking: int | None = None,
    exclude_offer: int | None = None,
    places: bool = True,
    no_shows: bool = True,
) -> None:
    """Refuse a booking of ``item`` (locked by the caller) for ``starts_at``–``ends_at``,
    with the first rule it breaks. ``exclude_booking``: the booking being changed;
    ``exclude_offer``: the waitlist offer being accepted; ``places``: count the item's
    places (the waitlist asks for a full time on purpose); ``no_shows``: the no-show rule
    stops new bookings, not changes of one."""
    _check_item(item)
    _check_time(item.lab, starts_at, ends_at)
    _check_training(actor, item, starts_at)
    if no_shows:
        _check_no_shows(company_id, item.lab)
    if places:
        _check_places(
            item,
            starts_at,
            ends_at,
            exclude_booking=exclude_booking,
            exclude_offer=exclude_offer,
        )
    _check_month(company_id, item.lab, starts_at, ends_at, exclude_booking=exclude_booking)


# --- booking, changing, cancelling -------------------------------------------------------


def book(
    *,
    actor: User,
    item: Item,
    company: Company,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str,
) -> Booking:
    """Write a booking that passed ``check_booking`` (the caller holds the item's lock)."""
    booking = Booking(
        lab=item.lab,
        item=item,
        company=company,
        user=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose.strip(),
    )
    full_clean_or_raise(booking, code=BookingErrorCode.INVALID_INPUT)
    booking.save()
    audit_record(
        actor=actor,
        verb="lab_booking.create",
        target=booking,
        company=company,
        after={
            "item": item.pk,
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
        },
    )
    return booking


@transaction.atomic
def booking_create(
    *,
    actor: User,
    item: Item,
    company: Company,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str = "",
) -> Booking:
    """Book ``item`` for ``company`` from ``starts_at`` to ``ends_at`` (see
    ``check_booking`` for every refusal)."""
    require_booker(actor, company)
    locked = lock_item(item)
    _lock_company(company.pk)
    check_booking(
        actor=actor, item=locked, company_id=company.pk, starts_at=starts_at, ends_at=ends_at
    )
    return book(
        actor=actor,
        item=locked,
        company=company,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
    )


def _lock_for_change(actor: User, booking: Booking) -> tuple[Item, Booking]:
    """The item and the booking, locked in that order (as ``booking_create`` does), for a
    change by someone who may change it."""
    item = lock_item(booking.item)
    locked = lock_booking(booking.pk)
    if not can(actor, CHANGE, locked):
        raise PermissionRefused(
            BookingErrorCode.NOT_BOOKER,
            _(
                "この予約を変更・キャンセルできるのは、予約した方と企業の経営者・スタッフ、ラボの担当者です。"
            ),
        )
    return item, locked


def _require_booked(booking: Booking) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise ApplicationError(
            BookingErrorCode.TRANSITION_NOT_ALLOWED,
            _("この予約は「%(status)s」のため、この操作はできません。")
            % {"status": booking.get_status_display()},
            status_code=409,
        )


def _require_before_cutoff(booking: Booking) -> None:
    deadline = rules.cutoff_of(booking)
    if timezone.now() >= deadline:
        raise ApplicationError(
            BookingErrorCode.CUTOFF_PASSED,
            _(
                "変更・キャンセルの締切 (%(deadline)s、開始の %(hours)s 時間前) を過ぎています。"
                "ラボにご連絡ください。"
            )
            % {"deadline": _moment(deadline), "hours": booking.lab.cutoff_hours},
        )


@transaction.atomic
def booking_modify(
    *,
    actor: User,
    booking: Booking,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str | None = None,
) -> Booking:
    """Move a booking to another time (and purpose) of the same item until the cut-off;
    the new time passes the same checks as a new booking. The time it leaves is offered to
    the waitlist."""
    item, locked = _lock_for_change(actor, booking)
    _require_booked(locked)
    _require_before_cutoff(locked)
    new_purpose = locked.purpose if purpose is None else purpose.strip()
    if (starts_at, ends_at, new_purpose) == (locked.starts_at, locked.ends_at, locked.purpose):
        raise ApplicationError(
            BookingErrorCode.UNCHANGED, _("変更がありません。新しい時間を選んでください。")
        )
    _lock_company(locked.company_id)
    check_booking(
        actor=locked.user,
        item=item,
        company_id=locked.company_id,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_booking=locked.pk,
        no_shows=False,
    )
    before = {"starts_at": locked.starts_at.isoformat(), "ends_at": locked.ends_at.isoformat()}
    old_start, old_end = locked.starts_at, locked.ends_at
    locked.starts_at, locked.ends_at, locked.purpose = starts_at, ends_at, new_purpose
    full_clean_or_raise(locked, code=BookingErrorCode.INVALID_INPUT)
    locked.save()
    audit_record(
        actor=actor,
        verb="lab_booking.modify",
        target=locked,
        company=locked.company,
        before=before,
        after={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
    )
    offer_freed_time(item=item, starts_at=old_start, ends_at=old_end)
    return locked


def _notice_params(booking: Booking) -> dict[str, object]:
    return {
        "lab": booking.lab.name,
        "item": booking.item.name,
        "when": rules.when_label(booking.starts_at, booking.ends_at),
    }


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking) -> Booking:
    """Cancel a booking: its company's people until the cut-off, the lab's staff any time
    (the person who booked is told). The freed time is offered to the waitlist."""
    item, locked = _lock_for_change(actor, booking)
    _require_booked(locked)
    by_lab = can(actor, MANAGE, locked)
    if not by_lab:
        _require_before_cutoff(locked)
    booking_transition(booking=locked, to=BookingStatus.CANCELLED, actor=actor)
    if by_lab and locked.user_id != actor.pk:
        notify_users(
            users=[locked.user],
            kind="lab_booking_cancelled_by_lab",
            params=_notice_params(locked),
            path=reverse("lab:my_bookings"),
        )
    offer_freed_time(item=item, starts_at=locked.starts_at, ends_at=locked.ends_at)
    return locked


# --- closing past bookings: by hand (staff) and the periodic task -------------------------


def _lock_for_staff(actor: User, booking: Booking) -> Booking:
    locked = lock_booking(booking.pk)
    if not can(actor, MANAGE, locked):
        raise PermissionRefused(
            BookingErrorCode.NOT_BOOKER,
            _("無断キャンセル・利用済みの記録は、ラボの担当者だけができます。"),
        )
    if locked.starts_at > timezone.now():
        raise ApplicationError(
            BookingErrorCode.NOT_STARTED,
            _("開始時刻 (%(start)s) の前には記録できません。")
            % {"start": _moment(locked.starts_at)},
        )
    return locked


def _tell_no_show(booking: Booking) -> None:
    notify_users(
        users=[booking.user],
        kind="lab_booking_no_show",
        params={**_notice_params(booking), "limit": booking.lab.no_show_limit},
        path=reverse("lab:my_bookings"),
    )


@transaction.atomic
def booking_mark_no_show(*, actor: User, booking: Booking) -> Booking:
    """Staff record that nobody came (after the start)."""
    locked = _lock_for_staff(actor, booking)
    booking_transition(booking=locked, to=BookingStatus.NO_SHOW, actor=actor)
    _tell_no_show(locked)
    return locked


@transaction.atomic
def booking_complete(*, actor: User, booking: Booking) -> Booking:
    """Staff record that the booking was used (after the start; checked in or not)."""
    locked = _lock_for_staff(actor, booking)
    booking_transition(booking=locked, to=BookingStatus.COMPLETED, actor=actor)
    return locked


def bookings_close_past(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The periodic task's work: a booking still booked ``Lab.no_show_grace_minutes`` after
    its start (nobody checked in) becomes a no-show; one in use whose end has passed is
    completed. Each booking in its own transaction. Returns (no-shows, completed)."""
    moment = now or timezone.now()
    no_shows = completed = 0
    late = Booking.objects.filter(status=BookingStatus.BOOKED, starts_at__lte=moment)
    for booking in late.select_related("lab").order_by("starts_at", "id"):
        grace = dt.timedelta(minutes=booking.lab.no_show_grace_minutes)
        if booking.starts_at + grace > moment:
            continue
        with transaction.atomic():
            locked = lock_booking(booking.pk)
            if locked.status != BookingStatus.BOOKED:
                continue
            booking_transition(booking=locked, to=BookingStatus.NO_SHOW, actor=None, at=moment)
            _tell_no_show(locked)
            no_shows += 1
    ended = Booking.objects.filter(status=BookingStatus.IN_USE, ends_at__lte=moment)
    for pk in ended.order_by("ends_at", "id").values_list("pk", flat=True):
        with transaction.atomic():
            locked = lock_booking(pk)
            if locked.status != BookingStatus.IN_USE:
                continue
            booking_transition(booking=locked, to=BookingStatus.COMPLETED, actor=None, at=moment)
            completed += 1
    return no_shows, completed


# --- offering a freed time to the waitlist -----------------------------------------------


def offer_entry(entry: WaitlistEntry, *, lab: Lab) -> None:
    """Offer ``entry`` its time for ``Lab.offer_hours`` (never past its start) and tell
    the person, with the link to accept."""
    now = timezone.now()
    entry.offered_at = now
    entry.offer_expires_at = min(now + dt.timedelta(hours=lab.offer_hours), entry.starts_at)
    waitlist_status_set(
        entry=entry,
        to=WaitlistStatus.OFFERED,
        actor=None,
        verb="lab_waitlist.offer",
        after={"offer_expires_at": entry.offer_expires_at.isoformat()},
    )
    notify_users(
        users=[entry.user],
        kind="lab_waitlist_offer",
        params={
            "lab": lab.name,
            "item": entry.item.name,
            "when": rules.when_label(entry.starts_at, entry.ends_at),
            "expires": _moment(entry.offer_expires_at),
        },
        path=reverse("lab:my_bookings") + f"#offer-{entry.pk}",
    )


def offer_freed_time(*, item: Item, starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    """Offer the waitlist of ``item`` (locked by the caller) what a freed time now allows:
    in the order they joined, each waiting entry overlapping the time whose own time now
    has a place (an offer holds its place, so one freed place makes one offer). Returns
    the number of offers."""
    now = timezone.now()
    if ends_at <= now:
        return 0
    waiting = WaitlistEntry.objects.filter(
        item=item,
        status=WaitlistStatus.WAITING,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
        starts_at__gt=now,
    ).select_related("item", "user", "company")
    offered = 0
    for entry in waiting.order_by("created_at", "id"):
        if rules.demo_slots_over(item, entry.starts_at, entry.ends_at):
            continue
        if rules.places_left(item, entry.starts_at, entry.ends_at) <= 0:
            continue
        offer_entry(entry, lab=item.lab)
        offered += 1
    return offered
