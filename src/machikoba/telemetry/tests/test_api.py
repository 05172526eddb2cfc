"""The telemetry API follows the pages: the same checks of a machine's settings, the same
state and health, the same history; refusals in the one error shape, nothing written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories_telemetry import make_intervals
from machikoba.core.testing.matrix import MEMBER, STAFF
from machikoba.telemetry import api
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.models import Machine
from machikoba.telemetry.tests.test_permissions_machines import _equipment, _machine

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"


def _send(client, method, url, payload=None):
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type=JSON)


def test_register_change_stop_resume_and_rekey(world):
    client = world.client_for(MEMBER)
    equipment = _equipment(world)
    created = _send(
        client,
        "post",
        reverse("api:telemetry_machine_register"),
        {
            "equipment_id": equipment.pk,
            "unit": 2,
            "name": " 2号機 NC旋盤 ",
            "source": "opcua",
            "config": {
                "endpoint": "opc.tcp://192.168.1.30:4840",
                "state_node": "ns=2;s=Machine1.State",
                "states": {"3": "producing"},
            },
            "ideal_cycle_seconds": "42.5",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "2号機 NC旋盤"
    assert body["config"]["states"] == {"3": "producing"}
    assert body["health"]["level"] == "waiting"
    assert body["mqtt"] is None
    machine = Machine.objects.get(pk=body["id"])
    url = reverse("api:telemetry_machine_update", args=[machine.pk])
    changed = _send(
        client,
        "put",
        url,
        {
            "equipment_id": equipment.pk,
            "unit": 2,
            "name": "2号機",
            "source": "mtconnect",
            "config": {"agent": "http://192.168.1.20:5000", "device": "VMC-3Axis"},
        },
    )
    assert changed.status_code == 200
    assert changed.json()["source"] == "mtconnect"
    stopped = client.post(reverse("api:telemetry_machine_deactivate", args=[machine.pk]))
    assert stopped.json()["health"]["level"] == "stopped"
    again = client.post(reverse("api:telemetry_machine_deactivate", args=[machine.pk]))
    assert again.status_code == 409
    assert again.json()["code"] == "machine_state"
    resumed = client.post(reverse("api:telemetry_machine_activate", args=[machine.pk]))
    assert resumed.json()["active"] is True
    key = Machine.objects.get(pk=machine.pk).key
    client.post(reverse("api:telemetry_machine_key_rotate", args=[machine.pk]))
    assert Machine.objects.get(pk=machine.pk).key != key
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"machine.register", "machine.update"} <= verbs


def test_bad_settings_are_refused_with_fields_and_nothing_is_written(world):
    client = world.client_for(STAFF)
    equipment = _equipment(world)
    url = reverse("api:telemetry_machine_register")
    link_local = _send(
        client,
        "post",
        url,
        {
            "equipment_id": equipment.pk,
            "name": "旋盤",
            "source": "mtconnect",
            "config": {"agent": "http://169.254.169.254/", "device": "x"},
        },
    )
    assert link_local.status_code == 422
    assert link_local.json()["code"] == "machine_config_invalid"
    assert "agent" in link_local.json()["fields"]
    too_many = _send(
        client,
        "post",
        url,
        {"equipment_id": equipment.pk, "unit": 99, "name": "旋盤", "source": "mqtt", "config": {}},
    )
    assert too_many.status_code == 422
    assert set(too_many.json()["fields"]) == {"unit"}
    typo = _send(
        client,
        "post",
        url,
        {
            "equipment_id": equipment.pk,
            "name": "旋盤",
            "source": "mqtt",
            "config": {"towr": {"green": "producing"}},
        },
    )
    assert typo.status_code == 422
    assert Machine.objects.count() == 0


def test_state_and_history_as_the_page_shows_them(world):
    machine = _machine(world)
    start = timezone.now() - dt.timedelta(hours=2)
    make_intervals(machine, start, [("producing", 60), ("alarm", 30, "A1203"), ("idle", 10)])
    client = world.client_for(MEMBER)
    listed = client.get(reverse("api:telemetry_machines")).json()["results"]
    row = next(r for r in listed if r["id"] == machine.pk)
    assert row["state"] == MachineState.IDLE
    detail = client.get(reverse("api:telemetry_machine", args=[machine.pk])).json()
    assert [i["state"] for i in detail["recent"]] == ["idle", "alarm", "producing"]
    assert detail["mqtt"]["topic"].endswith(f"{machine.key}/state")
    spans = client.get(
        reverse("api:telemetry_machine_states", args=[machine.pk]), {"hours": 3}
    ).json()
    assert [(s["state"], s["reason"], s["open"]) for s in spans] == [
        ("producing", "", False),
        ("alarm", "A1203", False),
        ("idle", "", True),
    ]
    too_far = client.get(reverse("api:telemetry_machine_states", args=[machine.pk]), {"hours": 745})
    assert too_far.status_code == 422


def test_the_schema_choices_are_the_models():
    assert set(api.STATE.__args__) == set(MachineState.values)
    assert set(api.SOURCE.__args__) == set(Source.values)
