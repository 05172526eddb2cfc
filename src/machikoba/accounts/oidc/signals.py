"""Connecting and disconnecting a GビズID lands in the audit trail.

allauth connects and disconnects in its own flows (no service of ours runs), so these
receivers of its ``social_account_added`` / ``social_account_removed`` signals, wired in
``AccountsConfig.ready``, record each change as it happens.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from machikoba.accounts.gbizid import GBIZID_PROVIDER_ID, identity_from_account
from machikoba.core.audit import audit_record
from machikoba.core.views import client_ip


def record_gbizid_connected(
    sender: Any, request: HttpRequest, sociallogin: Any, **kwargs: Any
) -> None:
    account = sociallogin.account
    if account.provider != GBIZID_PROVIDER_ID:
        return
    identity = identity_from_account(account)
    audit_record(
        actor=account.user,
        verb="gbizid.connect",
        target=account.user,
        after={
            "account_type": identity.account_type.value if identity.account_type else None,
            "corporate_number": identity.corporate_number,
        },
        ip_address=client_ip(request) if request is not None else None,
    )


def record_gbizid_disconnected(
    sender: Any, request: HttpRequest, socialaccount: Any, **kwargs: Any
) -> None:
    if socialaccount.provider != GBIZID_PROVIDER_ID:
        return
    audit_record(
        actor=socialaccount.user,
        verb="gbizid.disconnect",
        target=socialaccount.user,
        ip_address=client_ip(request) if request is not None else None,
    )
