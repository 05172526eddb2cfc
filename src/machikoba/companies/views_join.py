"""Joining the network: find one's company (or register a new one), choose how to prove
it, type the code; and the ward's side of it (the letter to print, the evidence)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.companies import selectors_join, services_join
from machikoba.companies.forms_join import (
    JoinCodeForm,
    JoinMethodForm,
    JoinNewCompanyForm,
    JoinSearchForm,
)
from machikoba.companies.join_letter import join_letter_pdf
from machikoba.companies.models import Company
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.selectors_claims import mask_email
from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import client_ip, save_form

EVIDENCE_UPLOAD_BYTES = services_join.EVIDENCE_MAX_BYTES + 64 * 1024


class JoinRequest(HttpRequest):
    user: User


@login_required
@require_GET
def join(request: JoinRequest) -> HttpResponse:
    form = JoinSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "companies/join/search.html",
        {
            "form": form,
            "searched": bool(text),
            "candidates": selectors_join.join_search(user=request.user, text=text),
            "claims": selectors_join.my_claims(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_upload_size(lambda: EVIDENCE_UPLOAD_BYTES)
def join_claim_start(request: JoinRequest, pk: int) -> HttpResponse:
    company = get_for_user_or_404(Company, request.user, VIEW, pk=pk, verified_at__isnull=False)
    methods = selectors_join.join_methods(company)
    posted = request.method == "POST"
    form = JoinMethodForm(
        request.POST if posted else None, request.FILES if posted else None, methods=methods
    )
    refuse_oversized(request, form, _too_large)
    done = save_form(
        request,
        form,
        lambda data: services_join.join_claim_start(
            actor=request.user,
            company=company,
            method=data["method"],
            note=data["note"],
            evidence=data.get("evidence"),
            ip_address=client_ip(request),
        ),
        success_message=_("参加を申請しました。"),
        next_url=lambda claim: reverse("companies:join_claim", args=[claim.pk]),
    )
    return done or render(
        request,
        "companies/join/start.html",
        {
            "company": company,
            "form": form,
            "code_to": mask_email(company.contact_email)
            if company.contact_email
            else _mask_phone(company.contact_phone),
        },
    )


def _too_large(size: int) -> str:
    return _("確認書類は 10 MB までです (送られたのは約 %(mb)s MB)。") % {
        "mb": max(1, size // (1024 * 1024))
    }


def _mask_phone(phone: str) -> str:
    digits = [ch for ch in phone if ch.isdigit()]
    return f"***-****-{''.join(digits[-4:])}" if len(digits) >= 4 else ""


@login_required
@require_http_methods(["GET", "POST"])
def join_claim(request: JoinRequest, pk: int) -> HttpResponse:
    claim = get_for_user_or_404(CompanyClaim, request.user, VIEW, pk=pk, requester=request.user)
    form = JoinCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")[:12]})
    done = save_form(
        request,
        form,
        lambda data: services_join.join_code_enter(
            actor=request.user, claim=claim, code=data["code"]
        ),
        success_message=_("確認できました。%(company)s の経営者として参加しました。")
        % {"company": claim.company.name},
        next_url=reverse("web:home"),
    )
    claim.refresh_from_db()
    return done or render(
        request,
        "companies/join/claim.html",
        {
            "claim": claim,
            "form": form,
            "sent_to": mask_email(claim.sent_to) if claim.sent_to else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_upload_size(lambda: EVIDENCE_UPLOAD_BYTES)
def join_new(request: JoinRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = JoinNewCompanyForm(request.POST if posted else None, request.FILES if posted else None)
    refuse_oversized(request, form, _too_large)
    done = save_form(
        request,
        form,
        lambda data: services_join.join_company_create(
            actor=request.user,
            name=data["name"],
            method=data["method"],
            evidence=data.get("evidence"),
            ip_address=client_ip(request),
            name_kana=data["name_kana"],
            corporate_number=data["corporate_number"],
            postal_code=data["postal_code"],
            address_line=data["address_line"],
        ),
        success_message=_(
            "会社を登録しました。区の確認が済むまでの間に、会社の情報を入力しておけます。"
        ),
        next_url=lambda claim: reverse("companies:join_claim", args=[claim.pk]),
    )
    return done or render(request, "companies/join/new.html", {"form": form})


# --- the ward's side --------------------------------------------------------------------


@officer_required
@require_POST
def claim_letter(request: JoinRequest, pk: int) -> HttpResponse:
    """Print the letter: a fresh code each time (the one printed last is the one valid)."""
    claim = get_for_user_or_404(CompanyClaim, request.user, CHANGE, pk=pk)
    try:
        claim, code = services_join.join_letter_issue(actor=request.user, claim=claim)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("companies:claim_queue")
    url = (
        settings.MACHIKOBA_SITE_URL.rstrip("/")
        + reverse("companies:join_claim", args=[claim.pk])
        + f"?code={code}"
    )
    response = HttpResponse(join_letter_pdf(claim, code=code, url=url), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="join-letter-{claim.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@officer_required
@require_GET
def claim_evidence(request: JoinRequest, pk: int) -> HttpResponseBase:
    claim = get_for_user_or_404(CompanyClaim, request.user, CHANGE, pk=pk)
    if not claim.evidence:
        raise Http404
    response = FileResponse(claim.evidence.open("rb"), as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response
