"""Sign-in policy for every request: ward officers and platform admins pass TOTP."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.accounts.rules import must_use_mfa

# Paths a person who has not yet passed the second factor may reach (sign-in pages).
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/language/")


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in included a second factor (allauth's record)."""
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
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
            and must_use_mfa(user)
            and not session_passed_mfa(request)
        ):
            has_totp = Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
            if request.path.startswith("/api/"):
                return _api_mfa_required(has_totp)
            target = "mfa_reauthenticate" if has_totp else "mfa_activate_totp"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _api_mfa_required(has_totp: bool):
    message = (
        _("この操作には二段階認証 (認証コード) でのログインが必要です。")
        if has_totp
        else _("この操作の前に、認証アプリ (二段階認証) を設定してください。")
    )
    return JsonResponse({"code": "mfa_required", "message": message, "fields": {}}, status=403)
