"""Measure ③'s figures: joint orders and co-development, lab visits and events, business
matchings (once per pair of companies, at their first), network participation and
projects with a university."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from machikoba.board.choices import TeamStatus
from machikoba.board.models import Hand, Team, TeamMember
from machikoba.companies.models import Company
from machikoba.kpi.computations.base import (
    Figure,
    Record,
    Scope,
    count_figure,
    filtered_companies,
    local_day,
    registered_shops,
)
from machikoba.lab.choices import (
    UNIVERSITY_PROJECT_KINDS,
    BookingStatus,
    EntryKind,
    EventStatus,
    MatchingStatus,
    PartnerKind,
    ProjectKind,
    ProjectStatus,
)
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_ecosystem import Matching, Project
from machikoba.lab.models_events import Event
from machikoba.lab.models_visits import EntryEvent
from machikoba.network.models import BusinessMatch, Job, Order, RfqRecipient

STARTED_PROJECTS = (ProjectStatus.RUNNING, ProjectStatus.COMPLETED)
USED_BOOKINGS = (BookingStatus.IN_USE, BookingStatus.COMPLETED)


def _years_back(scope: Scope, params: dict[str, Any]) -> Scope:
    """The first year of a cumulative window of ``years`` fiscal years ending with the
    scope's."""
    years = int(params.get("years", 1))
    return scope.with_year(scope.fiscal_year - years + 1)


def joint_work(scope: Scope, params: dict[str, Any]) -> Figure:
    first = _years_back(scope, params)
    teams = Team.objects.filter(
        scope.ward_q("lead__ward"),
        scope.company_q("lead"),
        status=TeamStatus.AWARDED,
        companies_at_award__gte=2,
        awarded_at__gte=first.start,
        awarded_at__lt=scope.until,
    ).order_by("awarded_at", "pk")
    records = [
        Record(
            kind="joint_order", day=local_day(t.awarded_at), company=t.lead_id, label="", ref=t.pk
        )
        for t in teams
    ]
    projects = (
        Project.objects.filter(
            scope.ward_q("municipality"),
            kind=ProjectKind.CO_DEVELOPMENT,
            status__in=STARTED_PROJECTS,
            starts_on__gte=first.first_day,
            starts_on__lte=scope.last_day,
        )
        .annotate(firms=Count("participants__company", distinct=True))
        .filter(firms__gte=2)
        .prefetch_related("participants")
        .order_by("starts_on", "pk")
    )
    for project in projects:
        companies = [p.company_id for p in project.participants.all() if p.company_id]
        if scope.filtered and not set(companies) & set(filtered_companies(scope)):
            continue
        records += [
            Record(
                kind="project",
                day=project.starts_on,
                company=company,
                label=project.title,
                counted=index == 0,
                ref=project.pk,
            )
            for index, company in enumerate(sorted(companies))
        ]
    figure = count_figure(records)
    # Every company of a team or a project is behind the figure, not only the counted row's.
    members = TeamMember.objects.filter(team__in=[t.pk for t in teams]).values_list(
        "company_id", flat=True
    )
    figure.companies = frozenset(
        {r.company for r in records if r.company is not None} | set(members)
    )
    figure.detail = {"first_year": first.fiscal_year}
    return figure


def lab_visits(scope: Scope, params: dict[str, Any]) -> Figure:
    """Every entry to the lab, plus one visit per person and day with a used booking and
    no entry that day (the lab's own count, ``lab.selectors.stats``)."""
    entries = EntryEvent.objects.filter(
        scope.ward_q("lab__municipality"),
        kind=EntryKind.ENTERED,
        at__gte=scope.start,
        at__lt=scope.until,
    )
    if scope.filtered:
        entries = entries.filter(
            Q(company__in=filtered_companies(scope))
            | Q(visitor__company__in=filtered_companies(scope))
        )
    records = []
    entered: set[tuple[int | None, int, dt.date]] = set()
    for lab, user, company, visitor_company, at in entries.values_list(
        "lab_id", "user_id", "company_id", "visitor__company_id", "at"
    ).order_by("at"):
        day = timezone.localdate(at)
        entered.add((user, lab, day))
        records.append(
            Record(kind="entry", day=day, company=company or visitor_company, label="entry")
        )
    bookings = Booking.objects.filter(
        scope.ward_q("lab__municipality"),
        scope.company_q("company"),
        status__in=USED_BOOKINGS,
        starts_at__gte=scope.start,
        starts_at__lt=scope.until,
    )
    booked: set[tuple[int | None, int, dt.date]] = set()
    for lab, user, company, starts in bookings.values_list(
        "lab_id", "user_id", "company_id", "starts_at"
    ).order_by("starts_at"):
        key = (user, lab, timezone.localdate(starts))
        if key in entered or key in booked:
            continue
        booked.add(key)
        records.append(Record(kind="booking", day=key[2], company=company, label="booking"))
    return count_figure(records)


def events_held(scope: Scope, params: dict[str, Any]) -> Figure:
    """Published events that have started (held), not cancelled ones."""
    until = min(scope.until, timezone.now())
    rows = Event.objects.filter(
        scope.ward_q("lab__municipality"),
        status=EventStatus.PUBLISHED,
        starts_at__gte=scope.start,
        starts_at__lt=until,
    ).order_by("starts_at", "pk")
    records = [
        Record(kind="event", day=local_day(e.starts_at), company=None, label=e.title, ref=e.pk)
        for e in rows
    ]
    figure = count_figure(records)
    figure.filters_apply = False
    return figure


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def matchings(scope: Scope, params: dict[str, Any]) -> Figure:
    """Pairs of companies whose first match ever (a first award through the network, or
    a matching confirmed at the lab or an event) falls in the period; a pair counts once,
    in the ward of either company (network) or of the lab that recorded it."""
    firsts: dict[tuple[int, int], tuple[dt.date, str]] = {}

    def note(pair: tuple[int, int], day: dt.date, kind: str) -> None:
        if pair not in firsts or day < firsts[pair][0]:
            firsts[pair] = (day, kind)

    for low, high, at in BusinessMatch.objects.values_list(
        "company_low_id", "company_high_id", "matched_at"
    ):
        note(_pair(low, high), timezone.localdate(at), "network")
    for a, b, day in Matching.objects.filter(status=MatchingStatus.CONFIRMED).values_list(
        "party_a_id", "party_b_id", "agreed_on"
    ):
        note(_pair(a, b), day, "lab")

    in_period = {
        pair: first
        for pair, first in firsts.items()
        if scope.first_day <= first[0] <= scope.last_day
    }
    network_pairs = {p for p, (_d, kind) in in_period.items() if kind == "network"}
    lab_pairs = {p for p, (_d, kind) in in_period.items() if kind == "lab"}
    keep: set[tuple[int, int]] = set()
    if network_pairs:
        companies = {c for pair in network_pairs for c in pair}
        wards = dict(Company.objects.filter(pk__in=companies).values_list("pk", "ward_id"))
        for pair in network_pairs:
            if scope.wards is None or any(wards.get(c) in scope.wards for c in pair):
                keep.add(pair)
    if lab_pairs:
        rows = Matching.objects.filter(
            scope.ward_q("municipality"), status=MatchingStatus.CONFIRMED
        ).values_list("party_a_id", "party_b_id", "agreed_on")
        for a, b, day in rows:
            pair = _pair(a, b)
            if pair in lab_pairs and in_period[pair][0] == day:
                keep.add(pair)
    if scope.filtered:
        passing = set(filtered_companies(scope))
        keep = {pair for pair in keep if set(pair) & passing}
    records = []
    for pair in sorted(keep, key=lambda p: (in_period[p][0], p)):
        day, kind = in_period[pair]
        records.append(Record(kind=kind, day=day, company=pair[0], label=kind))
        if kind == "lab":
            # The lab's own record names both parties (its office holds it); a network
            # pair is only counted, so one row per pair is enough.
            records.append(Record(kind=kind, day=day, company=pair[1], label=kind, counted=False))
    figure = count_figure(records)
    figure.companies = frozenset(c for pair in keep for c in pair)
    return figure


def network_active(scope: Scope, params: dict[str, Any]) -> Figure:
    """Registered companies that took part in the network in the period: posted a job,
    were asked for a quote, placed or received an order, raised a hand on the board or
    joined a team."""
    start, until = scope.start, scope.until
    active: dict[int, str] = {}
    sources: list[tuple[str, QuerySet[Any], str]] = [
        ("job", Job.objects.filter(created_at__gte=start, created_at__lt=until), "company_id"),
        (
            "rfq",
            RfqRecipient.objects.filter(created_at__gte=start, created_at__lt=until),
            "company_id",
        ),
        ("order", Order.objects.filter(created_at__gte=start, created_at__lt=until), "buyer_id"),
        (
            "order",
            Order.objects.filter(created_at__gte=start, created_at__lt=until),
            "supplier_id",
        ),
        ("board", Hand.objects.filter(created_at__gte=start, created_at__lt=until), "company_id"),
        (
            "board",
            TeamMember.objects.filter(created_at__gte=start, created_at__lt=until),
            "company_id",
        ),
    ]
    for kind, rows, column in sources:
        for company in rows.values_list(column, flat=True).distinct():
            if company is not None:
                active.setdefault(company, kind)
    registered = dict(registered_shops(scope).filter(pk__in=list(active)).values_list("pk", "name"))
    records = [
        Record(kind="company", day=None, company=pk, label=name, detail=active[pk])
        for pk, name in sorted(registered.items(), key=lambda item: item[1])
    ]
    return count_figure(records)


def university_projects(scope: Scope, params: dict[str, Any]) -> Figure:
    rows = (
        Project.objects.filter(
            scope.ward_q("municipality"),
            status__in=STARTED_PROJECTS,
            starts_on__lte=scope.last_day,
            ends_on__gte=scope.first_day,
        )
        .filter(
            Q(kind__in=UNIVERSITY_PROJECT_KINDS)
            | Q(participants__partner__kind=PartnerKind.UNIVERSITY)
        )
        .distinct()
        .order_by("starts_on", "pk")
    )
    records = [
        Record(kind="project", day=p.starts_on, company=None, label=p.title, ref=p.pk) for p in rows
    ]
    figure = count_figure(records)
    figure.filters_apply = False
    return figure
