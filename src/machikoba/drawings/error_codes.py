"""Machine-readable refusal codes of the drawings app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class DrawingsErrorCode(ErrorCode):
    CHANGE_NOTE_REQUIRED = "change_note_required"
    DOCUMENT_DESTROYED = "document_destroyed"
    DOCUMENT_INVALID = "document_invalid"
    FILE_CORRUPT = "file_corrupt"
    FILE_EMPTY = "file_empty"
    FILE_EXTENSION_MISMATCH = "file_extension_mismatch"
    FILE_HTML = "file_html"
    FILE_POLYGLOT = "file_polyglot"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_UNSUPPORTED = "file_type_unsupported"
    FILE_ZIP = "file_zip"
    FILENAME_INVALID = "filename_invalid"
    GRANT_ALREADY_REVOKED = "grant_already_revoked"
    GRANT_INVALID = "grant_invalid"
    IMAGE_TOO_LARGE = "image_too_large"
    NDA_EMPTY = "nda_empty"
    NDA_INVALID = "nda_invalid"
    NDA_OUTDATED = "nda_outdated"
    NOT_COMPANY_EDITOR = "not_company_editor"
    NOT_DOCUMENT_EDITOR = "not_document_editor"
    NOT_DOCUMENT_OWNER = "not_document_owner"
    PDF_ACTIVE_CONTENT = "pdf_active_content"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_TOO_MANY_PAGES = "pdf_too_many_pages"
    RETENTION_INVALID = "retention_invalid"
    REVISION_INVALID = "revision_invalid"
