"""Documents other apps keep beside their records (a session's handouts, an engagement's
evidence), checked and stored the way the document store keeps drawings: the type comes
from the content (``sniffing``), a refused upload writes nothing, and a failure after the
file was written removes it again. The rows are ``core.models.UploadedDocument``s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.files import File

from machikoba.accounts.models import User
from machikoba.core.errors import ApplicationError, ErrorCode
from machikoba.core.models import UploadedDocument
from machikoba.core.stored_files import delete_quietly
from machikoba.drawings.sniffing import clean_filename, sniff_file


def describe_upload(
    document: UploadedDocument,
    upload: File[bytes],
    *,
    actor: User,
    kinds: Sequence[str],
    max_bytes: int,
    max_pages: int,
    code: ErrorCode,
    type_message: str,
) -> str:
    """Check ``upload`` from its content and fill ``document``'s describing fields (name,
    type, size, digest, uploader); the cleaned file name. A file of a kind not in
    ``kinds`` is refused with ``code`` and ``type_message`` (on the ``file`` field)."""
    name = clean_filename(upload.name or "")
    sniffed = sniff_file(upload, name=name, max_bytes=max_bytes, max_pages=max_pages)
    if sniffed.kind not in kinds:
        raise ApplicationError(code, type_message, fields={"file": [type_message]})
    document.original_name = name[:160]
    document.mime = sniffed.mime
    document.size = sniffed.size
    document.sha256 = sniffed.sha256
    document.uploaded_by = actor
    return name


def store_upload(
    document: Any, upload: File[bytes], name: str, *, record: Callable[[], object]
) -> None:
    """Write the file, save ``document`` and ``record`` it (the audit event); if saving or
    recording fails, the stored file is removed before the error goes on. Validate
    everything but the file first (``full_clean_or_raise(…, exclude=["file"])``)."""
    upload.seek(0)
    document.file.save(name, File(upload), save=False)
    try:
        document.save()
        record()
    except Exception:
        delete_quietly(document.file)
        raise
