from django.shortcuts import render

from machikoba.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """An ``ApplicationError`` that escapes a view becomes a page with its message.

    Forms normally catch it and show it beside the fields; this is the fallback so
    a user never sees a 500 for something they can fix. The API has its own handler.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
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
