"""The published schema: every operation lists the status codes the common layers can
answer with, writes take an Idempotency-Key, and tokens are a documented security scheme."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    from machikoba.config.api import api

    return api.get_openapi_schema()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_every_operation_documents_the_shared_answers(schema):
    operations = list(_operations(schema))
    assert len(operations) > 15
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert {"400", "404", "429", "503"} <= codes, (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= codes, (method, path)
        if method in {"post", "put", "patch", "delete"}:
            assert {"409", "422"} <= codes, (method, path)
            names = [p["name"] for p in operation["parameters"]]
            assert names.count("Idempotency-Key") == 1, (method, path)
        error = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "fields"]


def test_tokens_and_sessions_are_the_documented_ways_in(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["ApiTokenAuth"].items()
    jobs = schema["paths"]["/api/network/jobs"]["get"]
    assert {"ApiTokenAuth": []} in jobs["security"]


def test_the_schema_is_served(client):
    answer = client.get(reverse("api:openapi-json"))
    assert answer.status_code == 200
    assert "Idempotency-Key" in answer.content.decode()
