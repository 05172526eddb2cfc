"""The entry point of the MQTT receiving process (``mqtt_process``). A spawned process
imports the target's module before anything else, so this one imports no model: it sets
Django up first, then runs ``mqtt_process.run_child``."""

from __future__ import annotations

import signal
from typing import Any


def main(*args: Any) -> None:  # pragma: no cover - runs in the spawned process
    # Ctrl-C and a SIGTERM to the process group reach the child too; the parent ends it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import django

    django.setup()
    from .mqtt_process import run_child

    run_child(*args)
