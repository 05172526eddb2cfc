"""Machine-readable refusal codes of the telemetry app (registering machines)."""

from machikoba.core.errors import ErrorCode


class TelemetryErrorCode(ErrorCode):
    """registering machines for monitoring and changing them."""

    MACHINE_INVALID = "machine_invalid"
    MACHINE_CONFIG_INVALID = "machine_config_invalid"
    MACHINE_DUPLICATE = "machine_duplicate"
    MACHINE_STATE = "machine_state"
    NOT_MACHINE_EDITOR = "not_machine_editor"
