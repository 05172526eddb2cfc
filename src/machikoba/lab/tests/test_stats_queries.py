"""The statistics page and its export cost a fixed number of queries, however many
entries, bookings, items, trainings, events and matchings the year has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
    open_day,
)
from machikoba.core.testing.factories_lab_stats import (
    at,
    demo_slot,
    desk_visitor,
    enter,
    held_event,
    matching,
    member,
    register,
    training_record,
    used_booking,
)
from machikoba.lab.choices import ItemKind, MatchingSource, RegistrationStatus

pytestmark = pytest.mark.django_db

FY = fiscal_year(timezone.localdate()) - 1
FIRST, _LAST = fiscal_year_bounds(FY)

# Session, user, ward roles, the wards served, the lab, the header's notices (6); the lab's
# weekly hours and closures for the open hours (2); visits: entries by day, bookings by day
# (2); items: bookings, demo slots (with the memberships the demo slots'
# scope reads), items (4); trainings: records, trainings (2); events: events,
# registrations, surveys (3); matchings: by source, follow-ups (2); the network's first
# awards (1).
PAGE_QUERIES = 22


def _add_rows(lab, n):
    """``n`` rows of every kind on ``n`` open days of the year."""
    vendor = make_vendor(name=f"ベンダー{n}")
    for k in range(n):
        day = open_day(lab, k + 1, after=FIRST)
        item = make_item(lab, name=f"機器{n}-{k}")
        kit = make_item(lab, kind=ItemKind.IOT_KIT, name=f"キット{n}-{k}", exhibitor=vendor)
        person = member()
        enter(lab, at(day, 9), user=person)
        enter(lab, at(day, 10), visitor=desk_visitor(lab))
        used_booking(item, person, at(day, 10))
        used_booking(item, member(), at(day, 13))
        slot = demo_slot(kit, at(day, 15))
        used_booking(kit, member(), at(day, 15), hours=1, demo_slot=slot)
        training_record(make_training(lab, [item], name=f"講習{n}-{k}"), person, day)
        event = held_event(lab, at(day, 16), title=f"セミナー{n}-{k}")
        register(event, status=RegistrationStatus.ATTENDED, rating=4)
        register(event)
        matching(lab, day, source=MatchingSource.EVENT)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("suffix", ["", "export.csv", "export.xlsx"])
def test_the_page_and_the_export_cost_the_same_queries_for_one_or_many_rows(suffix):
    lab = make_lab()
    client = Client()
    client.force_login(make_lab_staff())
    url = reverse("lab:stats", args=[lab.pk]) + suffix + f"?year={FY}"
    _add_rows(lab, 1)
    few, response = _queries(client, url)
    _add_rows(lab, 4)
    many, response = _queries(client, url)
    assert few == many
    if not suffix:
        assert many == PAGE_QUERIES
        stats = response.context["stats"]
        assert (stats.entries, stats.events_held, len(stats.items)) == (10, 5, 10)
