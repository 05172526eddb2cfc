"""Simulate the machines of a shop: realistic state changes published through the broker.

    python manage.py telemetry_simulate [--company ID_OR_NAME] [--speed N] [--seconds S]
        [--seed N] [--log PATH] [--mqtt-url URL] [--all-day] [--stamp sim|wall] [--check]

Every active MQTT machine (of one company with ``--company``) publishes as its sensor
would (``telemetry.simulator``). ``--speed 60 --seconds 60`` publishes the last hour in a
minute; without ``--seconds`` it runs (at speed 1) until SIGTERM or Ctrl-C. ``--check``
says in one line whether the broker answers (``make demo`` runs the live machines then).
"""

from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from machikoba.telemetry.choices import Source
from machikoba.telemetry.collector.mqtt import DEFAULT_URL
from machikoba.telemetry.models import Machine
from machikoba.telemetry.simulator import (
    ShopHours,
    Simulator,
    broker_problem,
    shop_hours,
    spec_for,
    unattended_keys,
)

logger = logging.getLogger("machikoba.telemetry.simulator")


class Command(BaseCommand):
    help = "Publish simulated machine states through the MQTT broker (the demo, benchmarks)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--company", default="", help="only this company's machines (its id or name)"
        )
        parser.add_argument(
            "--speed", type=float, default=1.0, help="simulated seconds per second (default 1)"
        )
        parser.add_argument(
            "--seconds",
            type=float,
            default=None,
            help="stop after this many seconds (needed with --speed above 1)",
        )
        parser.add_argument("--seed", type=int, default=None, help="the same run every time")
        parser.add_argument("--log", default="", help="append the acknowledged messages here")
        parser.add_argument(
            "--mqtt-url", default="", help="MQTT broker, mqtt://host:port (default: MQTT_URL)"
        )
        parser.add_argument(
            "--stamp",
            choices=("sim", "wall"),
            default="sim",
            help="timestamps from the simulated clock (default) or the wall clock "
            "(compressed runs for load tests: the machines live --speed times faster)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only say whether the broker answers and there are machines (exit 1 if not)",
        )
        parser.add_argument(
            "--all-day",
            action="store_true",
            help="machines work around the clock, no lunch or nights (benchmarks)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        speed, seconds = options["speed"], options["seconds"]
        if speed <= 0 or (seconds is not None and seconds <= 0):
            raise CommandError("--speed and --seconds must be positive")
        if speed != 1 and seconds is None:
            raise CommandError(
                "--speed above 1 needs --seconds: the simulated time ends at the present, "
                "so that no timestamp lies in the future"
            )
        url = options["mqtt_url"] or getattr(settings, "MACHIKOBA_MQTT_URL", "") or DEFAULT_URL
        machines = Machine.objects.filter(source=Source.MQTT, active=True).order_by("id")
        if options["company"]:
            wanted = options["company"]
            match = Q(company__name=wanted) | (
                Q(company_id=int(wanted)) if wanted.isdigit() else Q()
            )
            machines = machines.filter(match)
        rows = list(
            machines.values_list("key", "name", "ideal_cycle_seconds", "counter_max", "company_id")
        )
        if options["check"]:
            self._check(url, len(rows))
            return
        if not rows:
            raise CommandError("no active MQTT machine to simulate (register one first)")
        seed = options["seed"]
        unattended = unattended_keys(
            [(key, cycle, company) for key, _n, cycle, _m, company in rows]
        )
        specs = [
            spec_for(
                key=key,
                name=name,
                ideal_cycle_seconds=cycle,
                counter_max=counter_max,
                company_id=company_id,
                unattended=key in unattended,
            )
            for key, name, cycle, counter_max, company_id in rows
        ]
        hours: dict[int, ShopHours] = {}
        around_the_clock = ShopHours.around_the_clock()

        def hours_of(spec: Any) -> ShopHours:
            if options["all_day"]:
                return around_the_clock
            company = spec.company_id or 0
            if company not in hours:
                hours[company] = shop_hours(company)
            return hours[company]

        simulator = Simulator(
            specs,
            url=url,
            speed=speed,
            seed=seed,
            log_path=options["log"] or None,
            hours=hours_of,
            stamp=options["stamp"],
        )
        previous = {
            number: signal.signal(number, lambda _signum, _frame: simulator.stop())
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        self.stdout.write(
            f"Simulating {len(specs)} machines on {url} (boot {simulator.boot}, speed {speed:g})"
        )
        try:
            stats = simulator.run(seconds)
        except ConnectionError as error:
            raise CommandError(str(error)) from error
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        self.stdout.write(
            f"Published {stats.states} state changes and {stats.heartbeats} heartbeats; "
            f"{stats.acknowledged} acknowledged, {stats.unacknowledged} not."
        )

    def _check(self, url: str, machines: int) -> None:
        """One line: the live machines will run, or why the board will not move."""
        problem = broker_problem(url)
        if not problem and not machines:
            problem = "no active MQTT machine is registered"
        if problem:
            self.stdout.write(
                f"Machine monitoring is off: {problem}, so the board will not move. "
                "Start Mosquitto (apt install mosquitto) or set MACHIKOBA_MQTT_URL; "
                "MACHIKOBA_TELEMETRY=0 skips this check."
            )
            raise SystemExit(1)
        self.stdout.write(
            f"Machine monitoring on: {machines} simulated machines publish to {url}, "
            "the collector stores them (MACHIKOBA_TELEMETRY=0 turns this off)."
        )
