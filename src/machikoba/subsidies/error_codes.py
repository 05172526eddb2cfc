"""Machine-readable refusal codes of the subsidies app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``). Each topic keeps its codes in its own module.
"""

from machikoba.core.errors import ErrorCode
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode  # noqa: F401
from machikoba.subsidies.error_codes_apply import ApplyErrorCode  # noqa: F401
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode  # noqa: F401
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode  # noqa: F401


class SubsidyErrorCode(ErrorCode):
    """Codes every part of the subsidy process shares."""

    TRANSITION_NOT_ALLOWED = "subsidy_transition_not_allowed"
