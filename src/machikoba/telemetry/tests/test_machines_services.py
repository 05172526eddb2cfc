"""Registering machines for monitoring: what is accepted, and every refusal (a clear
Japanese message, the field it is about, nothing written)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from machikoba.companies.choices import CompanyRole
from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AUDIT_VERB_LABELS, AuditEvent
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    make_equipment,
)
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.error_codes import TelemetryErrorCode
from machikoba.telemetry.models import Machine
from machikoba.telemetry.services import (
    machine_activate,
    machine_deactivate,
    machine_key_rotate,
    machine_register,
    machine_update,
)
from machikoba.telemetry.services.machine_config import clean_config

pytestmark = pytest.mark.django_db

TOWER = {"green": "producing", "yellow": "idle", "red": "alarm"}
AGENT = {"agent": "http://192.168.1.20:5000", "device": "VMC-3Axis"}
OPCUA = {
    "endpoint": "opc.tcp://192.168.1.30:4840",
    "state_node": "ns=2;s=Machine1.State",
    "count_node": "ns=2;i=1001",
    "states": {"1": "producing", "0": "idle", "3": "alarm"},
}


@pytest.fixture
def shop():
    return CompanyFactory(name="蒲田精密工業株式会社")


@pytest.fixture
def owner(shop):
    return MembershipFactory(company=shop, role=CompanyRole.OWNER).user


@pytest.fixture
def lathes(shop):
    return make_equipment(shop, kind="NC旋盤", maker="オークマ", count=3)


def register(actor, company, equipment, **fields):
    values = {
        "unit": 1,
        "name": "1号機 NC旋盤",
        "source": Source.MQTT,
        "config": {"tower": TOWER},
    } | fields
    return machine_register(actor=actor, company=company, equipment=equipment, **values)


def refusal(call, *args, **kwargs) -> ApplicationError:
    """The refusal ``call`` raises; nothing may have been written."""
    machines, events = Machine.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        call(*args, **kwargs)
    assert (Machine.objects.count(), AuditEvent.objects.count()) == (machines, events)
    return caught.value


def messages_of(error: ApplicationError) -> str:
    return " ".join([str(error.message), *(str(m) for ms in error.fields.values() for m in ms)])


# --- registering ---------------------------------------------------------------------------


def test_an_owner_registers_an_mqtt_machine(shop, owner, lathes):
    machine = register(
        owner,
        shop,
        lathes,
        unit=2,
        name="  2号機 NC旋盤  ",
        config={"tower": TOWER, "current": {"producing_above": "5", "idle_above": 0.5}},
        ideal_cycle_seconds="42.125",
        counter_max=65535,
    )
    machine.refresh_from_db()
    assert machine.name == "2号機 NC旋盤"
    assert machine.active
    assert len(machine.key) == 16
    assert machine.config == {
        "tower": {"red": "alarm", "yellow": "idle", "green": "producing"},
        "current": {"producing_above": 5.0, "idle_above": 0.5},
    }
    assert machine.ideal_cycle_seconds == Decimal("42.13")
    assert machine.counter_max == 65535
    event = AuditEvent.objects.get(verb="machine.register")
    assert event.company == shop
    assert event.actor == owner
    assert event.after["name"] == "2号機 NC旋盤"
    assert machine.key not in str(event.after)
    assert str(AUDIT_VERB_LABELS["machine.register"]) == "監視する設備を登録"


def test_staff_register_mtconnect_and_opcua_machines(shop, lathes):
    staff = MembershipFactory(company=shop, role=CompanyRole.STAFF).user
    agent = register(staff, shop, lathes, source=Source.MTCONNECT, config=AGENT)
    opcua = register(
        staff,
        shop,
        lathes,
        unit=2,
        name="2号機",
        source=Source.OPCUA,
        config=OPCUA | {"states": {" Run ": "producing", "0": "idle"}},
    )
    assert agent.config == AGENT
    assert opcua.config["states"] == {"run": "producing", "0": "idle"}
    # Without a value map, the collector's standard one applies.
    plain = register(
        staff,
        shop,
        lathes,
        unit=3,
        name="3号機",
        source=Source.OPCUA,
        config={"endpoint": "opc.tcp://plc.local", "state_node": "ns=3;i=1001"},
    )
    assert plain.config == {"endpoint": "opc.tcp://plc.local", "state_node": "ns=3;i=1001"}


def test_a_sensor_that_sends_state_names_needs_no_settings(shop, owner, lathes):
    assert register(owner, shop, lathes, config={}).config == {}


def test_a_tower_may_say_what_no_lamp_lit_means():
    config = clean_config(Source.MQTT, {"tower": {"none": "planned_stop", "white": "setup"}})
    assert config == {"tower": {"white": "setup", "none": "planned_stop"}}


def test_the_system_and_a_platform_admin_may_register(shop, lathes):
    assert register(None, shop, lathes).pk
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert register(admin, shop, lathes, unit=2, name="2号機").pk


@pytest.mark.parametrize("role", [CompanyRole.FLOOR_WORKER, None, "other", "officer"])
def test_only_owners_and_staff_register(shop, lathes, role):
    if role == "other":
        user = MembershipFactory(role=CompanyRole.OWNER).user
    elif role == "officer":
        user = WardRoleFactory().user
    elif role is None:
        user = UserFactory()
    else:
        user = MembershipFactory(company=shop, role=role).user
    error = refusal(register, user, shop, lathes)
    assert isinstance(error, PermissionRefused)
    assert error.code == TelemetryErrorCode.NOT_MACHINE_EDITOR
    assert "経営者とスタッフだけ" in str(error.message)


def test_a_deactivated_company_registers_nothing(shop, owner, lathes):
    from machikoba.companies.services import company_deactivate

    company_deactivate(actor=None, company=shop)
    shop.refresh_from_db()
    error = refusal(register, owner, shop, lathes)
    assert error.code == TelemetryErrorCode.NOT_MACHINE_EDITOR


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "   "}, "name", "表示名を入力"),
        ({"name": "長" * 51}, "name", "50 文字以内"),
        ({"unit": 0}, "unit", "1 から 3 まで"),
        ({"unit": 4}, "unit", "1 から 3 まで"),
        ({"unit": "2"}, "unit", "1 から 3 まで"),
        ({"ideal_cycle_seconds": "0"}, "ideal_cycle_seconds", "0.01 秒から"),
        ({"ideal_cycle_seconds": "-3"}, "ideal_cycle_seconds", "0.01 秒から"),
        ({"ideal_cycle_seconds": "NaN"}, "ideal_cycle_seconds", "0.01 秒から"),
        ({"ideal_cycle_seconds": "速い"}, "ideal_cycle_seconds", "数字 (秒)"),
        ({"ideal_cycle_seconds": "99999999"}, "ideal_cycle_seconds", "0.01 秒から"),
        ({"counter_max": 0}, "counter_max", "1 以上"),
        ({"source": "modbus"}, "source", "データの取り方を選んで"),
    ],
)
def test_bad_machine_fields_are_refused(shop, owner, lathes, fields, field, words):
    error = refusal(register, owner, shop, lathes, **fields)
    assert error.code == TelemetryErrorCode.MACHINE_INVALID
    assert field in error.fields
    assert words in messages_of(error)


def test_equipment_of_another_company_is_refused(shop, owner):
    theirs = make_equipment(CompanyFactory(), kind="マシニングセンタ")
    error = refusal(register, owner, shop, theirs)
    assert error.code == TelemetryErrorCode.MACHINE_INVALID
    assert "この企業の設備一覧" in messages_of(error)


def test_a_second_machine_with_the_same_name_or_unit_is_refused(shop, owner, lathes):
    register(owner, shop, lathes)
    same_name = refusal(register, owner, shop, lathes, unit=2)
    assert same_name.code == TelemetryErrorCode.MACHINE_DUPLICATE
    assert "「1号機 NC旋盤」という名前" in messages_of(same_name)
    same_unit = refusal(register, owner, shop, lathes, name="別の名前")
    assert same_unit.code == TelemetryErrorCode.MACHINE_DUPLICATE
    assert "1 号機は「1号機 NC旋盤」として" in messages_of(same_unit)
    # Another company may use the same name.
    other = CompanyFactory()
    other_owner = MembershipFactory(company=other).user
    register(other_owner, other, make_equipment(other))


def test_two_machines_reading_one_device_are_refused(shop, owner, lathes):
    register(owner, shop, lathes, source=Source.MTCONNECT, config=AGENT)
    error = refusal(
        register,
        owner,
        shop,
        lathes,
        unit=2,
        name="2号機",
        source=Source.MTCONNECT,
        config=AGENT | {"agent": "http://192.168.1.20:5000/"},
    )
    assert error.code == TelemetryErrorCode.MACHINE_DUPLICATE
    assert "同じ接続先" in messages_of(error)


# --- the connection settings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "config", "field", "words"),
    [
        (Source.MQTT, {"tower": {"green": "running"}}, "tower_green", "状態を選んで"),
        (Source.MQTT, {"tower": {"purple": "producing"}}, "tower", "赤・黄・緑・青・白"),
        (Source.MQTT, {"tower": ["green"]}, "tower", "形が正しくありません"),
        (
            Source.MQTT,
            {"current": {"producing_above": "たくさん", "idle_above": 1}},
            "producing_above",
            "数字で",
        ),
        (
            Source.MQTT,
            {"current": {"producing_above": 1, "idle_above": 5}},
            "idle_above",
            "より小さく",
        ),
        (Source.MQTT, {"current": {"producing_above": 5}}, "idle_above", "電流の値"),
        (
            Source.MQTT,
            {"current": {"producing_above": True, "idle_above": 0}},
            "producing_above",
            "数字で",
        ),
        (
            Source.MQTT,
            {"current": {"producing_above": "inf", "idle_above": 0}},
            "producing_above",
            "数字で",
        ),
        (
            Source.MQTT,
            {"current": {"producing_above": 20000, "idle_above": 0}},
            "producing_above",
            "10000 アンペアまで",
        ),
        (Source.MQTT, {"agent": "http://x"}, "config", "使わない設定"),
        (Source.MQTT, "green=producing", "config", "形が正しくありません"),
        (Source.MTCONNECT, AGENT | {"agent": "ftp://192.168.1.20"}, "agent", "http://"),
        (Source.MTCONNECT, AGENT | {"agent": "http://"}, "agent", "IP アドレスか名前"),
        (Source.MTCONNECT, AGENT | {"agent": "http://u:p@192.168.1.20"}, "agent", "パスワード"),
        (Source.MTCONNECT, AGENT | {"agent": "http://192.168.1.20:99999"}, "agent", "ポート番号"),
        (Source.MTCONNECT, AGENT | {"agent": "http://a/current?x=1"}, "agent", "「?」"),
        (Source.MTCONNECT, AGENT | {"agent": "http://169.254.169.254/"}, "agent", "接続できません"),
        (Source.MTCONNECT, AGENT | {"agent": ""}, "agent", "アドレスを入力"),
        (Source.MTCONNECT, AGENT | {"agent": "http://a/" + "x" * 300}, "agent", "300 文字"),
        (Source.MTCONNECT, AGENT | {"device": ""}, "device", "装置名"),
        (Source.MTCONNECT, AGENT | {"device": "VMC 3/Axis"}, "device", "空白"),
        (Source.OPCUA, OPCUA | {"endpoint": "http://192.168.1.30"}, "endpoint", "opc.tcp://"),
        (Source.OPCUA, OPCUA | {"state_node": ""}, "state_node", "ノードの ID を入力"),
        (Source.OPCUA, OPCUA | {"state_node": "Machine1.State"}, "state_node", "形が正しく"),
        (Source.OPCUA, OPCUA | {"count_node": "ns=2;x=1"}, "count_node", "形が正しく"),
        (Source.OPCUA, OPCUA | {"alarm_node": "ns=2;s="}, "alarm_node", "形が正しく"),
        (Source.OPCUA, OPCUA | {"states": {"1": "running"}}, "states", "値「1」の状態"),
        (Source.OPCUA, OPCUA | {"states": {"Run": "producing", "run": "idle"}}, "states", "両方に"),
        (Source.OPCUA, OPCUA | {"states": ["1"]}, "states", "形が正しく"),
        (Source.OPCUA, OPCUA | {"states": {"x" * 41: "idle"}}, "states", "40 文字以下"),
    ],
)
def test_bad_connection_settings_are_refused(shop, owner, lathes, source, config, field, words):
    error = refusal(register, owner, shop, lathes, source=source, config=config)
    assert error.code == TelemetryErrorCode.MACHINE_CONFIG_INVALID
    assert str(error.message) == "接続の設定を確認してください。"
    assert field in error.fields, error.fields
    assert words in messages_of(error)


def test_good_node_ids_and_addresses_pass():
    for node in (
        "i=85",
        "ns=3;i=1001",
        "ns=2;s=Machine 1.State",
        "ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a",
        "ns=1;b=M/RbKBsRVkePCePcx24oRA==",
        "nsu=http://example.org/UA/;s=Machine1.State",
    ):
        assert clean_config(Source.OPCUA, {"endpoint": "opc.tcp://h:4840", "state_node": node})
    for agent in ("https://agent.example.jp/mtc", "http://[fd00::5]:5000", "http://10.0.0.5"):
        assert clean_config(Source.MTCONNECT, {"agent": agent, "device": "d"})["agent"] == agent


def test_any_machine_state_may_be_mapped_by_a_setting():
    config = clean_config(Source.OPCUA, OPCUA | {"states": {"9": MachineState.OFFLINE}})
    assert config["states"] == {"9": "offline"}


# --- changing --------------------------------------------------------------------------------


def test_an_update_changes_the_machine_and_records_what_changed(shop, owner, lathes):
    machine = register(owner, shop, lathes)
    key = machine.key
    updated = machine_update(
        actor=owner,
        machine=machine,
        name="1号機 (主軸交換済み)",
        source=Source.OPCUA,
        config=OPCUA,
        unit=3,
    )
    assert updated.name == "1号機 (主軸交換済み)"
    assert (updated.source, updated.unit, updated.key) == (Source.OPCUA, 3, key)
    event = AuditEvent.objects.get(verb="machine.update")
    assert set(event.after) == {"name", "source", "config", "unit"}
    assert event.before["name"] == "1号機 NC旋盤"
    # Saving the same values again records nothing.
    machine_update(actor=owner, machine=updated, name="1号機 (主軸交換済み)")
    assert AuditEvent.objects.filter(verb="machine.update").count() == 1


def test_an_update_refuses_what_a_registration_refuses(shop, owner, lathes):
    machine = register(owner, shop, lathes)
    register(owner, shop, lathes, unit=2, name="2号機")
    before = Machine.objects.values_list("name", "source", "config").get(pk=machine.pk)
    for changes, code in (
        ({"name": "2号機"}, TelemetryErrorCode.MACHINE_DUPLICATE),
        ({"unit": 2}, TelemetryErrorCode.MACHINE_DUPLICATE),
        ({"unit": 9}, TelemetryErrorCode.MACHINE_INVALID),
        # A new source needs its own settings: the MQTT ones do not fit MTConnect.
        ({"source": Source.MTCONNECT}, TelemetryErrorCode.MACHINE_CONFIG_INVALID),
    ):
        assert refusal(machine_update, actor=owner, machine=machine, **changes).code == code
    assert Machine.objects.values_list("name", "source", "config").get(pk=machine.pk) == before
    with pytest.raises(ValueError, match="not machine fields"):
        machine_update(actor=owner, machine=machine, key="mine")


def test_members_who_may_not_change_it_are_refused(shop, owner, lathes):
    machine = register(owner, shop, lathes)
    worker = MembershipFactory(company=shop, role=CompanyRole.FLOOR_WORKER).user
    stranger = MembershipFactory(role=CompanyRole.OWNER).user
    for user in (worker, stranger):
        for call, kwargs in (
            (machine_update, {"name": "乗っ取り"}),
            (machine_deactivate, {}),
            (machine_key_rotate, {}),
        ):
            error = refusal(call, actor=user, machine=machine, **kwargs)
            assert error.code == TelemetryErrorCode.NOT_MACHINE_EDITOR
    machine_deactivate(actor=owner, machine=machine)
    error = refusal(machine_activate, actor=worker, machine=machine)
    assert error.code == TelemetryErrorCode.NOT_MACHINE_EDITOR
    # The floor worker still reads it.
    assert Machine.objects.for_user(worker, VIEW).filter(pk=machine.pk).exists()


def test_monitoring_is_stopped_and_resumed_once_each(shop, owner, lathes):
    machine = register(owner, shop, lathes)
    machine = machine_deactivate(actor=owner, machine=machine)
    assert not Machine.objects.get(pk=machine.pk).active
    again = refusal(machine_deactivate, actor=owner, machine=machine)
    assert again.code == TelemetryErrorCode.MACHINE_STATE
    assert "すでに止めています" in str(again.message)
    machine_activate(actor=owner, machine=machine)
    assert Machine.objects.get(pk=machine.pk).active
    assert refusal(machine_activate, actor=owner, machine=machine).code == (
        TelemetryErrorCode.MACHINE_STATE
    )
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="machine.").values_list("verb", flat=True)
    )
    assert verbs.count("machine.deactivate") == 1
    assert verbs.count("machine.activate") == 1


def test_a_new_key_replaces_the_old_one_and_stays_out_of_the_trail(shop, owner, lathes):
    machine = register(owner, shop, lathes)
    old = machine.key
    machine_key_rotate(actor=owner, machine=machine)
    machine.refresh_from_db()
    assert machine.key != old
    assert len(machine.key) == 16
    assert not Machine.objects.filter(key=old).exists()
    event = AuditEvent.objects.get(verb="machine.key_rotate")
    assert event.company == shop
    assert old not in str(event.before) + str(event.after)
    assert machine.key not in str(event.before) + str(event.after)


def test_a_machine_made_by_the_factory_can_be_changed_by_its_owner():
    machine = make_machine(source=Source.MQTT)
    owner = MembershipFactory(company=machine.company).user
    machine_update(actor=owner, machine=machine, config={"tower": {"green": "producing"}})
    assert Machine.objects.get(pk=machine.pk).config == {"tower": {"green": "producing"}}
