"""The company's side: ask for an advisor or answer the ward's proposal, follow the
engagement, sign off visits by a tap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.advisory import selectors, services
from machikoba.advisory.forms import RequestForm
from machikoba.advisory.models import SupportRequest, Visit
from machikoba.advisory.views._common import SignedInRequest
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.core.views import active_company_or_403, run_and_flash, safe_next, save_form


def _company(request: SignedInRequest) -> Company:
    """The active company, for its owners and staff (floor workers have no such page)."""
    company: Company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


@login_required
@require_GET
def company_page(request: SignedInRequest) -> HttpResponse:
    company = _company(request)
    page = selectors.company_advisory_page(user=request.user, company=company)
    return render(request, "advisory/company.html", {"page": page, "company": company})


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: SignedInRequest) -> HttpResponse:
    company = _company(request)
    form = RequestForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.support_request_create(
            actor=request.user,
            company=company,
            topics=data["topics"],
            description=data["description"],
        ),
        success_message=_("アドバイザー派遣を申し込みました。区から連絡があるまでお待ちください。"),
        next_url="advisory:company",
    )
    if done:
        return done
    return render(request, "advisory/request_form.html", {"form": form, "company": company})


def _request_button(
    request: SignedInRequest, pk: int, call: Callable[..., Any], success: str
) -> HttpResponse:
    support = get_for_user_or_404(SupportRequest, request.user, CHANGE, pk=pk)
    run_and_flash(request, lambda: call(actor=request.user, request=support), success)
    return redirect("advisory:company")


@login_required
@require_POST
def request_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    return _request_button(
        request, pk, services.support_request_withdraw, _("派遣の申込を取り下げました。")
    )


@login_required
@require_POST
def proposal_accept(request: SignedInRequest, pk: int) -> HttpResponse:
    return _request_button(
        request,
        pk,
        services.support_proposal_accept,
        _("提案を受けました。区が担当のアドバイザーを決めるまでお待ちください。"),
    )


@login_required
@require_POST
def proposal_decline(request: SignedInRequest, pk: int) -> HttpResponse:
    return _request_button(
        request, pk, services.support_proposal_decline, _("提案をお断りしました。")
    )


@login_required
@require_POST
def visit_sign_off(request: SignedInRequest, pk: int) -> HttpResponse:
    visit = get_for_user_or_404(Visit, request.user, VIEW, pk=pk)
    run_and_flash(
        request,
        lambda: services.visit_sign_off(actor=request.user, visit=visit),
        _("訪問記録を確認しました。"),
    )
    return redirect(safe_next(request, "advisory:company"))
