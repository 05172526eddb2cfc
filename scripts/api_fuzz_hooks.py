"""schemathesis hooks for scripts/api_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

Every request the fuzzer sends gets a fresh Idempotency-Key: the fuzzer would otherwise
reuse its generated keys ("0", "00" …) on different requests, which the API rightly
refuses as a reused key, hiding what the operation itself does with the request. The
key's own handling is tested in apitokens/tests/test_middleware.py."""

import uuid

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
        case.headers = {**(case.headers or {}), "Idempotency-Key": uuid.uuid4().hex}
