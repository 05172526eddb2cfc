"""Permission matrix of the lab's bookings. Booking an item is for the people of a company
(any company: the page holds no one else's data); officers, lab staff, vendors and banks,
who book for no shop, are refused (403). A booking is found by its company's people, the
lab's staff of its ward and the vendor of the exhibit it is for; another company, the
officers, the metro viewer and everyone else get a 404. It is changed and cancelled by the
person who booked and the company's owner and staff, and the lab's staff (a floor worker
who did not book it, and a vendor, see it but get a 403). No-show and completed are the
lab's staff's. A waitlist offer is accepted by its person only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import make_item, make_lab, open_day, slot
from machikoba.core.testing.factories_lab_bookings import make_booking, make_entry
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    OTHER_COMPANY,
    REFUSED,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)
from machikoba.lab.models_bookings import Booking, WaitlistEntry

pytestmark = pytest.mark.clock_sensitive

# People who book for a company of their own (the world's two shops).
BOOKERS = expect(
    403, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200}
)
BOOKING_DONE = expect(
    403, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: DONE, OTHER_COMPANY: DONE}
)
# One booking of the world's company (booked by its owner).
READERS = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, LAB_STAFF: 200}
)
CHANGERS = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, LAB_STAFF: 200}
)
CHANGED = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403, LAB_STAFF: DONE}
)
# The lab's buttons.
LAB_ONLY = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403, LAB_STAFF: DONE}
)


def _lab_item(w, exhibitor=None):
    w.lab = make_lab()
    w.item = make_item(w.lab, exhibitor=exhibitor)
    w.day = open_day(w.lab, 3)
    return w.item


def _book_url(w):
    return reverse("lab:item_book", args=[_lab_item(w).pk])


def _times(w, hour=10):
    return {"day": w.day.isoformat(), "start": f"{hour:02d}:00", "end": f"{hour + 1:02d}:00"}


def _full_item_url(w):
    """The item's 10:00 is held by a third shop."""
    item = _lab_item(w)
    third = CompanyFactory(name="第三精工株式会社")
    make_booking(item, third, MembershipFactory(company=third).user, day=w.day, hour=10)
    return reverse("lab:waitlist_join", args=[item.pk])


def _booking(w, *, exhibitor=None, started=False):
    item = _lab_item(w, exhibitor=exhibitor)
    owner = w.users[MEMBER]
    if started:
        start = timezone.now() - dt.timedelta(minutes=40)
        w.booking = make_booking(
            item, w.company, owner, starts_at=start, ends_at=start + dt.timedelta(hours=1)
        )
    else:
        w.booking = make_booking(item, w.company, owner, day=w.day, hour=10)
    return w.booking


def _at(name, **kwargs):
    return lambda w: reverse(f"lab:{name}", args=[_booking(w, **kwargs).pk])


def _statuses(w):
    return Booking.objects.values_list("pk", "status")


def _times_of(w):
    return Booking.objects.values_list("pk", "starts_at")


def _entry_url(name):
    def url(w):
        item = _lab_item(w)
        start, end = slot(w.day, 10)
        w.entry = make_entry(item, w.company, w.users[MEMBER], start, end, offer_hours=3)
        return reverse(f"lab:{name}", args=[w.entry.pk])

    return url


def _entries(w):
    return WaitlistEntry.objects.values_list("pk", "status")


MATRIX = [
    Case("lab:item_book", _book_url, BOOKERS),
    Case(
        "lab:item_book",
        _book_url,
        BOOKING_DONE,
        method="POST",
        data=lambda w: {**_times(w), "purpose": "試し"},
        effect=lambda w: Booking.objects.count(),
    ),
    Case(
        "lab:waitlist_join",
        _full_item_url,
        BOOKING_DONE,
        method="POST",
        data=_times,
        effect=lambda w: WaitlistEntry.objects.count(),
    ),
    Case(
        "lab:my_bookings",
        lambda w: reverse("lab:my_bookings"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case("lab:booking_detail", _at("booking_detail"), READERS),
    Case(
        "lab:booking_detail",
        lambda w: reverse("lab:booking_detail", args=[_booking(w, exhibitor=w.vendor).pk]),
        {**READERS, VENDOR: 200},
        note="of a vendor's exhibit",
    ),
    Case("lab:booking_change", _at("booking_change"), CHANGERS),
    Case(
        "lab:booking_change",
        _at("booking_change"),
        CHANGED,
        method="POST",
        data=lambda w: _times(w, 14),
        effect=_times_of,
    ),
    Case(
        "lab:booking_change",
        lambda w: reverse("lab:booking_change", args=[_booking(w, exhibitor=w.vendor).pk]),
        {**CHANGERS, VENDOR: 403},
        note="of a vendor's exhibit",
    ),
    Case(
        "lab:booking_cancel",
        _at("booking_cancel"),
        CHANGED,
        method="POST",
        effect=_statuses,
    ),
    Case(
        "lab:booking_no_show",
        _at("booking_no_show", started=True),
        LAB_ONLY,
        method="POST",
        effect=_statuses,
    ),
    Case(
        "lab:booking_complete",
        _at("booking_complete", started=True),
        LAB_ONLY,
        method="POST",
        effect=_statuses,
    ),
    Case(
        "lab:waitlist_accept",
        _entry_url("waitlist_accept"),
        # The company's staff see the entry, the lab's staff may change it: neither takes
        # the time for the person.
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: 403, LAB_STAFF: REFUSED}),
        method="POST",
        effect=_entries,
    ),
    Case(
        "lab:waitlist_cancel",
        _entry_url("waitlist_cancel"),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: 403, LAB_STAFF: DONE}),
        method="POST",
        effect=_entries,
    ),
    Case(
        "lab:staff_bookings",
        lambda w: reverse("lab:staff_bookings", args=[make_lab().pk]),
        expect(404, **{ANONYMOUS: LOGIN, LAB_STAFF: 200}),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
