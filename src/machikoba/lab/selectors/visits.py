"""Reads of the entry log (入退館): the lab a staff member runs the kiosk, the desk and the
day view of, who is in the lab, a person's own visits and the pages built on them.

Who reads what (``lab.access``): the lab's staff read its whole log; a person reads their
own entries; an officer reads no row (the statistics count them). A person is "in" the
lab on a day when their last entry of that day (refusals aside) is ``entered``: each day
starts empty, and the auto check-out closes what a day left open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.companies.selectors import memberships_of
from machikoba.core.access import MANAGE, VIEW, get_for_user_or_404
from machikoba.core.qr import qr_svg
from machikoba.lab.calendar import DayHours, day_hours
from machikoba.lab.choices import BookingStatus, EntryKind
from machikoba.lab.models import Lab
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_visits import EntryEvent, Visitor

# A personal code is good this long when no lab says otherwise.
DEFAULT_CODE_SECONDS = 60
MY_VISITS_PER_PAGE = 50
KIOSK_RECENT = 6
DESK_RECENT_VISITORS = 20
DESK_VISITOR_DAYS = 90


# --- the lab ---------------------------------------------------------------------------------


def staff_lab(user: User, lab_id: int) -> Lab:
    """The lab ``user`` runs (its kiosk, desk, day view): 404 when they cannot see it, 403
    when they see it but are not its staff (an officer, a shop, another ward's staff)."""
    return get_for_user_or_404(Lab, user, MANAGE, pk=lab_id)


def visiting_lab(user: User, lab_id: int) -> Lab:
    """An active lab a signed-in person checks in to with its rotating code."""
    return get_for_user_or_404(Lab.objects.filter(active=True), user, VIEW, pk=lab_id)


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


# --- who is in ---------------------------------------------------------------------------------


def person_key(event: EntryEvent) -> tuple[str, int]:
    if event.user_id is not None:
        return ("user", event.user_id)
    return ("visitor", event.visitor_id or 0)


def person_name(*, user: User | None = None, visitor: Visitor | None = None) -> str:
    if visitor is not None:
        return visitor.name
    if user is not None:
        return user.get_short_name()
    return ""


def company_label(event: EntryEvent) -> str:
    """The company (or, for a desk visitor, the organisation) shown beside a name."""
    if event.company is not None:
        return event.company.name
    if event.visitor is not None:
        return event.visitor.organisation
    return ""


@dataclass(frozen=True)
class Presence:
    """A person in the lab: who, for which company, since when (the entry that let them
    in)."""

    event: EntryEvent

    @property
    def name(self) -> str:
        return person_name(user=self.event.user, visitor=self.event.visitor)

    @property
    def company(self) -> str:
        return company_label(self.event)

    @property
    def since(self) -> dt.datetime:
        return self.event.at

    @property
    def has_account(self) -> bool:
        return self.event.user_id is not None


def presences(events: list[EntryEvent]) -> list[Presence]:
    """Who is in after ``events`` (entries of one lab and one day, in any order): each
    person whose last entry or exit is an entry, earliest first."""
    inside: dict[tuple[str, int], EntryEvent] = {}
    for event in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if event.kind == EntryKind.ENTERED:
            inside[person_key(event)] = event
        elif event.kind == EntryKind.LEFT:
            inside.pop(person_key(event), None)
    return [Presence(event) for event in sorted(inside.values(), key=lambda e: (e.at, e.pk))]


def _day_events(queryset: QuerySet[EntryEvent], lab: Lab, day: dt.date) -> QuerySet[EntryEvent]:
    start, end = local_day_bounds(day)
    return queryset.filter(lab=lab, at__gte=start, at__lt=end).select_related(
        "user", "visitor", "company", "booking__item", "event", "recorded_by"
    )


def own_presence(user: User, lab: Lab, now: dt.datetime | None = None) -> Presence | None:
    """``user``'s own presence in ``lab`` today, read from their own entries."""
    moment = now or timezone.now()
    events = EntryEvent.objects.for_user(user, VIEW).filter(user=user)
    inside = presences(list(_day_events(events, lab, timezone.localdate(moment))))
    return inside[0] if inside else None


# --- the personal code (phone) ----------------------------------------------------------------


def personal_code_seconds(user: User) -> int:
    """How long a personal code of ``user`` is good: the shortest ``entry_code_seconds`` of
    the active labs (the page renews it before it expires anywhere)."""
    shortest = (
        Lab.objects.for_user(user, VIEW)
        .filter(active=True)
        .aggregate(shortest=Min("entry_code_seconds"))["shortest"]
    )
    return int(shortest or DEFAULT_CODE_SECONDS)


def personal_code_use(user: User, nonce: str) -> EntryEvent | None:
    """The entry ``user``'s code with ``nonce`` was used for, if it was."""
    return (
        EntryEvent.objects.for_user(user, VIEW)
        .filter(user=user, code_nonce=nonce)
        .select_related("lab")
        .first()
    )


@dataclass(frozen=True)
class MyCodePage:
    token: str
    qr: SafeString
    seconds: int
    seconds_left: int
    used: EntryEvent | None = None


def my_code_page(
    user: User, *, token: str, seconds: int, seconds_left: int, used: EntryEvent | None = None
) -> MyCodePage:
    label = _("入館用のQRコード (%(name)s)") % {"name": user.get_short_name()}
    return MyCodePage(
        token=token,
        qr=qr_svg(token, label=label, testid="my-code-qr", width=280),
        seconds=seconds,
        seconds_left=seconds_left,
        used=used,
    )


# --- the kiosk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabCodePanel:
    url: str
    qr: SafeString
    seconds_left: int


def lab_code_panel(lab: Lab, *, url: str, seconds_left: int) -> LabCodePanel:
    label = _("%(lab)s の入退館用QRコード") % {"lab": lab.name}
    return LabCodePanel(
        url=url,
        qr=qr_svg(url, label=label, testid="lab-code-qr", width=220),
        seconds_left=seconds_left,
    )


def hours_text(hours: DayHours) -> str:
    """The lab's hours of a day, or why it is closed."""
    if hours.opens is None or hours.closes is None:
        return _("休館日 (%(reason)s)") % {"reason": hours.closed_reason}
    return _("開館時間 %(opens)s〜%(closes)s") % {
        "opens": timezone.localtime(hours.opens).strftime("%H:%M"),
        "closes": timezone.localtime(hours.closes).strftime("%H:%M"),
    }


@dataclass(frozen=True)
class KioskPage:
    lab: Lab
    hours: str
    recent: list[EntryEvent]
    inside_count: int


def kiosk_page(user: User, lab: Lab, now: dt.datetime | None = None) -> KioskPage:
    """The kiosk's frame: today's hours, how many are in, the last few entries."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    events = list(_day_events(EntryEvent.objects.for_user(user, MANAGE), lab, today))
    recent = sorted(events, key=lambda e: (e.at, e.pk), reverse=True)[:KIOSK_RECENT]
    return KioskPage(
        lab=lab,
        hours=hours_text(day_hours(lab, today)),
        recent=recent,
        inside_count=len(presences(events)),
    )


# --- the phone's page for the lab's code ---------------------------------------------------------


@dataclass(frozen=True)
class EnterPage:
    lab: Lab
    code: str
    status: str  # entry_codes.LabCodeStatus
    presence: Presence | None

    @property
    def direction(self) -> str:
        """What the button does: leave when the person is in, enter otherwise."""
        return EntryKind.LEFT if self.presence is not None else EntryKind.ENTERED


def enter_page(user: User, lab: Lab, *, code: str, status: str) -> EnterPage:
    return EnterPage(lab=lab, code=code, status=status, presence=own_presence(user, lab))


# --- the desk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundPerson:
    user: User
    companies: list[Company]
    presence: Presence | None


@dataclass(frozen=True)
class VisitorRow:
    visitor: Visitor
    presence: Presence | None


@dataclass
class DeskPage:
    lab: Lab
    inside: list[Presence]
    visitors: list[VisitorRow]
    company_names: list[str]
    email: str = ""
    found: FoundPerson | None = None
    searched: bool = False


def find_person(email: str) -> User | None:
    """The account of exactly this e-mail address (no partial match: the desk finds the
    person in front of it, it does not list accounts)."""
    address = (email or "").strip()
    if not address or "@" not in address or len(address) > 254:
        return None
    return User.objects.filter(email__iexact=address).first()


def desk_page(user: User, lab: Lab, *, email: str = "", now: dt.datetime | None = None) -> DeskPage:
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    events = list(_day_events(EntryEvent.objects.for_user(user, MANAGE), lab, today))
    inside = presences(events)
    by_visitor = {p.event.visitor_id: p for p in inside if p.event.visitor_id is not None}
    by_user = {p.event.user_id: p for p in inside if p.event.user_id is not None}
    since = moment - dt.timedelta(days=DESK_VISITOR_DAYS)
    visitors = list(
        Visitor.objects.for_user(user, MANAGE)
        .filter(lab=lab, created_at__gte=since)
        .select_related("company")
        .order_by("-created_at", "-id")[:DESK_RECENT_VISITORS]
    )
    page = DeskPage(
        lab=lab,
        inside=inside,
        visitors=[VisitorRow(v, by_visitor.get(v.pk)) for v in visitors],
        company_names=list(
            Company.objects.for_user(user, VIEW)
            .filter(is_active=True, ward=lab.municipality)
            .order_by("name_kana", "name")
            .values_list("name", flat=True)[:500]
        ),
        email=email.strip(),
        searched=bool(email.strip()),
    )
    person = find_person(email)
    if person is not None:
        page.found = FoundPerson(
            user=person,
            companies=[m.company for m in memberships_of(person)],
            presence=by_user.get(person.pk),
        )
    return page


def desk_visitor(user: User, lab: Lab, visitor_id: int) -> Visitor:
    """A desk visitor of ``lab`` the staff member may check in or out."""
    return get_for_user_or_404(Visitor.objects.filter(lab=lab), user, MANAGE, pk=visitor_id)


# --- the staff's day view -----------------------------------------------------------------------


@dataclass(frozen=True)
class DayPage:
    lab: Lab
    day: dt.date
    is_today: bool
    hours: str
    inside: list[Presence]
    entries: list[EntryEvent]
    in_use: list[Booking]
    booked: list[Booking]
    previous_day: dt.date
    next_day: dt.date

    @property
    def entered_count(self) -> int:
        return sum(1 for e in self.entries if e.kind == EntryKind.ENTERED)

    @property
    def refused_count(self) -> int:
        return sum(1 for e in self.entries if e.kind == EntryKind.REFUSED)


def parse_day(text: str | None) -> dt.date | None:
    """A day from the date picker (``YYYY-MM-DD``); None when it is not one."""
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def day_page(user: User, lab: Lab, day: dt.date, now: dt.datetime | None = None) -> DayPage:
    """Who is in now (today), the day's entries, the items in use now and the bookings
    still to come that day."""
    moment = now or timezone.now()
    is_today = day == timezone.localdate(moment)
    events = list(_day_events(EntryEvent.objects.for_user(user, MANAGE), lab, day))
    start, end = local_day_bounds(day)
    bookings = (
        Booking.objects.for_user(user, MANAGE)
        .filter(lab=lab)
        .select_related("item", "company", "user")
    )
    in_use = (
        list(bookings.filter(status=BookingStatus.IN_USE).order_by("ends_at", "id"))
        if is_today
        else []
    )
    upcoming = bookings.filter(status=BookingStatus.BOOKED, starts_at__gte=start, starts_at__lt=end)
    if is_today:
        upcoming = upcoming.filter(ends_at__gt=moment)
    return DayPage(
        lab=lab,
        day=day,
        is_today=is_today,
        hours=hours_text(day_hours(lab, day)),
        inside=presences(events) if is_today else [],
        entries=sorted(events, key=lambda e: (e.at, e.pk)),
        in_use=in_use,
        booked=list(upcoming.order_by("starts_at", "id")),
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
    )


# --- a person's own visits ----------------------------------------------------------------------


def my_visits(user: User | AnonymousUser, page_number: str | int | None = None) -> Page[Any]:
    """``user``'s own entries, exits and refusals in every lab, newest first."""
    queryset = (
        EntryEvent.objects.for_user(user, VIEW)
        .filter(Q(user=user) if user.is_authenticated else Q(pk__in=[]))
        .select_related("lab", "company", "booking__item", "event")
        .order_by("-at", "-id")
    )
    return Paginator(queryset, MY_VISITS_PER_PAGE).get_page(page_number)
