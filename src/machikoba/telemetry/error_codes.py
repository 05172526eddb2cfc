"""Machine-readable refusal codes of the telemetry app (registering machines)."""

from machikoba.core.errors import ErrorCode


class TelemetryErrorCode(ErrorCode):
    MACHINE_INVALID = "machine_invalid"
    NOT_MACHINE_EDITOR = "not_machine_editor"
