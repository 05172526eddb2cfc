"""Caller-trusted parts of the API guard: finding the token a request carries, and the
stored answers of idempotent writes. Only ``auth`` and ``middleware`` call these; they
check no user's rights (the token's own checks are the right)."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from machikoba.apitokens.models import ApiToken, IdempotencyRecord
from machikoba.apitokens.services import TOKEN_PREFIX, hash_secret

# last_used_at is written at most this often per token, so reads stay reads.
TOUCH_EVERY = dt.timedelta(minutes=1)
IDEMPOTENCY_TTL = dt.timedelta(hours=24)


def bearer_of(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value or None


def prefix_of(raw: str) -> str | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not secret or len(prefix) > 16:
        return None
    return prefix


def token_for(raw: str) -> ApiToken | None:
    """The active token ``raw`` is, or None (unknown, wrong secret, revoked, expired, or
    its maker no longer holds the company or ward role it acts in)."""
    prefix = prefix_of(raw)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "company", "ward_role")
        .filter(prefix=prefix)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(raw)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    if token.company_id is not None:
        if not token.user.memberships.filter(company_id=token.company_id).exists():
            return None
        if token.company is None or not token.company.is_active:
            return None
    else:
        role = token.ward_role
        today = timezone.localdate()
        if role is None or (role.valid_until is not None and role.valid_until < today):
            return None
    return token


def token_touch(token: ApiToken, ip: str | None) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at = now


@dataclass
class Claim:
    """What ``idempotency_claim`` found: a new claim to fill, a stored answer to replay,
    a different request under the same key, or the first request still running."""

    record: IdempotencyRecord | None = None
    replay: IdempotencyRecord | None = None
    reused: bool = False
    in_progress: bool = False


def idempotency_claim(*, principal: str, key: str, fingerprint: str) -> Claim:
    now = timezone.now()
    IdempotencyRecord.objects.filter(principal=principal, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                principal=principal,
                key=key,
                fingerprint=fingerprint,
                expires_at=now + IDEMPOTENCY_TTL,
            )
        return Claim(record=record)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:  # expired and removed between the two statements: try again
            return idempotency_claim(principal=principal, key=key, fingerprint=fingerprint)
        if existing.fingerprint != fingerprint:
            return Claim(reused=True)
        if existing.status_code is None:
            return Claim(in_progress=True)
        return Claim(replay=existing)


def idempotency_settle(
    record: IdempotencyRecord, *, status: int, content_type: str, body: bytes
) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=status, content_type=content_type[:100], body=body
    )


def idempotency_release(record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed (a server error, a refusal before the work): a
    retry with the same key does the work."""
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
