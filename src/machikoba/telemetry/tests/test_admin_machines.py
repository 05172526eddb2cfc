"""Machine monitoring in the Django admin: machines are added and changed through the
services (a refusal is shown on the form, nothing saved), the collector's records are
read only, and opening any of them is logged."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import force_login_with_mfa, make_equipment
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.matrix import ADMIN, MEMBER
from machikoba.telemetry.models import IngestStats, Machine, SourceCursor, UnknownSource


@pytest.fixture
def admin_client_(world, client):
    force_login_with_mfa(client, world.users[ADMIN])
    return client


def _form(world, equipment, **overrides):
    return {
        "company": str(world.company.pk),
        "equipment": str(equipment.pk),
        "unit": "1",
        "name": "1号機",
        "source": "mqtt",
        "config": json.dumps({"tower": {"green": "producing"}}),
        "ideal_cycle_seconds": "",
        "counter_max": "",
    } | overrides


def test_an_admin_adds_a_machine_through_the_service(world, admin_client_):
    lathe = make_equipment(world.company, count=2)
    response = admin_client_.post(reverse("admin:telemetry_machine_add"), _form(world, lathe))
    assert response.status_code == 302, response.content.decode()[:2000]
    machine = Machine.objects.get()
    assert machine.config == {"tower": {"green": "producing"}}
    event = AuditEvent.objects.get(verb="machine.register")
    assert (event.actor, event.company) == (world.users[ADMIN], world.company)


def test_a_refused_machine_is_shown_on_the_admin_form(world, admin_client_):
    lathe = make_equipment(world.company, count=2)
    theirs = make_equipment(world.other_company)
    for data, words in (
        (_form(world, lathe, unit="5"), "1 から 2 まで"),
        (_form(world, theirs), "この企業の設備一覧"),
        (_form(world, lathe, config=json.dumps({"tower": {"green": "busy"}})), "状態を選んで"),
    ):
        response = admin_client_.post(reverse("admin:telemetry_machine_add"), data)
        assert response.status_code == 200
        assert words in response.content.decode()
    assert not Machine.objects.exists()
    assert not AuditEvent.objects.filter(verb="machine.register").exists()


def test_an_admin_changes_a_machine_through_the_service(world, admin_client_):
    machine = make_machine(world.company)
    url = reverse("admin:telemetry_machine_change", args=[machine.pk])
    response = admin_client_.post(
        url, _form(world, machine.equipment, name="改名した旋盤") | {"company": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    machine.refresh_from_db()
    assert machine.name == "改名した旋盤"
    assert AuditEvent.objects.get(verb="machine.update").actor == world.users[ADMIN]


def test_admin_actions_stop_and_resume_monitoring(world, admin_client_):
    machine = make_machine(world.company)
    url = reverse("admin:telemetry_machine_changelist")
    admin_client_.post(url, {"action": "deactivate", "_selected_action": [machine.pk]})
    machine.refresh_from_db()
    assert not machine.active
    admin_client_.post(url, {"action": "activate", "_selected_action": [machine.pk]})
    machine.refresh_from_db()
    assert machine.active
    assert AuditEvent.objects.filter(verb="machine.deactivate").count() == 1


def test_the_collectors_records_are_read_only_and_audited(world, admin_client_):
    machine = make_machine(world.company)
    now = timezone.now()
    IngestStats.objects.create(machine=machine, received=3, last_seen=now)
    UnknownSource.objects.create(
        source="mqtt", key="typo-key", count=41, first_seen=now, last_seen=now
    )
    SourceCursor.objects.create(key="http://agent:5000", instance="17", next_sequence=99)
    for name in ("ingeststats", "unknownsource", "sourcecursor"):
        changelist = admin_client_.get(reverse(f"admin:telemetry_{name}_changelist"))
        assert changelist.status_code == 200
        assert admin_client_.get(reverse(f"admin:telemetry_{name}_add")).status_code == 403
    html = admin_client_.get(reverse("admin:telemetry_unknownsource_changelist")).content.decode()
    assert "typo-key" in html
    assert "41" in html
    opened = AuditEvent.objects.filter(verb="admin.view").values_list("after", flat=True)
    assert {"model": "telemetry.UnknownSource", "page": "list"} in list(opened)
    change = admin_client_.get(reverse("admin:telemetry_machine_change", args=[machine.pk]))
    assert change.status_code == 200
    event = AuditEvent.objects.filter(verb="admin.view").latest("id")
    assert event.company == world.company


def test_the_admin_is_for_platform_admins_only(world, client):
    client.force_login(world.users[MEMBER])
    response = client.get(reverse("admin:telemetry_machine_changelist"))
    assert response.status_code == 302
