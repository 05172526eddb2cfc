"""The way from a job to its message thread with one partner."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from machikoba.companies.models import Company
from machikoba.core.access import MEMBER_ROLES, VIEW, company_ids_for, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.network import services
from machikoba.network.models import Job


@login_required
def job_thread(request: HttpRequest, job_pk: int, company_pk: int) -> HttpResponse:
    """Open (on first use) the job's thread with one partner and go there. The owner's
    people name the partner; a partner's people name the owner."""
    job = get_for_user_or_404(Job.objects.select_related("company"), request.user, VIEW, pk=job_pk)
    partner = get_for_user_or_404(Company, request.user, VIEW, pk=company_pk)
    active = getattr(request, "active_company", None) or None
    # The active company's side first; a person in several companies may be a party
    # through another one of them.
    mine = company_ids_for(request.user, MEMBER_ROLES)
    sides = [active] if active is not None and active.pk in mine else []
    for side in [*sides, None]:
        try:
            thread = services.job_thread_for(
                actor=request.user, job=job, partner=partner, company=side
            )
        except ApplicationError:
            continue
        return redirect("messaging:thread", pk=thread.pk)
    # Not a party of this job with that company: nothing to show, nothing disclosed.
    raise Http404
