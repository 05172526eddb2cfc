"""Machine-readable refusal codes of the programs app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``). Homework's codes are in ``error_codes_homework``.
"""

from machikoba.core.errors import ErrorCode
from machikoba.programs.error_codes_homework import HomeworkErrorCode  # noqa: F401


class ProgramErrorCode(ErrorCode):
    """Programmes, cohorts, applications, the waitlist and attendance."""
