from machikoba.core.errors import ErrorCode


class ApiTokensErrorCode(ErrorCode):
    INVALID = "invalid"
    TOKEN_SCOPE = "token_scope"  # noqa: S105 (a refusal code, not a secret)
    RATE_LIMITED = "rate_limited"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    NOT_YOURS = "token_not_yours"
