"""Permission matrix for the metrics routes (shop board, machine day, metrics, shifts).

The board is for everyone working at the company, floor workers included; a machine's
day, the metrics and the shifts for its owners and staff. Each page shows the active
company's machines: another company sees its own (empty) board and metrics, never this
company's machine (404). Officers, the metro viewer, advisors, instructors, reviewers,
lab staff and admins have no company to show (403); anonymous visitors sign in first.
The ward's aggregates have no page here (``ward_floor_summary`` is for the officer's
home)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    UNCHANGED,
    Case,
    assert_case,
    expect,
)
from machikoba.shopfloor.models_metrics import Shift
from machikoba.telemetry.models import Machine

NO_COMPANY = {
    OFFICER: 403,
    OTHER_WARD_OFFICER: 403,
    METRO_VIEWER: 403,
    ADVISOR: 403,
    INSTRUCTOR: 403,
    REVIEWER: 403,
    LAB_STAFF: 403,
    "admin": 403,
}
# Pages of the active company, for everyone working there.
MEMBER_PAGES = expect(200, **{ANONYMOUS: LOGIN, **NO_COMPANY})
# Pages of the active company, for its owners and staff.
EDITOR_PAGES = expect(200, **{ANONYMOUS: LOGIN, FLOOR_WORKER: 403, **NO_COMPANY})
# One of world.company's machines: its owners and staff; anyone else with a company
# finds no such machine.
OWN_MACHINE = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, **NO_COMPANY}
)


def _machine(w) -> Machine:
    existing = Machine.objects.filter(company=w.company).first()
    return existing or make_machine(w.company, name="秘密の旋盤")


def _shift(w) -> Shift:
    existing = Shift.objects.filter(company=w.company).first()
    return existing or Shift.objects.create(
        company=w.company, name="日勤", start=dt.time(8), end=dt.time(17)
    )


def _own_shifts(w) -> int:
    return Shift.objects.filter(company=w.company).count()


MATRIX = [
    Case("shopfloor:board", lambda w: reverse("shopfloor:board"), MEMBER_PAGES),
    Case(
        "shopfloor:board",
        lambda w: reverse("shopfloor:board") + "?wall=1",
        MEMBER_PAGES,
        note="wall",
    ),
    Case("shopfloor:board_cards", lambda w: reverse("shopfloor:board_cards"), MEMBER_PAGES),
    Case(
        "shopfloor:machine_day",
        lambda w: reverse("shopfloor:machine_day", args=[_machine(w).pk]),
        OWN_MACHINE,
    ),
    Case("shopfloor:metrics", lambda w: reverse("shopfloor:metrics"), EDITOR_PAGES),
    Case("shopfloor:shifts", lambda w: reverse("shopfloor:shifts"), EDITOR_PAGES),
    Case(
        "shopfloor:shifts",
        lambda w: reverse("shopfloor:shifts"),
        # Another company (a vendor, a bank) adds a shift to its own calendar: this
        # company's shifts stay as they were.
        expect(
            UNCHANGED,
            **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403, **NO_COMPANY},
        ),
        method="POST",
        data=lambda w: {"name": "夜勤", "start": "22:00", "end": "06:00"},
        effect=_own_shifts,
    ),
    Case(
        "shopfloor:shift_delete",
        lambda w: reverse("shopfloor:shift_delete", args=[_shift(w).pk]),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403}),
        method="POST",
        effect=_own_shifts,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_nobody_outside_the_company_sees_its_machines(world):
    _machine(world)
    for actor in (OTHER_COMPANY, FLOOR_WORKER, MEMBER):
        html = world.client_for(actor).get(reverse("shopfloor:board")).content.decode()
        assert ("秘密の旋盤" in html) == (actor != OTHER_COMPANY), actor
    html = world.client_for(OTHER_COMPANY).get(reverse("shopfloor:metrics")).content.decode()
    assert "秘密の旋盤" not in html
