"""Pages of the network plan (ネットワーク計画): the proposal for a job's partner steps
and the one action that turns it into RFQs."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    MEMBER_ROLES,
    VIEW,
    get_for_user_or_404,
    has_role,
)
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.views import client_ip
from machikoba.network import forms, services
from machikoba.network import network_plan as planning
from machikoba.network.models import Job
from machikoba.network.selectors import pages


def _plan_job(request: HttpRequest, pk: int) -> Job:
    """The job whose plan is asked for. Another company's job is a 404; a partner of the
    job sees the job but not its plan (candidates and prices are the owner's): 403."""
    job = get_for_user_or_404(Job.objects.select_related("company"), request.user, VIEW, pk=pk)
    if not has_role(request.user, job.company, MEMBER_ROLES, VIEW):
        raise PermissionDenied
    return job


@login_required
@require_GET
def job_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposal for the job's partner steps not yet asked (see ``network_plan``), with
    a form to recompute it for another RFQ answer deadline, and the one action."""
    job = _plan_job(request, pk)
    bound = "deadline" in request.GET
    form = forms.PlanForm(
        request.GET if bound else None, initial={"deadline": forms.default_deadline()}
    )
    deadline = form.cleaned_data["deadline"] if bound and form.is_valid() else None
    plan, refusal = None, None
    try:
        plan = planning.network_plan(user=request.user, job=job, answer_deadline=deadline)
    except ApplicationError as error:
        refusal = error.message
    return render(
        request,
        "network/job_plan.html",
        {
            "job": job,
            "plan": plan,
            "refusal": refusal,
            "form": form,
            "editor": has_role(request.user, job.company, EDITOR_ROLES),
            "defaults": {
                "lead_time_days": planning.DEFAULT_LEAD_TIME_DAYS,
                "hours_per_day": planning.HOURS_PER_DAY,
            },
        },
    )


PostedRow = tuple[int, int, dt.date | None, dt.date | None]


def _parse_plan_rows(values: list[str]) -> list[PostedRow] | None:
    """The rows posted back ("step:company:start:end"); None when one cannot be read."""
    parsed = []
    for value in values:
        parts = value.split(":")
        if len(parts) != 4:
            return None
        step_id, company_id = parse_id(parts[0]), parse_id(parts[1])
        if step_id is None or company_id is None:
            return None
        try:
            start = dt.date.fromisoformat(parts[2]) if parts[2] else None
            end = dt.date.fromisoformat(parts[3]) if parts[3] else None
        except ValueError:
            return None
        parsed.append((step_id, company_id, start, end))
    return parsed


def _posted_plan_rows(request: HttpRequest, job: Job) -> list[services.PlannedRequest] | None:
    """The proposal rows posted back, resolved through the access layer; None when one
    cannot be read."""
    parsed = _parse_plan_rows(request.POST.getlist("row"))
    if parsed is None:
        return None
    steps, companies = pages.plan_targets(
        request.user, job, [p[0] for p in parsed], [p[1] for p in parsed]
    )
    rows = []
    for step_pk, company_pk, start, end in parsed:
        if step_pk not in steps or company_pk not in companies:
            return None
        rows.append(
            services.PlannedRequest(
                step=steps[step_pk], company=companies[company_pk], start=start, end=end
            )
        )
    return rows


@login_required
@require_POST
def job_plan_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The one action: the proposal as posted becomes one RFQ per proposed shop."""
    job = get_for_user_or_404(Job.objects.select_related("company"), request.user, CHANGE, pk=pk)
    plan_url = reverse("network:job_plan", args=[job.pk])
    form = forms.PlanForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(plan_url)
    rows = _posted_plan_rows(request, job)
    if rows is None:
        messages.error(request, _("計画の内容を読み取れませんでした。計画を作り直してください。"))
        return redirect(plan_url)
    try:
        rfqs = services.plan_rfqs_send(
            actor=request.user,
            job=job,
            rows=rows,
            deadline=form.cleaned_data["deadline"],
            message=form.cleaned_data["message"],
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(plan_url)
    messages.success(request, _("この提案で見積依頼を %(n)d 件送りました。") % {"n": len(rfqs)})
    return redirect("network:job_detail", pk=job.pk)
