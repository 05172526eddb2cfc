"""The machine pages through the test client: the list (current state, last message,
counters; query count pinned), registering through the plain per-source forms, the
machine's page (ingest health, the MQTT set-up for owners and staff only), editing,
stopping and resuming, a new key; bad input comes back on the form with nothing written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, make_equipment
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.events import OFFLINE_AFTER
from machikoba.telemetry.models import IngestStats, Machine
from machikoba.telemetry.selectors import (
    ingest_health,
    machine_detail,
    machines_page,
    mqtt_topic,
)

pytestmark = pytest.mark.django_db

REGISTER = reverse("telemetry:machine_register")


@pytest.fixture
def shop():
    return CompanyFactory(name="蒲田精密工業株式会社")


@pytest.fixture
def owner(shop):
    return MembershipFactory(company=shop, role=CompanyRole.OWNER).user


@pytest.fixture
def worker(shop):
    return MembershipFactory(company=shop, role=CompanyRole.FLOOR_WORKER).user


@pytest.fixture
def lathes(shop):
    return make_equipment(shop, kind="NC旋盤", maker="オークマ", count=2)


@pytest.fixture
def as_owner(client, owner):
    client.force_login(owner)
    return client


def _stats(machine, **fields):
    return IngestStats.objects.create(machine=machine, **fields)


def _mqtt_form(equipment, **fields):
    return {
        "name": "1号機 NC旋盤",
        "equipment": str(equipment.pk),
        "unit": "1",
        "tower_red": "alarm",
        "tower_yellow": "idle",
        "tower_green": "producing",
        "tower_blue": "",
        "tower_white": "",
        "producing_above": "",
        "idle_above": "",
        "ideal_cycle_seconds": "",
        "counter_max": "",
    } | fields


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_each_machine_with_its_state_and_counters(as_owner, shop, lathes):
    now = timezone.now()
    running = make_machine(shop, equipment=lathes, unit=1, name="1号機")
    make_intervals(running, now - dt.timedelta(hours=2), [("idle", 60), ("producing", 30)])
    _stats(running, received=120, stored=2, duplicates=3, malformed=4, last_seen=now)
    quiet = make_machine(shop, equipment=lathes, unit=2, name="2号機")
    stopped = make_machine(shop, source=Source.MTCONNECT, name="古い旋盤", active=False)
    make_machine(CompanyFactory(), name="他社の機械")

    response = as_owner.get(reverse("telemetry:machines"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "他社の機械" not in html
    page = response.context["page"]
    assert [row.machine for row in page.active_rows] == [running, quiet]
    assert [row.machine for row in page.stopped_rows] == [stopped]
    first, second = page.active_rows
    assert (first.state, first.state_label) == ("producing", "生産中")
    assert first.since == now - dt.timedelta(hours=1)
    assert (first.stats.received, first.refused) == (120, 4)
    assert first.health.level == "ok"
    assert (second.state, second.health.level) == (None, "waiting")
    assert page.stopped_rows[0].health.level == "stopped"
    assert 'data-testid="count-received">120<' in html
    assert 'data-testid="count-refused">4<' in html
    assert "設備を登録する" in html


def test_the_list_reads_a_fixed_number_of_queries(
    client, shop, owner, lathes, django_assert_num_queries
):
    """The user's memberships, the machines with their current state, their counters."""

    def read():
        user = type(owner).objects.get(pk=owner.pk)  # a fresh user: no cached roles
        with django_assert_num_queries(3):
            return machines_page(user, shop)

    machine = make_machine(shop, equipment=lathes, unit=1)
    make_intervals(machine, timezone.now() - dt.timedelta(hours=1), [("idle", 10)])
    _stats(machine, received=1, last_seen=timezone.now())
    assert len(read().rows) == 1
    for n in range(6):
        other = make_machine(shop, name=f"追加 {n}")
        make_intervals(other, timezone.now() - dt.timedelta(hours=1), [("producing", 10)])
        _stats(other, received=1, last_seen=timezone.now())
    assert len(read().rows) == 7


def test_a_floor_worker_reads_the_list_without_the_register_button(client, shop, worker, lathes):
    make_machine(shop, equipment=lathes, name="1号機")
    client.force_login(worker)
    html = client.get(reverse("telemetry:machines")).content.decode()
    assert "1号機" in html
    assert "設備を登録する" not in html


def test_an_owner_without_equipment_is_sent_to_the_equipment_list(as_owner, shop):
    html = as_owner.get(reverse("telemetry:machines")).content.decode()
    assert 'data-testid="equipment-add-link"' in html
    assert reverse("companies:part_add", args=[shop.pk, "equipment"]) in html
    html = as_owner.get(REGISTER + "?source=mqtt").content.decode()
    assert 'data-testid="no-equipment"' in html


# --- registering -----------------------------------------------------------------------------


def test_registering_starts_with_the_choice_of_source(as_owner, lathes):
    response = as_owner.get(REGISTER)
    assert response.templates[0].name == "telemetry/machine_source.html"
    html = response.content.decode()
    for source in ("mqtt", "mtconnect", "opcua"):
        assert f"?source={source}" in html
    assert as_owner.get(REGISTER + "?source=modbus").templates[0].name == (
        "telemetry/machine_source.html"
    )
    response = as_owner.post(REGISTER + "?source=modbus", {"name": "x"})
    assert "データの取り方を選んでください" in response.content.decode()
    assert not Machine.objects.exists()


def test_an_owner_registers_an_mqtt_machine_and_sees_how_to_connect_it(
    as_owner, shop, lathes, settings
):
    settings.MACHIKOBA_MQTT_URL = "mqtt://broker.machikoba.example:1884"
    form = as_owner.get(REGISTER + "?source=mqtt").content.decode()
    # Plain fields, the usual tower colours chosen already; no JSON to type.
    assert 'name="tower_green"' in form
    assert '<option value="producing" selected>' in form
    assert 'name="config"' not in form
    response = as_owner.post(
        REGISTER + "?source=mqtt",
        _mqtt_form(lathes, producing_above="5", idle_above="0.5", counter_max="65535"),
        follow=True,
    )
    machine = Machine.objects.get()
    assert response.redirect_chain[-1][0] == reverse("telemetry:machine_detail", args=[machine.pk])
    assert machine.config == {
        "tower": {"red": "alarm", "yellow": "idle", "green": "producing"},
        "current": {"producing_above": 5.0, "idle_above": 0.5},
    }
    assert machine.counter_max == 65535
    html = response.content.decode()
    assert "設備を登録しました" in html
    assert mqtt_topic(machine.key) in html
    assert f"machikoba/v1/{machine.key}/state" in html
    assert "broker.machikoba.example" in html
    assert 'data-testid="mqtt-port">1884<' in html
    example = json.loads(response.context["page"].mqtt.example)
    assert example["tower"] == {"red": False, "yellow": False, "green": True}
    assert example["seq"] == 1


def test_the_broker_address_has_a_default(as_owner, shop, lathes, settings):
    if hasattr(settings, "MACHIKOBA_MQTT_URL"):
        del settings.MACHIKOBA_MQTT_URL
    machine = make_machine(shop, equipment=lathes)
    html = as_owner.get(reverse("telemetry:machine_detail", args=[machine.pk])).content.decode()
    assert "mqtt://127.0.0.1:1883" in html
    assert 'data-testid="mqtt-port">1883<' in html


def test_mtconnect_and_opcua_forms_build_their_settings(as_owner, shop, lathes):
    base = {"equipment": str(lathes.pk), "ideal_cycle_seconds": "30", "counter_max": ""}
    response = as_owner.post(
        REGISTER + "?source=mtconnect",
        base
        | {
            "name": "MC-1",
            "unit": "1",
            "agent": "http://192.168.1.20:5000",
            "device": "VMC-3Axis",
        },
    )
    assert response.status_code == 302
    response = as_owner.post(
        REGISTER + "?source=opcua",
        base
        | {
            "name": "MC-2",
            "unit": "2",
            "endpoint": "opc.tcp://192.168.1.30:4840",
            "state_node": "ns=2;s=Machine1.State",
            "count_node": "ns=2;s=Machine1.PartCount",
            "alarm_node": "",
            "reason_node": "",
            "states_producing": "1, Run",
            "states_idle": "0",
            "states_alarm": "3,4",
        },
    )
    assert response.status_code == 302
    mtc, opc = Machine.objects.order_by("name")
    assert mtc.config == {"agent": "http://192.168.1.20:5000", "device": "VMC-3Axis"}
    assert opc.config == {
        "endpoint": "opc.tcp://192.168.1.30:4840",
        "state_node": "ns=2;s=Machine1.State",
        "count_node": "ns=2;s=Machine1.PartCount",
        "states": {"1": "producing", "run": "producing", "0": "idle", "3": "alarm", "4": "alarm"},
    }
    detail = as_owner.get(reverse("telemetry:machine_detail", args=[opc.pk])).content.decode()
    assert "ns=2;s=Machine1.PartCount" in detail
    assert 'data-testid="mqtt-setup"' not in detail


@pytest.mark.parametrize(
    ("source", "data", "words"),
    [
        ("mqtt", {"name": ""}, "表示名を入力してください"),
        ("mqtt", {"unit": "3"}, "1 から 2 までで入力してください"),
        ("mqtt", {"unit": "一"}, "整数を入力してください"),
        ("mqtt", {"equipment": "999999999"}, "正しく選択してください"),
        ("mqtt", {"producing_above": "1", "idle_above": "2"}, "より小さくしてください"),
        ("mqtt", {"producing_above": "5"}, "電流の値 (アンペア) を入力してください"),
        ("mtconnect", {"agent": "192.168.1.20:5000", "device": "VMC"}, "http:// か https://"),
        ("opcua", {"endpoint": "opc.tcp://h", "state_node": "Machine1"}, "ノード ID の形"),
        (
            "opcua",
            {
                "endpoint": "opc.tcp://h",
                "state_node": "i=1",
                "states_idle": "1",
                "states_producing": "1",
            },
            "一つにしてください",
        ),
    ],
)
def test_bad_input_comes_back_on_the_form_in_japanese(as_owner, lathes, source, data, words):
    fields = (
        _mqtt_form(lathes)
        if source == "mqtt"
        else {
            "name": "MC",
            "equipment": str(lathes.pk),
            "unit": "1",
        }
    )
    response = as_owner.post(REGISTER + f"?source={source}", fields | data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert words in html
    assert not Machine.objects.exists()
    assert not AuditEvent.objects.filter(verb="machine.register").exists()


def test_a_duplicate_name_is_told_beside_the_name(as_owner, shop, lathes):
    make_machine(shop, equipment=lathes, unit=2, name="1号機 NC旋盤")
    response = as_owner.post(REGISTER + "?source=mqtt", _mqtt_form(lathes))
    assert response.status_code == 200
    assert "すでに登録されています" in response.context["form"].errors["name"][0]
    assert Machine.objects.count() == 1


# --- one machine -----------------------------------------------------------------------------


def test_the_machine_page_shows_its_ingest_health(as_owner, shop, lathes):
    now = timezone.now()
    machine = make_machine(shop, equipment=lathes, name="1号機")
    make_intervals(machine, now - dt.timedelta(minutes=30), [("alarm", 30, "A1203")])
    _stats(
        machine,
        received=50,
        stored=10,
        duplicates=2,
        malformed=3,
        skewed=1,
        last_seen=now - dt.timedelta(minutes=10),
        last_error="unknown state 'running'",
        last_error_at=now - dt.timedelta(minutes=11),
    )
    html = as_owner.get(reverse("telemetry:machine_detail", args=[machine.pk])).content.decode()
    assert 'data-level="silent"' in html
    assert "最後に届いてから 10" in html
    assert 'data-testid="refused-malformed"' in html
    assert 'data-testid="refused-skewed"' in html
    assert 'data-testid="refused-rate_limited"' not in html
    assert "形式の誤り: 3 件" in html
    assert "unknown state &#x27;running&#x27;" in html
    assert "A1203" in html
    assert 'data-state="alarm"' in html


def test_health_levels(shop):
    now = timezone.now()
    machine = make_machine(shop)
    assert ingest_health(machine, None, now).level == "waiting"
    stats = IngestStats(machine=machine, last_seen=now - OFFLINE_AFTER / 2)
    assert ingest_health(machine, stats, now).level == "ok"
    stats.last_error_at = now - dt.timedelta(minutes=5)
    assert ingest_health(machine, stats, now).level == "errors"
    stats.last_error_at = now - dt.timedelta(hours=2)
    assert ingest_health(machine, stats, now).level == "ok"
    stats.last_seen = now - OFFLINE_AFTER - dt.timedelta(seconds=1)
    assert ingest_health(machine, stats, now).level == "silent"
    machine.active = False
    assert ingest_health(machine, stats, now).level == "stopped"


def test_the_health_panel_refreshes_alone(as_owner, shop, lathes):
    machine = make_machine(shop, equipment=lathes)
    url = reverse("telemetry:machine_detail", args=[machine.pk]) + "?part=health"
    response = as_owner.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="health"')
    assert "<html" not in html
    _stats(machine, received=1, last_seen=timezone.now())
    html = as_owner.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-level="ok"' in html


def test_a_floor_worker_sees_the_machine_but_not_its_key(client, shop, worker, lathes):
    machine = make_machine(shop, equipment=lathes)
    client.force_login(worker)
    response = client.get(reverse("telemetry:machine_detail", args=[machine.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert machine.key not in html
    assert 'data-testid="mqtt-setup"' not in html
    assert 'data-testid="machine-actions"' not in html
    page = machine_detail(worker, machine.pk)
    assert page.mqtt is None
    assert not page.may_change


def test_the_owner_edits_a_machine_and_switches_its_source(as_owner, shop, lathes):
    machine = make_machine(shop, equipment=lathes, config={"tower": {"green": "producing"}})
    url = reverse("telemetry:machine_edit", args=[machine.pk])
    form = as_owner.get(url).content.decode()
    assert f'value="{machine.name}"' in form
    response = as_owner.post(
        url + "?source=mtconnect",
        {
            "name": "1号機 (MTConnect)",
            "equipment": str(lathes.pk),
            "unit": "2",
            "agent": "https://agent.example.jp",
            "device": "Okuma-1",
        },
    )
    assert response.status_code == 302
    machine.refresh_from_db()
    assert (machine.source, machine.unit, machine.name) == ("mtconnect", 2, "1号機 (MTConnect)")
    assert machine.config == {"agent": "https://agent.example.jp", "device": "Okuma-1"}


def test_stopping_resuming_and_a_new_key(as_owner, shop, lathes):
    machine = make_machine(shop, equipment=lathes)
    detail = reverse("telemetry:machine_detail", args=[machine.pk])
    stop = reverse("telemetry:machine_deactivate", args=[machine.pk])
    assert "これまでの記録は消えません" in as_owner.get(stop).content.decode()
    response = as_owner.post(stop, follow=True)
    assert "監視を止めました" in response.content.decode()
    machine.refresh_from_db()
    assert not machine.active
    response = as_owner.post(stop, follow=True)
    assert "すでに止めています" in response.content.decode()
    html = as_owner.post(
        reverse("telemetry:machine_activate", args=[machine.pk]), follow=True
    ).content.decode()
    assert "監視を再開しました" in html
    old = machine.key
    key_url = reverse("telemetry:machine_key_rotate", args=[machine.pk])
    assert "いまのセンサーからのデータは届かなくなります" in as_owner.get(key_url).content.decode()
    response = as_owner.post(key_url)
    assert response["Location"] == detail + "#connect"
    machine.refresh_from_db()
    assert machine.key != old
    html = as_owner.get(detail).content.decode()
    assert mqtt_topic(machine.key) in html
    assert old not in html


def test_machines_of_a_state_show_their_colour_words(as_owner, shop, lathes):
    machine = make_machine(shop, equipment=lathes)
    make_intervals(machine, timezone.now() - dt.timedelta(hours=1), [(MachineState.SETUP, 10)])
    html = as_owner.get(reverse("telemetry:machines")).content.decode()
    assert 'data-state="setup"' in html
    assert "段取り" in html


@pytest.mark.parametrize(
    ("config", "signal"),
    [
        ({"tower": {"green": "producing", "blue": "setup"}}, "tower"),
        ({"tower": {"blue": "producing", "green": "idle"}}, "tower"),
        ({"current": {"producing_above": 8.0, "idle_above": 1.0}}, "current"),
        ({}, "state"),
    ],
)
def test_the_example_messages_are_what_the_collector_reads(shop, config, signal):
    """The example on the machine's page, sent as it is, is stored as "producing"; the
    heartbeat example keeps it alive."""
    from machikoba.telemetry.collector.base import MachineInfo
    from machikoba.telemetry.collector.payload import parse
    from machikoba.telemetry.events import Heartbeat, StateEvent
    from machikoba.telemetry.selectors import example_heartbeat, example_payload, example_signal

    machine = make_machine(shop, config=config)
    now = timezone.now()
    directory = {machine.key: MachineInfo(machine.pk, machine.key, config, None)}
    assert example_signal(machine) == signal
    state = parse(mqtt_topic(machine.key), example_payload(machine, now).encode(), now, directory)
    assert isinstance(state, StateEvent), state
    assert (state.machine_id, state.state, state.seq, state.count) == (
        machine.pk,
        MachineState.PRODUCING,
        1,
        1234,
    )
    beat = parse(
        mqtt_topic(machine.key, "heartbeat"), example_heartbeat(now).encode(), now, directory
    )
    assert isinstance(beat, Heartbeat)
