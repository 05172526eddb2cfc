"""When the database is away or the disk is full, say so: a clean 503 / 507, not a 500.

``OutageMiddleware`` sits first in ``MIDDLEWARE``. Django turns any exception, in a view or
in a middleware (the session middleware reading the session from a restarted PostgreSQL),
into the 500 page and announces it with ``got_request_exception``; the receiver here notes
on the request when the exception was the database being unreachable or the storage being
full, and the middleware, on the way out, replaces that 500 with a 503 (retry in a few
seconds) or a 507, in the error shape ``{code, message, fields}`` for the API and as a short
page in the user's language for the pages. Nothing was written: the request's transaction
rolled back with the error (docs/drills.md).
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

FULL = {errno.ENOSPC, errno.EDQUOT}
RETRY_AFTER_SECONDS = 5
_MARK = "_machikoba_outage"


def outage_of(exception: BaseException | None) -> str | None:
    """ "database", "storage" or None for anything else."""
    while exception is not None:
        if isinstance(exception, OperationalError | InterfaceError):
            return "database"
        if isinstance(exception, OSError) and exception.errno in FULL:
            return "storage"
        exception = exception.__cause__ or exception.__context__
    return None


@receiver(got_request_exception)
def _note_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None:
        kind = outage_of(sys.exc_info()[1])
        if kind:
            setattr(request, _MARK, kind)


class OutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = getattr(request, _MARK, None)
        if kind and response.status_code == 500:
            return outage_response(request, kind)
        return response


def outage_response(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "database":
        status, code = 503, "service_unavailable"
        message = _("ただいまデータベースに接続できません。数秒後にもう一度お試しください。")
    else:
        status, code = 507, "storage_full"
        message = _(
            "保存領域がいっぱいのため、ファイルを保存できませんでした。"
            "何も保存されていません。管理者にお問い合わせください。"
        )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    else:
        title = (
            _("一時的にご利用いただけません") if kind == "database" else _("保存できませんでした")
        )
        response = HttpResponse(
            f'<!doctype html><html lang="ja"><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p></html>",
            status=status,
            content_type="text/html; charset=utf-8",
        )
    if kind == "database":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
