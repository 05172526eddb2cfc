"""Queue periodic tasks when due (see ``machikoba.core.scheduler``)."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from machikoba.core.scheduler import enqueue_due


class Command(BaseCommand):
    help = "Queue periodic tasks (retention purge …) for the task worker when they are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit (cron)")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between checks")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        while True:
            for name in enqueue_due():
                self.stdout.write(f"queued {name}")
            if once:
                return
            time.sleep(interval)
