"""Pages of a job's route: add, move and remove steps, and the partner suggestions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.views import run_and_flash, save_form
from machikoba.network import forms, services
from machikoba.network.models import Job
from machikoba.network.selectors import pages
from machikoba.network.suggestions import suggest_partners
from machikoba.network.views._common import step_of_url


@login_required
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    form = forms.StepForm(request.POST or None, processes=pages.process_choices(request.user))
    done = save_form(
        request,
        form,
        lambda data: services.step_add(
            actor=request.user,
            job=job,
            process=data["process"],
            spec=data["spec"],
            spec_fields=form.spec_fields(),
            in_house=data["in_house"],
            position=data["position"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
        ),
        success_message=_("工程を追加しました。"),
        next_url=reverse("network:job_detail", args=[job.pk]),
    )
    return done or render(request, "network/step_form.html", {"form": form, "job": job})


@login_required
@require_POST
def step_move(request: HttpRequest, pk: int) -> HttpResponse:
    step = step_of_url(request, pk, CHANGE)
    offset = -1 if request.POST.get("direction") == "up" else 1
    run_and_flash(
        request,
        lambda: services.step_move(
            actor=request.user, step=step, to_position=step.position + offset
        ),
        _("工程の順番を変えました。"),
    )
    return redirect("network:job_detail", pk=step.job_id)


@login_required
@require_POST
def step_remove(request: HttpRequest, pk: int) -> HttpResponse:
    step = step_of_url(request, pk, CHANGE)
    run_and_flash(
        request,
        lambda: services.step_remove(actor=request.user, step=step),
        _("工程を削除しました。"),
    )
    return redirect("network:job_detail", pk=step.job_id)


@login_required
def step_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    step = step_of_url(request, pk, CHANGE)
    return render(
        request,
        "network/step_suggestions.html",
        {"step": step, "suggestions": suggest_partners(user=request.user, step=step)},
    )
