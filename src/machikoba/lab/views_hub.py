"""「マイラボ」 and 「ラボの運営」: where the site menu leads into the lab."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from machikoba.accounts.models import User
from machikoba.lab.selectors.hub import lab_office, my_lab


class SignedInRequest(HttpRequest):
    user: User  # login_required


@login_required
@require_GET
def me(request: SignedInRequest) -> HttpResponse:
    return render(request, "lab/hub/me.html", {"page": my_lab(request.user)})


@login_required
@require_GET
def office(request: SignedInRequest) -> HttpResponse:
    page = lab_office(request.user)
    if not page.any:
        raise PermissionDenied
    return render(request, "lab/hub/office.html", {"page": page})
