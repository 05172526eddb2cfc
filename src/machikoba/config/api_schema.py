"""The OpenAPI schema's answers that every operation shares, added in one place so no
operation forgets one: the error shape and the status codes the API's common layers can
return (the token check, the access layer, input validation, services' refusals, the rate
limit, idempotency keys, an unavailable database)."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "machine-readable refusal code"},
        "message": {"type": "string", "description": "for people, in their language"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "messages per input field",
        },
    },
    "required": ["code", "message", "fields"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

COMMON = {
    "400": "The request is malformed (a body that is not JSON, a header that cannot be read).",
    "409": "The current state does not allow this (already done, wrong status, a duplicate,"
    " a limit reached; `code` says which), or the same Idempotency-Key is in progress.",
    "404": "Not found, or not yours to see (another company's ids are never disclosed).",
    "414": "The address (with its query) is longer than the server accepts.",
    "429": "Too many requests: wait `Retry-After` seconds.",
    "503": "The database is briefly unavailable: retry.",
}
AUTHENTICATED = {
    "401": "No valid session or API token.",
    "403": "Signed in, but this role, company or token scope may not do this.",
}
WITH_INPUT = {
    "422": "The input does not match the schema, or breaks a rule the schema cannot state"
    " (a date relative to today, one field against another): `fields` name the fields.",
}
UPLOADS = {
    "413": "The file is larger than the upload limit.",
    "507": "The file store is full: nothing was stored; tell the platform's operators.",
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "Send a unique key with a write to make a retry safe: the same key and"
    " request within 24 hours returns the first answer (`Idempotent-Replayed: true`)"
    " instead of writing again.",
}


# Answers only some areas give, by path prefix.
BY_PREFIX = {
    "/api/drawings/documents/": {
        "410": "The drawing was destroyed (its retention ended): only its certificate remains."
    },
}


def _relax_time_formats(node: Any) -> None:
    """Pydantic writes a time of day as ``08:30:00``: RFC 3339's partial-time, not the
    JSON Schema ``time`` format (which demands a zone offset)."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            node["format"] = "partial-time"
        for value in node.values():
            _relax_time_formats(value)
    elif isinstance(node, list):
        for value in node:
            _relax_time_formats(value)


def _is_upload(operation: dict[str, Any]) -> bool:
    content = operation.get("requestBody", {}).get("content", {})
    return "multipart/form-data" in content


def _require_files(operation: dict[str, Any]) -> None:
    """A multipart form cannot carry an empty list: a required list of files with none
    in it arrives as a missing field, so the schema says at least one."""
    form = operation["requestBody"]["content"]["multipart/form-data"].get("schema", {})
    for name in form.get("required", []):
        field = form.get("properties", {}).get(name, {})
        if field.get("type") == "array":
            field.setdefault("minItems", 1)


def add_shared_answers(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _relax_time_formats(schema)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers: dict[str, str] = dict(COMMON)
            if operation.get("security"):
                answers.update(AUTHENTICATED)
            if operation.get("parameters") or operation.get("requestBody"):
                answers.update(WITH_INPUT)
            if method in WRITE_METHODS:
                # A write takes an Idempotency-Key, itself an input that can be invalid.
                answers.update(WITH_INPUT)
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_PARAMETER))
            if _is_upload(operation):
                answers.update(UPLOADS)
                _require_files(operation)
            for prefix, extra in BY_PREFIX.items():
                if path.startswith(prefix):
                    answers.update(extra)
            responses = operation["responses"]
            for status, description in answers.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return schema
