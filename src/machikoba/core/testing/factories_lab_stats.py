"""Rows the lab's statistics count, written straight to the database (a read-side test
needs the rows, not the services that will write them): entries of the entry log, used
bookings, events with registrations and surveys, matchings. Dates are passed in by the
test (built from a fiscal year's bounds or from today), never literal.

``year_of_lab_data`` fills a lab with a whole fiscal year (bulk inserts, seeded random
data) for the benchmark in ``bench/bench_lab_stats.py``."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, ward
from machikoba.lab.calendar import day_hours
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    EntryMethod,
    EventKind,
    EventStatus,
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
    RegistrationStatus,
)
from machikoba.lab.models import Item, Lab, Training, TrainingRecord
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.models_events import Event, Registration, SurveyResponse
from machikoba.lab.models_vendors import DemoSlot
from machikoba.lab.models_visits import EntryEvent, Visitor


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour``:``minute``, local time (aware)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def member(company=None):
    """A person of ``company`` (a new company when none is given)."""
    return MembershipFactory(company=company or CompanyFactory(), role=CompanyRole.STAFF).user


def enter(lab: Lab, when: dt.datetime, *, user=None, visitor=None, company=None, kind=None):
    """One event of the entry log; a person's company defaults to their first company."""
    if company is None and user is not None:
        membership = user.memberships.first()
        company = membership.company if membership else None
    return EntryEvent.objects.create(
        lab=lab,
        kind=kind or EntryKind.ENTERED,
        method=EntryMethod.DESK if visitor else EntryMethod.PERSONAL_QR,
        at=when,
        user=user,
        visitor=visitor,
        company=company,
        reason="closed" if kind == EntryKind.REFUSED else "",
    )


def desk_visitor(lab: Lab, *, name: str = "来館 太郎", company=None) -> Visitor:
    return Visitor.objects.create(lab=lab, name=name, organisation="", company=company)


def used_booking(
    item: Item,
    user,
    starts_at: dt.datetime,
    *,
    hours: float = 2,
    status: str = BookingStatus.COMPLETED,
    company=None,
    demo_slot: DemoSlot | None = None,
) -> Booking:
    """A booking of ``item`` by ``user`` in ``status`` (used, by default)."""
    company = company or user.memberships.first().company
    return Booking.objects.create(
        lab=item.lab,
        item=item,
        demo_slot=demo_slot,
        company=company,
        user=user,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        status=status,
        checked_in_at=starts_at
        if status in (BookingStatus.IN_USE, BookingStatus.COMPLETED)
        else None,
    )


def demo_slot(item: Item, starts_at: dt.datetime, *, hours: float = 1, seats: int = 3) -> DemoSlot:
    return DemoSlot.objects.create(
        item=item, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=hours), seats=seats
    )


def training_record(training: Training, user, passed_on: dt.date, *, revoked: bool = False):
    return TrainingRecord.objects.create(
        training=training,
        user=user,
        passed_on=passed_on,
        expires_on=passed_on + dt.timedelta(days=training.validity_days),
        revoked_at=timezone.now() if revoked else None,
        revoke_reason="記録の誤り" if revoked else "",
    )


def held_event(
    lab: Lab,
    starts_at: dt.datetime,
    *,
    title: str = "協働ロボット活用セミナー",
    capacity: int = 20,
    status: str = EventStatus.PUBLISHED,
    kind: str = EventKind.SEMINAR,
) -> Event:
    return Event.objects.create(
        lab=lab,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        capacity=capacity,
        status=status,
    )


def register(event: Event, user=None, *, status: str = RegistrationStatus.REGISTERED, rating=None):
    """A registration of ``user`` (a new person when none is given) and, with ``rating``,
    their survey answer."""
    user = user or member()
    registration = Registration.objects.create(
        event=event,
        user=user,
        status=status,
        attended_at=event.starts_at if status == RegistrationStatus.ATTENDED else None,
    )
    if rating is not None:
        SurveyResponse.objects.create(registration=registration, rating=rating, useful=True)
    return registration


def matching(
    lab: Lab,
    agreed_on: dt.date,
    *,
    source: str = MatchingSource.LAB_VISIT,
    status: str = MatchingStatus.CONFIRMED,
    answer: str = "",
    municipality=None,
    parties=None,
) -> Matching:
    party_a, party_b = parties or (CompanyFactory(), CompanyFactory())
    return Matching.objects.create(
        municipality=municipality or lab.municipality,
        source=source,
        party_a=party_a,
        party_b=party_b,
        agreement=MatchingAgreement.TRIAL,
        agreed_on=agreed_on,
        status=status,
        follow_up_due_on=agreed_on + dt.timedelta(days=91),
        follow_up_answer=answer,
    )


# ------------------------------------------------------------------- a year of data (bench)


def _open_days(lab: Lab, first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        if day_hours(lab, day).is_open:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def year_of_lab_data(
    lab: Lab,
    items: list[Item],
    fiscal_year_first: dt.date,
    *,
    entries: int = 20_000,
    bookings: int = 5_000,
    events: int = 100,
    companies: int = 120,
    seed: int = 21,
) -> None:
    """A busy year at ``lab``: ``entries`` entry events (a few refused and left events
    besides), ``bookings`` bookings (mostly used, some no-shows and cancellations),
    ``events`` events with registrations and surveys, matchings. Bulk inserts."""
    rng = random.Random(seed)  # noqa: S311 (test data, seeded: the same year every run)
    firms = CompanyFactory.create_batch(companies, ward=ward())
    people = [(member(firm), firm) for firm in firms for _ in range(2)]
    visitors = Visitor.objects.bulk_create(
        Visitor(lab=lab, name=f"来館者{n}", company=rng.choice(firms) if n % 2 else None)
        for n in range(200)
    )
    last = fiscal_year_first.replace(year=fiscal_year_first.year + 1) - dt.timedelta(days=1)
    days = _open_days(lab, fiscal_year_first, last)
    rows = []
    for n in range(entries):
        day = rng.choice(days)
        when = at(day, rng.randint(9, 16), rng.randint(0, 59))
        if n % 10 == 0:
            visitor = rng.choice(visitors)
            rows.append(
                EntryEvent(
                    lab=lab,
                    kind=EntryKind.ENTERED,
                    method=EntryMethod.DESK,
                    at=when,
                    visitor=visitor,
                )
            )
        else:
            person, firm = rng.choice(people)
            rows.append(
                EntryEvent(
                    lab=lab,
                    kind=EntryKind.ENTERED,
                    method=EntryMethod.PERSONAL_QR,
                    at=when,
                    user=person,
                    company=firm,
                )
            )
            if n % 3 == 0:
                rows.append(
                    EntryEvent(
                        lab=lab,
                        kind=EntryKind.LEFT,
                        method=EntryMethod.PERSONAL_QR,
                        at=when + dt.timedelta(hours=1),
                        user=person,
                        company=firm,
                    )
                )
    EntryEvent.objects.bulk_create(rows, batch_size=2000)
    statuses = [BookingStatus.COMPLETED] * 16 + [
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED,
        BookingStatus.IN_USE,
        BookingStatus.BOOKED,
    ]
    booking_rows = []
    for _ in range(bookings):
        person, firm = rng.choice(people)
        start = at(rng.choice(days), rng.randint(9, 15))
        status = rng.choice(statuses)
        booking_rows.append(
            Booking(
                lab=lab,
                item=rng.choice(items),
                company=firm,
                user=person,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=rng.choice((1, 2, 3))),
                status=status,
            )
        )
    Booking.objects.bulk_create(booking_rows, batch_size=2000)
    event_starts = [at(rng.choice(days), 14) for _ in range(events)]
    event_rows = Event.objects.bulk_create(
        Event(
            lab=lab,
            kind=rng.choice([EventKind.SEMINAR, EventKind.HANDS_ON, EventKind.EXCHANGE]),
            title=f"セミナー {n + 1}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=30,
            status=EventStatus.PUBLISHED,
        )
        for n, start in enumerate(event_starts)
    )
    registrations = []
    for event in event_rows:
        for person, firm in rng.sample(people, 25):
            registrations.append(
                Registration(
                    event=event,
                    user=person,
                    company=firm,
                    status=rng.choice(
                        [RegistrationStatus.ATTENDED] * 3
                        + [RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED]
                    ),
                )
            )
    registrations = Registration.objects.bulk_create(registrations, batch_size=2000)
    SurveyResponse.objects.bulk_create(
        (
            SurveyResponse(registration=r, rating=rng.randint(2, 5), useful=True)
            for r in registrations
            if r.status == RegistrationStatus.ATTENDED and rng.random() < 0.6
        ),
        batch_size=2000,
    )
    Matching.objects.bulk_create(
        Matching(
            municipality=lab.municipality,
            source=rng.choice([s for s in MatchingSource.values if s != MatchingSource.NETWORK]),
            party_a=firms[n % len(firms)],
            party_b=firms[(n + 1) % len(firms)],
            agreement=MatchingAgreement.PURCHASE,
            agreed_on=rng.choice(days),
            status=MatchingStatus.CONFIRMED,
            follow_up_due_on=rng.choice(days) + dt.timedelta(days=91),
        )
        for n in range(60)
    )
