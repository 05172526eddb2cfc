"""``{% gbizid_status as gbiz %}``: whether GビズID is configured, and the signed-in
person's connected GビズID (``gbiz.identity``, a ``GBizIdentity`` or None);
``account|gbizid_identity``: what one connected account (a ``SocialAccount``) says."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django import template

from machikoba.accounts.gbizid import (
    GBIZID_PROVIDER_ID,
    GBizIdentity,
    gbiz_identity,
    gbizid_enabled,
    identity_from_account,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def gbizid_status(context: template.Context) -> dict[str, Any]:
    enabled = gbizid_enabled()
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "enabled": enabled,
        "provider_id": GBIZID_PROVIDER_ID,
        "identity": gbiz_identity(user) if enabled else None,
    }


@register.filter
def gbizid_identity(account: SocialAccount) -> GBizIdentity:
    return identity_from_account(account)
