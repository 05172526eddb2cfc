"""The one error shape of the project.

Services raise ``ApplicationError`` for anything a user can cause and fix (bad
input, a state that does not allow the action). The API turns it into
``{"code", "message", "fields"}``; the UI shows ``message`` in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A refusal the user can understand: a machine-readable code and a translated message."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        fields: Mapping[str, list[Any]] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        if status_code is not None:
            self.status_code = status_code

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {name: [str(m) for m in msgs] for name, msgs in self.fields.items()},
        }

    @classmethod
    def from_validation_error(cls, error: ValidationError, *, code: str = "invalid"):
        from django.utils.translation import gettext as _

        if hasattr(error, "error_dict"):
            fields = {
                name: [m for e in errs for m in e.messages]
                for name, errs in error.error_dict.items()
            }
            message = _("入力内容を確認してください。")
        else:
            fields = {}
            message = " ".join(error.messages)
        return cls(code, message, fields=fields)


class PermissionRefused(ApplicationError):
    status_code = 403
