"""Reads of the lab's bookings and waitlist: the slot grid of a day and how full each slot
is, a company's hours in a month, its recent no-shows, and the pages (booking an item,
マイ予約, one booking, the staff's day).

The occupancy counts (``peak_load``, ``demo_slots_over``, ``company_minutes_in_month``,
``recent_no_shows``) read every company's bookings on purpose: they are the rules the
booking services apply (after locking the item), and the booking page shows only
free / full from them, never whose bookings they are. Everything a person reads as rows
starts from ``for_user``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.core.access import (
    CHANGE,
    MANAGE,
    MEMBER_ROLES,
    VIEW,
    AccessQuerySet,
    can,
    company_ids_for,
    get_for_user_or_404,
)
from machikoba.lab.calendar import DayHours, day_hours
from machikoba.lab.choices import (
    HOLDING_BOOKING_STATUSES,
    BookingStatus,
    EventKind,
    EventStatus,
    WaitlistStatus,
)
from machikoba.lab.models import Item, Lab, Training
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.models_events import Event
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.selectors.trainings import missing_trainings

# Companies whose people may not book the lab's items: vendors show, banks lend.
NOT_BOOKING_KINDS = (CompanyKind.VENDOR, CompanyKind.BANK)
NO_SHOW_WINDOW = dt.timedelta(days=90)

FREE = "free"
FULL = "full"
DEMO = "demo"
PAST = "past"


# --- the slot grid ---------------------------------------------------------------------


def step_of(lab: Lab) -> dt.timedelta:
    return dt.timedelta(minutes=lab.slot_minutes)


def grid_times(lab: Lab, hours: DayHours) -> list[dt.datetime]:
    """Every grid point of an open day, from opening to closing (both included)."""
    if hours.opens is None or hours.closes is None:
        return []
    times = []
    moment = hours.opens
    while moment <= hours.closes:
        times.append(moment)
        moment += step_of(lab)
    return times


def on_grid(lab: Lab, hours: DayHours, moment: dt.datetime) -> bool:
    """Whether ``moment`` is a grid point of the day: a whole number of slots after it
    opens."""
    if hours.opens is None:
        return False
    offset = timezone.localtime(moment) - hours.opens
    return offset % step_of(lab) == dt.timedelta(0)


def local_label(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def weekday_label(day: dt.date) -> str:
    return [_("月"), _("火"), _("水"), _("木"), _("金"), _("土"), _("日")][day.weekday()]


def when_label(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """``2027/05/10 (月) 10:00〜11:30`` in local time."""
    start = timezone.localtime(starts_at)
    day = start.strftime("%Y/%m/%d")
    return f"{day} ({weekday_label(start)}) {start:%H:%M}〜{local_label(ends_at)}"


# --- occupancy (the rules' counts) -----------------------------------------------------


def _overlapping(starts_at: dt.datetime, ends_at: dt.datetime) -> Q:
    return Q(starts_at__lt=ends_at, ends_at__gt=starts_at)


def holding_intervals(
    item: Item,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    exclude_booking: int | None = None,
    exclude_offer: int | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The times overlapping ``starts_at``–``ends_at`` that hold a place of ``item``: its
    bookings that hold their slot (a seat in a vendor's demo is not a booking of the item)
    and the waitlist's offers still open (the place is kept for the person offered)."""
    bookings = Booking.objects.filter(
        _overlapping(starts_at, ends_at),
        item=item,
        demo_slot__isnull=True,
        status__in=HOLDING_BOOKING_STATUSES,
    )
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking)
    offers = WaitlistEntry.objects.filter(
        _overlapping(starts_at, ends_at),
        item=item,
        status=WaitlistStatus.OFFERED,
        offer_expires_at__gt=timezone.now(),
    )
    if exclude_offer is not None:
        offers = offers.exclude(pk=exclude_offer)
    rows = list(bookings.values_list("starts_at", "ends_at"))
    rows += list(offers.values_list("starts_at", "ends_at"))
    return rows


def peak_load(
    intervals: list[tuple[dt.datetime, dt.datetime]], starts_at: dt.datetime, ends_at: dt.datetime
) -> int:
    """The most of ``intervals`` that run at one moment within ``starts_at``–``ends_at``
    (10–11 and 11–12 never overlap each other: a capacity of one holds both)."""
    events: list[tuple[dt.datetime, int]] = []
    for start, end in intervals:
        start, end = max(start, starts_at), min(end, ends_at)
        if start < end:
            events += [(start, 1), (end, -1)]
    peak = current = 0
    for _moment, change in sorted(events):  # an end (-1) sorts before a start at one moment
        current += change
        peak = max(peak, current)
    return peak


def places_left(
    item: Item,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    exclude_booking: int | None = None,
    exclude_offer: int | None = None,
) -> int:
    intervals = holding_intervals(
        item, starts_at, ends_at, exclude_booking=exclude_booking, exclude_offer=exclude_offer
    )
    return item.capacity - peak_load(intervals, starts_at, ends_at)


def demo_slots_over(item: Item, starts_at: dt.datetime, ends_at: dt.datetime) -> list[DemoSlot]:
    """The vendor's demo slots of ``item`` that stand during the time: they block it."""
    return list(
        DemoSlot.objects.filter(
            _overlapping(starts_at, ends_at), item=item, cancelled_at__isnull=True
        ).order_by("starts_at")
    )


def month_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (local time, JST) ``moment`` falls in, as aware datetimes."""
    local = timezone.localtime(moment)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def company_minutes_in_month(
    company_id: int, lab: Lab, moment: dt.datetime, *, exclude_booking: int | None = None
) -> int:
    """Minutes of the company's bookings of the lab's items (holding their slot) that
    start in the calendar month of ``moment``."""
    first, following = month_bounds(moment)
    bookings = Booking.objects.filter(
        company_id=company_id,
        lab=lab,
        demo_slot__isnull=True,
        status__in=HOLDING_BOOKING_STATUSES,
        starts_at__gte=first,
        starts_at__lt=following,
    )
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking)
    total = dt.timedelta(0)
    for start, end in bookings.values_list("starts_at", "ends_at"):
        total += end - start
    return int(total.total_seconds() // 60)


def recent_no_shows(company_id: int, lab: Lab) -> list[dt.datetime]:
    """When the company's no-shows at the lab in the last 90 days started, newest first."""
    since = timezone.now() - NO_SHOW_WINDOW
    return list(
        Booking.objects.filter(
            company_id=company_id, lab=lab, status=BookingStatus.NO_SHOW, starts_at__gte=since
        )
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
    )


def no_show_blocked_until(company_id: int, lab: Lab) -> dt.datetime | None:
    """When the no-show rule stops blocking the company (None: it does not). The rule:
    ``Lab.no_show_limit`` no-shows within 90 days (a limit of 0 turns it off)."""
    limit = lab.no_show_limit
    if limit <= 0:
        return None
    starts = recent_no_shows(company_id, lab)
    if len(starts) < limit:
        return None
    return starts[limit - 1] + NO_SHOW_WINDOW


# --- who may book ----------------------------------------------------------------------


def may_book_for(user: User, company: object) -> bool:
    """Whether ``user`` may book the lab's items for ``company``: one of its people
    (owner, staff, floor worker), and the company is no vendor or bank."""
    pk = getattr(company, "pk", None)
    if pk is None or getattr(company, "kind", None) in NOT_BOOKING_KINDS:
        return False
    return pk in company_ids_for(user, MEMBER_ROLES, CHANGE)


def next_training_session(user: User, training: Training) -> Event | None:
    """The next published session of ``training`` that has not started."""
    return (
        Event.objects.for_user(user, VIEW)
        .filter(
            kind=EventKind.TRAINING,
            training=training,
            status=EventStatus.PUBLISHED,
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at", "id")
        .first()
    )


def event_path(event: Event) -> str:
    """The event's page (built by the events' pages; the path itself when their routes are
    not there)."""
    try:
        return reverse("lab:event_detail", args=[event.pk])
    except NoReverseMatch:
        return f"/lab/events/{event.pk}/"


# --- the booking page ------------------------------------------------------------------


def bookable_item(user: User, pk: int) -> Item:
    """The item a booking page is opened on: any item the user sees (404 otherwise)."""
    return get_for_user_or_404(Item.objects.select_related("lab", "exhibitor"), user, VIEW, pk=pk)


@dataclass(frozen=True)
class SlotRow:
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str  # FREE, FULL, DEMO, PAST
    left: int

    @property
    def label(self) -> str:
        return local_label(self.starts_at)

    @property
    def state_label(self) -> str:
        return {
            FREE: _("空き"),
            FULL: _("満"),
            DEMO: _("デモ"),
            PAST: _("終了"),
        }[self.state]


@dataclass(frozen=True)
class DayChoice:
    day: dt.date
    label: str


@dataclass
class BookingPage:
    item: Item
    lab: Lab
    days: list[DayChoice]
    day: dt.date | None
    hours: DayHours | None
    slots: list[SlotRow] = field(default_factory=list)
    start_choices: list[tuple[str, str]] = field(default_factory=list)
    end_choices: list[tuple[str, str]] = field(default_factory=list)
    missing: list[Training] = field(default_factory=list)
    session: Event | None = None
    session_path: str = ""
    month_used_hours: float = 0.0
    blocked_until: dt.datetime | None = None

    @property
    def has_free(self) -> bool:
        return any(slot.state == FREE for slot in self.slots)


def day_label(day: dt.date) -> str:
    return f"{day:%m/%d} ({weekday_label(day)})"


def bookable_days(lab: Lab) -> list[DayChoice]:
    """The open days from today through ``book_days_ahead``."""
    today = timezone.localdate()
    days = []
    for n in range(lab.book_days_ahead + 1):
        day = today + dt.timedelta(days=n)
        if day_hours(lab, day).is_open:
            days.append(DayChoice(day, day_label(day)))
    return days


def day_slots(item: Item, hours: DayHours, *, exclude_booking: int | None = None) -> list[SlotRow]:
    """Each slot of the day, free or full (or blocked by a demo, or over)."""
    lab = item.lab
    times = grid_times(lab, hours)
    if len(times) < 2:
        return []
    first, last = times[0], times[-1]
    intervals = holding_intervals(item, first, last, exclude_booking=exclude_booking)
    demos = demo_slots_over(item, first, last)
    now = timezone.now()
    rows = []
    for start, end in itertools.pairwise(times):
        left = item.capacity - peak_load(intervals, start, end)
        if start <= now:
            state = PAST
        elif any(d.starts_at < end and d.ends_at > start for d in demos):
            state = DEMO
        elif left <= 0:
            state = FULL
        else:
            state = FREE
        rows.append(SlotRow(start, end, state, max(left, 0)))
    return rows


def booking_page(
    user: User,
    item: Item,
    company: object,
    day: dt.date | None,
    *,
    exclude_booking: int | None = None,
    person: User | None = None,
) -> BookingPage:
    """What the booking page shows for ``day`` (None: the first bookable day); the
    trainings are those of ``person`` (default ``user``: whoever books, or the person a
    booking being changed is for)."""
    lab = item.lab
    days = bookable_days(lab)
    if day is None or all(choice.day != day for choice in days):
        day = days[0].day if days else None
    page = BookingPage(item=item, lab=lab, days=days, day=day, hours=None)
    if day is not None:
        hours = day_hours(lab, day)
        page.hours = hours
        page.slots = day_slots(item, hours, exclude_booking=exclude_booking)
        times = grid_times(lab, hours)
        page.start_choices = [(local_label(t), local_label(t)) for t in times[:-1]]
        page.end_choices = [(local_label(t), local_label(t)) for t in times[1:]]
    page.missing = missing_trainings(person or user, item, day or timezone.localdate())
    for training in page.missing:
        session = next_training_session(person or user, training)
        if session is not None:
            page.session, page.session_path = session, event_path(session)
            break
    company_id = getattr(company, "pk", None)
    if company_id is not None:
        minutes = company_minutes_in_month(
            company_id, lab, timezone.now(), exclude_booking=exclude_booking
        )
        page.month_used_hours = minutes / 60
        page.blocked_until = no_show_blocked_until(company_id, lab)
    return page


# --- one booking, マイ予約, the staff's day ----------------------------------------------


def _booking_rows(queryset: AccessQuerySet[Booking]) -> AccessQuerySet[Booking]:
    return queryset.select_related("item", "lab", "company", "user", "item__exhibitor")


def booking_for(user: User, pk: int, action: str = VIEW) -> Booking:
    """One booking for ``action``: 404 unless the user sees it, 403 when they see it but
    may not do that."""
    return get_for_user_or_404(_booking_rows(Booking.objects.all()), user, action, pk=pk)


def waitlist_entry_for(user: User, pk: int, action: str = CHANGE) -> WaitlistEntry:
    return get_for_user_or_404(
        WaitlistEntry.objects.select_related("item", "item__lab", "company"),
        user,
        action,
        pk=pk,
    )


@dataclass(frozen=True)
class BookingCard:
    booking: Booking
    when: str
    may_change: bool  # before the cut-off, still booked
    deadline: dt.datetime
    is_mine: bool


def cutoff_of(booking: Booking) -> dt.datetime:
    """Until when the booking may be changed or cancelled by its company."""
    return booking.starts_at - dt.timedelta(hours=booking.lab.cutoff_hours)


def _card(user: User, booking: Booking) -> BookingCard:
    deadline = cutoff_of(booking)
    may_change = booking.status == BookingStatus.BOOKED and timezone.now() < deadline
    return BookingCard(
        booking,
        when_label(booking.starts_at, booking.ends_at),
        may_change,
        deadline,
        booking.user_id == user.pk,
    )


@dataclass(frozen=True)
class WaitCard:
    entry: WaitlistEntry
    when: str

    @property
    def offered(self) -> bool:
        return self.entry.status == WaitlistStatus.OFFERED


@dataclass
class MyBookingsPage:
    upcoming: list[BookingCard]
    waiting: list[WaitCard]
    past: list[BookingCard]
    exhibit_bookings: list[BookingCard]


PAST_SHOWN = 20


def my_bookings_page(user: User) -> MyBookingsPage:
    """The person's own bookings (coming, then the last ones), their waitlist entries and
    offers, and for a vendor's people the bookings of their exhibits."""
    now = timezone.now()
    mine = _booking_rows(Booking.objects.for_user(user, VIEW).filter(user=user))
    upcoming = mine.filter(ends_at__gt=now, status__in=HOLDING_BOOKING_STATUSES).exclude(
        status=BookingStatus.COMPLETED
    )
    past = mine.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at", "-id")
    entries = (
        WaitlistEntry.objects.for_user(user, VIEW)
        .filter(user=user, status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED))
        .select_related("item", "item__lab")
        .order_by("starts_at", "id")
    )
    exhibits = _booking_rows(
        Booking.objects.for_user(user, VIEW).filter(
            item__exhibitor__in=company_ids_for(user, MEMBER_ROLES, VIEW),
            ends_at__gt=now,
            status__in=HOLDING_BOOKING_STATUSES,
        )
    )
    return MyBookingsPage(
        upcoming=[_card(user, b) for b in upcoming.order_by("starts_at", "id")],
        waiting=[WaitCard(e, when_label(e.starts_at, e.ends_at)) for e in entries],
        past=[_card(user, b) for b in past[:PAST_SHOWN]],
        exhibit_bookings=[_card(user, b) for b in exhibits.order_by("starts_at", "id")],
    )


@dataclass(frozen=True)
class BookingDetail:
    card: BookingCard
    may_modify: bool
    may_cancel: bool
    is_staff: bool


def booking_detail(user: User, booking: Booking) -> BookingDetail:
    """One booking with the buttons ``user`` may press: change and cancel before the
    cut-off for those who may change it; the lab's staff cancel any time."""
    card = _card(user, booking)
    is_staff = can(user, MANAGE, booking)
    may_modify = card.may_change and can(user, CHANGE, booking)
    may_cancel = booking.status == BookingStatus.BOOKED and (is_staff or may_modify)
    return BookingDetail(card, may_modify, may_cancel, is_staff)


def staff_lab(user: User, pk: int) -> Lab:
    """The lab whose day of bookings ``user`` (its staff) opens; 404 for anyone else (the
    lab itself is public, its bookings are not: no 403 tells them apart)."""
    lab = Lab.objects.for_user(user, MANAGE).filter(pk=pk).first()
    if lab is None:
        raise Http404
    return lab


@dataclass(frozen=True)
class StaffRow:
    booking: Booking
    when: str
    started: bool
    may_close: bool  # no-show or completed by hand
    may_cancel: bool


@dataclass
class StaffItemDay:
    item: Item
    rows: list[StaffRow]


@dataclass
class StaffDay:
    lab: Lab
    day: dt.date
    hours: DayHours
    items: list[StaffItemDay]
    previous_day: dt.date
    next_day: dt.date
    waiting_count: int


def staff_day(user: User, lab: Lab, day: dt.date) -> StaffDay:
    """The lab's bookings of ``day`` by item, for its staff (cancelled ones too)."""
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    bookings = _booking_rows(
        Booking.objects.for_user(user, MANAGE).filter(
            lab=lab, starts_at__gte=first, starts_at__lt=first + dt.timedelta(days=1)
        )
    ).order_by("item__name", "item_id", "starts_at", "id")
    now = timezone.now()
    by_item: dict[int, StaffItemDay] = {}
    for booking in bookings:
        started = booking.starts_at <= now
        open_status = booking.status in (BookingStatus.BOOKED, BookingStatus.IN_USE)
        row = StaffRow(
            booking,
            when_label(booking.starts_at, booking.ends_at),
            started,
            started and open_status,
            booking.status == BookingStatus.BOOKED,
        )
        by_item.setdefault(booking.item_id, StaffItemDay(booking.item, [])).rows.append(row)
    waiting = WaitlistEntry.objects.for_user(user, MANAGE).filter(
        item__lab=lab,
        status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED),
        starts_at__gte=first,
        starts_at__lt=first + dt.timedelta(days=1),
    )
    return StaffDay(
        lab=lab,
        day=day,
        hours=day_hours(lab, day),
        items=list(by_item.values()),
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        waiting_count=waiting.count(),
    )


def booking_card(user: User, booking: Booking) -> BookingCard:
    """One booking as マイ予約 shows it (its change deadline, whether it is the user's
    own): for the API, which lists the same cards."""
    return _card(user, booking)
