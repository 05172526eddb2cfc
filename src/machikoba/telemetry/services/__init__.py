"""Writes of the telemetry app's pages: registering machines for monitoring
(``machines``) and checking their connection settings (``machine_config``). The
collector's own writer is ``telemetry.ingest``."""

from machikoba.telemetry.services.machines import (
    MACHINE_FIELDS,
    machine_activate,
    machine_deactivate,
    machine_key_rotate,
    machine_register,
    machine_update,
)

__all__ = [
    "MACHINE_FIELDS",
    "machine_activate",
    "machine_deactivate",
    "machine_key_rotate",
    "machine_register",
    "machine_update",
]
