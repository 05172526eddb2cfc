"""Refusal codes of opening a lab."""

from machikoba.core.errors import ErrorCode


class LabSetupErrorCode(ErrorCode):
    """Opening a lab (the ward's office or a platform admin)."""

    NOT_ALLOWED = "lab_setup_not_allowed"
    INVALID = "lab_setup_invalid"
