"""Every refusal code is declared once, in its app's error_codes.py, and documented."""

from pathlib import Path

import pytest

import machikoba
from machikoba.core.error_codes import (
    ErrorCode,
    code_uses,
    literal_codes,
    markdown,
    registered,
)
from machikoba.core.errors import ApplicationError

PACKAGE = Path(machikoba.__file__).parent
DOCS = PACKAGE.parent.parent / "docs" / "error-codes.md"


def test_no_service_writes_a_code_as_a_string_literal():
    assert literal_codes(PACKAGE) == []


def test_the_scan_finds_a_literal_code(tmp_path):
    """The guard above would be blind if the scan missed the shapes it looks for."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "services.py").write_text(
        "def f(verb):\n"
        "    raise ApplicationError('job_not_open', 'x')\n"
        "def g(verb):\n"
        "    full_clean_or_raise(x, code=f'{verb}_invalid')\n"
        "def h():\n"
        "    raise ApplicationError(Codes.FINE, 'x')\n"
    )
    assert [(line, code) for _, line, code in literal_codes(app)] == [
        (2, "job_not_open"),
        (4, "f'{verb}_invalid'"),
    ]


def test_every_app_with_refusals_has_a_registry_and_every_code_is_raised_somewhere():
    entries = registered()
    assert {e.app for e in entries} >= {
        "accounts",
        "board",
        "companies",
        "drawings",
        "messaging",
        "network",
        "shopfloor",
    }
    uses = code_uses(PACKAGE)
    unused = [
        f"{e.enum.__name__}.{m.name}"
        for e in entries
        for m in e.enum
        if (e.enum.__name__, m.name) not in uses
    ]
    assert unused == []


def test_codes_are_their_own_string_values_in_the_api_shape():
    class Codes(ErrorCode):
        JOB_NOT_OPEN = "job_not_open"

    error = ApplicationError(Codes.JOB_NOT_OPEN, "x")
    assert error.code == "job_not_open"
    assert error.as_dict()["code"] == "job_not_open"
    assert type(error.as_dict()["code"]) is str


def test_codes_are_unique_within_an_app():
    for entry in registered():
        # A repeated value would silently become an alias of the first member.
        assert len(entry.enum.__members__) == len(list(entry.enum)), entry.enum


@pytest.mark.django_db
def test_the_docs_page_is_current():
    assert DOCS.read_text(encoding="utf-8") == markdown(PACKAGE), (
        "docs/error-codes.md is stale: run `python manage.py error_codes > docs/error-codes.md`"
    )
