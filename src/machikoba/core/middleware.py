from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from machikoba.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """An ``ApplicationError`` that escapes a view becomes a page with its message.

    Forms normally catch it and show it beside the fields; this is the fallback so
    a user never sees a 500 for something they can fix. The API has its own handler.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        if request.path.startswith("/api/"):
            return None
        return render(
            request,
            "web/error.html",
            {"error": exception},
            status=exception.status_code,
        )
