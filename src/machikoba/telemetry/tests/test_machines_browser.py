"""The machine pages in a real browser. On a phone (390 × 844) an owner registers a
signal-tower sensor (MQTT) and reads the topic, an example message and the broker to hand
to the installer; stops the machine and gives it a new key. On a desktop the list of a
shop with machines in several states and a machine with refused data. Every page passes
the phone rules and axe; screenshots are saved for review."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, make_equipment
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.telemetry.choices import Source
from machikoba.telemetry.models import IngestStats, Machine

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]


@pytest.fixture
def shot(screenshot):
    return screenshot


def _checked(page, shot, name, *, phone=True):
    page.wait_for_load_state("networkidle")
    if phone:
        phone_checks(page, name)
    axe_check(page, name)
    shot(page, name)


@pytest.fixture
def shop():
    company = CompanyFactory(name="蒲田精密工業株式会社")
    owner = MembershipFactory(company=company, role=CompanyRole.OWNER).user
    make_equipment(company, kind="NC旋盤", maker="オークマ", model_name="LB3000", count=2)
    make_equipment(company, kind="マシニングセンタ", maker="牧野", model_name="V33i")
    return company, owner


def test_an_owner_registers_a_signal_tower_sensor_on_a_phone(
    phone_page, live_server, shot, shop, settings
):
    _company, owner = shop
    settings.MACHIKOBA_MQTT_URL = "mqtt://127.0.0.1:1883"
    page = phone_page
    base = live_server.url
    sign_in(page, base, owner.email)
    page.goto(f"{base}/floor/machines/")
    expect(page.get_by_test_id("machines-empty")).to_be_visible()
    _checked(page, shot, "telemetry-machines-empty-phone")

    page.get_by_test_id("machine-register-link").click()
    expect(page.get_by_test_id("source-choice")).to_have_count(3)
    _checked(page, shot, "telemetry-register-source-phone")
    page.get_by_test_id("source-mqtt").click()
    expect(page.get_by_test_id("form-source")).to_contain_text("後付けのセンサー")
    _checked(page, shot, "telemetry-register-form-phone")

    # A mistake first: the name left empty, the unit past the equipment's count.
    page.locator("select[name=equipment]").select_option(label="NC旋盤 オークマ LB3000 (2 台)")
    page.get_by_label("号機").fill("3")
    page.get_by_test_id("machine-save").click()
    expect(page.locator("#form-errors")).to_contain_text("入力内容を確認してください")
    expect(page.locator("#id_name_error")).to_contain_text("表示名を入力してください")
    expect(page.locator("#id_unit_error")).to_contain_text("1 から 2 までで入力してください")
    _checked(page, shot, "telemetry-register-errors-phone")
    assert not Machine.objects.exists()

    page.get_by_label("表示名").fill("1号機 NC旋盤")
    page.get_by_label("号機").fill("1")
    expect(page.get_by_label("緑のランプがついているとき")).to_have_value("producing")
    page.get_by_label("青のランプがついているとき").select_option("setup")
    page.get_by_test_id("machine-save").click()

    machine = Machine.objects.get()
    expect(page.get_by_test_id("mqtt-topic")).to_have_text(f"machikoba/v1/{machine.key}/state")
    expect(page.get_by_test_id("mqtt-host")).to_have_text("127.0.0.1")
    expect(page.get_by_test_id("mqtt-port")).to_have_text("1883")
    example = json.loads(page.get_by_test_id("mqtt-example").inner_text())
    assert example["tower"] == {"red": False, "yellow": False, "green": True}
    expect(page.get_by_test_id("machine-health")).to_have_attribute("data-level", "waiting")
    assert machine.config["tower"] == {
        "red": "alarm",
        "yellow": "idle",
        "green": "producing",
        "blue": "setup",
    }
    _checked(page, shot, "telemetry-machine-new-phone")

    # The collector hears from it: the health panel refreshes by itself.
    IngestStats.objects.create(machine=machine, received=1, stored=1, last_seen=timezone.now())
    make_intervals(machine, timezone.now() - dt.timedelta(seconds=5), [("producing", 1)])
    page.reload()
    expect(page.get_by_test_id("machine-health")).to_have_attribute("data-level", "ok")
    expect(page.get_by_test_id("machine-state")).to_contain_text("生産中")

    old = machine.key
    page.get_by_test_id("machine-key-link").click()
    _checked(page, shot, "telemetry-key-rotate-phone")
    page.get_by_test_id("key-confirm").click()
    machine.refresh_from_db()
    assert machine.key != old
    expect(page.get_by_test_id("mqtt-topic")).to_have_text(f"machikoba/v1/{machine.key}/state")

    page.get_by_test_id("machine-deactivate-link").click()
    _checked(page, shot, "telemetry-deactivate-phone")
    page.get_by_test_id("deactivate-confirm").click()
    expect(page.get_by_test_id("machine-stopped")).to_be_visible()
    _checked(page, shot, "telemetry-machine-stopped-phone")
    page.get_by_test_id("machine-activate").click()
    expect(page.get_by_test_id("machine-stopped")).to_have_count(0)

    page.goto(f"{base}/floor/machines/")
    expect(page.get_by_test_id("machine-card")).to_have_count(1)
    _checked(page, shot, "telemetry-machines-phone")


def _busy_shop(company):
    now = timezone.now()
    lathe, mc = company.equipment.order_by("kind")
    specs = [
        ("1号機 NC旋盤", lathe, 1, Source.MQTT, [("idle", 40), ("producing", 20)], 0),
        ("2号機 NC旋盤", lathe, 2, Source.MQTT, [("producing", 30), ("alarm", 5, "A1203")], 0),
        ("マシニング V33i", mc, 1, Source.MTCONNECT, [("setup", 15)], 7),
    ]
    machines = []
    for name, equipment, unit, source, spans, malformed in specs:
        config = (
            {"agent": "http://192.168.1.20:5000", "device": "V33i"}
            if source == Source.MTCONNECT
            else {"tower": {"green": "producing", "yellow": "idle", "red": "alarm"}}
        )
        machine = make_machine(
            company, equipment=equipment, unit=unit, name=name, source=source, config=config
        )
        make_intervals(machine, now - dt.timedelta(minutes=60), spans)
        IngestStats.objects.create(
            machine=machine,
            received=1200 + unit,
            stored=48,
            duplicates=3,
            malformed=malformed,
            last_seen=now - dt.timedelta(seconds=20),
            last_error="unexpected element 'Foo' in Streams" if malformed else "",
            last_error_at=now - dt.timedelta(minutes=3) if malformed else None,
        )
        machines.append(machine)
    return machines


def test_an_owner_reads_the_machines_on_a_phone(phone_page, live_server, shot, shop):
    company, owner = shop
    _busy_shop(company)
    page = phone_page
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/floor/machines/")
    expect(page.get_by_test_id("machine-card")).to_have_count(3)
    _checked(page, shot, "telemetry-machines-busy-phone")
    page.get_by_test_id("machine-card").filter(has_text="マシニング").get_by_test_id(
        "machine-detail-link"
    ).click()
    expect(page.get_by_test_id("refused-malformed")).to_contain_text("7 件")
    _checked(page, shot, "telemetry-machine-errors-phone")
    page.get_by_test_id("machine-edit-link").click()
    expect(page.get_by_label("エージェントのアドレス")).to_have_value("http://192.168.1.20:5000")
    _checked(page, shot, "telemetry-machine-edit-phone")


def test_the_machines_on_a_desktop(page, live_server, shot, shop):
    company, owner = shop
    machines = _busy_shop(company)
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/floor/machines/")
    expect(page.get_by_test_id("machine-card")).to_have_count(3)
    expect(
        page.get_by_test_id("machine-card").filter(has_text="2号機").get_by_test_id("machine-state")
    ).to_contain_text("異常")
    _checked(page, shot, "telemetry-machines-desktop", phone=False)
    page.goto(f"{live_server.url}/floor/machines/{machines[0].pk}/")
    expect(page.get_by_test_id("mqtt-setup")).to_be_visible()
    _checked(page, shot, "telemetry-machine-desktop", phone=False)
    page.goto(f"{live_server.url}/floor/machines/new/?source=opcua")
    _checked(page, shot, "telemetry-register-opcua-desktop", phone=False)
