"""Issuing and revoking API tokens. A token never gives more than its maker has: a company
token needs the maker to be an owner or staff of that company, a ward token one of the
maker's own ward roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.apitokens.areas import scope_choices
from machikoba.apitokens.error_codes import ApiTokensErrorCode
from machikoba.apitokens.models import ApiToken
from machikoba.core.access import CHANGE, EDITOR_ROLES, get_for_user_or_404
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError

if TYPE_CHECKING:
    from machikoba.accounts.models import User, WardRoleAssignment
    from machikoba.companies.models import Company

TOKEN_PREFIX = "mkb_"  # noqa: S105 (the visible start of every token)
MAX_LIFETIME_DAYS = 365


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _invalid(field: str, message: object) -> ApplicationError:
    return ApplicationError(
        ApiTokensErrorCode.INVALID,
        _("入力内容を確認してください。"),
        fields={field: [message]},
        status_code=422,
    )


@transaction.atomic
def token_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    lifetime_days: int,
    company: Company | None = None,
    ward_role: WardRoleAssignment | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never again."""
    name = name.strip()
    if not name:
        raise _invalid("name", _("名前を入力してください。"))
    if len(name) > 100:
        raise _invalid("name", _("名前は100文字以内で入力してください。"))
    if (company is None) == (ward_role is None):
        raise _invalid("owner", _("企業か区の役割のどちらか一つを選んでください。"))
    known = set(scope_choices())
    chosen = sorted(set(scopes))
    if not chosen or not set(chosen) <= known:
        raise _invalid("scopes", _("権限を一つ以上、一覧から選んでください。"))
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise _invalid("lifetime_days", _("有効期間は1日から365日までです。"))
    if (
        company is not None
        and not actor.memberships.filter(company=company, role__in=EDITOR_ROLES).exists()
    ):
        raise ApplicationError(
            ApiTokensErrorCode.NOT_YOURS,
            _("この企業のトークンを発行できるのは経営者と事務担当者です。"),
            status_code=403,
        )
    if ward_role is not None and ward_role.user_id != actor.pk:
        raise ApplicationError(
            ApiTokensErrorCode.NOT_YOURS,
            _("ご自分の役割のトークンだけ発行できます。"),
            status_code=403,
        )
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=actor,
        company=company,
        ward_role=ward_role,
        name=name,
        prefix=prefix,
        secret_hash=hash_secret(raw),
        scopes=chosen,
        expires_at=timezone.now() + dt.timedelta(days=lifetime_days),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        verb="apitokens.token.create",
        target=token,
        company=company,
        after={"scopes": chosen, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke a token of one's own, or one made for a company one owns. Revoking twice
    changes nothing."""
    token = get_for_user_or_404(ApiToken.objects.select_for_update(), actor, CHANGE, pk=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, verb="apitokens.token.revoke", target=token, company=token.company
        )
    return token
