"""What GビズID says about a person: read helpers for the apps above accounts.

A GビズID is connected to an account by its owner (「ログインの安全設定」) and then signs
that account in (docs/gbizid.md). allauth keeps it as a ``SocialAccount`` with
``provider="gbizid"`` whose ``extra_data`` holds the claims of the latest connection or
sign-in: ``{"userinfo": {...}, "id_token": {...}}``. GビズID puts the account type, the
法人番号 and the company's name in the userinfo (scope ``profile``); the claim names and the
account-type codes are settings (``MACHIKOBA_GBIZID_CLAIMS``), since the platform learns
them from GビズID's guideline for connected systems, not from the protocol.

The subsidies app asks ``is_gbiz_verified(user, corporate_number=…)`` before it accepts a
submission for a call that requires a GビズID-verified representative, as jGrants does
with gBizIDプライム.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# The allauth app id of GビズID (the ``provider_id`` of its OpenID Connect app, and the
# ``provider`` of its SocialAccount rows). Part of the redirect URI registered with GビズID.
GBIZID_PROVIDER_ID = "gbizid"

# GビズID's claims (its guideline for connected systems, userinfo with scope "profile"):
# account_type 1 = gBizIDエントリー, 2 = gBizIDプライム, 3 = gBizIDメンバー; the company's
# 法人番号 and name. settings.MACHIKOBA_GBIZID_CLAIMS overrides any of these keys.
DEFAULT_CLAIMS: dict[str, Any] = {
    "ACCOUNT_TYPE_CLAIM": "account_type",
    "ACCOUNT_TYPES": {"1": "entry", "2": "prime", "3": "member"},
    "CORPORATE_NUMBER_CLAIM": "corporate_number",
    "COMPANY_NAME_CLAIM": "name",
}


class GBizAccountType(models.TextChoices):
    # Identity checked by GビズID (seal certificate or online): the company's representative
    # or a sole proprietor.
    PRIME = "prime", _("プライム")
    # Issued by a プライム holder to an employee of the same company.
    MEMBER = "member", _("メンバー")
    # Self-registered with an e-mail address; nobody checked who holds it.
    ENTRY = "entry", _("エントリー")


@dataclass(frozen=True)
class GBizIdentity:
    """One person's GビズID as its latest connection or sign-in told it."""

    subject: str  # GビズID's ``sub``: the account's stable id there
    account_type: GBizAccountType | None  # None: GビズID sent a type this platform does not know
    corporate_number: str  # 法人番号 (13 digits); "" when GビズID gave none (個人事業主)
    company_name: str
    verified_at: datetime  # when GビズID last vouched for these claims

    @property
    def is_prime(self) -> bool:
        return self.account_type == GBizAccountType.PRIME


def claim_settings() -> dict[str, Any]:
    return {**DEFAULT_CLAIMS, **getattr(settings, "MACHIKOBA_GBIZID_CLAIMS", {})}


def gbizid_enabled() -> bool:
    """Whether the platform is configured for GビズID (the GBIZID_* variables are set)."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})
    apps = providers.get("openid_connect", {}).get("APPS", [])
    return any(app.get("provider_id") == GBIZID_PROVIDER_ID for app in apps)


def _claims(extra_data: Any) -> dict[str, Any]:
    if not isinstance(extra_data, dict):
        return {}
    if "userinfo" not in extra_data and "id_token" not in extra_data:
        return extra_data  # stored by allauth before 65.11: the claims themselves
    id_token = extra_data.get("id_token") or {}
    userinfo = extra_data.get("userinfo") or {}
    return {**id_token, **userinfo}


def _corporate_number(value: Any) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    return digits if len(digits) == 13 else ""


def identity_from_account(account: SocialAccount) -> GBizIdentity:
    names = claim_settings()
    claims = _claims(account.extra_data)
    code = claims.get(names["ACCOUNT_TYPE_CLAIM"])
    kind = names["ACCOUNT_TYPES"].get(str(code)) if code is not None else None
    return GBizIdentity(
        subject=account.uid,
        account_type=GBizAccountType(kind) if kind in GBizAccountType.values else None,
        corporate_number=_corporate_number(claims.get(names["CORPORATE_NUMBER_CLAIM"])),
        company_name=str(claims.get(names["COMPANY_NAME_CLAIM"]) or ""),
        verified_at=account.last_login,
    )


def gbiz_identity(user: Any) -> GBizIdentity | None:
    """The GビズID connected to ``user``'s account, or None (none connected, or a visitor)."""
    if user is None or not user.is_authenticated:
        return None
    account = (
        SocialAccount.objects.filter(user=user, provider=GBIZID_PROVIDER_ID)
        .order_by("-last_login")
        .first()
    )
    return identity_from_account(account) if account is not None else None


def is_gbiz_verified(
    user: Any, *, prime_required: bool = True, corporate_number: str | None = None
) -> bool:
    """Whether GビズID vouches for ``user`` as a company's person.

    ``prime_required`` (jGrants' rule for applications): only a gBizIDプライム counts;
    without it a gBizIDメンバー counts too (issued by a プライム of the same company). A
    gBizIDエントリー never counts: nobody checked who holds it. With ``corporate_number``
    (the applying company's 法人番号), the GビズID must be that company's.
    """
    identity = gbiz_identity(user)
    if identity is None:
        return False
    accepted = {GBizAccountType.PRIME}
    if not prime_required:
        accepted.add(GBizAccountType.MEMBER)
    if identity.account_type not in accepted:
        return False
    if corporate_number is not None:
        wanted = _corporate_number(corporate_number)
        return bool(wanted) and identity.corporate_number == wanted
    return True


def signed_in_with_gbizid(request: HttpRequest) -> bool:
    """Whether this session's sign-in went through GビズID (not the password)."""
    if not request.user.is_authenticated:
        return False
    return any(
        record.get("method") == "socialaccount" and record.get("provider") == GBIZID_PROVIDER_ID
        for record in get_authentication_records(request, request.user)
    )
