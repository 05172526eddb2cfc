"""Run the telemetry collector: MQTT, MTConnect and OPC UA into state intervals.

    python manage.py telemetry_collect [--mqtt] [--mtconnect] [--opcua]
        [--client-id ID] [--group G] [--batch-size N] [--batch-ms T] [--mqtt-url URL]

Without a source flag, every source with an active machine runs (MQTT at least). Several
processes may run at once: MQTT messages are split between them by the broker (a shared
subscription; give each its own stable ``--client-id``). SIGTERM or Ctrl-C stops it after
writing and acknowledging what it holds. docs/telemetry.md.
"""

from __future__ import annotations

import importlib
import logging
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from machikoba.telemetry.choices import Source
from machikoba.telemetry.collector.base import Source as CollectorSource
from machikoba.telemetry.collector.mqtt import MqttSource, default_client_id
from machikoba.telemetry.collector.mqtt_process import MqttProcessSource
from machikoba.telemetry.collector.runner import Runner
from machikoba.telemetry.models import Machine

logger = logging.getLogger("machikoba.telemetry.collector")

# The polled sources, written alongside this one: (module, class), imported when used.
POLLED = {
    Source.MTCONNECT: ("machikoba.telemetry.collector.mtconnect", "MTConnectSource"),
    Source.OPCUA: ("machikoba.telemetry.collector.opcua", "OpcUaSource"),
}


class Command(BaseCommand):
    help = "Collect machine states from MQTT, MTConnect and OPC UA into state intervals."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--mqtt", action="store_true", help="run the MQTT input")
        parser.add_argument("--mtconnect", action="store_true", help="run the MTConnect input")
        parser.add_argument("--opcua", action="store_true", help="run the OPC UA input")
        parser.add_argument(
            "--client-id",
            default="",
            help="MQTT client id, the same across restarts, one per process "
            "(default: MQTT_CLIENT_ID, else machikoba-collector-<host name>)",
        )
        parser.add_argument(
            "--group", default="", help="MQTT shared-subscription group (default: MQTT_GROUP)"
        )
        parser.add_argument(
            "--mqtt-url", default="", help="MQTT broker, mqtt://host:port (default: MQTT_URL)"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=0,
            help="most messages in one transaction (default: TELEMETRY_BATCH_SIZE, 2000)",
        )
        parser.add_argument(
            "--batch-ms",
            type=int,
            default=0,
            help="milliseconds to wait to fill a batch (default: TELEMETRY_BATCH_MS, 200)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 0 or options["batch_ms"] < 0:
            raise CommandError("--batch-size and --batch-ms cannot be negative")
        wanted = [s for s in Source.values if options[s]]
        if not wanted:
            wanted = sorted(
                set(Machine.objects.filter(active=True).values_list("source", flat=True))
                | {Source.MQTT.value}
            )
        sources: list[CollectorSource] = []
        for name in wanted:
            source = self._source(name, options)
            if source is not None:
                sources.append(source)
        if not sources:
            raise CommandError("no source to run")
        runner = Runner(sources, batch_size=options["batch_size"], batch_ms=options["batch_ms"])
        runner.install_signal_handlers()
        logger.info(
            "collector: starting %s (batches of %d messages or %d ms)",
            ", ".join(s.name for s in sources),
            runner.batch_size,
            runner.batch_ms,
        )
        runner.run()
        if any(getattr(source, "failed", False) for source in sources):
            raise CommandError("an input failed; the collector stopped (see above)")
        logger.info("collector: stopped")

    def _source(self, name: str, options: dict[str, Any]) -> CollectorSource | None:
        if name == Source.MQTT:
            mqtt_options = {
                "client_id": options["client_id"] or default_client_id(),
                "url": options["mqtt_url"] or settings.MACHIKOBA_MQTT_URL,
                "group": options["group"] or settings.MACHIKOBA_MQTT_GROUP,
            }
            if settings.MACHIKOBA_MQTT_PROCESS:
                return MqttProcessSource(**mqtt_options)
            return MqttSource(**mqtt_options)
        module_name, class_name = POLLED[Source(name)]
        try:
            module = importlib.import_module(module_name)
            source_class = getattr(module, class_name)
        except (ImportError, AttributeError) as error:
            logger.warning("collector: %s input not available (%s); skipped", name, error)
            return None
        source: CollectorSource = source_class()
        return source
