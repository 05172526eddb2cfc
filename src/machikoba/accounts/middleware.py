from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

ACTIVE_COMPANY_SESSION_KEY = "machikoba.active_company_id"


def _active_membership(request):
    from machikoba.companies.selectors import memberships_of

    memberships = memberships_of(request.user)
    request.memberships = memberships
    wanted = request.session.get(ACTIVE_COMPANY_SESSION_KEY)
    for membership in memberships:
        if membership.company_id == wanted:
            return membership
    return memberships[0] if memberships else None


class ActiveCompanyMiddleware:
    """``request.active_membership`` / ``request.active_company``: the company the
    user is working for now, chosen in the header and kept in the session.

    Only a company the user is a member of can be active; a stale or foreign id in
    the session falls back to the user's first company.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: _active_membership(request))
        request.active_membership = membership
        request.active_company = SimpleLazyObject(
            lambda: membership.company if membership else None
        )
        return self.get_response(request)


# Paths a user who still has to set up a second factor may reach.
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/language/")


class RequireMFAMiddleware:
    """Ward officers and platform admins cannot use the platform without TOTP set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES):
            from allauth.mfa.models import Authenticator

            from machikoba.accounts.rules import must_use_mfa

            if (
                must_use_mfa(user)
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
