"""A company's first account: the ward's queue of requests (approve / reject), the ward's
ledger address on a company page, and the page a mailed one-time link opens."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.companies import selectors_claims, selectors_wards, services_claims, services_join
from machikoba.companies.forms_claims import ClaimAccountForm, ClaimRejectForm, ContactEmailForm
from machikoba.companies.models_claims import CompanyClaim
from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.views import client_ip, run_and_flash


class OfficerRequest(HttpRequest):
    """The ward's pages require a signed-in officer (``officer_required``)."""

    user: User


@officer_required
@require_GET
def claim_queue(request: OfficerRequest) -> HttpResponse:
    return render(
        request,
        "companies/claim_queue.html",
        {**selectors_claims.claim_queue(user=request.user), "reject_form": ClaimRejectForm()},
    )


@officer_required
@require_POST
def claim_approve(request: OfficerRequest, pk: int) -> HttpResponse:
    claim = get_for_user_or_404(CompanyClaim, request.user, CHANGE, pk=pk)
    if claim.requester_id:  # a signed-up person's claim: approving completes it
        run_and_flash(
            request,
            lambda: services_join.join_claim_approve(actor=request.user, claim=claim),
            _("承認しました。申請者はこの会社の経営者になりました。"),
        )
        return redirect("companies:claim_queue")
    run_and_flash(
        request,
        lambda: services_claims.company_claim_approve(actor=request.user, claim=claim),
        _("承認しました。申請者のメールアドレスに、パスワード設定用のリンクを送りました。"),
    )
    return redirect("companies:claim_queue")


@officer_required
@require_POST
def claim_reject(request: OfficerRequest, pk: int) -> HttpResponse:
    claim = get_for_user_or_404(CompanyClaim, request.user, CHANGE, pk=pk)
    form = ClaimRejectForm(request.POST)
    reject = (
        services_join.join_claim_reject
        if claim.requester_id
        else services_claims.company_claim_reject
    )
    run_and_flash(
        request,
        lambda: reject(
            actor=request.user,
            claim=claim,
            reason=str(form.data.get("reason", "")),
        ),
        _("申請を見送りました。"),
    )
    return redirect("companies:claim_queue")


@officer_required
@require_POST
def contact_email(request: OfficerRequest, pk: int) -> HttpResponse:
    # Only a company of the officer's own ward; any other is not found.
    company = selectors_wards.ward_company_or_404(user=request.user, pk=pk)
    form = ContactEmailForm(request.POST)
    run_and_flash(
        request,
        lambda: services_claims.company_contact_email_set(
            actor=request.user, company=company, email=str(form.data.get("email", ""))
        ),
        _("登録メールアドレスを保存しました。"),
    )
    return redirect("companies:detail", pk=company.pk)


def _no_store(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never cached, never sent to another site.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def claim_account(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: set a name and a password, and become the company's first owner.
    The token is the credential; an unusable one is "not found" for everyone."""
    claim = services_claims.claim_for_token(token)
    if claim is None:
        raise Http404
    form = ClaimAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services_claims.company_claim_complete(
                token=token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return _no_store(
                render(
                    request,
                    "companies/claim_done.html",
                    {"user": user, "company": claim.company},
                )
            )
    return _no_store(
        render(
            request,
            "companies/claim_account.html",
            {"claim": claim, "company": claim.company, "form": form},
        )
    )
