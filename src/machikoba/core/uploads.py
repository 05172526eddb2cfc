"""Refusing an oversized upload while it streams in, before it reaches the disk.

Django spools every uploaded file to a temporary file before the view runs, so a 2 GB
upload would fill the disk before our size check could refuse it. ``limit_upload_size``
puts a handler first in the chain that drops a file as soon as it passes the limit: the
rest of the body is read and discarded, nothing is stored, and the view learns which
fields were too large from ``request.oversized_uploads`` to say so on the form.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
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
            raise SkipFile
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
