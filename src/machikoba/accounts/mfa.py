"""Bridges to django-allauth's MFA."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator


def record_second_factor_on_activation(sender, request, user, authenticator, **kwargs):
    """Activating TOTP requires a valid code from the new authenticator: the session has
    just passed the second factor, so officers are not asked for another code at once."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type="totp")
