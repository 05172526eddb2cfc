"""An id past the database's 64-bit range is a clean refusal everywhere, never a 500:
every API route with an id in its path answers 422 in the API's error shape, and every
page with an int in its URL answers 404."""

from __future__ import annotations

import functools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from machikoba.config.api import api
from machikoba.core.ids import parse_id
from machikoba.core.testing.matrix import MEMBER

HUGE = "99999999999999999999"  # > 2**63 - 1
LARGEST = str(2**63 - 1)


_schema = functools.cache(api.get_openapi_schema)


def _id_parameters(operation: dict) -> set[str]:
    return {
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter.get("schema", {}).get("type") == "integer"
    }


def _api_routes() -> list[tuple[str, str]]:
    """Routes with an integer (an id) in their path; other path parts (a code, a year's
    format) are filled with a plain word."""
    schema = _schema()
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if _id_parameters(operation):
                routes.append((method, path))
    return sorted(routes)


def _api_url(path: str, value: str) -> str:
    schema = _schema()
    ids = set().union(*(_id_parameters(op) for op in schema["paths"][path].values()))
    return re.sub(r"\{([^}]+)\}", lambda m: value if m.group(1) in ids else "x", path)


@pytest.mark.parametrize(("method", "path"), _api_routes())
def test_api_id_beyond_64_bits_is_a_422_in_the_error_shape(client, world, method, path):
    client.force_login(world.users[MEMBER])
    response = getattr(client, method)(_api_url(path, HUGE), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "入力内容を確認してください。"
    assert set(re.findall(r"\{([^}]+)\}", path)) <= set(body["fields"])


@pytest.mark.parametrize(("method", "path"), _api_routes())
def test_api_largest_id_is_still_an_id(client, world, method, path):
    """The bound sits at the database's limit: the largest id is looked up (and not found)."""
    client.force_login(world.users[MEMBER])
    response = getattr(client, method)(_api_url(path, LARGEST), content_type="application/json")
    # A missing object (404), a body the route wants first (422 naming a body field), or a
    # role refused before anything is looked up (an office route for a company's owner).
    assert response.status_code in (403, 404, 422)
    if response.status_code == 422:
        assert not set(re.findall(r"\{([^}]+)\}", path)) & set(response.json()["fields"])


def _int_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every page route whose URL holds an int, with each int filled in with ``{}``."""
    routes = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if "admin" in text or text.startswith("api/"):
                continue
            routes.extend(_int_routes(pattern.url_patterns, text))
        elif isinstance(pattern, URLPattern) and re.search("<(int|id):", text):
            routes.append(text)
    return sorted(set(routes))


def _page_url(route: str, value: str) -> str:
    url = re.sub(r"<(int|id):[^>]+>", value, route)
    url = re.sub(r"<slug:[^>]+>|<str:[^>]+>", "x", url)
    return "/" + url.lstrip("^").rstrip("$")


@pytest.mark.parametrize("route", _int_routes())
def test_page_with_an_id_beyond_64_bits_is_a_404(client, world, route):
    client.force_login(world.users[MEMBER])
    url = _page_url(route, HUGE)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_no_page_uses_the_unbounded_int_converter():
    assert [route for route in _int_routes() if "<int:" in route] == []


@pytest.mark.parametrize("route", ["jobs/<id:pk>/", "rfqs/<id:pk>/", "drawings/<id:pk>/"])
def test_page_with_the_largest_id_is_looked_up(client, world, route):
    client.force_login(world.users[MEMBER])
    assert client.get(_page_url(route, LARGEST)).status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        (LARGEST, 2**63 - 1),
        (HUGE, None),
        ("0", None),
        ("", None),
        (None, None),
        ("²", None),
        ("١٢", None),
        ("-3", None),
        (" 7", None),
        ("7a", None),
    ],
)
def test_parse_id_accepts_only_what_can_be_an_id(text, expected):
    assert parse_id(text) == expected
