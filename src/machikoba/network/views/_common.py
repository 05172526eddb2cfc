"""Helpers shared by the network's page modules."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.views import content_disposition
from machikoba.network.models import Step


def step_of_url(request: HttpRequest, pk: int, action: str = VIEW) -> Step:
    return get_for_user_or_404(
        Step.objects.select_related("job", "process", "performer"), request.user, action, pk=pk
    )


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=True)
    response["Cache-Control"] = "private, no-store"
    return response
