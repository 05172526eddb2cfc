"""The telemetry API's permission matrix: a company's machines, their states and keys are
its own. Officers of any ward (its own included), the metro viewer, advisors, admins and
another company get nothing of them; anonymous callers 401."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import (
    ADMIN,
    ADVISOR,
    ANONYMOUS,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.telemetry.tests.test_permissions_machines import _equipment, _machine

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"
NO_COMPANY = dict.fromkeys(
    (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF, ADMIN),
    403,
)
READS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
WRITES = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})


def _url(name, **kwargs):
    return lambda w: reverse(f"api:{name}", args=[_machine(w, **kwargs).pk])


def _machine_in(w, name="新しい旋盤", unit=3):
    return {
        "equipment_id": _equipment(w).pk,
        "unit": unit,
        "name": name,
        "source": "mqtt",
        "config": {"tower": {"green": "producing", "red": "alarm"}},
    }


MATRIX = [
    Case(
        "api:telemetry_machines",
        lambda w: reverse("api:telemetry_machines"),
        expect(200, **{ANONYMOUS: 401, **NO_COMPANY}),
    ),
    Case(
        "api:telemetry_machine_register",
        lambda w: reverse("api:telemetry_machine_register"),
        # world.company's equipment: its editors register; another company's owners are
        # refused the row (422, it is not on their list); floor workers may not register.
        expect(422, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=_machine_in,
        content_type=JSON,
    ),
    Case("api:telemetry_machine", _url("telemetry_machine"), READS),
    Case("api:telemetry_machine_states", _url("telemetry_machine_states"), READS),
    Case(
        "api:telemetry_machine_update",
        _url("telemetry_machine_update"),
        WRITES,
        method="PUT",
        data=lambda w: _machine_in(w, name="名前を変えた旋盤", unit=1),
        content_type=JSON,
    ),
    Case(
        "api:telemetry_machine_deactivate",
        _url("telemetry_machine_deactivate"),
        WRITES,
        method="POST",
    ),
    Case(
        "api:telemetry_machine_activate",
        _url("telemetry_machine_activate", active=False),
        WRITES,
        method="POST",
    ),
    Case(
        "api:telemetry_machine_key_rotate",
        _url("telemetry_machine_key_rotate"),
        WRITES,
        method="POST",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_only_owners_and_staff_learn_the_key(world):
    machine = _machine(world)
    url = reverse("api:telemetry_machine", args=[machine.pk])
    for actor, user in world.users.items():
        response = world.client_for(actor).get(url)
        if user is None:
            assert response.status_code == 401
            continue
        assert (machine.key in response.content.decode()) == (actor in (MEMBER, STAFF)), actor
    assert world.client_for(OTHER_COMPANY).get(url).status_code == 404
