"""A ward's public KPI page: open to anyone while the ward publishes it, else not found."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from machikoba.kpi.selectors.public import public_page


@require_GET
def public(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        "kpi/public/page.html",
        {"page": public_page(code, today=timezone.localdate())},
    )
