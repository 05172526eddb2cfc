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


# Paths a person who has not yet passed the second factor may reach (sign-in pages).
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/language/")


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in included a second factor (allauth's record)."""
    from allauth.account.authentication import get_authentication_records

    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class RequireMFAMiddleware:
    """Ward officers and platform admins use the platform only in a session that
    passed TOTP: without an authenticator they are sent to set one up, with one
    but a password-only session (any other login path) they must give a code.
    The API answers in its own error shape instead of redirecting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES):
            from allauth.mfa.models import Authenticator

            from machikoba.accounts.rules import must_use_mfa

            if must_use_mfa(user) and not session_passed_mfa(request):
                has_totp = Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
                if request.path.startswith("/api/"):
                    return _api_mfa_required(has_totp)
                target = "mfa_reauthenticate" if has_totp else "mfa_activate_totp"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _api_mfa_required(has_totp: bool):
    from django.http import JsonResponse
    from django.utils.translation import gettext as _

    message = (
        _("この操作には二段階認証 (認証コード) でのログインが必要です。")
        if has_totp
        else _("この操作の前に、認証アプリ (二段階認証) を設定してください。")
    )
    return JsonResponse({"code": "mfa_required", "message": message, "fields": {}}, status=403)
