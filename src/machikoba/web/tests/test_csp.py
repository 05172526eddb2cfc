"""The Content-Security-Policy: the header on every page, templates that need no inline
code, and the endpoint that logs the browsers' violation reports."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.urls import reverse

import machikoba
from machikoba.web import csp_reports

REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/jobs/1/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "http://testserver/jobs/1/",
        "status-code": 200,
        "script-sample": "",
    }
}


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/directory/"])
def test_pages_carry_the_enforced_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["font-src"] == ["'self'"]
    assert policy["report-uri"] == [reverse("web:csp_report")]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


# --- templates -----------------------------------------------------------------------

PACKAGE = Path(machikoba.__file__).parent
TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline <style>": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\shx-on", re.IGNORECASE),
    "js: in hx-vals/hx-headers": re.compile(r"hx-(vals|headers)\s*=\s*['\"]\s*js:", re.IGNORECASE),
}
# Alpine's CSP build reads a property or method name, not arbitrary JavaScript.
ALPINE_ATTRIBUTE = re.compile(r"""\s(?:x-[a-z]+|@[a-z.-]+|:[a-z-]+)="([^"]*)\"""")
ALPINE_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


def test_templates_exist():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_needs_no_inline_code(template):
    text = template.read_text()
    found = {name: pattern.findall(text) for name, pattern in FORBIDDEN.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    expressions = [e for e in ALPINE_ATTRIBUTE.findall(text) if e and not ALPINE_NAME.match(e)]
    assert expressions == [], "Alpine attributes must name a property or method only"


# --- the report endpoint ---------------------------------------------------------------


def _post(client, body, content_type="application/csp-report"):
    return client.post(reverse("web:csp_report"), data=body, content_type=content_type)


class CspLog:
    def __init__(self, caplog):
        self.caplog = caplog

    @property
    def records(self):
        return [r for r in self.caplog.records if r.name == "machikoba.csp"]


@pytest.fixture
def csp_log(caplog):
    caplog.set_level(logging.WARNING, logger="machikoba.csp")
    return CspLog(caplog)


def test_a_report_is_logged_without_a_csrf_token(csp_log):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = _post(client, json.dumps(REPORT))
    assert response.status_code == 204
    (record,) = csp_log.records
    logged = json.loads(record.getMessage().split(": ", 1)[1])
    assert logged["effective-directive"] == "script-src-elem"
    assert logged["blocked-uri"] == "inline"
    assert logged["document-uri"] == "http://testserver/jobs/1/"
    assert "original-policy" not in logged


def test_long_fields_are_cut_short(client, csp_log):
    report = {"csp-report": {**REPORT["csp-report"], "blocked-uri": "x" * 5000}}
    assert _post(client, json.dumps(report)).status_code == 204
    logged = json.loads(csp_log.records[0].getMessage().split(": ", 1)[1])
    assert len(logged["blocked-uri"]) == csp_reports.MAX_FIELD_CHARS


def test_an_oversized_report_is_refused_unread(client, csp_log):
    report = {"csp-report": {**REPORT["csp-report"], "script-sample": "x" * 10_000}}
    response = _post(client, json.dumps(report))
    assert response.status_code == 413
    assert csp_log.records == []


@pytest.mark.parametrize("body", ["not json", "[]", '{"csp-report": "x"}', ""])
def test_a_malformed_report_is_refused(client, csp_log, body):
    assert _post(client, body).status_code == 400
    assert csp_log.records == []


def test_only_post_is_accepted(client):
    assert client.get(reverse("web:csp_report")).status_code == 405


def test_a_flood_of_reports_from_one_address_is_logged_only_up_to_the_budget(client, csp_log):
    for _ in range(csp_reports.REPORTS_PER_MINUTE + 10):
        assert _post(client, json.dumps(REPORT)).status_code == 204
    assert len(csp_log.records) == csp_reports.REPORTS_PER_MINUTE
