"""Pages of jobs: the list, the form, the job page, closing, copying, ratings and claims."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, VIEW, can, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.views import active_company_or_403, run_and_flash, save_form
from machikoba.network import forms, selectors, services
from machikoba.network.models import Claim, Job, Rating
from machikoba.network.selectors import pages


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    company = active_company_or_403(request)
    return render(
        request,
        "network/job_list.html",
        {
            "company": company,
            "own": selectors.jobs_of(user=request.user, company=company),
            "performing": selectors.jobs_performing(user=request.user, company=company),
            "can_create": can(request.user, CHANGE, company),
        },
    )


@login_required
def job_create(request: HttpRequest) -> HttpResponse:
    company = active_company_or_403(request)
    if not can(request.user, CHANGE, company):
        raise PermissionDenied
    form = forms.JobForm(request.POST or None, **pages.job_form_choices(request.user, company))
    done = save_form(
        request,
        form,
        lambda data: services.job_create(
            actor=request.user,
            company=company,
            part_name=data["part_name"],
            drawing_number=data["drawing_number"],
            material=data["material"],
            material_note=data["material_note"],
            quantity=data["quantity"],
            unit=data["unit"],
            size_mm=data["size_mm"],
            due_date=data["due_date"],
            notes=data["notes"],
            documents=list(data["documents"]),
        ),
        success_message=_("案件を登録しました。工程を追加してください。"),
        next_url=lambda job: reverse("network:job_detail", args=[job.pk]),
    )
    return done or render(request, "network/job_form.html", {"form": form})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(
        Job.objects.select_related("company", "material"), request.user, VIEW, pk=pk
    )
    page = pages.job_page(request.user, job)
    return render(request, "network/job_detail.html", page.context())


@login_required
@require_POST
def job_close(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: services.job_close(actor=request.user, job=job),
        _("案件を完了にしました。"),
    )
    return redirect("network:job_detail", pk=job.pk)


@login_required
@require_POST
def rating_submit(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(Job, request.user, VIEW, pk=pk)
    rater_id, rated_id = parse_id(request.POST.get("rater")), parse_id(request.POST.get("rated"))
    if rater_id is None or rated_id is None:
        raise Http404
    rater = get_for_user_or_404(Company, request.user, CHANGE, pk=rater_id)
    rated = get_for_user_or_404(Company, request.user, VIEW, pk=rated_id)
    scores = {}
    for name in (*services.PERFORMER_CRITERIA, *services.OWNER_CRITERIA):
        value = request.POST.get(name, "")
        if value.isascii() and value.isdigit():
            scores[name] = int(value)
    run_and_flash(
        request,
        lambda: services.rating_submit(
            actor=request.user,
            job=job,
            rater=rater,
            rated=rated,
            scores=scores,
            comment=request.POST.get("comment", ""),
        ),
        _("評価を送りました。"),
    )
    return redirect("network:job_detail", pk=job.pk)


@login_required
@require_POST
def rating_respond(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_for_user_or_404(
        Rating.objects.select_related("rated"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: services.rating_respond(
            actor=request.user, rating=rating, response=request.POST.get("response", "")
        ),
        _("返信しました。"),
    )
    return redirect("network:job_detail", pk=rating.job_id)


@login_required
@require_POST
def claim_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_for_user_or_404(
        Claim.objects.select_related("step__job"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: services.claim_resolve(actor=request.user, claim=claim),
        _("解決済みにしました。"),
    )
    return redirect("network:job_detail", pk=claim.step.job_id)


@login_required
@require_POST
def job_copy(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    try:
        copy = services.job_copy(
            actor=request.user,
            job=job,
            due_date=max(job.due_date, timezone.localdate()),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("network:job_detail", pk=job.pk)
    messages.success(
        request, _("リピート品として案件をコピーしました。納期と数量を確認してください。")
    )
    return redirect("network:job_detail", pk=copy.pk)
