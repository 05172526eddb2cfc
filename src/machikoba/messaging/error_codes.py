"""Machine-readable refusal codes of the messaging app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class MessagingErrorCode(ErrorCode):
    ATTACHMENT_NOT_ALLOWED = "attachment_not_allowed"
    MESSAGE_EMPTY = "message_empty"
    MESSAGE_INVALID = "message_invalid"
    MESSAGE_TOO_LONG = "message_too_long"
    NOT_A_PARTICIPANT = "not_a_participant"
    NOT_THREAD_EDITOR = "not_thread_editor"
    NOT_THREAD_PARTICIPANT = "not_thread_participant"
    THREAD_INVALID = "thread_invalid"
    THREAD_NOT_VISIBLE = "thread_not_visible"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
