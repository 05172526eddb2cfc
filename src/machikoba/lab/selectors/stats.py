"""The lab's statistics for a fiscal year (April–March), for its staff and the officers of
its ward: visits per month, item utilisation, training passes, event attendance and
matchings by source (the page ``lab:stats`` and its CSV / Excel export).

Every count starts from ``Model.objects.for_user(user, SUPPORT)``: the lab's staff and the
officers of its ward count the lab's rows (``lab.access``); anyone else counts nothing.
The figures are grouped in the database, so the page costs the same number of queries
whatever the number of rows (``tests/test_stats_queries.py`` pins it).

What the figures mean (the page says the same):

- **入館 (延べ)**: ``entered`` events of the entry log (QR at the kiosk, the lab's code on
  a phone, or recorded at the desk for a visitor without an account). Each event counts:
  a person who enters twice on one day counts twice; refusals and departures do not
  count. Entering for an event of the lab is an entry too.
- **予約の利用**: bookings ``IN_USE`` or ``COMPLETED`` that start in the period (a seat in a
  vendor's demo slot is a booking too).
- **延べ利用者数** (KPI M3.KSI, 町工場DXラボ 年間利用者数, "lab check-ins and bookings"):
  the entries, plus, for each person who used a booking on a day without entering the
  lab on that day, one visit for that person and day. A booking used on a day its person
  checked in is already counted by the entry; two bookings of one person on one day
  without an entry count once.
- **利用企業数 (実数)**: distinct companies among the entries (the person's company at
  entry, or the company a desk visitor was registered with) and the used bookings; the
  year's figure counts a company once however many months it came.
- **稼働率**: hours used ÷ (the lab's open hours in the period × the item's capacity).
  Hours used are the hours of its used bookings, a vendor's demo slot counted once
  however many seats were taken. Open hours come from ``lab.calendar`` (weekly hours,
  祝日, the year end, closures); in the current year through today.
- **講習の修了**: training records whose 修了日 falls in the year, revoked ones excluded.
- **イベント**: events published (not cancelled, not a draft) that started in the year,
  up to now. 申込み: places taken (registered or attended, not the waitlist, not
  cancelled); 出席率 = 出席 ÷ 申込み; アンケート: the average rating (1–5).
- **マッチング**: ``CONFIRMED`` matchings of the lab's ward agreed in the year, by source,
  and the answers to the question three months later; beside them the network's first
  awards between companies that had not traded before, involving a company of the ward
  (``network.selectors.matches``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.core.access import SUPPORT, AccessQuerySet, get_for_user_or_404
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.lab.calendar import open_hours_between
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    EventStatus,
    FollowUpAnswer,
    MatchingSource,
    MatchingStatus,
    RegistrationStatus,
)
from machikoba.lab.models import Item, Lab, Training, TrainingRecord
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.models_events import Event, Registration, SurveyResponse
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.models_visits import EntryEvent
from machikoba.network.selectors.matches import first_award_counts_by_month

USED_BOOKING_STATUSES = (BookingStatus.IN_USE, BookingStatus.COMPLETED)
PLACE_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
# The picker offers at least this many years back (and back to the lab's first year).
YEARS_OFFERED = 5
# The earliest fiscal year the page accepts in its address.
FIRST_YEAR = 2000


# ------------------------------------------------------------------------- the page object


@dataclass(frozen=True)
class MonthVisits:
    month: dt.date  # its first day
    entries: int
    bookings_used: int
    bookings_without_entry: int  # person-days with a used booking and no entry that day
    companies: int
    # The chart's bar, in percent of the busiest month's visits: the entries, then the
    # person-days of bookings without an entry after them.
    chart_entries: float = 0.0
    chart_bookings: float = 0.0

    @property
    def visits(self) -> int:
        """延べ利用者数 of the month."""
        return self.entries + self.bookings_without_entry


@dataclass(frozen=True)
class ItemUse:
    item_id: int
    name: str
    kind: str  # its label
    exhibitor: str  # the vendor exhibiting it, or ""
    capacity: int
    hours_used: float
    open_hours: float
    bookings_used: int
    no_shows: int

    @property
    def utilisation(self) -> float | None:
        """Percent of the hours the item could have been used, or None without open hours."""
        available = self.open_hours * self.capacity
        if available <= 0:
            return None
        return round(100 * self.hours_used / available, 1)


@dataclass(frozen=True)
class TrainingPasses:
    training_id: int
    name: str
    passes: int  # records
    people: int  # distinct people


@dataclass(frozen=True)
class EventAttendance:
    event_id: int
    title: str
    kind: str  # its label
    starts_at: dt.datetime
    capacity: int
    registered: int
    attended: int
    surveys: int
    survey_average: float | None

    @property
    def attendance_rate(self) -> float | None:
        if not self.registered:
            return None
        return round(100 * self.attended / self.registered, 1)


@dataclass(frozen=True)
class SourceCount:
    source: str
    label: str
    count: int


@dataclass(frozen=True)
class FollowUps:
    """The three-month question about the year's confirmed matchings."""

    yes: int = 0
    in_progress: int = 0
    no: int = 0
    unanswered: int = 0  # asked (the day has come) and not answered
    not_due: int = 0  # the day has not come yet


@dataclass(frozen=True)
class LabStats:
    lab: Lab
    fiscal_year: int
    first_day: dt.date
    last_day: dt.date  # of the fiscal year
    period_end: dt.date  # counted through this day (today in the current year)
    is_current: bool
    years: list[int]  # the picker's years, newest first
    months: list[MonthVisits]
    companies: int  # distinct companies of the year
    items: list[ItemUse]
    open_hours: float
    trainings: list[TrainingPasses]
    events: list[EventAttendance]
    matchings: list[SourceCount]
    follow_ups: FollowUps
    # First awards in the network between companies that had not traded before, involving
    # a company of the lab's ward (None: not available).
    network_first_awards: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(m.entries for m in self.months)

    @property
    def bookings_used(self) -> int:
        return sum(m.bookings_used for m in self.months)

    @property
    def bookings_without_entry(self) -> int:
        return sum(m.bookings_without_entry for m in self.months)

    @property
    def visits(self) -> int:
        """延べ利用者数 of the year (KPI M3.KSI)."""
        return self.entries + self.bookings_without_entry

    @property
    def events_held(self) -> int:
        """ラボのイベント・セミナー開催数 (KPI M3.P1)."""
        return len(self.events)

    @property
    def event_registered(self) -> int:
        return sum(e.registered for e in self.events)

    @property
    def event_attended(self) -> int:
        return sum(e.attended for e in self.events)

    @property
    def event_attendance_rate(self) -> float | None:
        if not self.event_registered:
            return None
        return round(100 * self.event_attended / self.event_registered, 1)

    @property
    def matchings_total(self) -> int:
        return sum(m.count for m in self.matchings)

    @property
    def matchings_with_network(self) -> int:
        """The lab's matchings plus the network's first awards (KPI M3.OUT)."""
        return self.matchings_total + (self.network_first_awards or 0)

    @property
    def training_passes(self) -> int:
        return sum(t.passes for t in self.trainings)


# ------------------------------------------------------------------------------- the reads


def stats_lab(user: User, pk: int) -> Lab:
    """The lab whose statistics ``user`` may read (its staff and its ward's officers).
    Anyone else gets "not found", although the lab itself is public: its figures are
    not."""
    labs = Lab.objects.for_user(user, SUPPORT).select_related("municipality")
    return get_for_user_or_404(labs, user, SUPPORT, pk=pk)


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def stats_years(lab: Lab) -> list[int]:
    """The fiscal years the page offers, newest first: the current one, at least
    ``YEARS_OFFERED`` in all, and back to the year the lab was registered."""
    current = current_fiscal_year()
    first = min(fiscal_year_of(lab.created_at), current - YEARS_OFFERED + 1)
    return list(range(current, first - 1, -1))


def lab_stats(user: User, lab: Lab, fiscal_year: int) -> LabStats:
    """The statistics of ``lab`` for ``fiscal_year`` as ``user`` may count them (see the
    module's docstring for what each figure means)."""
    first, last = fiscal_year_bounds(fiscal_year)
    today = timezone.localdate()
    period_end = min(last, today)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    year_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    until = min(year_end, timezone.now())
    open_hours = open_hours_between(lab, first, period_end) if period_end >= first else 0.0
    months, companies = _visits(user, lab, start, until, first, period_end)
    return LabStats(
        lab=lab,
        fiscal_year=fiscal_year,
        first_day=first,
        last_day=last,
        period_end=period_end,
        is_current=first <= today <= last,
        years=stats_years(lab),
        months=months,
        companies=companies,
        items=_items(user, lab, start, until, open_hours),
        open_hours=open_hours,
        trainings=_trainings(user, lab, first, last),
        events=_events(user, lab, start, until),
        matchings=_matchings(user, lab, first, last),
        follow_ups=_follow_ups(user, lab, first, last, today),
        network_first_awards=_network_first_awards(user, lab, start, until),
    )


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _visits(
    user: User, lab: Lab, start: dt.datetime, until: dt.datetime, first: dt.date, last: dt.date
) -> tuple[list[MonthVisits], int]:
    """Per month of the period: entries, used bookings, person-days of used bookings
    without an entry that day, and distinct companies; and the year's distinct companies.
    Three queries."""
    entered = EntryEvent.objects.for_user(user, SUPPORT).filter(lab=lab, kind=EntryKind.ENTERED)
    entries = entered.filter(at__gte=start, at__lt=until)
    used = Booking.objects.for_user(user, SUPPORT).filter(
        lab=lab, status__in=USED_BOOKING_STATUSES, starts_at__gte=start, starts_at__lt=until
    )
    entry_counts: dict[dt.date, int] = defaultdict(int)
    booking_counts: dict[dt.date, int] = defaultdict(int)
    firms: dict[dt.date, set[int]] = defaultdict(set)
    # Entries by day, person and company: the month's counts and companies, and the days
    # each person entered. A used booking whose person entered the lab on its day is that
    # entry's visit; the days are matched here rather than by a subquery per booking (which
    # SQLite would answer by reading the year's entries once per booking).
    # One row per entry, not grouped: SQLite computes the local day in Python, and a GROUP
    # BY would compute it twice per row.
    entered_days: set[tuple[int, dt.date]] = set()
    for person, firm, day in (
        entries.annotate(day=TruncDate("at"), firm=Coalesce("company", "visitor__company"))
        .values_list("user", "firm", "day")
        .order_by()
    ):
        month = day.replace(day=1)
        entry_counts[month] += 1
        if firm is not None:
            firms[month].add(firm)
        if person is not None:
            entered_days.add((person, day))
    without_entry: dict[dt.date, set[tuple[int, dt.date]]] = defaultdict(set)
    for person, firm, day in (
        used.annotate(day=TruncDate("starts_at")).values_list("user", "company", "day").order_by()
    ):
        month = day.replace(day=1)
        booking_counts[month] += 1
        firms[month].add(firm)
        if (person, day) not in entered_days:
            without_entry[month].add((person, day))
    rows = [
        MonthVisits(
            month=month,
            entries=entry_counts[month],
            bookings_used=booking_counts[month],
            bookings_without_entry=len(without_entry[month]),
            companies=len(firms[month]),
        )
        for month in _months(first, last)
    ]
    busiest = max((row.visits for row in rows), default=0)
    if busiest:
        rows = [
            MonthVisits(
                month=row.month,
                entries=row.entries,
                bookings_used=row.bookings_used,
                bookings_without_entry=row.bookings_without_entry,
                companies=row.companies,
                chart_entries=round(100 * row.entries / busiest, 1),
                chart_bookings=round(100 * row.bookings_without_entry / busiest, 1),
            )
            for row in rows
        ]
    year_firms: set[int] = set().union(*firms.values()) if firms else set()
    return rows, len(year_firms)


def _hours(delta: dt.timedelta | None) -> float:
    return round(delta.total_seconds() / 3600, 1) if delta else 0.0


def _items(
    user: User, lab: Lab, start: dt.datetime, until: dt.datetime, open_hours: float
) -> list[ItemUse]:
    """Each item of the lab with its hours used, used bookings and no-shows. Three
    queries."""
    length = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    bookings = Booking.objects.for_user(user, SUPPORT).filter(
        lab=lab, starts_at__gte=start, starts_at__lt=until
    )
    used = Q(status__in=USED_BOOKING_STATUSES)
    per_item = {
        row["item"]: row
        for row in bookings.values("item")
        .annotate(
            own=Sum(length, filter=used & Q(demo_slot__isnull=True)),
            used=Count("pk", filter=used),
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        )
        .order_by()
    }
    # A demo slot is the vendor's time with the item: counted once, however many seats.
    demos = {
        row["item"]: row["hours"]
        for row in DemoSlot.objects.for_user(user, SUPPORT)
        .filter(pk__in=bookings.filter(used, demo_slot__isnull=False).values("demo_slot"))
        .values("item")
        .annotate(hours=Sum(length))
        .order_by()
    }
    rows = []
    for item in (
        Item.objects.for_user(user, SUPPORT)
        .filter(lab=lab)
        .select_related("exhibitor")
        .order_by("kind", "name", "pk")
    ):
        counts: Mapping[str, Any] = per_item.get(item.pk, {})
        rows.append(
            ItemUse(
                item_id=item.pk,
                name=item.name,
                kind=item.get_kind_display(),
                exhibitor=item.exhibitor.name if item.exhibitor else "",
                capacity=item.capacity,
                hours_used=round(_hours(counts.get("own")) + _hours(demos.get(item.pk)), 1),
                open_hours=open_hours,
                bookings_used=counts.get("used", 0),
                no_shows=counts.get("no_shows", 0),
            )
        )
    return rows


def _trainings(user: User, lab: Lab, first: dt.date, last: dt.date) -> list[TrainingPasses]:
    """Each training of the lab with its passes in the year (revoked records left out).
    Two queries."""
    counts: dict[int, Mapping[str, Any]] = {
        row["training"]: row
        for row in TrainingRecord.objects.for_user(user, SUPPORT)
        .filter(
            training__lab=lab, passed_on__gte=first, passed_on__lte=last, revoked_at__isnull=True
        )
        .values("training")
        .annotate(passes=Count("pk"), people=Count("user", distinct=True))
        .order_by()
    }
    return [
        TrainingPasses(
            training_id=training.pk,
            name=training.name,
            passes=counts.get(training.pk, {}).get("passes", 0),
            people=counts.get(training.pk, {}).get("people", 0),
        )
        for training in Training.objects.for_user(user, SUPPORT)
        .filter(lab=lab)
        .order_by("name", "pk")
    ]


def _events(user: User, lab: Lab, start: dt.datetime, until: dt.datetime) -> list[EventAttendance]:
    """The events held in the period with their places, attendance and survey. Three
    queries."""
    events = list(
        Event.objects.for_user(user, SUPPORT)
        .filter(lab=lab, status=EventStatus.PUBLISHED, starts_at__gte=start, starts_at__lt=until)
        .order_by("starts_at", "pk")
    )
    ids = [event.pk for event in events]
    places = {
        row["event"]: row
        for row in Registration.objects.for_user(user, SUPPORT)
        .filter(event__in=ids)
        .values("event")
        .annotate(
            registered=Count("pk", filter=Q(status__in=PLACE_STATUSES)),
            attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
        )
        .order_by()
    }
    surveys = {
        row["registration__event"]: row
        for row in SurveyResponse.objects.for_user(user, SUPPORT)
        .filter(registration__event__in=ids)
        .values("registration__event")
        .annotate(n=Count("pk"), average=Avg("rating"))
        .order_by()
    }
    rows = []
    for event in events:
        place: Mapping[str, Any] = places.get(event.pk, {})
        survey: Mapping[str, Any] = surveys.get(event.pk, {})
        average = survey.get("average")
        rows.append(
            EventAttendance(
                event_id=event.pk,
                title=event.title,
                kind=event.get_kind_display(),
                starts_at=event.starts_at,
                capacity=event.capacity,
                registered=place.get("registered", 0),
                attended=place.get("attended", 0),
                surveys=survey.get("n", 0),
                survey_average=round(float(average), 1) if average is not None else None,
            )
        )
    return rows


def _confirmed_matchings(
    user: User, lab: Lab, first: dt.date, last: dt.date
) -> AccessQuerySet[Matching]:
    return Matching.objects.for_user(user, SUPPORT).filter(
        municipality_id=lab.municipality_id,
        status=MatchingStatus.CONFIRMED,
        agreed_on__gte=first,
        agreed_on__lte=last,
    )


def _matchings(user: User, lab: Lab, first: dt.date, last: dt.date) -> list[SourceCount]:
    """The year's confirmed matchings by source, every source of the lab listed. One
    query."""
    counts = dict(
        _confirmed_matchings(user, lab, first, last)
        .values_list("source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        SourceCount(source=value, label=str(label), count=counts.get(value, 0))
        for value, label in MatchingSource.choices
        if value != MatchingSource.NETWORK
    ]


def _follow_ups(user: User, lab: Lab, first: dt.date, last: dt.date, today: dt.date) -> FollowUps:
    """The answers three months on, of the year's confirmed matchings. One query."""
    answers: dict[str, int] = defaultdict(int)
    for answer, n, due in (
        _confirmed_matchings(user, lab, first, last)
        .values_list("follow_up_answer")
        .annotate(n=Count("pk"), due=Count("pk", filter=Q(follow_up_due_on__lte=today)))
        .order_by()
    ):
        if answer:
            answers[answer] += n
        else:
            answers["unanswered"] += due
            answers["not_due"] += n - due
    return FollowUps(
        yes=answers[FollowUpAnswer.YES],
        in_progress=answers[FollowUpAnswer.IN_PROGRESS],
        no=answers[FollowUpAnswer.NO],
        unanswered=answers["unanswered"],
        not_due=answers["not_due"],
    )


def _network_first_awards(user: User, lab: Lab, start: dt.datetime, until: dt.datetime) -> int:
    """The network's first awards in the period involving a company of the lab's ward."""
    if until <= start:
        return 0
    counts = first_award_counts_by_month(
        user, ward_ids=[lab.municipality_id], start=start, end=until
    )
    return sum(counts.values())
