"""An upload through the API is stopped while it streams in, like the page's
(``core.uploads.limit_upload_size``): the same handler is put first in the chain before
the operation parses the body; a file over the limit is dropped unread and the caller gets
a 413 in the API's error shape instead of the "file missing" that follows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpResponseBase, JsonResponse

from machikoba.core.uploads import SizeLimitedUploadHandler

Run = Callable[..., HttpResponseBase]


def upload_limit(
    limit: Callable[[], int], *, code: str, message: Callable[[int], str]
) -> Callable[[Run], Run]:
    """For ``ninja.decorators.decorate_view``: wraps the operation's run."""

    def decorator(run: Run) -> Run:
        @functools.wraps(run)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request.oversized_uploads = []
            max_bytes = limit()
            request.upload_handlers.insert(0, SizeLimitedUploadHandler(request, max_bytes))
            response = run(request, *args, **kwargs)
            if request.oversized_uploads and response.status_code == 422:
                text = str(message(max_bytes))
                fields = {name: [text] for name in request.oversized_uploads}
                return JsonResponse(
                    {"code": code, "message": text, "fields": fields},
                    status=413,
                    json_dumps_params={"ensure_ascii": False},
                )
            return response

        return wrapper

    return decorator
