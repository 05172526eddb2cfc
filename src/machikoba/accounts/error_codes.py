"""Machine-readable refusal codes of the accounts app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class AccountsErrorCode(ErrorCode):
    NOT_PLATFORM_ADMIN = "not_platform_admin"
    WARD_ROLE_EXISTS = "ward_role_exists"
    WARD_ROLE_INVALID = "ward_role_invalid"
