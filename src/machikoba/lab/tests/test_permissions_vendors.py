"""Permission matrix of what IT vendors do at the lab. The world's vendor (its owner is
the VENDOR actor) exhibits a kit and a software at the lab of 大田区; the world's company
(MEMBER, STAFF, FLOOR_WORKER) books its demo, asks it and tries its software.

- The vendor portal and its demo pages are the vendor's alone: everyone else is refused
  (403: not a vendor) or finds nothing (404: a slot's seats are the vendor's).
- Demos are listed for everyone signed in; any company member books a seat (the vendor
  not its own); the booker and the company's editors give it back (lab staff too).
- A consultation is read by the shop's owner and staff and the vendor's people only: the
  shop's floor worker, another company, lab staff, officers, admins find nothing.
- A trial is read by the shop's owner and staff, the vendor's people and the lab's staff;
  the vendor decides and ends it, the shop withdraws it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories_lab import make_lab, open_day
from machikoba.core.testing.factories_lab_vendors import (
    make_consultation,
    make_demo_seat,
    make_demo_slot,
    make_exhibit,
    make_trial,
)
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    BANK,
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
    posted,
)
from machikoba.lab.choices import ItemKind, TrialStatus
from machikoba.lab.models import Item, Lab
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import Consultation, DemoSlot, TrialRequest

pytestmark = pytest.mark.clock_sensitive

# Who reaches what.
VENDOR_ONLY = expect(403, **{ANONYMOUS: LOGIN, VENDOR: 200})
VENDORS_ROW = expect(404, **{ANONYMOUS: LOGIN, VENDOR: 200})
SIGNED_IN = expect(200, **{ANONYMOUS: LOGIN})
# The pages of a company's owners and staff (any company: the world's vendor and bank have
# an owner too).
EDITORS = expect(
    403,
    **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OTHER_COMPANY: 200, VENDOR: 200, BANK: 200},
)
CONSULTATION = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, VENDOR: 200})
TRIAL = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, VENDOR: 200, LAB_STAFF: 200})
VENDOR_DECIDES = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, VENDOR: 200, LAB_STAFF: 403}
)


def _lab(w) -> Lab:
    return Lab.objects.first() or make_lab()


def _kit(w) -> Item:
    kit = Item.objects.filter(exhibitor=w.vendor, kind=ItemKind.IOT_KIT).first()
    return kit or make_exhibit(_lab(w), w.vendor)


def _software(w) -> Item:
    software = Item.objects.filter(exhibitor=w.vendor, kind=ItemKind.SOFTWARE).first()
    return software or make_exhibit(_lab(w), w.vendor, kind=ItemKind.SOFTWARE)


def _demo(w) -> DemoSlot:
    return DemoSlot.objects.first() or make_demo_slot(_kit(w))


def _seat(w) -> Booking:
    seat = Booking.objects.filter(demo_slot__isnull=False, company=w.company).first()
    return seat or make_demo_seat(_demo(w), w.company, w.users[MEMBER])


def _consultation(w) -> Consultation:
    found = Consultation.objects.first()
    return found or make_consultation(_kit(w), w.company, w.users[MEMBER])


def _trial(w, status=TrialStatus.REQUESTED) -> TrialRequest:
    found = TrialRequest.objects.filter(status=status).first()
    if found is not None:
        return found
    if status == TrialStatus.ACTIVE:  # its last day has passed: the vendor may end it
        today = timezone.localdate()
        return make_trial(
            _software(w),
            w.company,
            w.users[MEMBER],
            status=status,
            starts_on=today - dt.timedelta(days=7),
            ends_on=today - dt.timedelta(days=1),
        )
    return make_trial(_software(w), w.company, w.users[MEMBER], status=status)


def _url(name, build=None):
    if build is None:
        return lambda w: reverse(f"lab:{name}")
    return lambda w: reverse(f"lab:{name}", args=[build(w).pk])


def _demo_form(w):
    return {
        "item": str(_kit(w).pk),
        "date": open_day(_lab(w), 2).isoformat(),
        "start": "14:00",
        "end": "15:00",
        "seats": "3",
        "note": "実演",
    }


def _trial_period(w):
    today = timezone.localdate()
    return {
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=13)).isoformat(),
        "licence_note": "ID は別途メールで",
    }


def _slots(w):
    return list(DemoSlot.objects.values_list("pk", "cancelled_at"))


def _bookings(w):
    return list(Booking.objects.order_by("pk").values_list("pk", "status"))


def _consultations(w):
    return list(Consultation.objects.order_by("pk").values_list("pk", "status", "answer"))


def _trials(w):
    return list(TrialRequest.objects.order_by("pk").values_list("pk", "status"))


# Any member of a company books a seat; the vendor is refused its own demo; people without
# a company have nobody to book for.
BOOK = expect(
    403,
    **{
        ANONYMOUS: LOGIN,
        MEMBER: DONE,
        STAFF: DONE,
        FLOOR_WORKER: DONE,
        OTHER_COMPANY: DONE,
        BANK: DONE,
        VENDOR: REFUSED,
    },
)
# A company's owners and staff ask and request; the vendor's own exhibit is refused on
# the form (shown again with the message).
SHOP_CREATES = posted(
    EDITORS, **{MEMBER: DONE, STAFF: DONE, OTHER_COMPANY: DONE, BANK: DONE, VENDOR: 200}
)

MATRIX = [
    # the vendor's side
    Case("lab:vendor_portal", _url("vendor_portal"), VENDOR_ONLY),
    Case("lab:vendor_demo_create", _url("vendor_demo_create"), VENDOR_ONLY),
    Case(
        "lab:vendor_demo_create",
        _url("vendor_demo_create"),
        posted(VENDOR_ONLY, **{VENDOR: DONE}),
        method="POST",
        data=_demo_form,
        effect=_slots,
    ),
    Case("lab:vendor_demo", _url("vendor_demo", _demo), VENDORS_ROW),
    Case(
        "lab:vendor_demo_cancel",
        _url("vendor_demo_cancel", _demo),
        posted(VENDORS_ROW, **{VENDOR: DONE}),
        method="POST",
        data=lambda w: {"reason": "都合により"},
        effect=_slots,
    ),
    # demos as shops see them
    Case("lab:demos", _url("demos"), SIGNED_IN),
    Case(
        "lab:demo_book",
        _url("demo_book", _demo),
        BOOK,
        method="POST",
        effect=_bookings,
    ),
    Case(
        "lab:demo_seat_cancel",
        _url("demo_seat_cancel", _seat),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: DONE,
                STAFF: DONE,
                FLOOR_WORKER: 403,
                VENDOR: 403,
                LAB_STAFF: DONE,
            },
        ),
        method="POST",
        effect=_bookings,
    ),
    # consultations
    Case("lab:consultations", _url("consultations"), EDITORS),
    Case("lab:consultation_create", _url("consultation_create", _kit), EDITORS),
    Case(
        "lab:consultation_create",
        _url("consultation_create", _kit),
        SHOP_CREATES,
        method="POST",
        data=lambda w: {"subject": "見える化", "message": "5台あります"},
        effect=_consultations,
        note="(the vendor's own exhibit: refused on the form)",
    ),
    Case("lab:consultation", _url("consultation", _consultation), CONSULTATION),
    Case(
        "lab:consultation_answer",
        _url("consultation_answer", _consultation),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, VENDOR: 200}),
    ),
    Case(
        "lab:consultation_answer",
        _url("consultation_answer", _consultation),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, VENDOR: DONE}),
        method="POST",
        data=lambda w: {"answer": "ラボで実機をご覧ください"},
        effect=_consultations,
    ),
    Case(
        "lab:consultation_close",
        _url("consultation_close", _consultation),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, VENDOR: REFUSED}),
        method="POST",
        effect=_consultations,
    ),
    # software trials
    Case("lab:trials", _url("trials"), EDITORS),
    Case("lab:trial_create", _url("trial_create", _software), EDITORS),
    Case(
        "lab:trial_create",
        _url("trial_create", _software),
        SHOP_CREATES,
        method="POST",
        data=lambda w: {"message": "見積業務で"},
        effect=_trials,
        note="(the vendor's own software: refused on the form)",
    ),
    Case("lab:trial", _url("trial", _trial), TRIAL),
    Case("lab:trial_approve", _url("trial_approve", _trial), VENDOR_DECIDES),
    Case(
        "lab:trial_approve",
        _url("trial_approve", _trial),
        posted(VENDOR_DECIDES, **{VENDOR: DONE}),
        method="POST",
        data=_trial_period,
        effect=_trials,
    ),
    Case("lab:trial_decline", _url("trial_decline", _trial), VENDOR_DECIDES),
    Case(
        "lab:trial_decline",
        _url("trial_decline", _trial),
        posted(VENDOR_DECIDES, **{VENDOR: DONE}),
        method="POST",
        data=lambda w: {"reason": "今月は枠がありません"},
        effect=_trials,
    ),
    Case(
        "lab:trial_withdraw",
        _url("trial_withdraw", _trial),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, VENDOR: REFUSED, LAB_STAFF: 403},
        ),
        method="POST",
        effect=_trials,
    ),
    Case(
        "lab:trial_end",
        _url("trial_end", lambda w: _trial(w, TrialStatus.ACTIVE)),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: REFUSED, STAFF: REFUSED, VENDOR: DONE, LAB_STAFF: 403},
        ),
        method="POST",
        effect=_trials,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
