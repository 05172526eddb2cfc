"""The advisor's home: their engagements, the next phase due, a big button to log a
visit for each, and their hours this month."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from machikoba.advisory import selectors
from machikoba.advisory.views._common import SignedInRequest


@login_required
@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    page = selectors.advisor_home(user=request.user)
    if page is None:
        raise PermissionDenied
    return render(request, "advisory/advisor_home.html", {"page": page})
