"""The people of a company: the owners' page (who has access, invitations), inviting by
e-mail or by a QR code shown on the owner's phone, changing a role, removing a person,
handing over ownership; and the page an invite link opens."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.companies import selectors_people, services, services_people
from machikoba.companies.choices import CompanyRole
from machikoba.companies.forms_people import InviteForm, RoleForm, TransferForm
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_people import Invitation, InvitationChannel
from machikoba.core.access import CHANGE, MANAGE, can, get_for_user_or_404
from machikoba.core.dates import format_datetime
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.qr import qr_svg
from machikoba.core.views import client_ip, run_and_flash, save_form

# The invite link a visitor opened before signing up or signing in (kept across allauth's
# sign-up, e-mail confirmation and sign-in; cleared once they join).
PENDING_INVITATION_SESSION_KEY = "machikoba.pending_invitation"


class SignedInRequest(HttpRequest):
    user: User


OwnerView = Callable[..., HttpResponse]


def owners_only(view: OwnerView) -> OwnerView:
    """The company's owners get the page, with the company in place of its id. Its other
    people are told that only owners may do this and who they are (403); anyone else
    who sees the company gets the plain 403, and an unknown company is a 404."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: SignedInRequest, pk: int, **kwargs: Any) -> HttpResponse:
        try:
            company = get_for_user_or_404(Company, request.user, MANAGE, pk=pk, is_active=True)
        except PermissionDenied:
            context = selectors_people.owners_only_page(user=request.user, company_id=pk)
            if context is None:
                raise
            return render(request, "companies/people/owners_only.html", context, status=403)
        return view(request, company, **kwargs)

    return wrapped


def _no_store(response: HttpResponse) -> HttpResponse:
    # A live invite link is on the page: never cached, never sent to another site.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the owners' pages -----------------------------------------------------------------


@owners_only
@require_GET
def people(request: SignedInRequest, company: Company) -> HttpResponse:
    page = selectors_people.people_page(user=request.user, company=company)
    return render(request, "companies/people/people.html", {"company": company, "page": page})


@owners_only
@require_http_methods(["GET", "POST"])
def invite(request: SignedInRequest, company: Company) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services_people.invitation_create(
                actor=request.user,
                company=company,
                role=data["role"],
                channel=data["channel"],
                email=data["email"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            invitation = issued.invitation
            if invitation.channel == InvitationChannel.EMAIL:
                messages.success(
                    request,
                    _("%(email)s に招待のメールを送りました。リンクは %(expires)s まで使えます。")
                    % {
                        "email": invitation.email,
                        "expires": format_datetime(invitation.expires_at),
                    },
                )
                return redirect("companies:people", pk=company.pk)
            label = _("%(company)s への招待の QR コード") % {"company": company.name}
            return _no_store(
                render(
                    request,
                    "companies/people/invite_qr.html",
                    {
                        "company": company,
                        "invitation": invitation,
                        "url": issued.url,
                        "qr": qr_svg(issued.url, label=label),
                    },
                )
            )
    return render(request, "companies/people/invite.html", {"company": company, "form": form})


@owners_only
@require_POST
def invite_revoke(request: SignedInRequest, company: Company, invitation_pk: int) -> HttpResponse:
    invitation = get_for_user_or_404(
        Invitation, request.user, CHANGE, pk=invitation_pk, company=company
    )
    run_and_flash(
        request,
        lambda: services_people.invitation_revoke(actor=request.user, invitation=invitation),
        _("招待を取り消しました。そのリンクはもう使えません。"),
    )
    return redirect("companies:people", pk=company.pk)


def _after_change(request: SignedInRequest, company: Company) -> str:
    """Back to the people page, or home for an owner who has just given up owning."""
    if can(request.user, MANAGE, company):
        return reverse("companies:people", args=[company.pk])
    return reverse("web:home")


@owners_only
@require_http_methods(["GET", "POST"])
def role(request: SignedInRequest, company: Company, membership_pk: int) -> HttpResponse:
    membership = get_for_user_or_404(
        Membership, request.user, MANAGE, pk=membership_pk, company=company
    )
    person = membership.user.get_full_name()
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    done = save_form(
        request,
        form,
        lambda data: services_people.member_role_change(
            actor=request.user, membership=membership, role=data["role"]
        ),
        success_message=_("%(person)s の役割を変えました。") % {"person": person},
        next_url=lambda _membership: _after_change(request, company),
    )
    if done:
        return done
    return render(
        request,
        "companies/people/role.html",
        {"company": company, "membership": membership, "form": form},
    )


@owners_only
@require_http_methods(["GET", "POST"])
def remove(request: SignedInRequest, company: Company, membership_pk: int) -> HttpResponse:
    membership = get_for_user_or_404(
        Membership, request.user, MANAGE, pk=membership_pk, company=company
    )
    person = membership.user.get_full_name()
    if request.method == "POST":
        run_and_flash(
            request,
            lambda: services_people.member_remove(actor=request.user, membership=membership),
            _("%(person)s をメンバーから外しました。") % {"person": person},
        )
        return redirect(_after_change(request, company))
    page = selectors_people.people_page(user=request.user, company=company)
    last_owner = any(p.is_last_owner and p.membership.pk == membership.pk for p in page.people)
    return render(
        request,
        "companies/people/remove.html",
        {"company": company, "membership": membership, "last_owner": last_owner},
    )


@owners_only
@require_http_methods(["GET", "POST"])
def transfer(request: SignedInRequest, company: Company) -> HttpResponse:
    page = selectors_people.people_page(user=request.user, company=company)
    form = TransferForm(request.POST or None, candidates=page.transfer_candidates)

    def hand_over(data: dict[str, Any]) -> Membership:
        to = get_for_user_or_404(
            Membership, request.user, MANAGE, pk=parse_id(data["to"]), company=company
        )
        return services_people.ownership_transfer(
            actor=request.user, company=company, to=to, step_down=data["step_down"]
        )

    done = save_form(
        request,
        form,
        hand_over,
        success_message=_("経営者の権限を渡しました。"),
        next_url=lambda _membership: _after_change(request, company),
    )
    if done:
        return done
    return render(
        request,
        "companies/people/transfer.html",
        {"company": company, "page": page, "form": form},
    )


# --- the page an invite link opens ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invite link: the company and the role, then "join" for a signed-in person, or
    sign up / sign in and come back here for a visitor. An unknown link is a 404; a used,
    expired or revoked one says so (410) and changes nothing."""
    page = selectors_people.invite_page(user=request.user, token=token)
    if page is None:
        raise Http404
    user = request.user
    if not isinstance(user, User):  # a visitor, not signed in
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        if page.refusal is None:
            request.session[PENDING_INVITATION_SESSION_KEY] = token
        return _invite_page(request, page)
    if request.method == "POST":
        try:
            membership = services_people.invitation_accept(
                actor=user, token=token, ip_address=client_ip(request)
            )
        except ApplicationError as error:
            return _invite_page(request, page, error=error)
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        services.active_company_switch(
            actor=user, session=request.session, company_id=membership.company_id
        )
        messages.success(
            request,
            _("%(company)s に「%(role)s」として参加しました。")
            % {
                "company": membership.company.name,
                "role": CompanyRole(membership.role).label,
            },
        )
        return redirect("web:home")
    return _invite_page(request, page)


def _invite_page(
    request: HttpRequest,
    page: selectors_people.InvitePage,
    *,
    error: ApplicationError | None = None,
) -> HttpResponse:
    problem = error or page.refusal
    status = problem.status_code if problem is not None else 200
    if page.joined_through_it or (problem is None and page.already_member):
        status = 200
    return _no_store(
        render(
            request,
            "companies/people/invite_accept.html",
            {
                "page": page,
                "invitation": page.invitation,
                "company": page.invitation.company,
                "problem": problem,
                "next": request.get_full_path(),
            },
            status=status,
        )
    )
