"""The API's bearer-token authentication: ``Authorization: Bearer mkb_<prefix>_<secret>``.

A valid token makes the request its maker's, in the company or the ward role it was made
for, so every handler goes through the same access layer as for a signed-in person. A
token whose scopes do not cover the operation's area and level is refused (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from machikoba.apitokens.areas import allows, required_scope
from machikoba.apitokens.internal import token_for, token_touch
from machikoba.companies.models import Membership
from machikoba.core.access import VIEW, confine_to
from machikoba.core.views import client_ip


class TokenScopeDenied(PermissionDenied):
    """The token is valid but not granted this area (or writing in it)."""

    def __init__(self) -> None:
        super().__init__(_("このAPIトークンにはこの操作の権限がありません。"))


class ApiTokenAuth(HttpBearer):
    openapi_description = (
        "An API token: `Authorization: Bearer mkb_…`. Issued on the API tokens page, per"
        " company or per ward role, read or write per area, with an expiry."
    )

    def authenticate(self, request, token: str):
        found = getattr(request, "_machikoba_api_token", None) or token_for(token)
        if found is None:
            # A request that names a token is judged by it: a dead token is a 401 even
            # when the browser sending it also has a session.
            raise AuthenticationError
        area, level = required_scope(request.method or "GET", request.path)
        if not allows(found.scopes, area, level):
            raise TokenScopeDenied
        user = found.user
        # A company token sees that one company; a ward token acts in its one role and ward.
        confine_to(user, company_id=found.company_id, ward_grant=found.ward_role)
        request.user = user
        request.api_token = found
        if found.company_id is not None:
            request.active_company = found.company
            request.active_membership = (
                Membership.objects.for_user(user, VIEW)
                .filter(user=user, company=found.company)
                .first()
            )
        else:
            request.active_company = None
            request.active_membership = None
        token_touch(found, client_ip(request))
        return found
