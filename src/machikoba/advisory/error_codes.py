"""Machine-readable refusal codes of the advisory app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class AdvisoryErrorCode(ErrorCode):
    """Roster, requests, engagements, phases, visits and measurements."""
