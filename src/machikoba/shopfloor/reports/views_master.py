"""The 日報's settings pages: the company's stop and defect reasons (everyone reads them,
owners and staff change them), its hourly rates and the actual cost per job (owners and
staff only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.views import save_form
from machikoba.shopfloor import selectors_reports as selectors
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.forms_reports import CostRatesForm, ReasonEditForm, ReasonForm
from machikoba.shopfloor.models_reports import Reason
from machikoba.shopfloor.views_reports import (
    SignedInRequest,
    company_of,
    seed_reasons,
    supervised_company,
)


@login_required
@require_http_methods(["GET", "POST"])
def reasons(request: SignedInRequest) -> HttpResponse:
    """The company's stop and defect reasons: everyone reads them, owners and staff add."""
    company = company_of(request)
    seed_reasons(request, company)
    page = selectors.reasons_page(request.user, company)
    if request.method == "POST" and not page.editor:
        raise PermissionDenied
    form = ReasonForm(request.POST if request.method == "POST" else None)
    done = save_form(
        request,
        form,
        lambda data: services.reason_create(actor=request.user, company=company, **data),
        success_message=_("理由を追加しました。"),
        next_url=reverse("shopfloor:reasons"),
    )
    return done or render(
        request, "shopfloor/reports/reasons.html", {"page": page, "form": form, "company": company}
    )


@login_required
@require_http_methods(["GET", "POST"])
def reason_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    reason = get_for_user_or_404(Reason, request.user, CHANGE, pk=pk)
    names = ("label", "code", "planned", "active", "order")
    initial = {name: getattr(reason, name) for name in names}
    form = ReasonEditForm(request.POST if request.method == "POST" else None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.reason_update(actor=request.user, reason=reason, **data),
        success_message=_("理由を保存しました。"),
        next_url=reverse("shopfloor:reasons"),
    )
    return done or render(
        request, "shopfloor/reports/reason_edit.html", {"form": form, "reason": reason}
    )


@login_required
@require_http_methods(["GET", "POST"])
def cost_rates(request: SignedInRequest) -> HttpResponse:
    company = supervised_company(request)
    rates = selectors.cost_rates_of(request.user, company)
    initial = {
        "labour_yen_per_hour": rates.labour_yen_per_hour if rates else 0,
        "machine_yen_per_hour": rates.machine_yen_per_hour if rates else 0,
    }
    form = CostRatesForm(request.POST if request.method == "POST" else None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.cost_rates_set(actor=request.user, company=company, **data),
        success_message=_("時間単価を保存しました。"),
        next_url=reverse("shopfloor:job_costs"),
    )
    return done or render(
        request, "shopfloor/reports/cost_rates.html", {"form": form, "company": company}
    )


@login_required
@require_GET
def job_costs(request: SignedInRequest) -> HttpResponse:
    company = supervised_company(request)
    page = selectors.costs_page(request.user, company)
    return render(request, "shopfloor/reports/job_costs.html", {"page": page, "company": company})
