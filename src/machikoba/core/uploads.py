"""Refusing an oversized upload while it streams in, before it reaches the disk.

Django spools every uploaded file to a temporary file before the view runs, so a 2 GB
upload would fill the disk (and keep a worker reading) before our size check could refuse
it. ``limit_upload_size`` puts a handler first in the chain that stops the upload as soon
as a file passes the limit: the partial file is closed (its temporary file deleted),
the rest of the body is never read, nothing is stored, and the view learns which fields
were too large from ``request.oversized_uploads`` to say so on the form. Fields after the
dropped file are not read either; the forms put their CSRF token first.

Every view that takes a file upload uses it (drawings, message attachments, company
photos, the company-list import): ``FILE_UPLOAD_MAX_MEMORY_SIZE`` only decides where Django
spools a file, it refuses nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

View = Callable[..., HttpResponse]


class UploadRequest(HttpRequest):
    """A request that went through ``limit_upload_size``: the fields whose file was dropped."""

    oversized_uploads: list[str]


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: UploadRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.oversized_uploads = request.oversized_uploads

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized_uploads.append(self.field_name)
            # Stop parsing here: the rest of the body is left unread (a file skipped with
            # SkipFile would still be read to its end, however large).
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers in the chain build the file


def limit_upload_size(limit: Callable[[], int]) -> Callable[[View], View]:
    """Decorate a view that takes uploads: files over ``limit()`` bytes are dropped while
    streaming. (CSRF is checked inside: the handler must be in place before the CSRF
    middleware would read the body.)"""

    def decorator(view: View) -> View:
        protected = csrf_protect(view)

        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: UploadRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.oversized_uploads = []
            request.upload_handlers.insert(0, SizeLimitedUploadHandler(request, limit()))
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def refuse_oversized(request: HttpRequest, form: BaseForm, message: Callable[[int], str]) -> None:
    """Say on ``form`` which fields' files were dropped for their size while streaming;
    ``message(size)`` words the refusal, ``size`` being the request body's declared length
    (the file itself was never read to its end)."""
    dropped = getattr(request, "oversized_uploads", [])
    if not dropped:
        return
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    form.full_clean()  # add_error needs a cleaned (bound) form
    for name in dropped:
        form.add_error(name, message(size))
