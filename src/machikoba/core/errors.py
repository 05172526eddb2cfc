"""The one error shape of the project.

Services raise ``ApplicationError`` for anything a user can cause and fix (bad
input, a state that does not allow the action). The API turns it into
``{"code", "message", "fields"}``; the UI shows ``message`` in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Self

from django.core.exceptions import ValidationError
from django.db import models


class ErrorCode(StrEnum):
    """Base of each app's enum of refusal codes (``<app>/error_codes.py``). A member is its
    own string value, so ``error.code == "job_not_open"`` and the API's JSON are unchanged."""


class ApplicationError(Exception):
    """A refusal the user can understand: a machine-readable code and a translated message."""

    status_code = 400

    def __init__(
        self,
        code: ErrorCode | str,
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

    def http_status(self) -> int:
        """The API's status for this refusal. An explicit ``status_code`` (or a subclass's)
        stands. Otherwise a refusal that names fields, or whose code says ``invalid``, is
        input that breaks a rule (422: the caller fixes a field); any other is a
        well-formed request the current state does not allow (409: already done, the wrong
        status, a limit reached)."""
        if self.status_code != ApplicationError.status_code:
            return self.status_code
        return 422 if self.fields or "invalid" in str(self.code) else 409

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "message": str(self.message),
            "fields": {name: [str(m) for m in msgs] for name, msgs in self.fields.items()},
        }

    @classmethod
    def from_validation_error(cls, error: ValidationError, *, code: str = "invalid") -> Self:
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


def invalid_input(code: ErrorCode | str, **fields: Any) -> ApplicationError:
    """The refusal of a form's input: one message per named field, and the general
    "check your input" above them."""
    from django.utils.translation import gettext as _

    return ApplicationError(
        code,
        _("入力内容を確認してください。"),
        fields={name: [message] for name, message in fields.items()},
    )


def full_clean_or_raise(
    instance: models.Model,
    *,
    code: ErrorCode | str,
    duplicate_code: ErrorCode | str | None = None,
    duplicate_message: Any = None,
    exclude: list[str] | None = None,
) -> None:
    """``instance.full_clean()``, turning its ValidationError into an ApplicationError.

    A unique-together clash (Django reports it under ``__all__``) becomes
    ``duplicate_code`` / ``duplicate_message`` when given: a plainer message than
    Django's "… with this … already exists".
    """
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        general = getattr(error, "error_dict", {}).get("__all__", [])
        clashes = [e for e in general if e.code in ("unique", "unique_together")]
        if duplicate_code and clashes:
            raise ApplicationError(duplicate_code, duplicate_message) from None
        raise ApplicationError.from_validation_error(error, code=code) from None
