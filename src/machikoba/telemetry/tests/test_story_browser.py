"""The issue's story end to end: a sensor on the owner's lathe publishes through the real
Mosquitto broker (the demo's simulator), a real collector process (`manage.py
telemetry_collect`) stores the state changes, and the owner's board, open on a phone,
moves by itself."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories_floor import floor, floor_machines
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.phone import phone_checks
from machikoba.telemetry.models import StateInterval
from machikoba.telemetry.simulator import ShopHours, Simulator, spec_for
from machikoba.telemetry.tests.test_collector import start_collector, stop, wait_subscribed
from machikoba.telemetry.tests.test_mqtt import BROKER, unique

pytestmark = [
    # Every test that talks to the system broker runs on one xdist worker: a collector
    # subscribes to every machine's topic, and would count another worker's messages.
    pytest.mark.xdist_group("system-broker"),
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

# Long enough for the simulated lathe (600 times faster than life) to change state a few
# times and for the board (polling every 5 s) to show it.
WATCH_SECONDS = 60


def test_the_owners_board_moves_while_the_simulator_publishes_through_the_broker(
    phone_page, live_server, tmp_path, screenshot
):
    people = floor()
    equipment = floor_machines(people.shop)
    lathe = make_machine(
        people.shop,
        equipment=equipment["nc"],
        unit=1,
        name="NC旋盤 1号機",
        ideal_cycle_seconds=Decimal("35"),
    )
    log = tmp_path / "collector.log"
    collector = start_collector(BROKER, unique("story"), unique("story-group"), log)
    simulator = None
    thread = None
    try:
        wait_subscribed(collector, log)
        page = phone_page
        sign_in(page, live_server.url, people.owner.email)
        page.goto(f"{live_server.url}/floor/board/")
        card = page.locator(f'[data-testid=board-card][data-machine="{lathe.pk}"]')
        expect(card).to_be_visible()
        assert not StateInterval.objects.filter(machine=lathe).exists()
        before = card.get_attribute("data-state")
        shown: set = set()

        simulator = Simulator(
            [
                spec_for(
                    key=lathe.key,
                    name=lathe.name,
                    ideal_cycle_seconds=Decimal("35"),
                    company_id=people.shop.pk,
                    unattended=True,
                )
            ],
            url=BROKER,
            speed=600,
            seed=22,
            stamp="wall",
            hours=lambda spec: ShopHours.around_the_clock(),
        )
        thread = threading.Thread(target=simulator.run, kwargs={"seconds": WATCH_SECONDS})
        thread.start()
        deadline = time.monotonic() + WATCH_SECONDS + 15
        while len(shown) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(500)
            state = card.get_attribute("data-state")
            if state != before:
                shown.add(state)
        # Two states it did not show before the sensor spoke: the page moved on its own
        # (nobody reloaded it), through the broker, the collector and the database.
        assert len(shown) >= 2, (before, shown)
        stored = set(StateInterval.objects.filter(machine=lathe).values_list("state", flat=True))
        assert shown <= stored, (shown, stored)
        phone_checks(page, "board, live (phone)")
        screenshot(page, "story-board-live-phone")
    finally:
        if simulator is not None:
            simulator.stop()
        if thread is not None:
            thread.join(30)
        stop(collector)
