"""Permission matrix of the machine pages. A company's machines are its own:

- the list is of the active company: anyone working for a company (vendors and banks
  included) sees their own, empty here; people with no company (officers, the metro
  viewer, advisors, instructors, reviewers, the lab's staff, platform admins) are refused;
- registering: the owners and staff of the active company (a floor worker: 403);
- a machine of world.company: its people read it (a floor worker too), its owners and staff
  change it; anyone else, officers of its ward included, is told it does not exist (404),
  and anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.companies.models import Equipment
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.matrix import (
    ADMIN,
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
    OTHER_WARD_OFFICER,
    REFUSED,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.telemetry.choices import Source
from machikoba.telemetry.models import Machine

pytestmark = pytest.mark.clock_sensitive

NO_COMPANY = {
    OFFICER: 403,
    OTHER_WARD_OFFICER: 403,
    METRO_VIEWER: 403,
    ADVISOR: 403,
    INSTRUCTOR: 403,
    REVIEWER: 403,
    LAB_STAFF: 403,
    ADMIN: 403,
}
# Pages of the active company: another company (a vendor, a bank) sees its own, empty.
COMPANY_PAGE = expect(200, **{ANONYMOUS: LOGIN, **NO_COMPANY})
# Registering: owners and staff of the active company.
EDITOR_PAGE = expect(200, **{ANONYMOUS: LOGIN, FLOOR_WORKER: 403, **NO_COMPANY})
# A machine of world.company.
OWN_MACHINE = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
OWN_EDIT = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})
OWN_POST = posted(OWN_EDIT, **{MEMBER: DONE, STAFF: DONE})


def _equipment(w):
    return Equipment.objects.filter(company=w.company).first() or Equipment.objects.create(
        company=w.company, kind="NC旋盤", count=3
    )


def _machine(w, *, active=True):
    name = "監視中の旋盤" if active else "停止中の旋盤"
    found = Machine.objects.filter(company=w.company, name=name).first()
    if found is None:
        unit = 1 if active else 2
        found = make_machine(
            w.company, equipment=_equipment(w), unit=unit, name=name, active=active
        )
    return found


def _url(name, **kwargs):
    return lambda w: reverse(f"telemetry:{name}", args=[_machine(w, **kwargs).pk])


def _register_data(w):
    """A form for the actor's own active company: an equipment row of world.company is
    refused for anyone else's (so what counts is who could post it)."""
    return {
        "name": "新しい旋盤",
        "equipment": str(_equipment(w).pk),
        "unit": "3",
        "tower_green": "producing",
        "tower_red": "alarm",
    }


def _edit_data(w):
    return {
        "name": "名前を変えた旋盤",
        "equipment": str(_equipment(w).pk),
        "unit": "1",
        "tower_green": "producing",
    }


MATRIX = [
    Case("telemetry:machines", lambda w: reverse("telemetry:machines"), COMPANY_PAGE),
    Case(
        "telemetry:machine_register", lambda w: reverse("telemetry:machine_register"), EDITOR_PAGE
    ),
    Case(
        "telemetry:machine_register",
        lambda w: reverse("telemetry:machine_register") + "?source=mqtt",
        EDITOR_PAGE,
        note="form",
    ),
    Case(
        "telemetry:machine_register",
        lambda w: reverse("telemetry:machine_register") + "?source=mqtt",
        # Another company's owner posts world.company's equipment: the form refuses it (200,
        # nothing written); world.company's editors register.
        posted(EDITOR_PAGE, **{MEMBER: DONE, STAFF: DONE}),
        method="POST",
        data=_register_data,
        effect=lambda w: Machine.objects.count(),
    ),
    Case("telemetry:machine_detail", _url("machine_detail"), OWN_MACHINE),
    Case(
        "telemetry:machine_detail",
        lambda w: reverse("telemetry:machine_detail", args=[_machine(w).pk]) + "?part=health",
        OWN_MACHINE,
        note="health",
    ),
    Case("telemetry:machine_edit", _url("machine_edit"), OWN_EDIT),
    Case(
        "telemetry:machine_edit",
        _url("machine_edit"),
        OWN_POST,
        method="POST",
        data=_edit_data,
        effect=lambda w: Machine.objects.filter(name="名前を変えた旋盤").count(),
    ),
    Case("telemetry:machine_deactivate", _url("machine_deactivate"), OWN_EDIT),
    Case(
        "telemetry:machine_deactivate",
        _url("machine_deactivate"),
        OWN_POST,
        method="POST",
        effect=lambda w: Machine.objects.filter(active=True).count(),
    ),
    Case(
        "telemetry:machine_activate",
        _url("machine_activate", active=False),
        OWN_POST,
        method="POST",
        effect=lambda w: Machine.objects.filter(active=True).count(),
    ),
    Case(
        "telemetry:machine_activate",
        _url("machine_activate"),
        posted(OWN_EDIT, **{MEMBER: REFUSED, STAFF: REFUSED}),
        method="POST",
        note="already monitored",
        effect=lambda w: Machine.objects.filter(active=True).count(),
    ),
    Case("telemetry:machine_key_rotate", _url("machine_key_rotate"), OWN_EDIT),
    Case(
        "telemetry:machine_key_rotate",
        _url("machine_key_rotate"),
        OWN_POST,
        method="POST",
        effect=lambda w: list(Machine.objects.values_list("key", flat=True)),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.id)
def test_permission_matrix(case, world):
    assert_case(case, world)


def test_nobody_outside_the_company_learns_a_machine_key(world):
    """The key is in the MQTT set-up, shown only to the company's owners and staff."""
    machine = _machine(world)
    assert machine.source == Source.MQTT
    url = reverse("telemetry:machine_detail", args=[machine.pk])
    for actor, user in world.users.items():
        if user is None:
            continue
        html = world.client_for(actor).get(url).content.decode()
        assert (machine.key in html) == (actor in (MEMBER, STAFF)), actor
