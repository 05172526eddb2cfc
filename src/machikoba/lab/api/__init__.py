"""lab API: every capability of the DX Lab's pages (the catalogue, readable by anyone like
its pages, and the staff's settings, bookings and the waitlist, the entry log, events, the
vendors' demos, consultations and trials, the 産学官金 consortium, matchings, the
statistics) through the same selectors, services and access layer as the pages. One topic
per module; ``router`` joins them."""

from __future__ import annotations

from ninja import Router

from machikoba.lab.api import (
    bookings,
    catalogue,
    ecosystem,
    events,
    matchings,
    office,
    stats,
    vendors,
    visits,
)

router = Router(tags=["lab"])
for _topic in (catalogue, office, bookings, visits, events, vendors, ecosystem, matchings, stats):
    router.add_router("", _topic.router)
