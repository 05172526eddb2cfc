"""The ward's companies: the list an officer works through (unconfirmed first) and one
company's ward, confirmed or corrected, with its history. Other wards' companies are "not
found" here; their public profiles stay in the directory."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.accounts.choices import WardRole
from machikoba.accounts.decorators import officer_required
from machikoba.companies import selectors_wards, services_wards
from machikoba.companies.forms_wards import OUTSIDE, WardAssignForm
from machikoba.companies.views_claims import OfficerRequest
from machikoba.core.ids import parse_id
from machikoba.core.pagination import page_number
from machikoba.core.views import run_and_flash
from machikoba.wards.selectors import served_municipalities

PAGE_SIZE = 50


@officer_required
@require_GET
def ward_companies(request: OfficerRequest) -> HttpResponse:
    unconfirmed = request.GET.get("unconfirmed") == "1"
    text = request.GET.get("q", "")[:100]
    companies = selectors_wards.ward_companies(
        user=request.user, unconfirmed_only=unconfirmed, text=text
    )
    return render(
        request,
        "companies/ward_companies.html",
        {
            "page": Paginator(companies, PAGE_SIZE).get_page(page_number(request.GET.get("page"))),
            "wards": list(served_municipalities(request.user, WardRole.OFFICER)),
            "unconfirmed": unconfirmed,
            "q": text,
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def company_ward(request: OfficerRequest, pk: int) -> HttpResponse:
    company = selectors_wards.ward_company_or_404(user=request.user, pk=pk)
    wards = list(served_municipalities(request.user, WardRole.OFFICER))
    initial = {"ward": str(company.ward_id) if company.ward_id else OUTSIDE}
    form = WardAssignForm(request.POST or None, wards=wards, initial=initial)
    if request.method == "POST":
        choice = str(form.data.get("ward", ""))
        picked = next((w for w in wards if w.pk == parse_id(choice)), None)
        if choice != OUTSIDE and picked is None:
            form.add_error("ward", _("担当する区から選んでください。"))
        else:
            done = run_and_flash(
                request,
                lambda: services_wards.company_ward_assign(
                    actor=request.user,
                    company=company,
                    ward=picked,
                    note=str(form.data.get("note", "")),
                ),
                _("所管の自治体を記録しました。"),
            )
            if done:
                return redirect("companies:ward_companies")
            return redirect("companies:company_ward", pk=company.pk)
    return render(
        request,
        "companies/company_ward.html",
        {
            "company": company,
            "form": form,
            "history": selectors_wards.ward_history(user=request.user, company=company),
        },
    )
